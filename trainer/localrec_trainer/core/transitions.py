"""The sequential term (src/core/transitions.ts).

For every item, the items that most often came right after it in training
users' histories, with weight trans(a, b) / (out(a) + shrink). A visitor's
last few clicks turn the lists into one row over the catalog, the j-th most
recent click weighing decay^j; the model adds that row with an adapted weight.
The lists have the layout of the item-item neighbours (core/neighbours.py).
"""

from __future__ import annotations

import numpy as np

from .neighbours import Neighbours
from .ragged import Ragged
from .recency import ages

SEQ_LOOKBACK = 5
"""Clicks looked back on: decay^5 is small for any decay the trainer learns."""

Transitions = Neighbours
"""Transition lists: ids[a, r] is the r-th most frequent successor of a (-1 pads), sims its weight."""


def seq_weights(lists: Ragged, decay: float) -> tuple[np.ndarray, np.ndarray]:
    """(weights, d weights / d decay) of every entry: decay^age for the last SEQ_LOOKBACK clicks, 0 before (seqWeights)."""
    age = ages(lists)
    recent = age < SEQ_LOOKBACK
    d = np.float64(decay)
    weights = np.where(recent, np.power(d, age.astype(np.float64)), 0.0)
    d_decay = np.where(recent & (age > 0), age * np.power(d, np.maximum(age - 1, 0).astype(np.float64)), 0.0)
    return weights, d_decay
