"""Protocol metrics of sparse score rows: many users' item-list rows, ranked without a dense catalog row each.

The item-list search (list_search.py) scores validation users by their
item-item and transition rows alone: a few hundred nonzero entries per user
over a catalog of any size. Every other item scores 0, so a ranking is the
positive entries (score descending, ties by index) followed by the zero-score
items in catalog order, skipping excluded ones — exactly what topN and rankOf
of the dense row give (src/protocol/metrics.ts). The rows are accumulated in
float32 in the order the TypeScript trainer adds them, so ties fall the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.neighbours import Neighbours
from ..core.ragged import Ragged
from .neighbours import membership


@dataclass(frozen=True)
class SparseRows:
    """Rows over the catalog: unique (row, item) entries with float32 values, sorted by key = row · items + item."""

    key: np.ndarray  # int64 [entries]
    value: np.ndarray  # float32 [entries]
    items: int

    @property
    def row(self) -> np.ndarray:
        return self.key // self.items

    @property
    def item(self) -> np.ndarray:
        return self.key % self.items


def float32_sums(key: np.ndarray, value: np.ndarray, items: int) -> SparseRows:
    """Per key, the float32 running sum of its values in the given order (as `out[i] += v` on a Float32Array)."""
    order = np.argsort(key, kind="stable")
    k, v = key[order], np.asarray(value, dtype=np.float64)[order]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]]) if len(k) else np.zeros(0, dtype=np.int64)
    sizes = np.diff(np.r_[starts, len(k)])
    acc = v[starts].astype(np.float32)
    for level in range(1, int(sizes.max()) if len(sizes) else 0):
        live = sizes > level
        acc[live] = (acc[live].astype(np.float64) + v[starts[live] + level]).astype(np.float32)
    return SparseRows(k[starts], acc, items)


def list_rows(lists: Neighbours, clicks: Ragged, weights: np.ndarray, items: int) -> SparseRows:
    """Each list's weighted row over the shipped lists (neighbourRow into a Float32Array), as sparse rows."""
    ids = lists.ids[clicks.items]  # [clicks, m]: entries in click order, then list rank
    contribution = np.asarray(weights, dtype=np.float64)[:, None] * lists.sims[clicks.items].astype(np.float64)
    keep = ids >= 0
    rows = np.broadcast_to(clicks.rows()[:, None], ids.shape)
    return float32_sums(rows[keep] * items + ids[keep], contribution[keep], items)


def plus(a: SparseRows, b: SparseRows, weight: float) -> SparseRows:
    """a + weight · b, each sum rounded to float32 (`out[i] += weight * seq[i]` over the catalog)."""
    key = np.union1d(a.key, b.key)
    out = np.zeros(len(key), dtype=np.float64)
    out[np.searchsorted(key, a.key)] = a.value
    extra = np.zeros(len(key), dtype=np.float64)
    extra[np.searchsorted(key, b.key)] = b.value
    return SparseRows(key, (out + weight * extra).astype(np.float32), a.items)


def _positives(rows: SparseRows, excluded: np.ndarray) -> SparseRows:
    """The entries that rank ahead of the zero-score items: positive and not excluded."""
    keep = (rows.value > 0) & ~membership(excluded)(rows.key)
    return SparseRows(rows.key[keep], rows.value[keep], rows.items)


def _free_before(rows: int, items: int, taken: np.ndarray, e: np.ndarray, x: np.ndarray) -> np.ndarray:
    """For each (row e, item x): the items below x in row e that are not `taken` (sorted unique keys)."""
    below = np.searchsorted(taken, e * items + x) - np.searchsorted(taken, e * items)
    return x - below


def ndcg_at_10(rows: SparseRows, count: int, excluded: np.ndarray, relevant: np.ndarray, relevant_per_row: np.ndarray) -> np.ndarray:
    """nDCG@10 of each of `count` rows; `excluded`, `relevant`: sorted unique keys (row · items + item)."""
    items = rows.items
    pos = _positives(rows, excluded)
    r, it, v = pos.row, pos.item, pos.value
    order = np.lexsort((it, -v.astype(np.float64), r))
    r, it = r[order], it[order]
    start = np.searchsorted(r, np.arange(count))
    rank = np.arange(len(r)) - start[r]
    npos = np.bincount(r, minlength=count)
    top = rank < 10
    hit_r, hit_rank, hit_item = r[top], rank[top], it[top]
    # the rest of the first 10: zero-score items in catalog order, skipping excluded and positive ones
    taken = np.union1d(excluded, pos.key)
    fills = np.clip(10 - npos, 0, None)
    fr = np.repeat(np.arange(count), fills)
    j = np.arange(int(fills.sum())) - np.repeat(np.cumsum(fills) - fills, fills)
    # the j-th free item x: j = x − #taken below x; g_k = u_k − k counts the free items before the k-th taken item
    tr = taken // items
    tk = np.arange(len(taken)) - np.searchsorted(tr, tr)
    g = tr * (items + 1) + (taken % items - tk)
    fx = j + np.searchsorted(g, fr * (items + 1) + j, side="right") - np.searchsorted(g, fr * (items + 1))
    ok = fx < items - 0  # a catalog with fewer candidates than 10 ends early
    free_total = items - (np.searchsorted(taken, (np.arange(count) + 1) * items) - np.searchsorted(taken, np.arange(count) * items))
    ok &= j < free_total[fr]
    all_r = np.r_[hit_r, fr[ok]]
    all_rank = np.r_[hit_rank, npos[fr[ok]] + j[ok]]
    all_item = np.r_[hit_item, fx[ok]]
    hit = membership(relevant)(all_r * items + all_item)
    dcg = np.bincount(all_r[hit], weights=1 / np.log2(all_rank[hit] + 2), minlength=count)
    ideal = np.concatenate([[0.0], np.cumsum(1 / np.log2(np.arange(2, 12)))])[np.minimum(relevant_per_row, 10)]
    return dcg / ideal


def hits_at_10(rows: SparseRows, count: int, excluded: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """1 where row e's target ranks in the top 10 of its candidates (rankOf ≤ 10), else 0."""
    items = rows.items
    pos = _positives(rows, excluded)
    e = np.arange(count)
    target_keys = e * items + targets
    at = np.minimum(np.searchsorted(pos.key, target_keys), max(len(pos.key) - 1, 0))
    found = (pos.key[at] == target_keys) if len(pos.key) else np.zeros(count, dtype=bool)
    vt = np.where(found, pos.value[at] if len(pos.key) else 0, 0).astype(np.float32)
    # rows with a positive target: the entries scoring above it, or equal at a lower index
    pr = pos.row
    beats = (pos.value > vt[pr]) | ((pos.value == vt[pr]) & (pos.item < targets[pr]))
    ahead_positive = np.bincount(pr[beats], minlength=count)
    # rows whose target scores 0: every positive entry, and the free items below it
    npos = np.bincount(pr, minlength=count)
    taken = np.union1d(excluded, pos.key)
    ahead_zero = npos + _free_before(count, items, taken, e, targets)
    rank = 1 + np.where(found, ahead_positive, ahead_zero)
    return (rank <= 10).astype(np.float64)
