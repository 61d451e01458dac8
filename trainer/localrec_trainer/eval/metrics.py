"""Ranking metrics of protocols v1 and v2 (src/protocol/metrics.ts, prequential.ts), batched over episodes.

Rankings break equal scores in catalog order and skip excluded items, as topN and rankOf do.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor


def top_n(scores: Tensor, n: int, excluded: Tensor) -> Tensor:
    """The n best candidates per row [B, n] (catalog indices, -1 where fewer), equal scores in catalog order.

    `excluded`: [B, items] bool, True for items that are not candidates. NaN ranks last.
    """
    batch, items = scores.shape
    n = min(n, items)
    s = torch.nan_to_num(scores.detach(), nan=-math.inf)
    s = s.masked_fill(excluded, -math.inf)
    kth = torch.topk(s, n, dim=1).values[:, -1:]
    # every item at least as good as the n-th: exactly n unless scores tie at the boundary
    row, col = torch.nonzero((s >= kth) & ~excluded, as_tuple=True)
    row_np, col_np = row.numpy(), col.numpy()
    val = s[row, col].numpy()
    order = np.lexsort((col_np, -val, row_np))
    row_np, col_np = row_np[order], col_np[order]
    start = np.searchsorted(row_np, np.arange(batch))
    rank = np.arange(len(row_np)) - start[row_np]
    keep = rank < n
    out = np.full((batch, n), -1, dtype=np.int64)
    out[row_np[keep], rank[keep]] = col_np[keep]
    return torch.from_numpy(out)


PREQUENTIAL_STEPS = 50
"""Protocol v2's steps per user: t = 1 … min(n − 1, 50)."""

PREQUENTIAL_CUTOFF = 10
"""Ranks counted as hits (HR@10)."""


def ranks_of(scores: Tensor, targets: Tensor, excluded: Tensor) -> Tensor:
    """1-based rank of each row's target among its candidates [B] (rankOf): better scores, and equal ones at lower indices, rank ahead.

    `excluded`: [B, items] bool, True for items that are not candidates (the target itself never is). NaN ranks last.
    """
    s = torch.nan_to_num(scores.detach(), nan=-math.inf)
    rows = torch.arange(s.shape[0])
    t = s[rows, targets][:, None]
    index = torch.arange(s.shape[1])[None, :]
    ahead = ((s > t) | ((s == t) & (index < targets[:, None]))) & ~excluded
    ahead[rows, targets] = False
    return ahead.sum(1) + 1


def ideal_dcg(hits: np.ndarray) -> np.ndarray:
    """Ideal DCG of binary relevance with `hits` relevant items at the top."""
    discounts = np.concatenate([[0.0], np.cumsum(1 / np.log2(np.arange(2, 12)))])
    return discounts[np.minimum(hits, 10)]


def ndcg_at_10(ranked: Tensor, relevant: Tensor, query_sizes: np.ndarray) -> np.ndarray:
    """nDCG@10 per row, binary relevance; `relevant`: [B, items] bool; the ideal DCG counts min(|query|, 10) hits."""
    if np.any(query_sizes == 0):
        raise ValueError("nDCG of an empty query is undefined: skip episodes with no remaining positives.")
    top = ranked[:, :10]
    hit = torch.zeros(top.shape, dtype=torch.bool)
    valid = top >= 0
    hit[valid] = relevant[torch.nonzero(valid, as_tuple=True)[0], top[valid]]
    discount = 1 / np.log2(np.arange(2, 2 + top.shape[1]))
    dcg = (hit.numpy() * discount[None, :]).sum(1)
    return dcg / ideal_dcg(query_sizes)
