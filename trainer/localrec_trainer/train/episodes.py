"""Validation: protocol episodes scored after adaptation (src/train/episodes.ts).

Full-catalog scores for many new users at once, through the same batched inner
loop as training (and as the browser, B = 1 there), clicks weighed by the
model's recency decay, then nDCG@10 of the top-ranked items (protocol v1) or
HR@10 of the next click (protocol v2). The users can be split over ranks: each
scores its share and `reduce` sums the totals (distributed/world.py passes an all-reduce).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Optional, Sequence

import numpy as np
import torch
from torch import Tensor

from ..core.inner import inner_rates, inner_step, start_users
from ..core.model import ItemInputs, item_table, score_batch
from ..core.recency import decay_of, recency_weights
from ..core.rows import Feedback, to_device
from ..core.neighbours import Neighbours, neighbour_rows
from ..core.params import Params
from ..core.ragged import Ragged
from ..core.transitions import Transitions, seq_weights
from ..eval.metrics import PREQUENTIAL_CUTOFF, PREQUENTIAL_STEPS, ndcg_at_10, ranks_of, top_n
from .tasks import click_rows, weighted_rows

CHUNK = 64
"""Users scored per batch: bounds memory at CHUNK × catalog floats."""

Reduce = Callable[[Tensor], Tensor]


@dataclass(frozen=True)
class ItemLists:
    """The item lists a model scores with beyond its vectors: item-item neighbours and next-item transitions."""

    neighbours: Optional[Neighbours] = None
    transitions: Optional[Transitions] = None


def adapted_scores(
    params: Params,
    inputs: ItemInputs,
    supports: Ragged,
    steps: int,
    lists: ItemLists = ItemLists(),
) -> Iterator[tuple[int, Tensor]]:
    """(first list index, [chunk, items] scores after `steps` adaptation steps, on the host), chunk by chunk."""
    dtype, device = params["userInit"].dtype, params["userInit"].device
    decay = decay_of(float(params["logitDecay"].reshape(-1)[0]))
    with torch.no_grad():
        items = item_table(params, inputs)
        for start in range(0, len(supports), CHUNK):
            chunk = supports.take(np.arange(start, min(start + CHUNK, len(supports))))
            weights, _ = recency_weights(chunk, decay)
            support = to_device(Feedback(
                positives=weighted_rows(chunk, weights, dtype),
                count=torch.from_numpy(chunk.lengths().astype(np.float64)).to(dtype)[:, None],
                neighbours=neighbour_rows(lists.neighbours, chunk, dtype, weights) if lists.neighbours is not None else None,
                transitions=neighbour_rows(lists.transitions, chunk, dtype, seq_weights(chunk, decay)[0]) if lists.transitions is not None else None,
            ), device)
            rates = inner_rates(params, support)
            users = start_users(params, items, support)
            for _ in range(steps):
                users = inner_step(items, users, support, rates)
            yield start, score_batch(items, users).cpu()  # ranking runs on the host


def episode_ndcg(
    params: Params,
    inputs: ItemInputs,
    users: Ragged,
    ks: Sequence[int],
    steps: int,
    lists: ItemLists = ItemLists(),
    share: tuple[int, int] = (0, 1),
    reduce: Reduce = lambda t: t,
) -> tuple[float, dict[int, float]]:
    """Mean nDCG@10 of protocol episodes at each shot count, and their average (episodeNdcg).

    `share` = (rank, world): this process scores episodes rank, rank + world, ...
    """
    rank, world = share
    lengths = users.lengths()
    totals = torch.zeros(2 * len(ks), dtype=torch.float64)  # per k: Σ nDCG, episodes
    for slot, k in enumerate(ks):
        eligible = np.flatnonzero(lengths > k)
        mine = eligible[rank::world]
        supports = users.take(mine, stops=np.full(len(mine), k))
        queries = users.take(mine, starts=np.full(len(mine), k))
        total = 0.0
        for start, scores in adapted_scores(params, inputs, supports, steps, lists):
            chunk = np.arange(start, start + scores.shape[0])
            excluded = click_rows(supports.take(chunk), False, scores.dtype).mask(scores.shape[1]) > 0
            query = queries.take(chunk)
            relevant = click_rows(query, False, scores.dtype).mask(scores.shape[1]) > 0
            total += float(ndcg_at_10(top_n(scores, 20, excluded), relevant, query.lengths()).sum())
        totals[2 * slot] = total
        totals[2 * slot + 1] = len(mine)
    totals = reduce(totals)
    by_k = {k: float(totals[2 * s] / totals[2 * s + 1]) if totals[2 * s + 1] > 0 else 0.0 for s, k in enumerate(ks)}
    return sum(by_k.values()) / max(1, len(by_k)), by_k


def prequential_steps(users: Ragged, max_steps: int = PREQUENTIAL_STEPS) -> tuple[Ragged, np.ndarray, np.ndarray]:
    """Every prequential step of every user (prequentialSteps): histories (the first t), targets, and each step's user."""
    lengths = users.lengths()
    steps = np.clip(np.minimum(lengths - 1, max_steps), 0, None)
    owner = np.repeat(np.arange(len(users)), steps)
    t = np.arange(int(steps.sum())) - np.repeat(np.cumsum(steps) - steps, steps) + 1
    histories = users.take(owner, stops=t)
    targets = users.items[users.ptr[owner] + t].astype(np.int64)
    return histories, targets, owner


def prequential_hr(
    params: Params,
    inputs: ItemInputs,
    users: Ragged,
    steps: int,
    lists: ItemLists = ItemLists(),
    share: tuple[int, int] = (0, 1),
    reduce: Reduce = lambda t: t,
) -> float:
    """Mean protocol v2 HR@10 of the next click over users, each the mean over their steps (prequentialHr)."""
    rank, world = share
    mine = np.flatnonzero(users.lengths() >= 2)[rank::world]
    histories, targets, owner = prequential_steps(users.take(mine))
    per_step = np.bincount(owner, minlength=len(mine)).astype(np.float64)
    total = 0.0
    for start, scores in adapted_scores(params, inputs, histories, steps, lists):
        chunk = np.arange(start, start + scores.shape[0])
        history = histories.take(chunk)
        excluded = click_rows(history, False, scores.dtype).mask(scores.shape[1]) > 0
        hits = ranks_of(scores, torch.from_numpy(targets[chunk]), excluded) <= PREQUENTIAL_CUTOFF
        total += float((hits.numpy() / per_step[owner[chunk]]).sum())
    sums = reduce(torch.tensor([total, float(len(mine))], dtype=torch.float64))
    return float(sums[0] / sums[1]) if sums[1] > 0 else 0.0
