"""Lists of catalog indices of different lengths (users' clicks), as one CSR pair of arrays.

Plain numpy, memory-mappable: a prepared log of 10M positives is two arrays,
not 10M Python objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Ragged:
    """Lists of catalog indices (one per user), as CSR: list u is items[ptr[u]:ptr[u+1]]."""

    ptr: np.ndarray  # int64 [lists + 1]
    items: np.ndarray  # int32 [entries]

    def __len__(self) -> int:
        return len(self.ptr) - 1

    def lengths(self) -> np.ndarray:
        return np.diff(self.ptr)

    def row(self, u: int) -> np.ndarray:
        return self.items[self.ptr[u] : self.ptr[u + 1]]

    def rows(self) -> np.ndarray:
        """The list index of every entry."""
        return np.repeat(np.arange(len(self), dtype=np.int64), self.lengths())

    @staticmethod
    def of(lists: list[np.ndarray]) -> "Ragged":
        ptr = np.zeros(len(lists) + 1, dtype=np.int64)
        np.cumsum([len(x) for x in lists], out=ptr[1:])
        items = np.concatenate(lists).astype(np.int32) if lists else np.zeros(0, dtype=np.int32)
        return Ragged(ptr, items)

    def take(self, lists: np.ndarray, starts: np.ndarray | None = None, stops: np.ndarray | None = None) -> "Ragged":
        """The given lists (by index), each cut to [start, stop) of its own entries (default: whole)."""
        lists = np.asarray(lists, dtype=np.int64)
        lo = self.ptr[lists] + (0 if starts is None else np.asarray(starts, dtype=np.int64))
        hi = self.ptr[lists + 1] if stops is None else self.ptr[lists] + np.asarray(stops, dtype=np.int64)
        lengths = np.maximum(hi - lo, 0)
        ptr = np.zeros(len(lists) + 1, dtype=np.int64)
        np.cumsum(lengths, out=ptr[1:])
        # entry e of list j sits at lo[j] + (e - ptr[j])
        index = np.repeat(lo - ptr[:-1], lengths) + np.arange(ptr[-1], dtype=np.int64)
        return Ragged(ptr, self.items[index])
