"""Validation: protocol episodes scored after adaptation (src/train/episodes.ts).

Full-catalog scores for many new users at once, through the same batched inner
loop as training (and as the browser, B = 1 there), then nDCG@10 of the
top-ranked items. The episodes can be split over ranks: each scores its share
and `reduce` sums the totals (distributed.py passes an all-reduce).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Optional, Sequence

import numpy as np
import torch
from torch import Tensor

from ..core.inner import inner_rates, inner_step, start_users
from ..core.model import ItemInputs, item_table, score_batch
from ..core.rows import Feedback, to_device
from ..core.neighbours import Neighbours, neighbour_rows
from ..core.params import Params
from ..core.ragged import Ragged
from ..eval.metrics import ndcg_at_10, top_n
from .tasks import click_rows

CHUNK = 64
"""Users scored per batch: bounds memory at CHUNK × catalog floats."""

Reduce = Callable[[Tensor], Tensor]


@dataclass(frozen=True)
class Validation:
    mean: float  # mean over the shot counts of the mean nDCG@10
    by_k: dict[int, float]


def adapted_scores(
    params: Params,
    inputs: ItemInputs,
    supports: Ragged,
    steps: int,
    neighbours: Optional[Neighbours] = None,
) -> Iterator[tuple[int, Tensor]]:
    """(first list index, [chunk, items] scores after `steps` adaptation steps, on the host), chunk by chunk."""
    dtype, device = params["userInit"].dtype, params["userInit"].device
    with torch.no_grad():
        items = item_table(params, inputs)
        for start in range(0, len(supports), CHUNK):
            chunk = supports.take(np.arange(start, min(start + CHUNK, len(supports))))
            support = to_device(Feedback(
                positives=click_rows(chunk, True, dtype),
                count=torch.from_numpy(chunk.lengths().astype(np.float64)).to(dtype)[:, None],
                neighbours=neighbour_rows(neighbours, chunk, dtype) if neighbours is not None else None,
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
    neighbours: Optional[Neighbours] = None,
    share: tuple[int, int] = (0, 1),
    reduce: Reduce = lambda t: t,
) -> Validation:
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
        for start, scores in adapted_scores(params, inputs, supports, steps, neighbours):
            chunk = np.arange(start, start + scores.shape[0])
            excluded = click_rows(supports.take(chunk), False, scores.dtype).mask(scores.shape[1]) > 0
            query = queries.take(chunk)
            relevant = click_rows(query, False, scores.dtype).mask(scores.shape[1]) > 0
            total += float(ndcg_at_10(top_n(scores, 20, excluded), relevant, query.lengths()).sum())
        totals[2 * slot] = total
        totals[2 * slot + 1] = len(mine)
    totals = reduce(totals)
    by_k = {k: float(totals[2 * s] / totals[2 * s + 1]) if totals[2 * s + 1] > 0 else 0.0 for s, k in enumerate(ks)}
    return Validation(sum(by_k.values()) / max(1, len(by_k)), by_k)
