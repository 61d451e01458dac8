"""The fixed item-side inputs of a model: content features, warm mask, log popularity (src/train/item-side.ts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..core.features import FeatureRows, feature_rows, log_popularity

if TYPE_CHECKING:
    from .types import TrainingData


@dataclass(frozen=True)
class ItemSide:
    """The fixed item-side inputs of a model: content features, warm mask, log popularity."""

    names: list[str]
    features: FeatureRows
    warm: np.ndarray
    log_pop: np.ndarray


def item_side(data: "TrainingData", names: list[str]) -> ItemSide:
    """The item side over the vocabulary `names` (itemSide): the data step chose it on the validation users (train/prepared.py)."""
    counts = np.bincount(data.train.items, minlength=len(data.tags)).astype(np.float32)
    warm = (counts > 0).astype(np.float32)
    return ItemSide(names, feature_rows(data.tags, names), warm, log_popularity(counts))
