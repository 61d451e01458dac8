"""A second way to start the item side: implicit ALS with a validated head (src/train/als-start.ts).

Item vectors are T·y_i and context vectors (1 + α)(YᵀY + λI)⁻¹ y_i, so the
prototype start of one click is exactly ALS's fold-in of that click. The small
head on top (item-item weight, popularity weight, inner rate) is chosen on
validation users by the TypeScript trainer's coordinate search, in its order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

import numpy as np
import torch

from ..core.features import FeatureRows
from ..core.params import PARAM_NAMES, UNIFORM_DECAY_LOGIT
from ..core.ragged import Ragged
from ..math.ials import factor_gram, train_ials_within
from .content_map import ContentRegression, content_regression
from .validate import Validation
from .neighbours import transpose
from .screening import SCREEN_KEEP, screen_candidates

KNN: tuple[float, ...] = (0.25, 0.5, 1, 2, 4, 8)
POP: tuple[float, ...] = (0, 0.1, 0.3)
INNER_LR: tuple[float, ...] = (0.01, 0.1, 0.3)
ALS_ITERATIONS = 10
"""ALS iterations of a full run (each leaves a valid solution, so the budget may stop after any, the first at least)."""
ALS_ITERATIONS_STAGE = "ALS iterations"
"""The stage a budget stop inside an ALS run is recorded under (training.budget.stoppedEarly; its iteration: the iterations run)."""

Head = dict[str, float]
"""lambda, knn, pop, innerLr; keys in the order the TypeScript search builds them (the artifact records one)."""
Arrays = dict[str, np.ndarray]


@dataclass(frozen=True)
class AlsStartConfig:
    dim: int
    alpha: float
    lambdas: Sequence[float]  # λ candidates (ridge of ALS and of the fold-in)
    temperature: float  # logit scale T: ALS scores live in [0, 1]
    seed: int


@dataclass
class AlsStart:
    arrays: Arrays
    head: Head
    mean: float
    by_k: dict[int, float]
    trials: list[dict] = field(default_factory=list)
    stopped_after: Optional[int] = None  # trials run when the time budget ended the search (none: it ran to the end)
    iterations_run: Optional[int] = None  # ALS iterations behind the chosen λ when the budget cut its run short (none: all ALS_ITERATIONS)
    screened: Optional[dict] = None  # the item-item × popularity grid's screen, when one ran: {users, trials}


@dataclass(frozen=True)
class AlsData:
    """What every λ's ALS run shares: the training matrices and the content regression."""

    items: int
    user_items: Ragged
    item_users: Ragged
    content: Optional[ContentRegression]


def als_data(train: Ragged, items: int, features: Optional[FeatureRows], warm: np.ndarray) -> AlsData:
    """The training matrices and, given content, its factored regression, built once for every λ."""
    content = content_regression(features, warm) if features is not None else None
    return AlsData(items, train, transpose(train, items), content)


def als_embeddings(data: AlsData, cfg: AlsStartConfig, lam: float,
                   out_of_time: Optional[Callable[[], bool]] = None) -> tuple[Arrays, int]:
    """ALS item and context embeddings [items, dim] (float32), and content maps when the data has content;
    with the ALS iterations run (`out_of_time` may end ALS after any iteration: train_ials_within)."""
    y, iterations = train_ials_within(data.user_items, data.item_users, cfg.dim, cfg.alpha, lam, iterations=ALS_ITERATIONS,
                                      cg_steps=3, seed=cfg.seed, out_of_time=out_of_time)
    gram = factor_gram(y) + lam * torch.eye(cfg.dim, dtype=torch.float64)
    item_emb = (cfg.temperature * y).to(torch.float32).numpy()
    ctx_emb = ((1 + cfg.alpha) * torch.linalg.solve(gram, y.T).T).to(torch.float32).numpy()
    if data.content is None:
        return {"itemEmb": item_emb, "ctxEmb": ctx_emb}, iterations
    content_w, item_res = data.content.split(item_emb)
    content_ctx, ctx_res = data.content.split(ctx_emb)
    return {"itemEmb": item_res, "ctxEmb": ctx_res, "contentW": content_w, "contentCtx": content_ctx}, iterations


def als_params(shapes: dict[str, tuple[int, ...]], emb: Arrays, head: Head) -> Arrays:
    """Every parameter of an ALS start: the embeddings, the head, zeros elsewhere (alsParams)."""
    lr = math.log(head["innerLr"])
    full = lambda name, v: np.full(shapes[name], v, dtype=np.float32)  # noqa: E731
    zeros = lambda name: full(name, 0.0)  # noqa: E731
    # κ = exp(logShrink) = 1: one click counts 1/2, and protoScale 2 makes it the full fold-in.
    out = {
        "itemEmb": emb["itemEmb"],
        "ctxEmb": emb["ctxEmb"],
        "contentW": emb.get("contentW", zeros("contentW")),
        "contentCtx": emb.get("contentCtx", zeros("contentCtx")),
        "contentBias": zeros("contentBias"),
        "itemBias": zeros("itemBias"),
        "userInit": zeros("userInit"),
        "popInit": full("popInit", 1.0),
        "popWeight": full("popWeight", head["pop"]),
        "protoScale": full("protoScale", 2.0),
        "logShrink": zeros("logShrink"),
        "logLrUser": full("logLrUser", lr),
        "logLrPop": full("logLrPop", lr),
        "logLrKnn": full("logLrKnn", lr),
        "logKnnInit": full("logKnnInit", math.log(max(head["knn"], 1e-12))),
        # as initParams(shape, { seed }) leaves them: every click weighs the same, the sequential weight 1 at rate 1
        "logitDecay": full("logitDecay", UNIFORM_DECAY_LOGIT),
        "logSeqInit": zeros("logSeqInit"),
        "logLrSeq": zeros("logLrSeq"),
    }
    return {name: np.asarray(out[name], dtype=np.float32).reshape(shapes[name]) for name in PARAM_NAMES}


Evaluate = Callable[[Arrays], Validation]
Embed = Callable[[Sequence[float]], dict[float, tuple[Arrays, int]]]
"""Embeddings of several λ at once, each with its ALS iterations run."""


def select_als_start(evaluate: Evaluate, embed: Embed, shapes: dict[str, tuple[int, ...]],
                     lambdas: Sequence[float], neighbours: bool, steps: int,
                     out_of_time: Callable[[], bool] = lambda: False, parallel: int = 1,
                     screen: Optional[tuple[int, Evaluate]] = None) -> AlsStart:
    """The best ALS start on the validation users: λ first (at the middle head), then knn × pop, then the inner rate.

    `embed(lambdas)` computes the embeddings of several λ at once (als_candidate.py
    spreads them over the ranks), `parallel` λ of the grid at a time, so a round
    that would start past the budget is never started; `evaluate` scores a
    parameter set on validation. Once `out_of_time()` (the same answer on every
    process) no trial starts after the first, and the best of those run is kept
    (selectAlsStart's deadline); a running ALS stops on its own (embed's business).
    `screen` (its users, its evaluate): the knn × pop grid is scored there first and
    only its SCREEN_KEEP best on every validation user (screening.py).
    """
    trials: list[dict] = []
    cache: dict[float, tuple[Arrays, int]] = {}
    best: Optional[AlsStart] = None
    skipped = 0

    def attempt(head: Head) -> None:
        nonlocal best, skipped
        if best is not None and out_of_time():
            skipped += 1
            return
        if head["lambda"] not in cache:
            ahead = [lam for lam in dict.fromkeys(lambdas) if lam not in cache and lam != head["lambda"]]
            cache.update(embed([head["lambda"], *ahead[: max(0, parallel - 1)]]))
        arrays = als_params(shapes, cache[head["lambda"]][0], head)
        v = evaluate(arrays)
        trials.append({"head": head, "validation": v.mean})
        if best is None or v.mean > best.mean:
            best = AlsStart(arrays, head, v.mean, v.by_k, trials)

    knns = KNN if neighbours else (0,)
    middle = {"knn": 2 if neighbours else 0, "pop": 0, "innerLr": INNER_LR[0]}
    for lam in lambdas:
        attempt({**middle, "lambda": lam})
    # An optimum at the edge of the λ grid may lie beyond it: look one decade further out.
    chosen = best.head["lambda"]  # type: ignore[union-attr]
    edge = 10 if chosen == max(lambdas) else 0.1 if chosen == min(lambdas) else 0
    if edge > 0 and len(lambdas) > 1:
        attempt({**middle, "lambda": chosen * edge})
    lam = best.head["lambda"]  # type: ignore[union-attr]
    grid = [{"lambda": lam, "knn": knn, "pop": pop, "innerLr": middle["innerLr"]}
            for knn in knns for pop in POP if knn != middle["knn"] or pop != middle["pop"]]
    finalists = grid
    screened = None
    if screen is not None and len(grid) > SCREEN_KEEP:
        users, evaluate_screen = screen

        def screen_one(head: Head) -> Optional[float]:
            return None if out_of_time() else evaluate_screen(als_params(shapes, cache[lam][0], head)).mean

        finalists, scores = screen_candidates(grid, screen_one)
        skipped += len(grid) - len(scores)
        screened = {"users": users, "trials": [{"head": h, "validation": v} for h, v in scores]}
    for head in finalists:
        attempt(head)
    if steps > 0:
        head = dict(best.head)  # type: ignore[union-attr]
        for inner_lr in INNER_LR[1:]:
            attempt({**head, "innerLr": inner_lr})
    assert best is not None
    best.screened = screened
    if skipped > 0:
        best.stopped_after = len(trials)
    ran = cache[best.head["lambda"]][1]
    if ran < ALS_ITERATIONS:
        best.iterations_run = ran
    return best
