"""The neighbour lists of a training set, and training users' leave-one-out rows (src/train/neighbours.ts).

Training needs more than the shipped lists: the co-occurrence count behind
each similarity and the item counts, so that a training user's own
contribution can be taken out of the row their task sees.

The lists are built once per run: the co-occurrence counts are shared by every
shrinkage the item-list search tries, and under DDP each process counts its
share of the item blocks and the processes exchange the results (`share`,
`reduce`), so no process builds what another already has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np
import torch
from torch import Tensor

from ..core.rows import Rows
from ..core.neighbours import Neighbours
from ..core.ragged import Ragged

PAIR_BUDGET = 20_000_000
"""Co-occurrence pairs (and dense counters) held at once while building the lists: bounds memory (~0.5 GB)."""

Reduce = Callable[[Tensor], Tensor]


@dataclass(frozen=True)
class TrainingNeighbours(Neighbours):
    co: np.ndarray  # float32 [items, m] training users with both the item and the neighbour
    counts: np.ndarray  # float32 [items] training users with the item
    shrink: float

    def shipped(self) -> Neighbours:
        return Neighbours(self.m, self.ids, self.sims)


def unique_per_user(train: Ragged, items: int) -> Ragged:
    """Each user's distinct items (ascending): repeats in a history count once."""
    keys = np.unique(train.rows() * items + train.items.astype(np.int64))
    users, item = np.divmod(keys, items)
    ptr = np.zeros(len(train) + 1, dtype=np.int64)
    np.cumsum(np.bincount(users, minlength=len(train)), out=ptr[1:])
    return Ragged(ptr, item.astype(np.int32))


def transpose(m: Ragged, cols: int) -> Ragged:
    """For each of `cols` columns, the rows that contain it (ascending)."""
    order = np.argsort(m.items, kind="stable")
    ptr = np.zeros(cols + 1, dtype=np.int64)
    np.cumsum(np.bincount(m.items, minlength=cols), out=ptr[1:])
    return Ragged(ptr, m.rows()[order].astype(np.int32))


def build_neighbours(train: Ragged, items: int, m: int, shrink: float) -> TrainingNeighbours:
    """Top-`m` neighbours of every item by shrunk cosine `|U_i ∩ U_j| / (sqrt(|U_i| |U_j|) + shrink)` (buildNeighbours)."""
    return build_neighbour_sets(train, items, m, [shrink])[0]


def build_neighbour_sets(train: Ragged, items: int, m: int, shrinks: Sequence[float],
                         share: tuple[int, int] = (0, 1), reduce: Optional[Reduce] = None) -> list[TrainingNeighbours]:
    """The lists at each shrinkage from one co-occurrence pass; ties broken by index, as the TypeScript trainer does.

    Items are processed in blocks whose co-occurrence pairs fit PAIR_BUDGET;
    with `share` = (rank, world) this process counts blocks rank, rank + world,
    ..., and `reduce` (a sum over the processes) gives every process all rows.
    """
    rank, world = share
    sets = unique_per_user(train, items)
    by_item = transpose(sets, items)
    counts = np.bincount(sets.items, minlength=items).astype(np.float64)
    user_len = sets.lengths()
    out = [(np.full((items, m), -1, dtype=np.int32), np.zeros((items, m), dtype=np.float32), np.zeros((items, m), dtype=np.float32)) for _ in shrinks]
    # pairs an item generates: Σ over its users of their history lengths
    pairs = np.bincount(by_item.rows(), weights=user_len[by_item.items], minlength=items).astype(np.int64)
    j0, block = 0, 0
    while j0 < items:
        j1, budget = j0, 0
        while j1 < items and (j1 == j0 or (budget + pairs[j1] <= PAIR_BUDGET and (j1 - j0 + 1) * items <= PAIR_BUDGET)):
            budget += pairs[j1]
            j1 += 1
        if block % world == rank:
            _block(j0, j1, sets, by_item, counts, shrinks, m, out)
        j0, block = j1, block + 1
    if world > 1:
        if reduce is None:
            raise ValueError("Building the lists on several processes needs a reduce (a sum over the processes).")
        for lists in out:
            ids, sims, co = lists
            # rows this process did not build are -1 / 0: the sum over processes is every row once
            ids[:] = reduce(torch.from_numpy(ids.astype(np.float64) + 1)).numpy().astype(np.int32) - 1
            sims[:] = reduce(torch.from_numpy(sims.astype(np.float64))).numpy()
            co[:] = reduce(torch.from_numpy(co.astype(np.float64))).numpy()
    return [TrainingNeighbours(m, ids, sims, co, counts.astype(np.float32), float(s)) for s, (ids, sims, co) in zip(shrinks, out)]


def _block(j0: int, j1: int, sets: Ragged, by_item: Ragged, counts: np.ndarray, shrinks: Sequence[float], m: int,
           out: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
    """Neighbour lists of items j0..j1-1 from a dense [block, items] co-occurrence count."""
    items = len(counts)
    block = j1 - j0
    users = by_item.take(np.arange(j0, j1))  # users of each item in the block
    histories = sets.take(users.items.astype(np.int64))  # their items, per (item, user) pair
    owner = np.repeat(users.rows(), histories.lengths())  # block-local item of each pair
    acc = np.bincount(owner * items + histories.items, minlength=block * items).reshape(block, items)
    acc[np.arange(block), np.arange(j0, j1)] = 0  # an item is not its own neighbour
    row, col = np.nonzero(acc)
    c = acc[row, col].astype(np.float64)
    j = row + j0
    for shrink, (ids, sims, co) in zip(shrinks, out):
        s = c / (np.sqrt(counts[col] * counts[j]) + shrink)
        order = np.lexsort((col, -s, row))  # by item, then similarity descending, ties by index
        start = np.searchsorted(row[order], np.arange(block))
        rank = np.arange(len(order)) - start[row[order]]
        keep = order[rank < m]
        r = rank[rank < m]
        ids[j[keep], r] = col[keep]
        sims[j[keep], r] = s[keep]
        co[j[keep], r] = c[keep]


def membership(keys: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """A test `x in keys` for many x at once (keys sorted, unique)."""
    def has(x: np.ndarray) -> np.ndarray:
        at = np.searchsorted(keys, x)
        return (at < len(keys)) & (keys[np.minimum(at, max(len(keys) - 1, 0))] == x) if len(keys) else np.zeros(x.shape, dtype=bool)
    return has


@dataclass(frozen=True)
class ListTerms:
    """A sparse row per list before the click weights: entry e adds weight[click[e]] · base[e] at (row[e], item[e])."""

    row: np.ndarray  # int64 [entries]
    item: np.ndarray  # int64 [entries]
    base: np.ndarray  # float64 [entries]
    click: np.ndarray  # int64 [entries] the support click behind each entry
    batch: int

    def rows(self, weights: np.ndarray, dtype: torch.dtype) -> Rows:
        """The rows with one weight per support click (float64, e.g. recency weights or their derivatives)."""
        return Rows(torch.from_numpy(self.row), torch.from_numpy(self.item),
                    torch.from_numpy(np.asarray(weights, dtype=np.float64)[self.click] * self.base).to(dtype), self.batch)


def leave_one_out_terms(index: TrainingNeighbours, supports: Ragged, histories: Ragged) -> ListTerms:
    """Training users' neighbour rows for their supports, as if they had not been among the training users (leaveOneOutRow).

    Their own co-occurrences are taken out of every similarity, so training sees
    the row a new visitor would get.
    """
    n = len(index.counts)
    mine = membership(np.unique(histories.rows() * n + histories.items.astype(np.int64)))
    rows = supports.rows()
    j = supports.items.astype(np.int64)
    j_mine = mine(rows * n + j)
    cj = index.counts[j].astype(np.float64) - j_mine
    nb = index.ids[j].astype(np.int64)  # [support clicks, m]
    valid = nb >= 0
    nb_safe = np.where(valid, nb, 0)
    row2 = np.broadcast_to(rows[:, None], nb.shape)
    i_mine = mine((row2 * n + nb_safe).reshape(-1)).reshape(nb.shape)
    ci = index.counts[nb_safe].astype(np.float64) - i_mine
    both = index.co[j].astype(np.float64) - (i_mine & j_mine[:, None])
    keep = valid & (cj[:, None] > 0) & (ci > 0) & (both > 0)
    base = both / (np.sqrt(np.where(keep, ci * cj[:, None], 1.0)) + index.shrink)
    click = np.broadcast_to(np.arange(len(j))[:, None], nb.shape)
    return ListTerms(np.ascontiguousarray(row2[keep]), nb[keep], base[keep], np.ascontiguousarray(click[keep]), len(supports))


def leave_one_out_rows(index: TrainingNeighbours, supports: Ragged, histories: Ragged,
                       dtype: torch.dtype = torch.float32, weights: Optional[np.ndarray] = None) -> Rows:
    """The leave-one-out rows with one weight per support click (default 1/len of its support)."""
    w = 1.0 / supports.lengths()[supports.rows()] if weights is None else weights
    return leave_one_out_terms(index, supports, histories).rows(w, dtype)
