"""Item-item structure shipped with a model (src/core/neighbours.ts).

For every item, its `m` most similar items (shrunk cosine over training users'
positives). A visitor's clicks turn it into one sparse row over the catalog:
each item's similarity to the clicked ones, weighted per click (recency
weights summing to 1; by default a plain mean). The sequential term's
transition lists have the same layout and use the same row builder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch

from .rows import Rows
from .ragged import Ragged


@dataclass(frozen=True)
class Neighbours:
    m: int  # neighbours kept per item
    ids: np.ndarray  # int32 [items, m] neighbour indices, -1 where an item has fewer than m
    sims: np.ndarray  # float32 [items, m] similarities, 0 where ids is -1


def neighbour_rows(neighbours: Neighbours, clicks: Ragged, dtype: torch.dtype = torch.float32,
                   weights: Optional[np.ndarray] = None) -> Rows:
    """Each list's similarity row (neighbourRow): clicked item c adds w_c · sims[c] at ids[c]; repeats count again.

    `weights`: one per click (float64), default 1/len of its list.
    """
    rows = clicks.rows()
    w = 1.0 / clicks.lengths()[rows] if weights is None else np.asarray(weights, dtype=np.float64)
    ids = neighbours.ids[clicks.items]  # [clicks, m]
    sims = neighbours.sims[clicks.items].astype(np.float64) * w[:, None]
    keep = ids >= 0
    row = np.broadcast_to(rows[:, None], ids.shape)[keep]
    return Rows(
        torch.from_numpy(np.ascontiguousarray(row, dtype=np.int64)),
        torch.from_numpy(ids[keep].astype(np.int64)),
        torch.from_numpy(sims[keep]).to(dtype),
        len(clicks),
    )
