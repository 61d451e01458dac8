"""Item-list settings chosen on the validation users before training (src/train/list-search.ts).

The item-item shrinkage, by the item-item row alone; then the transition lists,
only if adding their row (at some weight) beats the item-item row alone. The
proxy scores validation users by those rows alone, with the trainer's
objective (v1 nDCG@10 over the shot counts, v2 HR@10 of the next click, or
both), on sparse rows (sparse_rank.py). Under DDP each process scores its share
of the users and the lists are counted once, shared (neighbours.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

import numpy as np
import torch

from ..core.ragged import Ragged
from ..core.recency import recency_weights
from ..core.transitions import seq_weights
from .episodes import Reduce, prequential_steps
from .neighbours import TrainingNeighbours, build_neighbour_sets
from .sparse_rank import SparseRows, hits_at_10, list_rows, ndcg_at_10, plus
from .transitions import TrainingTransitions, build_transitions

NEIGHBOUR_SHRINKS: tuple[float, ...] = (0, 10)
"""Shrinkages of the item-item cosine tried (0: plain cosine; 10: pairs seen by few users count less)."""

TRANSITION_WEIGHTS: tuple[float, ...] = (0, 0.5, 1, 2, 4)
"""Weights of the transition row against the item-item row tried; 0 leaves the sequential term out."""

PROXY_DECAY: dict[str, float] = {"v1": 1.0, "v2": 0.8, "both": 0.9}
"""The decay the proxy weighs clicks with: the model learns its own from here."""

USERS_PER_CHUNK = 2000
"""Validation users scored at once: bounds the sparse rows held (~ users × clicks × list length)."""

Rows = Callable[[Ragged], SparseRows]


@dataclass
class ListChoice:
    neighbours: Optional[TrainingNeighbours]
    transitions: Optional[TrainingTransitions]
    trials: list[dict] = field(default_factory=list)
    stopped_after: Optional[int] = None  # trials run when the time budget ended the search


def proxy_objective(users: Ragged, objective: str, ks: Sequence[int], rows: Rows,
                    share: tuple[int, int] = (0, 1), reduce: Reduce = lambda t: t) -> float:
    """The trainer's objective on the item-list rows alone (proxyObjective), over this process's share of the users."""
    rank, world = share
    mine = np.arange(len(users))[rank::world]
    totals = np.zeros(2 * len(ks) + 2)  # per k: Σ nDCG, episodes; then Σ per-user HR, users
    items = 0
    for c0 in range(0, len(mine), USERS_PER_CHUNK):
        chunk = users.take(mine[c0 : c0 + USERS_PER_CHUNK])
        lengths = chunk.lengths()
        if objective != "v2":
            for s, k in enumerate(ks):
                ep = np.flatnonzero(lengths > k)
                support = chunk.take(ep, stops=np.full(len(ep), k))
                query = chunk.take(ep, starts=np.full(len(ep), k))
                r = rows(support)
                items = r.items
                totals[2 * s] += ndcg_at_10(r, len(ep), _keys(support, items), _keys(query, items), query.lengths()).sum()
                totals[2 * s + 1] += len(ep)
        if objective != "v1":
            histories, targets, owner = prequential_steps(chunk)
            r = rows(histories)
            hits = hits_at_10(r, len(targets), _keys(histories, r.items), targets)
            per_step = np.bincount(owner, minlength=len(chunk)).astype(np.float64)
            totals[-2] += (hits / per_step[owner]).sum()
            totals[-1] += int((per_step > 0).sum())
    totals = reduce(torch.from_numpy(totals)).numpy()
    v1 = np.mean([totals[2 * s] / max(totals[2 * s + 1], 1) for s in range(len(ks))])
    v2 = totals[-2] / max(totals[-1], 1)
    return float(v1 if objective == "v1" else v2 if objective == "v2" else (v1 + v2) / 2)


def _keys(lists: Ragged, items: int) -> np.ndarray:
    return np.unique(lists.rows() * items + lists.items.astype(np.int64))


def choose_item_lists(train: Ragged, items: int, validation: Ragged, neighbours: int, transitions: int,
                      transition_shrink: float, objective: str, ks: Sequence[int],
                      share: tuple[int, int] = (0, 1), reduce: Optional[Reduce] = None,
                      log: Callable[[str], None] = lambda _: None, out_of_time: Callable[[], bool] = lambda: False) -> ListChoice:
    """The item lists the validation users prefer (chooseItemLists): the neighbour shrinkage, then transitions or none.

    Once `out_of_time()` (the same answer on every process) no trial starts after
    the first; transition weights not tried by then leave the sequential term out.
    """
    sum_ = reduce or (lambda t: t)
    decay = PROXY_DECAY[objective]
    trials: list[dict] = []
    late = [False]

    def stop() -> bool:
        late[0] = late[0] or (len(trials) > 0 and out_of_time())
        return late[0]

    def choice(neighbours: Optional[TrainingNeighbours], following: Optional[TrainingTransitions]) -> ListChoice:
        return ListChoice(neighbours, following, trials, len(trials) if late[0] else None)

    def knn_rows(lists: TrainingNeighbours, clicks: Ragged) -> SparseRows:
        return list_rows(lists, clicks, recency_weights(clicks, decay)[0], items)

    chosen: Optional[TrainingNeighbours] = None
    if neighbours > 0:
        best = -np.inf
        for lists in build_neighbour_sets(train, items, neighbours, NEIGHBOUR_SHRINKS, share, reduce):
            if stop():
                break
            v = proxy_objective(validation, objective, ks, lambda s: knn_rows(lists, s), share, sum_)
            trials.append({"shrink": lists.shrink, "validation": v})
            log(f"item-item lists, shrinkage {lists.shrink:g}: proxy validation {v:.4f}")
            if v > best:
                best, chosen = v, lists
    if transitions <= 0 or stop():
        return choice(chosen, None)
    following = build_transitions(train, items, transitions, transition_shrink)
    best, best_weight = -np.inf, 0.0
    for weight in TRANSITION_WEIGHTS:
        if stop():
            break

        def rows(s: Ragged, weight: float = weight) -> SparseRows:
            base = knn_rows(chosen, s) if chosen is not None else SparseRows(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), items)
            if weight == 0:
                return base
            return plus(base, list_rows(following, s, seq_weights(s, decay)[0], items), weight)
        v = proxy_objective(validation, objective, ks, rows, share, sum_)
        trials.append({"transitionWeight": weight, "validation": v})
        log(f"transition lists at weight {weight:g}: proxy validation {v:.4f}")
        if v > best:
            best, best_weight = v, weight
    return choice(chosen, following if best_weight > 0 else None)
