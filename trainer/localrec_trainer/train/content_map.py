"""Content maps for cold items, fitted to given item vectors (src/train/content-map.ts).

The ridge regression of the warm items' vectors on their features,
W = (XᵀX + μI)⁻¹ XᵀE, and the residual E − XW as the id embedding: warm items
score exactly as before (XW + residual = E) and an item no training user
touched gets the vector its tags predict. XᵀX is factored once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from ..core.features import FeatureRows

CONTENT_RIDGE = 1.0
"""Ridge weight of the content regression (features are 1/sqrt(#tags)-normalised)."""


@dataclass(frozen=True)
class ContentRegression:
    features: FeatureRows
    warm: np.ndarray  # [items] 1 for items seen in training
    factor: Tensor  # Cholesky factor of XᵀX + μI over warm items, float64 [F, F]

    def split(self, emb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(content map [F, d], id residual [items, d]) of an item-vector table [items, d], float32."""
        x = self.features
        rows = np.repeat(np.arange(x.items), np.diff(x.ptr))
        keep = self.warm[rows] != 0
        e = torch.from_numpy(np.asarray(emb, dtype=np.float32)).to(torch.float64)
        r, c = torch.from_numpy(rows[keep]), torch.from_numpy(x.cols[keep])
        w = torch.from_numpy(x.weights[keep].astype(np.float64))
        xte = torch.zeros(x.features, e.shape[1], dtype=torch.float64).index_add(0, c, w[:, None] * e[r])
        mapping = torch.cholesky_solve(xte, self.factor).to(torch.float32)
        predicted = torch.zeros_like(e).index_add(0, r, w[:, None] * mapping.to(torch.float64)[c])
        residual = (e - predicted) * torch.from_numpy(self.warm != 0)[:, None]
        return mapping.numpy(), residual.to(torch.float32).numpy()


def content_regression(features: FeatureRows, warm: np.ndarray) -> ContentRegression:
    """Factors XᵀX + μI over the warm items (pairs of each item's few features: O(items × tags²))."""
    f = features.features
    lengths = np.diff(features.ptr) * (np.asarray(warm) != 0)
    pairs = lengths**2
    total = int(pairs.sum())
    owner = np.repeat(np.arange(features.items), pairs)
    offset = np.arange(total) - np.repeat(np.cumsum(pairs) - pairs, pairs)
    a = features.ptr[owner] + offset // np.maximum(lengths[owner], 1)
    b = features.ptr[owner] + offset % np.maximum(lengths[owner], 1)
    weights = features.weights.astype(np.float64)
    xtx = np.bincount(features.cols[a] * f + features.cols[b], weights=weights[a] * weights[b], minlength=f * f)
    gram = torch.from_numpy(xtx.reshape(f, f)) + CONTENT_RIDGE * torch.eye(f, dtype=torch.float64)
    return ContentRegression(features, np.asarray(warm), torch.linalg.cholesky(gram))
