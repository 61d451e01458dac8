"""Implicit ALS (Hu, Koren & Volinsky 2008) on binary positives with confidence 1 + α (src/eval/methods/ials-train.ts).

Every row is solved exactly, `(FᵀF + λI + α Σ f_s f_sᵀ) x = (1 + α) Σ f_s`, by
batched Cholesky over rows of similar length (the TypeScript trainer takes a
few warm-started conjugate-gradient steps instead: the same fixed point).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor

from ..core.ragged import Ragged

ENTRY_BUDGET = 1 << 18
"""Padded (row, entry) slots solved at once: bounds memory at ENTRY_BUDGET × dim doubles."""


def factor_gram(f: Tensor) -> Tensor:
    """FᵀF (d × d) of a factor matrix."""
    return f.T @ f


def solve_rows(m: Ragged, f: Tensor, alpha: float, lam: float) -> Tensor:
    """Solves every row of `m` against fixed factors `f` [cols, d]; rows without entries are 0."""
    d = f.shape[1]
    out = torch.zeros(len(m), d, dtype=f.dtype)
    base = factor_gram(f) + lam * torch.eye(d, dtype=f.dtype)
    lengths = m.lengths()
    order = np.argsort(lengths, kind="stable")
    order = order[lengths[order] > 0]
    at = 0
    while at < len(order):
        # rows are sorted by length: take the longest prefix whose padded size fits the budget
        ahead = lengths[order[at : at + ENTRY_BUDGET]]
        take = max(1, int(np.count_nonzero(np.arange(1, len(ahead) + 1) * ahead <= ENTRY_BUDGET)))
        rows = order[at : at + take]
        width = int(lengths[rows[-1]])
        chunk = m.take(rows)
        slot = np.arange(chunk.ptr[-1]) - np.repeat(chunk.ptr[:-1], chunk.lengths())
        index = torch.zeros(len(rows), width, dtype=torch.long)
        mask = torch.zeros(len(rows), width, 1, dtype=f.dtype)
        r = torch.from_numpy(chunk.rows())
        s = torch.from_numpy(slot)
        index[r, s] = torch.from_numpy(chunk.items.astype(np.int64))
        mask[r, s] = 1
        y = f[index] * mask  # [rows, width, d]
        a = base + alpha * (y.transpose(1, 2) @ y)
        b = (1 + alpha) * y.sum(1, keepdim=True).transpose(1, 2)  # [rows, d, 1]
        out[torch.from_numpy(rows)] = torch.cholesky_solve(b, torch.linalg.cholesky(a))[:, :, 0]
        at += len(rows)
    return out


def train_ials(user_items: Ragged, item_users: Ragged, dim: int, alpha: float, lam: float,
               iterations: int = 10, seed: int = 1) -> Tensor:
    """Item factors [items, dim] (float64) from the user × item and item × user matrices."""
    gen = torch.Generator().manual_seed(seed)
    items = (torch.rand(len(item_users), dim, generator=gen, dtype=torch.float64) - 0.5) * (0.2 / math.sqrt(dim))
    for _ in range(iterations):
        users = solve_rows(user_items, items, alpha, lam)
        items = solve_rows(item_users, users, alpha, lam)
    return items
