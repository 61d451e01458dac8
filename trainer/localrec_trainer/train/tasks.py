"""Batches of tasks from users' ordered positives (src/train/tasks.ts).

Support = a user's first k positives, query = all the rest, as in the
evaluation protocol. Which users and which k: distributed.py's sampler decides
(every rank draws its share of one global batch); this module only builds the
tensors, as sparse rows.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import torch

from ..core.meta import TaskBatch
from ..core.rows import Feedback, Rows
from ..core.ragged import Ragged
from .neighbours import TrainingNeighbours, leave_one_out_rows

TRAIN_SHOTS: tuple[int, ...] = (1, 2, 3, 5, 10, 20)
"""Shot counts a training task is drawn from: the protocol's, so training looks like use."""


def click_rows(lists: Ragged, normalize: bool = True, dtype: torch.dtype = torch.float32) -> Rows:
    """Rows with weight 1/|list| (or 1, unnormalized) on each listed item (normalizedRows)."""
    rows = lists.rows()
    lengths = lists.lengths()
    value = (1.0 / lengths[rows]) if normalize else np.ones(len(rows))
    return Rows(
        torch.from_numpy(rows),
        torch.from_numpy(lists.items.astype(np.int64)),
        torch.from_numpy(np.asarray(value, dtype=np.float64)).to(dtype),
        len(lists),
    )


def task_lists(users: Ragged, picks: np.ndarray, shots: np.ndarray) -> tuple[Ragged, Ragged, Ragged]:
    """Supports (first k), queries (the rest) and whole histories of the picked users; k at most all but one."""
    lengths = users.lengths()[picks]
    if np.any(lengths < 2):
        raise ValueError("Every picked user needs 2 or more positives to split into support and query.")
    k = np.minimum(shots, lengths - 1)
    return users.take(picks, stops=k), users.take(picks, starts=k), users.take(picks)


def task_batch(
    supports: Ragged,
    queries: Ragged,
    neighbour_rows: Optional[Rows] = None,
    dtype: torch.dtype = torch.float32,
) -> TaskBatch:
    """Tensors of a task batch from explicit support and query lists (taskBatch)."""
    support = click_rows(supports, True, dtype)
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


def sample_tasks(
    users: Ragged,
    picks: np.ndarray,
    shots: np.ndarray,
    neighbours: Optional[TrainingNeighbours] = None,
    dtype: torch.dtype = torch.float32,
) -> TaskBatch:
    """The task batch of the picked users with their shot counts; leave-one-out neighbour rows when given lists."""
    supports, queries, histories = task_lists(users, picks, shots)
    rows = leave_one_out_rows(neighbours, supports, histories, dtype) if neighbours is not None else None
    return task_batch(supports, queries, rows, dtype)


def eligible_users(users: Ragged) -> np.ndarray:
    """Users with 2 or more positives: the only ones that split into support and query."""
    eligible = np.flatnonzero(users.lengths() >= 2)
    if len(eligible) == 0:
        raise ValueError("No training user has 2 or more positives: nothing to split into support and query.")
    return eligible
