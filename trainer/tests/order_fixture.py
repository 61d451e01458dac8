"""The order-aware fixture of tests/unit/core/recency-gradients.test.ts: item lists over 7 items, two supports."""

from __future__ import annotations

import numpy as np
import torch

from fixture import DTYPE, rows
from localrec_trainer.core.neighbours import Neighbours, neighbour_rows
from localrec_trainer.core.ragged import Ragged
from localrec_trainer.core.recency import recency_weights
from localrec_trainer.core.rows import Feedback
from localrec_trainer.core.transitions import seq_weights
from localrec_trainer.train.tasks import weighted_rows

N = 7
LISTS = Neighbours(2, np.array([1, 2, 0, 3, 4, 0, 1, 5, 6, 2, 3, -1, 0, 4], dtype=np.int32).reshape(N, 2),
                   np.array([0.5, 0.2, 0.5, 0.3, 0.4, 0.2, 0.3, 0.6, 0.1, 0.4, 0.3, 0, 0.2, 0.5], dtype=np.float32).reshape(N, 2))
NEXT = Neighbours(2, np.array([2, 4, 3, -1, 5, 6, 0, 1, 6, 2, 1, 0, 3, 5], dtype=np.int32).reshape(N, 2),
                  np.array([0.6, 0.3, 0.8, 0, 0.5, 0.4, 0.7, 0.2, 0.6, 0.1, 0.5, 0.5, 0.4, 0.3], dtype=np.float32).reshape(N, 2))
SUPPORTS = Ragged.of([np.array([0, 3, 1]), np.array([4, 2])])


def order_support(decay: float, learn: bool) -> Feedback:
    """The support built at `decay`; with `learn`, its derivative rows too (as the trainer builds them)."""
    w, dw = recency_weights(SUPPORTS, decay)
    s, ds = seq_weights(SUPPORTS, decay)
    base = dict(positives=weighted_rows(SUPPORTS, w, DTYPE), count=torch.tensor([[3.0], [2.0]], dtype=DTYPE),
                neighbours=neighbour_rows(LISTS, SUPPORTS, DTYPE, w), transitions=neighbour_rows(NEXT, SUPPORTS, DTYPE, s))
    if not learn:
        return Feedback(**base)
    return Feedback(**base, decay_at=decay, positives_decay=weighted_rows(SUPPORTS, dw, DTYPE),
                    neighbours_decay=neighbour_rows(LISTS, SUPPORTS, DTYPE, dw), transitions_decay=neighbour_rows(NEXT, SUPPORTS, DTYPE, ds))


def order_query() -> Feedback:
    """The fixture's query: one user with an impression-free click, one with two, supports excluded."""
    return Feedback(positives=rows([(0, 5, 1.0), (1, 3, 1.0), (1, 6, 1.0)], 2),
                    excluded=rows([(0, 0, 1.0), (0, 3, 1.0), (0, 1, 1.0), (1, 4, 1.0), (1, 2, 1.0)], 2))
