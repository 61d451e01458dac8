"""Global batches of users, each process its share (DistributedSampler)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch
from torch.utils.data.distributed import DistributedSampler

if TYPE_CHECKING:
    from .world import World


class UserSampler:
    """Global batches of users, an epoch at a time, each process its share (DistributedSampler).

    Iteration t of a run is batch t mod S of epoch t div S (S batches per
    epoch), so a resumed run continues with exactly the batches it would have
    seen, whatever the number of processes. DistributedSampler gives rank r the
    positions r, r + W, r + 2W, ... of the epoch's permutation; rank r's batch j
    is positions j·b … (j+1)·b − 1 of that list (b = B / W), and together the
    ranks hold positions j·B … (j+1)·B − 1: the batch one process would draw.
    """

    def __init__(self, population: int, global_batch: int, world: "World", seed: int) -> None:
        if population < 1:
            raise ValueError("No users to sample tasks from.")
        if global_batch % world.size:
            raise ValueError(f"--batch {global_batch} is not a multiple of the {world.size} processes: use a batch of {world.size * max(1, round(global_batch / world.size))}.")
        # Populations smaller than a batch are repeated (the TypeScript sampler draws with replacement).
        self.population = population
        self.virtual = population * -(-global_batch // population)
        self.local = global_batch // world.size
        self.per_epoch = self.virtual // global_batch
        self.seed = seed
        self.sampler = DistributedSampler(range(self.virtual), num_replicas=world.size, rank=world.rank,
                                          shuffle=True, seed=seed, drop_last=True)
        self.epoch = -1
        self.order = np.zeros(0, dtype=np.int64)
        self.drawn: dict[tuple[int, int], np.ndarray] = {}

    def batch(self, iteration: int) -> tuple[np.ndarray, np.ndarray]:
        """(users, slots) of this process for 0-based `iteration`: user positions and their epoch slots (≥ 0)."""
        epoch, j = divmod(iteration, self.per_epoch)
        if epoch != self.epoch:
            self.sampler.set_epoch(epoch)
            self.order = np.fromiter(iter(self.sampler), dtype=np.int64)
            self.epoch = epoch
        slots = self.order[j * self.local : (j + 1) * self.local]
        return slots % self.population, slots

    def uniforms(self, iteration: int, slots: np.ndarray, stream: int) -> np.ndarray:
        """One draw in [0, 1) per slot of the epoch of `iteration` from random stream `stream` (shot counts, task kinds, ...).

        The same on every process and for every process count: a slot's draws depend on its epoch and position only.
        """
        epoch = iteration // self.per_epoch
        key = (epoch, stream)
        if key not in self.drawn:
            gen = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch * 1009 + stream)
            self.drawn = {key: torch.rand(self.virtual, generator=gen, dtype=torch.float64).numpy(), **{k: v for k, v in self.drawn.items() if k[0] == epoch}}
        return self.drawn[key][slots]
