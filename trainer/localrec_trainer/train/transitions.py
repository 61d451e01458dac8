"""Transition lists of a training set, and training users' leave-one-out transition rows (src/train/transitions.ts).

For every item a, its `m` most frequent successors b over the training users'
ordered positives, weighted trans(a, b) / (out(a) + shrink). Training keeps the
counts behind each weight so that a user's own transitions can be taken out of
the row their task sees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.ragged import Ragged
from ..core.transitions import Transitions
from .neighbours import ListTerms, membership


@dataclass(frozen=True)
class TrainingTransitions(Transitions):
    co: np.ndarray  # float32 [items, m] trans(a, b) behind each weight
    out: np.ndarray  # float32 [items] out(a) = Σ_b trans(a, b)
    shrink: float

    def shipped(self) -> Transitions:
        return Transitions(self.m, self.ids, self.sims)


def successions(lists: Ragged) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(list, a, b) of every consecutive pair a → b within a list."""
    rows = lists.rows()
    same = rows[1:] == rows[:-1] if len(rows) else np.zeros(0, dtype=bool)
    a = lists.items[:-1][same].astype(np.int64)
    b = lists.items[1:][same].astype(np.int64)
    return rows[:-1][same], a, b


def build_transitions(train: Ragged, items: int, m: int, shrink: float) -> TrainingTransitions:
    """Top-`m` successors of every item, weighted trans(a, b) / (out(a) + shrink); ties by index (buildTransitions)."""
    _, a, b = successions(train)
    keys, count = np.unique(a * items + b, return_counts=True)
    src, dst = np.divmod(keys, items)
    out = np.bincount(a, minlength=items).astype(np.float64)
    order = np.lexsort((dst, -count, src))  # by item, then count descending, ties by index
    start = np.searchsorted(src[order], np.arange(items))
    rank = np.arange(len(order)) - start[src[order]]
    keep = order[rank < m]
    r = rank[rank < m]
    ids = np.full((items, m), -1, dtype=np.int32)
    sims = np.zeros((items, m), dtype=np.float32)
    co = np.zeros((items, m), dtype=np.float32)
    ids[src[keep], r] = dst[keep]
    co[src[keep], r] = count[keep]
    sims[src[keep], r] = count[keep] / (out[src[keep]] + shrink)
    return TrainingTransitions(m, ids, sims, co, out.astype(np.float32), float(shrink))


def leave_one_out_transition_terms(index: TrainingTransitions, supports: Ragged, histories: Ragged) -> ListTerms:
    """Training users' transition rows for their supports, their own transitions taken out (leaveOneOutTransitionRow).

    Entry weights are trans(a, b) − own(a, b) over out(a) − own out(a) + shrink;
    the click weights (core/transitions.py seq_weights) multiply them.
    """
    items = len(index.out)
    own_rows, own_a, own_b = successions(histories)
    pair_keys, pair_count = np.unique((own_rows * items + own_a) * items + own_b, return_counts=True)
    out_keys, out_count = np.unique(own_rows * items + own_a, return_counts=True)
    rows = supports.rows()
    a = supports.items.astype(np.int64)
    own_out = np.zeros(len(a))
    if len(out_keys):
        at = np.minimum(np.searchsorted(out_keys, rows * items + a), len(out_keys) - 1)
        own_out = np.where(out_keys[at] == rows * items + a, out_count[at], 0)
    total = index.out[a].astype(np.float64) - own_out + index.shrink
    nb = index.ids[a].astype(np.int64)  # [support clicks, m]
    valid = nb >= 0
    row2 = np.broadcast_to(rows[:, None], nb.shape)
    keys = (row2 * items + a[:, None]) * items + np.where(valid, nb, 0)
    mine = np.zeros(nb.shape)
    if len(pair_keys):
        at = np.minimum(np.searchsorted(pair_keys, keys), len(pair_keys) - 1)
        mine = np.where(pair_keys[at] == keys, pair_count[at], 0)
    count = index.co[a].astype(np.float64) - mine
    keep = valid & (total[:, None] > 0) & (count > 0)
    base = count / np.where(total > 0, total, 1.0)[:, None]
    click = np.broadcast_to(np.arange(len(a))[:, None], nb.shape)
    return ListTerms(np.ascontiguousarray(row2[keep]), nb[keep], base[keep], np.ascontiguousarray(click[keep]), len(supports))


__all__ = ["TrainingTransitions", "build_transitions", "leave_one_out_transition_terms", "successions", "membership"]
