"""Implicit ALS (Hu, Koren & Volinsky 2008) on binary positives with confidence 1 + α (src/math/ials.ts).

The TypeScript solver, batched over rows: rows with many positives take a few
warm-started conjugate-gradient steps; the many rows with 1-3 positives (rare
items) are solved exactly by Woodbury. Same seeded start (math/rng.py: the sfc32 stream of createRng), same
steps, so both trainers reach the same factors up to float64 rounding.
"""

from __future__ import annotations

import math
from typing import Callable, Optional

import numpy as np
import torch
from torch import Tensor

from ..core.ragged import Ragged
from .rng import uniforms

WOODBURY_MAX = 3
"""Rows with at most this many positives are solved exactly by Woodbury (cheaper than CG there)."""

ENTRY_BUDGET = 1 << 16
"""Padded (row, entry) slots handled at once: ENTRY_BUDGET × dim doubles (16 MB at dim 32) stay in cache."""


def factor_gram(f: Tensor) -> Tensor:
    """FᵀF (d × d) of a factor matrix."""
    return f.T @ f


def _padded(m: Ragged, rows: np.ndarray, f: Tensor) -> Tensor:
    """The factors of each row's entries [rows, longest, d], zero-padded."""
    chunk = m.take(rows)
    width = int(chunk.lengths().max())
    slot = np.arange(chunk.ptr[-1]) - np.repeat(chunk.ptr[:-1], chunk.lengths())
    out = torch.zeros(len(rows), width, f.shape[1], dtype=f.dtype)
    out[torch.from_numpy(chunk.rows()), torch.from_numpy(slot)] = f[torch.from_numpy(chunk.items.astype(np.int64))]
    return out


def _woodbury(y: Tensor, kinv: Tensor, alpha: float) -> Tensor:
    """Exact x = (K + α YᵀY)⁻¹ (1+α) Yᵀ1 for rows of ≤ 3 factors: x = Zᵀ((1+α)1 − s), Z = Y K⁻¹, (YZᵀ + I/α) s = (1+α) YZᵀ 1."""
    z = y @ kinv  # [B, m, d] (K symmetric)
    w = y @ z.transpose(1, 2)  # [B, m, m]
    eye = torch.eye(w.shape[1], dtype=w.dtype)
    s = torch.linalg.solve(w + eye / alpha, (1 + alpha) * w.sum(2, keepdim=True))
    real = (y.abs().sum(2, keepdim=True) > 0).to(y.dtype)  # padding slots have zero factors and contribute nothing
    return (z.transpose(1, 2) @ (real * (1 + alpha) - s))[:, :, 0]


def _cg(y: Tensor, x: Tensor, k: Tensor, alpha: float, steps: int) -> Tensor:
    """`steps` conjugate-gradient steps on (K + α YᵀY) x = (1+α) Yᵀ1 from `x`, every row at once (Takács et al.)."""
    def apply(v: Tensor) -> Tensor:
        # Σ_s (f_s·v) f_s as [B,1,K] @ [B,K,d]: only the small factor is transposed
        return v @ k + alpha * ((y @ v[:, :, None]).transpose(1, 2) @ y)[:, 0, :]

    r = (1 + alpha) * y.sum(1) - apply(x)
    p = r
    rs = (r * r).sum(1)
    for _ in range(steps):
        live = rs > 1e-12  # converged rows stop, as each TypeScript row loop does
        ap = apply(p)
        step = torch.where(live, rs / torch.where(live, (p * ap).sum(1), torch.ones_like(rs)), torch.zeros_like(rs))
        x = x + step[:, None] * p
        r = r - step[:, None] * ap
        following = (r * r).sum(1)
        p = torch.where(live[:, None], r + (following / torch.where(live, rs, torch.ones_like(rs)))[:, None] * p, p)
        rs = torch.where(live, following, rs)
    return x


def solve_rows(x: Tensor, m: Ragged, f: Tensor, alpha: float, lam: float, cg_steps: int) -> Tensor:
    """Every row of `x` against fixed factors `f`: (FᵀF + λI + α Σ f_s f_sᵀ) x_r = (1+α) Σ f_s (new tensor)."""
    d = f.shape[1]
    k = factor_gram(f) + lam * torch.eye(d, dtype=f.dtype)
    kinv = torch.linalg.inv(k)
    out = torch.zeros_like(x)  # rows without positives: exactly 0
    lengths = m.lengths()
    order = np.argsort(lengths, kind="stable")
    order = order[lengths[order] > 0]
    at = 0
    while at < len(order):
        ahead = lengths[order[at : at + ENTRY_BUDGET]]
        take = max(1, int(np.count_nonzero(np.arange(1, len(ahead) + 1) * ahead <= ENTRY_BUDGET)))
        if lengths[order[at]] <= WOODBURY_MAX:  # never mix short rows into a CG chunk
            take = min(take, int(np.count_nonzero(ahead[:take] <= WOODBURY_MAX)))
        rows = order[at : at + take]
        y = _padded(m, rows, f)
        index = torch.from_numpy(rows)
        out[index] = _woodbury(y, kinv, alpha) if lengths[rows[-1]] <= WOODBURY_MAX else _cg(y, x[index], k, alpha, cg_steps)
        at += take
    return out


def train_ials(user_items: Ragged, item_users: Ragged, dim: int, alpha: float, lam: float,
               iterations: int = 10, cg_steps: int = 3, seed: int = 1) -> Tensor:
    """Item factors [items, dim] (float64) from the user × item and item × user matrices (trainIals)."""
    return train_ials_within(user_items, item_users, dim, alpha, lam, iterations, cg_steps, seed)[0]


def train_ials_within(user_items: Ragged, item_users: Ragged, dim: int, alpha: float, lam: float,
                      iterations: int = 10, cg_steps: int = 3, seed: int = 1,
                      out_of_time: Optional[Callable[[], bool]] = None) -> tuple[Tensor, int]:
    """train_ials that may end early, and the iterations it ran (trainIalsWithin).

    `out_of_time` is asked after each iteration (so at least one runs); a true answer keeps
    the factors so far, a valid solution (each side solved against the other). It is asked
    only by the process running this ALS, so it must not be a collective.
    """
    start = (uniforms(seed, len(item_users) * dim) - 0.5) * (0.2 / math.sqrt(dim))
    items = torch.from_numpy(start.reshape(len(item_users), dim))
    users = torch.zeros(len(user_items), dim, dtype=torch.float64)
    it = 0
    while it < iterations:
        users = solve_rows(users, user_items, items, alpha, lam, cg_steps)
        items = solve_rows(items, item_users, users, alpha, lam, cg_steps)
        it += 1
        if it < iterations and out_of_time is not None and out_of_time():
            break
    return items, it
