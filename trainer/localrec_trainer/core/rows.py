"""Feedback as sparse rows over the catalog: index lists with weights, not dense [B, items] rows.

A batch of 32 users with 20 clicks each is 640 entries whatever the catalog's
size; only scores and their softmax are dense. FeedbackBatch of
src/core/model.ts, with the same fields.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass, replace
from functools import cached_property
from typing import Optional, TypeVar

import torch
from torch import Tensor

T = TypeVar("T")


@dataclass(frozen=True)
class Rows:
    """B sparse rows over the catalog: entry e adds `value[e]` at (row[e], item[e]); repeats add up."""

    row: Tensor  # long [nnz]
    item: Tensor  # long [nnz]
    value: Tensor  # [nnz]
    batch: int

    def dense(self, items: int) -> Tensor:
        """The [B, items] matrix (repeated entries summed)."""
        out = torch.zeros(self.batch, items, dtype=self.value.dtype, device=self.value.device)
        return out.index_put((self.row, self.item), self.value, accumulate=True)

    def mask(self, items: int) -> Tensor:
        """[B, items]: 1 where the row lists the item with a positive value, else 0."""
        return (self.dense(items) > 0).to(self.value.dtype)

    def totals(self) -> Tensor:
        """Sum of each row's values [B] (computed once: feedback rows are constants of a batch)."""
        return self._totals

    @cached_property
    def _totals(self) -> Tensor:
        return torch.zeros(self.batch, dtype=self.value.dtype, device=self.value.device).index_add(0, self.row, self.value)

    def dot(self, dense: Tensor) -> Tensor:
        """Σ_i row[b, i] · dense[b, i] per row [B]."""
        return torch.zeros(self.batch, dtype=dense.dtype, device=dense.device).index_add_(0, self.row, self.value * dense[self.row, self.item])

    def moved(self, slope: Optional["Rows"], delta: Tensor) -> "Rows":
        """`self + delta · slope` as one row set (its entries, then slope's scaled): the linearised rows of a decay step."""
        if slope is None:
            return self
        return Rows(torch.cat([self.row, slope.row]), torch.cat([self.item, slope.item]),
                    torch.cat([self.value, delta * slope.value]), self.batch)

    def restricted(self, position: Tensor) -> "Rows":
        """The entries on candidate items, re-indexed by `position` (item → candidate column, -1 off the candidates)."""
        column = position[self.item]
        keep = column >= 0
        return Rows(self.row[keep], column[keep], self.value[keep], self.batch)

    def matmul(self, table: Tensor) -> Tensor:
        """rows @ table: [B, items] × [items, d] → [B, d], touching only the listed items."""
        out = torch.zeros(self.batch, table.shape[1], dtype=table.dtype, device=table.device)
        return out.index_add_(0, self.row, self.value[:, None] * table[self.item])


@dataclass(frozen=True)
class Feedback:
    """A batch's feedback: positives (clicks) with rows summing to 1 (or 1 per click), shown-not-clicked negatives."""

    positives: Rows
    negatives: Optional[Rows] = None
    excluded: Optional[Rows] = None  # items that are not candidates (the support when judging the query)
    count: Optional[Tensor] = None  # [B, 1] clicks behind each positives row: the prototype's evidence
    neighbours: Optional[Rows] = None  # each item's similarity to the clicked ones, recency-weighted (core/neighbours.py)
    transitions: Optional[Rows] = None  # what follows the last clicks, recency-weighted (core/transitions.py)
    # Training only, to learn the recency decay: the decay the rows were built at and
    # their derivatives in it. The inner loop uses `row + (decay − decay_at) · derivative`:
    # the same value, and the exact gradient in the decay (core/inner.py effective_support).
    decay_at: Optional[float] = None
    positives_decay: Optional[Rows] = None
    neighbours_decay: Optional[Rows] = None
    transitions_decay: Optional[Rows] = None

    @property
    def batch(self) -> int:
        return self.positives.batch

    @cached_property
    def slate(self) -> "Slate":
        """Every distinct clicked or shown item per row: the slate the choice term ranks among."""
        pos, neg = self.positives, self.negatives
        if neg is None:
            raise ValueError("A slate needs impressions (negatives): this feedback has none.")
        rows = torch.cat([pos.row[pos.value > 0], neg.row[neg.value > 0]])
        items = torch.cat([pos.item[pos.value > 0], neg.item[neg.value > 0]])
        width = int(items.max()) + 1 if len(items) else 1
        keys = torch.unique(rows * width + items)  # sorted: each row's entries together
        row, item = keys // width, keys % width
        sizes = torch.bincount(row, minlength=self.batch)
        slot = torch.arange(len(row), device=row.device) - (torch.cumsum(sizes, 0) - sizes)[row]
        padded = torch.zeros(self.batch, int(sizes.max()) if len(row) else 0, dtype=torch.long, device=row.device)
        return Slate(row, item, padded.index_put((row, slot), item), torch.arange(padded.shape[1], device=row.device)[None, :] < sizes[:, None])


@dataclass(frozen=True)
class Slate:
    row: Tensor  # [entries] the slate as (row, item) pairs
    item: Tensor
    padded: Tensor  # [B, largest slate] the same items per row, padded with 0
    valid: Tensor  # [B, largest slate] False on the padding


def to_device(value: T, device: torch.device) -> T:
    """The same batch, inputs or feedback with every tensor on `device` (no copy on the CPU)."""
    if device.type == "cpu":
        return value
    if isinstance(value, Tensor):
        return value.to(device)  # type: ignore[return-value]
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: to_device(getattr(value, f.name), device) for f in fields(value)})  # type: ignore[return-value]
    return value
