"""The sampled softmax's draws for a training run (core/sampled.py holds the loss).

Per batch: the positives of the whole global batch (every process's share,
exchanged), plus `negatives` draws from q(i) ∝ (n_i + 1)^0.75 made from a
generator seeded by the run's seed, the phase and the iteration: every process
draws the same ids, whatever their number, and a resumed run draws what the
uninterrupted one would have.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import numpy as np
import torch

from ..core.ragged import Ragged
from ..core.rows import Rows
from ..core.sampled import Candidates, batch_positives, candidates, draw, proposal
from .config import TrainConfig

if TYPE_CHECKING:
    from ..distributed.world import World


@dataclass(frozen=True)
class Sampling:
    q: np.ndarray  # float64 [items] the proposal
    draws: int  # S
    tag: str  # seeds the draws: run seed and phase
    world: "World"
    dtype: torch.dtype

    @staticmethod
    def of(train: Ragged, items: int, config: TrainConfig, world: "World", tag: str,
           dtype: torch.dtype = torch.float32) -> Optional["Sampling"]:
        """The run's sampling when the catalog is above `sampled_above` items, else None (the full softmax)."""
        if not config.sampled(items):
            return None
        counts = np.bincount(train.items, minlength=items)  # positives are unique per user: the item's training users
        return Sampling(proposal(counts), config.negatives, tag, world, dtype)

    def generator(self, iteration: int) -> torch.Generator:
        digest = hashlib.sha256(f"{self.tag}:{iteration}".encode()).digest()
        return torch.Generator().manual_seed(int.from_bytes(digest[:8], "little") & ((1 << 63) - 1))

    def candidates(self, iteration: int, *positives: Rows, dtype: Optional[torch.dtype] = None) -> Candidates:
        """The candidates of batch `iteration`: the global batch's positives (of every row set given: a meta-batch's
        support and query clicks) ∪ this iteration's draws."""
        pos = self.world.union(np.concatenate([batch_positives(p) for p in positives]))
        return candidates(pos, draw(self.q, self.draws, self.generator(iteration)), self.q, self.draws, dtype or positives[0].value.dtype)
