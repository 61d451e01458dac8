"""The pretrain + fine-tune baseline and its fine-tuning head (trainPretrain in src/train/pretrain.ts).

What meta-training learns per visitor (inner rates, the item-item and
sequential starts, the recency decay), the baseline chooses on validation
users by coordinate search: the rate, then the item-item start, the
sequential start, then the decay, each stage keeping the best so far.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable

import numpy as np

from ..core.params import decay_logit
from .pretrain import pooled_params
from .types import Arrays, TrainedModel
from .validate import Validation

if TYPE_CHECKING:
    from .trainer import TrainContext

FINETUNE_RATES: tuple[float, ...] = (0.1, 0.3, 1, 3, 10)
"""Inner learning rates tried for fine-tuning the pooled model (chosen on validation users)."""

FINETUNE_KNN: tuple[float, ...] = (0.1, 1, 3)
"""Start weights of the item-item term tried after the rate, when the model has neighbours."""

FINETUNE_SEQ: tuple[float, ...] = (0.3, 1, 3)
"""Start weights of the sequential term tried after that, when transitions earned their place."""

FINETUNE_DECAYS: tuple[float, ...] = (1, 0.8, 0.6)
"""Recency decays tried last, when the objective asks for the next click (protocol v2)."""


@dataclass(frozen=True)
class Head:
    """A fine-tuning head: inner rate (all four), item-item start, sequential start, recency decay."""

    rate: float
    knn: float
    seq: float
    decay: float


@dataclass(frozen=True)
class Tried:
    """A head on one set of pooled parameters: the parameters it makes and their validation."""

    arrays: Arrays
    head: Head
    validation: Validation


def first_head(neighbours: bool) -> Head:
    """Where the search starts: rate 1, the item-item start 1 (0 without neighbours), sequential start 1, no decay."""
    return Head(1, 1 if neighbours else 0, 1, 1)


def head_arrays(arrays: Arrays, dim: int, head: Head) -> Arrays:
    """The pooled parameters with the head's per-visitor parameters, float32 as the TypeScript arrays hold them."""
    lr = np.float32(math.log(head.rate))
    one = lambda v: np.array([v], dtype=np.float32)  # noqa: E731
    return {**arrays, "logLrUser": np.full(dim, lr, dtype=np.float32), "logLrPop": one(lr), "logLrKnn": one(lr), "logLrSeq": one(lr),
            # without neighbours the item-item weight is unused; a finite stand-in keeps the artifact loadable
            "logKnnInit": one(math.log(max(head.knn, 1e-12))), "logSeqInit": one(math.log(head.seq)),
            "logitDecay": one(decay_logit(head.decay))}


def search_head(score: Callable[[Head], Tried], start: Head, neighbours: bool, transitions: bool, objective: str) -> Tried:
    """The best head by coordinate search from `start` (each stage's candidates vary the best head at the stage's start)."""
    best = score(start)

    def stage(heads: list[Head]) -> None:
        nonlocal best
        for head in heads:
            if head == best.head:
                continue
            tried = score(head)
            if tried.validation.mean > best.validation.mean:
                best = tried

    stage([replace(best.head, rate=r) for r in FINETUNE_RATES])
    if neighbours:
        stage([replace(best.head, knn=k) for k in FINETUNE_KNN])
    if transitions:
        stage([replace(best.head, seq=s) for s in FINETUNE_SEQ])
    if objective != "v1":
        stage([replace(best.head, decay=d) for d in FINETUNE_DECAYS])
    return best


def train_pretrain(context: "TrainContext") -> TrainedModel:
    """The transfer-learning baseline (trainPretrain): pooled users, the item lists meta-training would ship,
    and a fine-tuning head by coordinate search on the run's objective (search_head below).

    The head is searched at the first validation; the later checkpoints are
    scored with that head, so early stopping costs one validation per
    checkpoint (no second search on the best checkpoint: see pretrain.ts).
    """
    config = context.config
    context.choose_lists()
    context.item_lists = None  # the Node baseline records no item-list search in its artifact
    found = (context.lists.neighbours is not None, context.lists.transitions is not None, config.objective)

    def scorer(arrays: Arrays):
        def score(head) -> Tried:
            tuned = head_arrays(arrays, config.dim, head)
            return Tried(tuned, head, context.validate_arrays(tuned))
        return score

    # resumed after the first validation: the head it found, which later checkpoints keep
    resumed = context.run.resumed("pretrain")
    saved = resumed["best"] if resumed else None
    state = {"head": saved["tried"].head if saved else first_head(found[0]), "searched": saved is not None}

    def checkpoint(arrays: Arrays) -> dict:
        score = scorer(arrays)
        tried = score(state["head"]) if state["searched"] else search_head(score, state["head"], *found)
        state["head"], state["searched"] = tried.head, True
        return {"mean": tried.validation.mean, "arrays": arrays, "tried": tried}

    pooled = pooled_params(context.data.train, config, context.shape, context.inputs, "click", context.world, context.run, "pretrain",
                           checkpoint)
    assert pooled.best is not None
    chosen: Tried = pooled.best["tried"]
    return context.model(chosen.arrays, pooled.history, Validation(chosen.validation.mean, chosen.validation.by_k), {"chosen": "pooled"},
                         config.with_changes(inner_lr=chosen.head.rate))
