"""Content maps for cold items, fitted to given item vectors (src/train/content-map.ts).

The ridge regression of the warm items' vectors on their features,
W = (XᵀX + μI)⁻¹ XᵀE, and the residual E − XW as the id embedding: warm items
score exactly as before (XW + residual = E) and an item no training user
touched gets the vector its tags predict.

Up to DENSE_FEATURES features XᵀX is formed and factored once (as the
TypeScript trainer does); above, nothing of size features × features is ever
built: the system is solved by conjugate gradients with X kept sparse (CSR),
preconditioned by XᵀX's diagonal, to a residual far below float32 rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch
from torch import Tensor

from ..core.features import FeatureRows

CONTENT_RIDGE = 1.0
"""Ridge weight of the content regression (features are 1/sqrt(#tags)-normalised)."""

DENSE_FEATURES = 2048
"""Largest vocabulary whose XᵀX (features² doubles: 32 MB here) is built and factored."""

CG_TOLERANCE = 1e-11
"""Relative residual the conjugate-gradient solve stops at (per column)."""

CG_MAX_STEPS = 5000


@dataclass(frozen=True)
class ContentRegression:
    features: FeatureRows
    warm: np.ndarray  # [items] 1 for items seen in training
    factor: Optional[Tensor]  # Cholesky factor of XᵀX + μI over warm items, float64 [F, F]; None: solved by CG

    def _x(self) -> tuple[Tensor, Tensor, Tensor]:
        """The warm items' nonzero entries (item, feature, value)."""
        x = self.features
        rows = np.repeat(np.arange(x.items), np.diff(x.ptr))
        keep = self.warm[rows] != 0
        return torch.from_numpy(rows[keep]), torch.from_numpy(x.cols[keep]), torch.from_numpy(x.weights[keep].astype(np.float64))

    def split(self, emb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(content map [F, d], id residual [items, d]) of an item-vector table [items, d], float32."""
        r, c, w = self._x()
        e = torch.from_numpy(np.asarray(emb, dtype=np.float32)).to(torch.float64)
        xte = torch.zeros(self.features.features, e.shape[1], dtype=torch.float64).index_add(0, c, w[:, None] * e[r])
        solved = torch.cholesky_solve(xte, self.factor) if self.factor is not None else self._cg(xte, r, c, w)
        mapping = solved.to(torch.float32)
        predicted = torch.zeros_like(e).index_add(0, r, w[:, None] * mapping.to(torch.float64)[c])
        residual = (e - predicted) * torch.from_numpy(self.warm != 0)[:, None]
        return mapping.numpy(), residual.to(torch.float32).numpy()

    def _cg(self, b: Tensor, r: Tensor, c: Tensor, w: Tensor) -> Tensor:
        """(XᵀX + μI)⁻¹ b by Jacobi-preconditioned conjugate gradients, every column at once."""
        f, items = self.features.features, self.features.items

        def apply(v: Tensor) -> Tensor:
            xv = torch.zeros(items, v.shape[1], dtype=v.dtype).index_add(0, r, w[:, None] * v[c])
            return torch.zeros_like(v).index_add(0, c, w[:, None] * xv[r]) + CONTENT_RIDGE * v

        diag = torch.zeros(f, dtype=torch.float64).index_add(0, c, w * w) + CONTENT_RIDGE
        x = torch.zeros_like(b)
        res = b.clone()
        z = res / diag[:, None]
        p = z.clone()
        rz = (res * z).sum(0)
        target = CG_TOLERANCE * b.norm(dim=0)
        for _ in range(CG_MAX_STEPS):
            if bool((res.norm(dim=0) <= target).all()):
                break
            ap = apply(p)
            step = rz / (p * ap).sum(0).clamp(min=1e-300)
            x = x + step * p
            res = res - step * ap
            z = res / diag[:, None]
            following = (res * z).sum(0)
            p = z + (following / rz.clamp(min=1e-300)) * p
            rz = following
        return x


def content_regression(features: FeatureRows, warm: np.ndarray, dense_features: int = DENSE_FEATURES) -> ContentRegression:
    """Factors XᵀX + μI over the warm items when the vocabulary is small (pairs of each item's few features); else CG later."""
    f = features.features
    if f > dense_features:
        return ContentRegression(features, np.asarray(warm), None)
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
