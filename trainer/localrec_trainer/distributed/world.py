"""This process's place among the training processes, and what they do together (torch.distributed).

DistributedDataParallel averages the gradients of a wrapped module; the
collectives here sum, gather and broadcast the rest, so that every process
takes the same decision at the same step (a budget stop, a choice, a check of
the data).
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel

from .sampler import UserSampler

GROUP_TIMEOUT = datetime.timedelta(hours=2)
"""How long a rank waits for the others at a collective (rank 0 may be writing a large artifact)."""


@dataclass(frozen=True)
class World:
    """This process's place among the training processes."""

    rank: int
    size: int
    device: torch.device
    backend: Optional[str]  # 'gloo' | 'nccl'; None: one plain process, no process group

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def share(self) -> tuple[int, int]:
        return self.rank, self.size

    def wrap(self, module: nn.Module) -> nn.Module:
        """The module under DDP (which broadcasts rank 0's parameters now and averages gradients on backward)."""
        module.to(self.device)
        if self.backend is None:
            return module
        ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(module, device_ids=ids)

    def sum(self, value: Tensor) -> Tensor:
        """The sum over all processes (a new tensor; float64 sums stay exact enough for metrics)."""
        out = value.detach().clone().to(self.device)
        if self.backend is not None:
            dist.all_reduce(out, op=dist.ReduceOp.SUM)
        return out.cpu()

    def any(self, flag: bool) -> bool:
        """True on every process when it is true on any (so that all stop at the same step)."""
        return bool(self.sum(torch.tensor([1.0 if flag else 0.0], dtype=torch.float64))[0] > 0)

    def gather(self, value: Tensor) -> Tensor:
        """Every process's tensor (same shape everywhere), concatenated in rank order along dim 0."""
        if self.backend is None:
            return value
        local = value.detach().contiguous().to(self.device)
        parts = [torch.empty_like(local) for _ in range(self.size)]
        dist.all_gather(parts, local)
        return torch.cat(parts).cpu()

    def union(self, items: np.ndarray) -> np.ndarray:
        """The sorted distinct values of every process's array (e.g. the positives of a global batch)."""
        if self.backend is None:
            return np.unique(items)
        parts: list[Any] = [None] * self.size
        dist.all_gather_object(parts, np.asarray(items))
        return np.unique(np.concatenate(parts))

    def broadcast(self, value: Tensor, src: int) -> Tensor:
        """Rank `src`'s tensor on every process (same shape and dtype everywhere)."""
        if self.backend is None:
            return value
        out = value.detach().clone().contiguous().to(self.device)
        dist.broadcast(out, src)
        return out.cpu()

    def broadcast_object(self, value: Any, src: int = 0) -> Any:
        if self.backend is None:
            return value
        box = [value]
        dist.broadcast_object_list(box, src, device=self.device if self.backend == "nccl" else None)
        return box[0]

    def sampler(self, population: int, global_batch: int, seed: int) -> "UserSampler":
        return UserSampler(population, global_batch, self, seed)


def setup() -> World:
    """Joins torchrun's process group when launched by it (else one plain process)."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    local_size = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
    # One thread per process unless OMP_NUM_THREADS says otherwise: the BLAS Debian's torch
    # calls is single-threaded anyway, and OpenMP threads that spin while the cores are
    # shared (other ranks, other jobs) made small operations 100× slower here.
    torch.set_num_threads(max(1, int(os.environ.get("OMP_NUM_THREADS") or 1)))
    if "RANK" not in os.environ:
        return World(0, 1, torch.device("cpu"), None)
    cuda = torch.cuda.is_available() and torch.cuda.device_count() >= local_size
    backend = "nccl" if cuda and dist.is_nccl_available() else "gloo"
    device = torch.device("cpu")
    if backend == "nccl":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    dist.init_process_group(backend, timeout=GROUP_TIMEOUT)
    return World(dist.get_rank(), size, device, backend)


def cleanup(world: World) -> None:
    if world.backend is not None and dist.is_initialized():
        dist.destroy_process_group()


def check_same_data(world: World, fingerprint: str, choices: str = "") -> None:
    """Every node must have prepared the same data and made the same choices on it (validation users, vocabulary):
    a node with other files would train on another log, or on other features."""
    theirs, their_choices = world.broadcast_object((fingerprint, choices), 0)
    if theirs != fingerprint:
        raise ValueError(f"Rank {world.rank} prepared data with fingerprint {fingerprint[:12]}…, rank 0 {theirs[:12]}…: every node needs the same --data and flags.")
    if their_choices != choices:
        raise ValueError(f"Rank {world.rank} prepared other validation users or another vocabulary than rank 0 from the same data "
                         f"(choices {choices[:12]}…, rank 0 {their_choices[:12]}…): every node needs the same flags.")
