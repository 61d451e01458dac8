"""Recency weights of a visitor's clicks (src/core/recency.ts), for many lists at once.

Click j of t (oldest first) weighs decay^(t-1-j), normalised to sum 1: the last
click weighs most. They weigh the prototype, the item-item row and the support
loss alike. Their derivative in the decay lets training learn it: rows built at
the current decay d0 plus (d - d0) times their derivative have the right value
and the right gradient (core/inner.py effective_support).
"""

from __future__ import annotations

import math

import numpy as np

from .ragged import Ragged


def ages(lists: Ragged) -> np.ndarray:
    """Age of every entry in its list: t-1-j for entry j of t (0 for the most recent)."""
    lengths = lists.lengths()
    position = np.arange(len(lists.items), dtype=np.int64) - np.repeat(lists.ptr[:-1], lengths)
    return np.repeat(lengths, lengths) - 1 - position


def recency_weights(lists: Ragged, decay: float) -> tuple[np.ndarray, np.ndarray]:
    """(weights, d weights / d decay) of every entry, float64; each list's weights sum to 1 (recencyWeights)."""
    age = ages(lists)
    rows = lists.rows()
    raw = np.power(np.float64(decay), age.astype(np.float64))
    total = np.bincount(rows, weights=raw, minlength=len(lists))
    weights = raw / total[rows] if len(raw) else raw
    mean_age = np.bincount(rows, weights=weights * age, minlength=len(lists))
    # d/dρ of ρ^a / Σρ^a' is w_j (a_j − Ā) / ρ, with Ā the weighted mean age.
    d_decay = weights * (age - mean_age[rows]) / decay if decay > 0 else np.zeros_like(weights)
    return weights, d_decay


def decay_of(logit: float) -> float:
    """The decay from its learned logit, rounded to float32 as the tensors compute it (decayOf)."""
    return float(np.float32(1 / (1 + math.exp(-logit))))
