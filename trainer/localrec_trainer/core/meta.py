"""Meta-objectives for one batch of tasks (src/core/meta.ts).

One task = one user: support clicks to adapt on, query clicks to be judged on.
`meta_objective` returns the scalar each algorithm differentiates; the caller
owns the parameters, runs backward and steps the optimizer (train/meta_loop.py
does both, under DDP).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import torch
from torch import Tensor

from .inner import effective_support, inner_loop, start_users
from .model import ItemInputs, ItemTable, UserBatch, feedback_loss, item_table, score_batch
from .rows import Feedback, Rows
from .params import PARAM_NAMES, Params
from .sampled import Candidates, candidate_feedback, candidate_table

META_ALGORITHMS: tuple[str, ...] = ("maml", "fomaml", "reptile", "protonet")


@dataclass(frozen=True)
class TaskBatch:
    support: Feedback
    query: Feedback

    def over(self, c: Candidates) -> "TaskBatch":
        """The same tasks with every row in the candidates' columns (a sampled batch's catalog is C)."""
        return TaskBatch(candidate_feedback(self.support, c), candidate_feedback(self.query, c))


@dataclass(frozen=True)
class MetaConfig:
    algorithm: str
    inner_steps: int  # inner steps during training (protonet always uses 0)
    learn_rates: bool  # learn per-parameter inner learning rates (Meta-SGD)
    weight_decay: float  # L2 penalty on the id embeddings and biases
    neighbours: bool = False  # whether the tasks carry neighbour rows
    recency: bool = False  # whether the tasks carry the rows' derivatives in the recency decay
    transitions: bool = False  # whether the tasks carry transition rows


@dataclass(frozen=True)
class Share:
    """What a batch's losses are divided by: its query clicks and tasks.

    One process: this batch's own. Under DDP each rank holds part of a global
    batch, and these are the global totals divided by the world size, so that
    DDP's mean of the ranks' gradients is the gradient of the global batch.
    """

    clicks: float
    tasks: float


def trainable_names(config: MetaConfig) -> list[str]:
    """Which parameters an algorithm updates (the inner rates only when learned and differentiable)."""
    lrs = ("logLrUser", "logLrPop", "logLrKnn", "logLrSeq")
    knn = ("logKnnInit", "logLrKnn")
    seq = ("logSeqInit", "logLrSeq")
    learns_rates = config.learn_rates and config.algorithm == "maml"
    return [n for n in PARAM_NAMES
            if (learns_rates or n not in lrs) and (config.neighbours or n not in knn)
            and (config.transitions or n not in seq) and (config.recency or n != "logitDecay")]


def local_share(batch: TaskBatch) -> Share:
    """This batch's own normalisers: its query clicks (at least 1) and its tasks."""
    return Share(max(float(batch.query.positives.totals().sum()), 1.0), float(batch.support.batch))


def meta_objective(
    params: Params, inputs: ItemInputs, batch: TaskBatch, config: MetaConfig, share: Optional[Share] = None,
    candidates: Optional[Candidates] = None,
) -> Tensor:
    """The scalar the configured algorithm differentiates (objective() in meta.ts).

    `candidates`: the batch's sampled sub-catalog (core/sampled.py): the whole
    task runs on it (the table's rows at C, −log r folded into their scores, the
    batch's rows in C's columns) instead of the whole catalog.
    """
    if config.algorithm not in META_ALGORITHMS:
        raise ValueError(f'Unknown meta-algorithm "{config.algorithm}": use one of {", ".join(META_ALGORITHMS)}.')
    share = share or local_share(batch)
    steps = 0 if config.algorithm == "protonet" else config.inner_steps
    # A sampled batch's L2 covers its candidates' rows, the rows it updates (lazy Adam leaves the others as they
    # are), as in meta.ts; a full batch's, every row.
    rows = candidates.items if candidates is not None else slice(None)
    decay = config.weight_decay * (params["itemEmb"][rows].square().sum() + params["itemBias"][rows].square().sum())
    items = item_table(params, inputs)
    if candidates is not None:
        items, batch = candidate_table(items, candidates), batch.over(candidates)
    if config.algorithm in ("maml", "protonet"):
        users = inner_loop(params, items, batch.support, steps)
        return query_loss(items, users, batch.query, share) + decay
    # First-order methods: the adapted parameters are constants; gradients reach
    # the initialization through the start point with an identity Jacobian.
    joined = join_feedback(batch.support, batch.query) if config.algorithm == "reptile" else None
    with torch.no_grad():
        fixed = ItemTable(items.vectors.detach(), items.bias.detach(), items.context.detach(), items.offset)
        adapted = inner_loop(params, fixed, batch.support, steps)
        full = inner_loop(params, fixed, joined, steps) if joined is not None else None
        start = start_users(params, fixed, effective_support(params, batch.support))
    live = start_users(params, items, effective_support(params, batch.support))
    if full is None:
        users = pass_through(adapted, live, start)
        return query_loss(items, users, batch.query, share) + decay
    # Reptile: move the user-side start towards the point reached by training on
    # the whole task (the gradient of ½‖θ0 − θK‖²), every adapted part of it: the
    # item-item and sequential weights too, so their start values (logKnnInit,
    # logSeqInit) learn as they do under MAML. The shared item side learns,
    # first-order, to serve the query from the support-adapted point, as at test time.
    gaps = [live.user - full.user, live.pop - full.pop]
    if live.knn is not None and full.knn is not None:
        gaps.append(live.knn - full.knn)
    if live.seq is not None and full.seq is not None:
        gaps.append(live.seq - full.seq)
    pull = sum(gap.square().sum() for gap in gaps)
    fit = query_loss(items, adapted, batch.query, share)
    return 0.5 * pull / share.tasks + fit + decay


def query_loss(items: ItemTable, users: UserBatch, query: Feedback, share: Share) -> Tensor:
    """Loss per held-out click: the query rows may carry any number of clicks per user."""
    return feedback_loss(score_batch(items, users), query).sum() / share.clicks


def pass_through(adapted: UserBatch, live: UserBatch, start: UserBatch) -> UserBatch:
    """`adapted + (live − start)`: the value of `adapted`, the gradient of `live`."""
    knn = adapted.knn + (live.knn - start.knn) if adapted.knn is not None and live.knn is not None and start.knn is not None else None
    seq = adapted.seq + (live.seq - start.seq) if adapted.seq is not None and live.seq is not None and start.seq is not None else None
    return UserBatch(adapted.user + (live.user - start.user), adapted.pop + (live.pop - start.pop),
                     knn, live.neighbours if knn is not None else None, seq, live.transitions if seq is not None else None)


def join_feedback(a: Feedback, b: Feedback) -> Feedback:
    """Support and query as one task (Reptile trains on all of a task's data), each distinct item 1/count.

    The rows (item-item, sequential) are the support's, as built; the joined task has no decay derivatives.
    """
    rows = torch.cat([a.positives.row, b.positives.row])
    items = torch.cat([a.positives.item, b.positives.item])
    keep = torch.cat([a.positives.value, b.positives.value]) > 0
    width = int(items.max()) + 1 if len(items) else 1
    keys = torch.unique(rows[keep] * width + items[keep])
    row, item = keys // width, keys % width
    value = a.positives.value
    count = torch.zeros(a.batch, dtype=value.dtype, device=value.device).index_add(0, row, torch.ones_like(row, dtype=value.dtype))
    positives = Rows(row, item, 1 / count.clamp(min=1)[row], a.batch)
    negatives = _sum_rows(a.negatives, b.negatives)
    return Feedback(positives, negatives=negatives, count=count[:, None], neighbours=a.neighbours, transitions=a.transitions)


def _sum_rows(a: Optional[Rows], b: Optional[Rows]) -> Optional[Rows]:
    if a is None or b is None:
        return a if b is None else b
    return Rows(torch.cat([a.row, b.row]), torch.cat([a.item, b.item]), torch.cat([a.value, b.value]), a.batch)
