"""What a training run takes and what it gives back (src/train/types.ts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..core.neighbours import Neighbours
from ..core.ragged import Ragged
from ..core.transitions import Transitions
from .config import TrainConfig
from .item_side import ItemSide
from .loop import TrainProgress
from .validate import Validation

Arrays = dict[str, np.ndarray]
"""Every parameter by name, as host arrays."""


@dataclass(frozen=True)
class TrainingData:
    """What a training run needs, independent of the file format it came from."""

    tags: list  # tags per catalog item (None: no content)
    train: Ragged  # training users' positives in protocol order
    validation: Ragged  # users to choose the best iteration on


@dataclass
class TrainedModel:
    arrays: Arrays
    side: ItemSide
    config: TrainConfig
    history: list[TrainProgress]
    validation: Validation
    tasks_per_second: float
    neighbours: Optional[Neighbours]
    start: dict  # which start won on validation: {chosen, pooled?, als?: {head, validation}}
    transitions: Optional[Transitions] = None  # the sequential term's lists (none when validation left it out)
    item_lists: Optional[dict] = None  # what the item-list search chose: {neighbourShrink, transitions, trials}
    neighbour_count: Optional[dict] = None  # the count chosen on validation users {count, trials, skipped?}: ship that many
