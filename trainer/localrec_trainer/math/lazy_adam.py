"""Row-sparse ("lazy") Adam for the item-indexed tables (src/math/lazy-adam.ts).

A step updates the moments and values of the rows given (a sampled batch's
candidates) and only those; every other row, values and moments, stays as it
is. Bias correction uses the global step count t, as tfjs's dense Adam,
TensorFlow's LazyAdam and torch.optim.SparseAdam do: a row touched at every
step follows dense Adam exactly, and the dense parameters beside the tables
share the same t. Not torch.optim.SparseAdam itself: it needs sparse
gradients (DDP all-reduces dense ones), uses torch's ε placement and defaults,
and has no checkpointable step shared with the dense optimizer; this mirrors
the TypeScript math instead, operation for operation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import torch
from torch import Tensor, nn


@dataclass(frozen=True)
class AdamSettings:
    """Adam's learning rate, moment decays and ε (tfjs's float32 backends use 1e-7)."""

    lr: float
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-7


@torch.no_grad()
def lazy_adam_step(values: Tensor, m: Tensor, v: Tensor, rows: Tensor, grads: Tensor, step: int, s: AdamSettings) -> None:
    """Adam step `step` (1-based, the run's global step) on rows `rows` (long, distinct) of `values`, in place.

    `grads`: the rows' gradients, row k for row rows[k] ([len(rows), ...] like values[rows]).
    """
    if step < 1:
        raise ValueError(f"Lazy Adam's step count must be a whole number ≥ 1, got {step}.")
    if grads.shape != values[rows].shape:
        raise ValueError(f"Lazy Adam got gradients of shape {tuple(grads.shape)} for rows of shape {tuple(values[rows].shape)}.")
    m1 = s.beta1 * m[rows] + (1 - s.beta1) * grads
    v1 = s.beta2 * v[rows] + (1 - s.beta2) * grads * grads
    m[rows] = m1
    v[rows] = v1
    values[rows] = values[rows] - s.lr * (m1 / (1 - s.beta1 ** step)) / ((v1 / (1 - s.beta2 ** step)).sqrt() + s.epsilon)


class LazyAdam:
    """Lazy Adam over named parameters (the item tables): step(rows) applies each one's gradient at `rows` alone.

    Under DDP the gradients it reads are the all-reduced ones and `rows` (the
    batch's candidates) is the same on every process, so every process makes
    the same update, as with the dense optimizer.
    """

    def __init__(self, params: Mapping[str, nn.Parameter], settings: AdamSettings) -> None:
        self.params = dict(params)
        self.settings = settings
        self.steps = 0
        self.m = {n: torch.zeros_like(p) for n, p in self.params.items()}
        self.v = {n: torch.zeros_like(p) for n, p in self.params.items()}

    def zero_grad(self) -> None:
        for p in self.params.values():
            p.grad = None

    def step(self, rows: Tensor) -> None:
        """One step on `rows` (long, distinct, ascending: a batch's candidates) of every parameter with a gradient."""
        self.steps += 1
        for n, p in self.params.items():
            if p.grad is not None:
                lazy_adam_step(p.data, self.m[n], self.v[n], rows, p.grad[rows], self.steps, self.settings)

    def state_dict(self) -> dict[str, Any]:
        return {"steps": self.steps, "m": {n: t.clone() for n, t in self.m.items()}, "v": {n: t.clone() for n, t in self.v.items()}}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """A checkpoint's state, moved to where the parameters are (after the model's move to its device)."""
        self.steps = int(state["steps"])
        for n, p in self.params.items():
            self.m[n] = state["m"][n].to(device=p.device, dtype=p.dtype)
            self.v[n] = state["v"][n].to(device=p.device, dtype=p.dtype)
