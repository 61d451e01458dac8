"""Content features and popularity inputs of the item side (src/core/features.ts).

The content matrix is kept sparse (CSR: a few tags per item) and projected with
an embedding bag, so memory is O(items × tags per item), never O(items × features).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np
import torch

from .model import ItemInputs

CONSTANT_FEATURE = "(all items)"
"""Name of feature 0, which every item has: it carries the shared cold-item vector and bias."""


def js_order(text: str) -> bytes:
    """Sort key that orders strings as JavaScript does (by UTF-16 code units), not by code points."""
    return text.encode("utf-16-be", "surrogatepass")


def feature_vocabulary(tags: Sequence[Optional[Sequence[str]]], *, min_count: int = 2) -> list[str]:
    """The constant feature, then every tag used by at least `min_count` items, most frequent first (ties by name): featureVocabulary.

    No cap on its size. Training does not call it: the data step chooses the
    minimum count on validation users (src/train/vocabulary.ts) and the bundle
    carries the vocabulary (train/prepared.py); tests build fixtures with it.
    """
    counts: Counter[str] = Counter()
    for item_tags in tags:
        counts.update(set(item_tags or ()))
    kept = sorted(((t, c) for t, c in counts.items() if c >= min_count), key=lambda tc: (-tc[1], js_order(tc[0])))
    return [CONSTANT_FEATURE] + [t for t, _ in kept]


@dataclass(frozen=True)
class FeatureRows:
    """The multi-hot content matrix [items, features] as CSR: row i is cols[ptr[i]:ptr[i+1]] with `weights`."""

    ptr: np.ndarray  # int64 [items + 1]
    cols: np.ndarray  # int64 [nnz]
    weights: np.ndarray  # float32 [nnz]
    features: int

    @property
    def items(self) -> int:
        return len(self.ptr) - 1

    def dense(self) -> np.ndarray:
        """The dense [items, features] matrix (small catalogs and tests only)."""
        out = np.zeros((self.items, self.features), dtype=np.float32)
        rows = np.repeat(np.arange(self.items), np.diff(self.ptr))
        out[rows, self.cols] = self.weights
        return out


def feature_rows(tags: Sequence[Optional[Sequence[str]]], names: Sequence[str]) -> FeatureRows:
    """Content rows (featureMatrix): feature 0 is 1, each known tag 1/sqrt(known tags); unknown tags are ignored."""
    column = {name: i for i, name in enumerate(names)}
    ptr = np.zeros(len(tags) + 1, dtype=np.int64)
    cols: list[int] = []
    weights: list[float] = []
    for i, item_tags in enumerate(tags):
        known = sorted({column[t] for t in set(item_tags or ()) if column.get(t, 0) > 0})
        w = 1 / np.sqrt(len(known)) if known else 0.0
        cols.append(0)
        weights.append(1.0)
        cols.extend(known)
        weights.extend([w] * len(known))
        ptr[i + 1] = len(cols)
    return FeatureRows(ptr, np.asarray(cols, dtype=np.int64), np.asarray(weights, dtype=np.float32), len(names))


def log_popularity(counts: np.ndarray) -> np.ndarray:
    """log(1 + count) per item: the popularity input of the prior."""
    return np.log1p(np.asarray(counts, dtype=np.float64)).astype(np.float32)


def item_inputs(
    features: FeatureRows, warm: np.ndarray, log_pop: np.ndarray, dtype: torch.dtype = torch.float32
) -> ItemInputs:
    """The item-side inputs as tensors (itemInputs); sizes are checked against each other."""
    items = len(warm)
    if len(log_pop) != items:
        raise ValueError(f"Popularity input has {len(log_pop)} values, expected one per item ({items}).")
    if features.items != items:
        raise ValueError(f"Feature rows describe {features.items} items, expected {items} (one per catalog item).")
    return ItemInputs(
        cols=torch.from_numpy(np.ascontiguousarray(features.cols, dtype=np.int64)),
        offsets=torch.from_numpy(np.ascontiguousarray(features.ptr[:-1], dtype=np.int64)),
        weights=torch.from_numpy(np.ascontiguousarray(features.weights)).to(dtype),
        features=features.features,
        warm=torch.from_numpy(np.ascontiguousarray(warm, dtype=np.float32)).to(dtype).reshape(-1, 1),
        log_pop=torch.from_numpy(np.ascontiguousarray(log_pop, dtype=np.float32)).to(dtype).reshape(-1, 1),
    )
