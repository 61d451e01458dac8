"""Batches of tasks from users' ordered positives (src/train/tasks.ts).

A v1 task: support = a user's first k positives, query = all the rest, as in
the evaluation protocol. A next-click task (the share the validation objective
asks for, train/config.py NEXT_CLICK_SHARE): any history length, the one click
that follows, as protocol v2 asks live. Which users, which k and which kind of
task: distributed/sampler.py decides (every rank draws its share of one
global batch); this module only builds the tensors, as sparse rows. Clicks weigh
by recency (core/recency.py) and, to learn the decay, the rows carry their
derivatives in it. The item-item and transition rows are leave-one-out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch

from ..core.meta import TaskBatch
from ..core.recency import recency_weights
from ..core.rows import Feedback, Rows
from ..core.ragged import Ragged
from ..core.transitions import seq_weights
from .neighbours import TrainingNeighbours, leave_one_out_terms
from .transitions import TrainingTransitions, leave_one_out_transition_terms

TRAIN_SHOTS: tuple[int, ...] = (1, 2, 3, 5, 10, 20)
"""Shot counts a training task is drawn from: the protocol's, so training looks like use."""

NEXT_CLICK_HISTORY = 50
"""A next-click task's history is 1 … this many clicks (protocol v2 looks at up to 50 steps per user)."""


@dataclass(frozen=True)
class TaskRecency:
    """How training tasks weigh clicks by recency: the decay the rows are built at, and whether to learn it."""

    decay: float
    learn: bool


def click_rows(lists: Ragged, normalize: bool = True, dtype: torch.dtype = torch.float32) -> Rows:
    """Rows with weight 1/|list| (or 1, unnormalized) on each listed item (normalizedRows)."""
    rows = lists.rows()
    lengths = lists.lengths()
    value = (1.0 / lengths[rows]) if normalize else np.ones(len(rows))
    return weighted_rows(lists, value, dtype)


def weighted_rows(lists: Ragged, weights: np.ndarray, dtype: torch.dtype = torch.float32) -> Rows:
    """Rows with weight w_e on each listed item (weightedRows; e.g. recency weights)."""
    return Rows(
        torch.from_numpy(lists.rows()),
        torch.from_numpy(lists.items.astype(np.int64)),
        torch.from_numpy(np.asarray(weights, dtype=np.float64)).to(dtype),
        len(lists),
    )


def task_lists(users: Ragged, picks: np.ndarray, shots: np.ndarray, next_click: Optional[np.ndarray] = None) -> tuple[Ragged, Ragged, Ragged]:
    """Supports, queries and whole histories of the picked users.

    v1 tasks: support = the first `shots` (at most all but one), query = the
    rest. Where `next_click` is true, `shots` is the history length (at most all
    but one) and the query is the one click that follows.
    """
    lengths = users.lengths()[picks]
    if np.any(lengths < 2):
        raise ValueError("Every picked user needs 2 or more positives to split into support and query.")
    k = np.minimum(shots, lengths - 1)
    stops = lengths if next_click is None else np.where(next_click, k + 1, lengths)
    return users.take(picks, stops=k), users.take(picks, starts=k, stops=stops), users.take(picks)


def task_batch(
    supports: Ragged,
    queries: Ragged,
    neighbour_rows: Optional[Rows] = None,
    dtype: torch.dtype = torch.float32,
    support_weights: Optional[np.ndarray] = None,
) -> TaskBatch:
    """Tensors of a task batch from explicit support and query lists (taskBatch); support weights default 1/len."""
    support = weighted_rows(supports, support_weights, dtype) if support_weights is not None else click_rows(supports, True, dtype)
    excluded = Rows(support.row, support.item, torch.ones_like(support.value), support.batch)
    return TaskBatch(
        support=Feedback(
            positives=support,
            count=torch.from_numpy(supports.lengths().astype(np.float64)).to(dtype)[:, None],
            neighbours=neighbour_rows,
        ),
        # Every held-out click counts once (meta.py averages over clicks), so users
        # with long histories weigh as they do in the protocol's metrics; the query
        # is ranked among candidates only, as in evaluation: not the support.
        query=Feedback(positives=click_rows(queries, False, dtype), excluded=excluded),
    )


def list_tasks(
    supports: Ragged,
    queries: Ragged,
    histories: Ragged,
    neighbours: Optional[TrainingNeighbours] = None,
    transitions: Optional[TrainingTransitions] = None,
    recency: Optional[TaskRecency] = None,
    dtype: torch.dtype = torch.float32,
) -> TaskBatch:
    """The task batch of explicit lists (the body of sampleTasks): recency weights, leave-one-out rows, decay derivatives."""
    decay = recency.decay if recency is not None else 1.0
    weights, d_weights = recency_weights(supports, decay)
    seq, d_seq = seq_weights(supports, decay)
    knn = leave_one_out_terms(neighbours, supports, histories) if neighbours is not None else None
    trans = leave_one_out_transition_terms(transitions, supports, histories) if transitions is not None else None
    batch = task_batch(supports, queries, knn.rows(weights, dtype) if knn is not None else None, dtype, weights)
    support = Feedback(batch.support.positives, count=batch.support.count, neighbours=batch.support.neighbours,
                       transitions=trans.rows(seq, dtype) if trans is not None else None)
    if recency is None or not recency.learn:
        return TaskBatch(support, batch.query)
    return TaskBatch(
        Feedback(support.positives, count=support.count, neighbours=support.neighbours, transitions=support.transitions,
                 decay_at=decay, positives_decay=weighted_rows(supports, d_weights, dtype),
                 neighbours_decay=knn.rows(d_weights, dtype) if knn is not None else None,
                 transitions_decay=trans.rows(d_seq, dtype) if trans is not None else None),
        batch.query,
    )


def sample_tasks(
    users: Ragged,
    picks: np.ndarray,
    shots: np.ndarray,
    neighbours: Optional[TrainingNeighbours] = None,
    dtype: torch.dtype = torch.float32,
    transitions: Optional[TrainingTransitions] = None,
    recency: Optional[TaskRecency] = None,
    next_click: Optional[np.ndarray] = None,
) -> TaskBatch:
    """The task batch of the picked users with their shot counts (or next-click history lengths)."""
    supports, queries, histories = task_lists(users, picks, shots, next_click)
    return list_tasks(supports, queries, histories, neighbours, transitions, recency, dtype)


def eligible_users(users: Ragged) -> np.ndarray:
    """Users with 2 or more positives: the only ones that split into support and query."""
    eligible = np.flatnonzero(users.lengths() >= 2)
    if len(eligible) == 0:
        raise ValueError("No training user has 2 or more positives: nothing to split into support and query.")
    return eligible
