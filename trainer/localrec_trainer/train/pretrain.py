"""Pooled pretraining (pooledParams in src/train/pretrain.ts; the baseline built on it, trainPretrain, is finetune.py).

The same model trained on all users pooled: one free vector per training user,
every positive of theirs a target, no meta-learning. Meta-training starts from
it ('user' weighting); the 'pretrain' algorithm ships it ('click' weighting) with
a fine-tuning head chosen on validation users (finetune.py). The batches run in
the loop meta-training runs in too (loop.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional

import numpy as np
import torch
from torch import Tensor, nn

from ..core.model import ItemInputs, UserBatch, feedback_loss, item_table, score_batch
from ..core.sampled import Candidates, candidate_scores, sampled_loss
from ..core.rows import Feedback, Rows, to_device
from ..core.params import ModelShape, Params, init_params, to_arrays
from ..core.ragged import Ragged
from .config import TrainConfig
from .loop import Checkpoint, TrainLoop, TrainProgress, train_loop
from .sampling import Sampling
from .tasks import click_rows
from .types import Arrays

if TYPE_CHECKING:
    from ..distributed.run import Run
    from ..distributed.world import World

SHARED: tuple[str, ...] = ("contentW", "itemEmb", "contentBias", "itemBias", "popInit", "popWeight")
"""The parameters pooled training learns, besides the users' vectors."""

ADAM_EPSILON = 1e-7
"""tfjs's Adam epsilon on float32 backends (torch's default is 1e-8): the same optimizer as the Node trainer."""


def pooled_loss(params: Params, inputs: ItemInputs, users: Tensor, targets: Rows, table: Optional[Tensor],
                weight_decay: float, clicks: float, candidates: Optional[Candidates] = None) -> Tensor:
    """Mean target loss of a batch of pooled users (their vectors `users`) plus L2 on id embeddings and the whole table.

    `table`: None leaves the table's L2 out (the caller adds its gradient itself);
    `candidates`: the batch's sampled-softmax candidates (core/sampled.py).
    """
    items = item_table(params, inputs)
    pop = params["popInit"].reshape(1, 1).expand(users.shape[0], 1)
    batch = UserBatch(users, pop)
    if candidates is None:
        loss = feedback_loss(score_batch(items, batch), Feedback(targets)).sum() / clicks
    else:
        loss = sampled_loss(candidate_scores(items, batch, candidates), Feedback(targets), candidates).sum() / clicks
    decay = params["itemEmb"].square().sum() + (table.square().sum() if table is not None else 0)
    return loss + weight_decay * decay


class PooledModel(nn.Module):
    """The shared item side, as one module for DDP; the users' vectors live beside it (UserTable)."""

    def __init__(self, init: Params) -> None:
        super().__init__()
        self.constants = {n: t for n, t in init.items() if n not in SHARED}
        self.shared = nn.ParameterDict({n: nn.Parameter(init[n].clone()) for n in SHARED})

    def params(self) -> Params:
        return {**self.constants, **dict(self.shared.items())}

    def forward(self, inputs: ItemInputs, users: Tensor, targets: Rows, weight_decay: float, clicks: float,
                candidates: Optional[Candidates]) -> Tensor:
        return pooled_loss(self.params(), inputs, users, targets, None, weight_decay, clicks, candidates)


class UserTable:
    """One free vector per training user, outside DDP: a batch touches a few rows, so only those rows' gradients travel.

    The gradient is what the TypeScript trainer's dense one is: the batch rows'
    loss gradients (gathered from every process, averaged as DDP averages) plus
    2·weightDecay·table from the L2 on the whole table, which every process
    computes itself (the table is identical everywhere). Adam then steps the
    whole table on every process alike, as tfjs's Adam does: the L2 moves every
    row each step, so a lazy update would not be the same optimizer.
    """

    def __init__(self, users: int, dim: int, seed: int, dtype: torch.dtype, lr: float) -> None:
        gen = torch.Generator().manual_seed(seed)
        self.table = nn.Parameter(torch.randn(users, dim, generator=gen, dtype=dtype) * 0.05)
        self.optimizer = torch.optim.Adam([self.table], lr=lr, eps=ADAM_EPSILON)

    def rows(self, picks: np.ndarray, device: torch.device) -> Tensor:
        """The picked users' vectors as a leaf (on `device`) whose gradient the step reads back."""
        return self.table.detach()[torch.from_numpy(picks)].to(device).clone().requires_grad_(True)

    def step(self, picks: np.ndarray, rows: Tensor, weight_decay: float, world: "World") -> None:
        all_picks = world.gather(torch.from_numpy(picks))
        assert rows.grad is not None, "the batch rows took no part in the loss"
        all_grads = world.gather(rows.grad.detach())
        with torch.no_grad():
            grad = torch.zeros_like(self.table).index_add_(0, all_picks, all_grads.to(self.table.dtype)) / world.size
            self.table.grad = grad.add_(self.table, alpha=2 * weight_decay)
        self.optimizer.step()

    def decay(self, weight_decay: float) -> float:
        return weight_decay * float(self.table.detach().square().sum())

    def state_dict(self) -> dict:
        return {"table": self.table.detach().clone(), "optimizer": self.optimizer.state_dict()}

    def load_state_dict(self, state: dict) -> None:
        with torch.no_grad():
            self.table.copy_(state["table"])
        self.optimizer.load_state_dict(state["optimizer"])


@dataclass
class Pooled:
    arrays: Arrays
    history: list[TrainProgress] = field(default_factory=list)
    best: Optional[dict] = None  # the best validation record, when validated


def pooled_params(train: Ragged, config: TrainConfig, shape: ModelShape, inputs: ItemInputs, weighting: str,
                  world: "World", run: "Run", phase: str,
                  validate: Optional[Callable[[Arrays], dict]] = None) -> Pooled:
    """Trains on pooled users for `config.iterations` batches (pooledParams); returns every parameter.

    `weighting`: every click weighs the same ('click') or every user ('user').
    With `validate` (a snapshot → {"mean": score, "arrays": what to keep, ...}),
    the best record over the validations is returned in `best`, its arrays in `arrays`.
    Above `config.sampled_above` items the loss is a sampled softmax (core/sampled.py).
    """
    users = np.flatnonzero(train.lengths() > 0)
    dtype = inputs.weights.dtype
    init = init_params(shape, config.seed, proto_scale=0, dtype=dtype)
    module = PooledModel(init)
    table = UserTable(len(users), config.dim, config.seed, dtype, config.meta_lr)
    optimizer = torch.optim.Adam(module.parameters(), lr=config.meta_lr, eps=ADAM_EPSILON)
    resumed = run.resumed(phase)
    if resumed:
        module.load_state_dict(resumed["module"])
        table.load_state_dict(resumed["users"])
    model = world.wrap(module)
    if resumed:  # after the move to the device: the optimizer state follows its parameters
        optimizer.load_state_dict(resumed["optimizer"])
    inputs = to_device(inputs, world.device)
    sampler = world.sampler(len(users), config.batch_size, config.seed * 7919 + 1)
    sampling = Sampling.of(train, shape.items, config, world, f"{config.seed}:{phase}")

    def snapshot() -> Arrays:
        """Every parameter, with the mean training user as userInit (and no prototype start)."""
        with torch.no_grad():
            arrays = to_arrays(module.params())
            arrays["userInit"] = table.table.detach().mean(0).to(torch.float32).cpu().numpy()
        return arrays

    def batch(it: int) -> float:
        picks, _ = sampler.batch(it - 1)
        targets = click_rows(train.take(users[picks]), weighting == "user", dtype)
        clicks = float(world.sum(targets.totals().sum().to(torch.float64)))
        candidates = sampling.candidates(it, targets) if sampling is not None else None
        rows = table.rows(picks, world.device)
        loss = model(inputs, rows, to_device(targets, world.device), config.weight_decay,
                     max(clicks, 1.0) / world.size, to_device(candidates, world.device))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        table.step(picks, rows, config.weight_decay, world)
        return float(loss.detach()) + table.decay(config.weight_decay)

    def checkpoint(it: int) -> Checkpoint[dict]:
        record = validate(snapshot())  # type: ignore[misc]
        return Checkpoint(record["mean"], lambda: record)

    done = train_loop(TrainLoop(config.iterations, config.validate_every, config.batch_size, batch, run, world, phase, "pretraining",
                                config.objective, lambda: {"module": module.state_dict(), "optimizer": optimizer.state_dict(),
                                                           "users": table.state_dict()},
                                checkpoint if validate is not None else None))
    best = done.best.value if done.best is not None else None
    arrays = best["arrays"] if best is not None else snapshot()
    return Pooled(arrays, done.history, best)
