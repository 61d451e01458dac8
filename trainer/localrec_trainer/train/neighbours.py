"""The neighbour lists of a training set, and training users' leave-one-out rows (src/train/neighbours.ts).

Training needs more than the shipped lists: the co-occurrence count behind
each similarity and the item counts, so that a training user's own
contribution can be taken out of the row their task sees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..core.rows import Rows
from ..core.neighbours import Neighbours
from ..core.ragged import Ragged

PAIR_BUDGET = 20_000_000
"""Co-occurrence pairs (and dense counters) held at once while building the lists: bounds memory (~0.5 GB)."""


@dataclass(frozen=True)
class TrainingNeighbours(Neighbours):
    co: np.ndarray  # float32 [items, m] training users with both the item and the neighbour
    counts: np.ndarray  # float32 [items] training users with the item
    shrink: float

    def shipped(self) -> Neighbours:
        return Neighbours(self.m, self.ids, self.sims)


def _unique_per_user(train: Ragged, items: int) -> Ragged:
    """Each user's distinct items (ascending): repeats in a history count once."""
    keys = np.unique(train.rows() * items + train.items.astype(np.int64))
    users, item = np.divmod(keys, items)
    ptr = np.zeros(len(train) + 1, dtype=np.int64)
    np.cumsum(np.bincount(users, minlength=len(train)), out=ptr[1:])
    return Ragged(ptr, item.astype(np.int32))


def _transpose(m: Ragged, cols: int) -> Ragged:
    """For each of `cols` columns, the rows that contain it (ascending)."""
    order = np.argsort(m.items, kind="stable")
    ptr = np.zeros(cols + 1, dtype=np.int64)
    np.cumsum(np.bincount(m.items, minlength=cols), out=ptr[1:])
    return Ragged(ptr, m.rows()[order].astype(np.int32))


def build_neighbours(train: Ragged, items: int, m: int, shrink: float) -> TrainingNeighbours:
    """Top-`m` neighbours of every item by shrunk cosine `|U_i ∩ U_j| / (sqrt(|U_i| |U_j|) + shrink)`.

    Ties are broken by index, so the lists are the TypeScript trainer's exactly.
    Items are processed in blocks whose co-occurrence pairs fit PAIR_BUDGET.
    """
    sets = _unique_per_user(train, items)
    by_item = _transpose(sets, items)
    counts = np.bincount(sets.items, minlength=items).astype(np.float64)
    user_len = sets.lengths()
    ids = np.full((items, m), -1, dtype=np.int32)
    sims = np.zeros((items, m), dtype=np.float32)
    co = np.zeros((items, m), dtype=np.float32)
    # pairs an item generates: Σ over its users of their history lengths
    pairs = np.bincount(by_item.rows(), weights=user_len[by_item.items], minlength=items).astype(np.int64)
    j0 = 0
    while j0 < items:
        j1, budget = j0, 0
        while j1 < items and (j1 == j0 or (budget + pairs[j1] <= PAIR_BUDGET and (j1 - j0 + 1) * items <= PAIR_BUDGET)):
            budget += pairs[j1]
            j1 += 1
        _block(j0, j1, sets, by_item, counts, shrink, m, ids, sims, co)
        j0 = j1
    return TrainingNeighbours(m, ids, sims, co, counts.astype(np.float32), float(shrink))


def _block(j0: int, j1: int, sets: Ragged, by_item: Ragged, counts: np.ndarray, shrink: float, m: int,
           ids: np.ndarray, sims: np.ndarray, co: np.ndarray) -> None:
    """Neighbour lists of items j0..j1-1 from a dense [block, items] co-occurrence count."""
    items = len(counts)
    block = j1 - j0
    users = by_item.take(np.arange(j0, j1))  # users of each item in the block
    histories = sets.take(users.items.astype(np.int64))  # their items, per (item, user) pair
    owner = np.repeat(users.rows(), histories.lengths())  # block-local item of each pair
    acc = np.bincount(owner * items + histories.items, minlength=block * items).reshape(block, items)
    acc[np.arange(block), np.arange(j0, j1)] = 0  # an item is not its own neighbour
    for r in range(block):
        j = j0 + r
        touched = np.flatnonzero(acc[r])
        if len(touched) == 0:
            continue
        c = acc[r, touched].astype(np.float64)
        s = c / (np.sqrt(counts[touched] * counts[j]) + shrink)
        order = np.lexsort((touched, -s))[:m]  # similarity descending, ties by index
        k = len(order)
        ids[j, :k] = touched[order]
        sims[j, :k] = s[order]
        co[j, :k] = c[order]


def leave_one_out_rows(index: TrainingNeighbours, supports: Ragged, histories: Ragged,
                       dtype: torch.dtype = torch.float32) -> Rows:
    """Training users' neighbour rows for their supports, as if they had not been among the training users.

    Their own co-occurrences are taken out of every similarity (leaveOneOutRow),
    so training sees the row a new visitor would get.
    """
    n = len(index.counts)
    history_keys = np.unique(histories.rows() * n + histories.items.astype(np.int64))

    def mine(rows: np.ndarray, item: np.ndarray) -> np.ndarray:
        keys = rows * n + item
        at = np.searchsorted(history_keys, keys)
        return (at < len(history_keys)) & (history_keys[np.minimum(at, len(history_keys) - 1)] == keys)

    rows = supports.rows()
    j = supports.items.astype(np.int64)
    w = 1.0 / supports.lengths()[rows]
    j_mine = mine(rows, j)
    cj = index.counts[j].astype(np.float64) - j_mine
    nb = index.ids[j].astype(np.int64)  # [support clicks, m]
    valid = nb >= 0
    nb_safe = np.where(valid, nb, 0)
    row2 = np.broadcast_to(rows[:, None], nb.shape)
    i_mine = mine(row2.reshape(-1), nb_safe.reshape(-1)).reshape(nb.shape)
    ci = index.counts[nb_safe].astype(np.float64) - i_mine
    both = index.co[j].astype(np.float64) - (i_mine & j_mine[:, None])
    keep = valid & (cj[:, None] > 0) & (ci > 0) & (both > 0)
    value = (w[:, None] * both) / (np.sqrt(np.where(keep, ci * cj[:, None], 1.0)) + index.shrink)
    return Rows(
        torch.from_numpy(np.ascontiguousarray(row2[keep], dtype=np.int64)),
        torch.from_numpy(nb[keep]),
        torch.from_numpy(value[keep]).to(dtype),
        len(supports),
    )
