"""Pooled pretraining, and the pretrain + fine-tune baseline (src/train/pretrain.ts).

The same model trained on all users pooled: one free vector per training user,
every positive of theirs a target, no meta-learning. Meta-training starts from
it ('user' weighting); the 'pretrain' algorithm ships it, fine-tuned at a rate
chosen on validation users ('click' weighting).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Optional

import numpy as np
import torch
from torch import Tensor, nn

from ..core.model import ItemInputs, UserBatch, feedback_loss, item_table, score_batch
from ..core.rows import Feedback, Rows, to_device
from ..core.params import ModelShape, Params, init_params, to_arrays
from ..core.ragged import Ragged
from .config import TrainConfig
from .tasks import click_rows

if TYPE_CHECKING:
    from ..distributed import Run, World

FINETUNE_RATES: tuple[float, ...] = (0.1, 0.3, 1, 3, 10)
"""Inner learning rates tried for fine-tuning the pooled model (chosen on validation users)."""

FINETUNE_KNN: tuple[float, ...] = (0.1, 1, 3)
"""Start weights of the item-item term tried with them, when the model has neighbours."""

SHARED: tuple[str, ...] = ("contentW", "itemEmb", "contentBias", "itemBias", "popInit", "popWeight")
"""The parameters pooled training learns, besides the users' vectors."""

ADAM_EPSILON = 1e-7
"""tfjs's Adam epsilon on float32 backends (torch's default is 1e-8): the same optimizer as the Node trainer."""

Arrays = dict[str, np.ndarray]


@dataclass
class TrainProgress:
    """One validation point of a training loop (TrainProgress)."""

    iteration: int
    loss: float
    tasks_per_second: float
    validation: Optional[float] = None

    def to_json(self) -> dict:
        out = {"iteration": self.iteration, "loss": self.loss, "tasksPerSecond": self.tasks_per_second}
        return out if self.validation is None else {**out, "validation": self.validation}


def pooled_loss(params: Params, inputs: ItemInputs, users: Tensor, targets: Rows, table: Tensor,
                weight_decay: float, clicks: float) -> Tensor:
    """Mean target loss of a batch of pooled users (their vectors `users`) plus L2 on id embeddings and the whole table."""
    items = item_table(params, inputs)
    pop = params["popInit"].reshape(1, 1).expand(users.shape[0], 1)
    loss = feedback_loss(score_batch(items, UserBatch(users, pop)), Feedback(targets)).sum() / clicks
    return loss + weight_decay * (params["itemEmb"].square().sum() + table.square().sum())


class PooledModel(nn.Module):
    """The shared item side and one vector per training user, as one module for DDP."""

    def __init__(self, init: Params, users: int, dim: int, seed: int) -> None:
        super().__init__()
        self.constants = {n: t for n, t in init.items() if n not in SHARED}
        self.shared = nn.ParameterDict({n: nn.Parameter(init[n].clone()) for n in SHARED})
        gen = torch.Generator().manual_seed(seed)
        dtype = init["itemEmb"].dtype
        self.table = nn.Parameter(torch.randn(users, dim, generator=gen, dtype=dtype) * 0.05)

    def params(self) -> Params:
        return {**self.constants, **dict(self.shared.items())}

    def forward(self, inputs: ItemInputs, picks: Tensor, targets: Rows, weight_decay: float, clicks: float) -> Tensor:
        return pooled_loss(self.params(), inputs, self.table[picks], targets, self.table, weight_decay, clicks)

    def snapshot(self) -> Arrays:
        """Every parameter, with the mean training user as userInit (and no prototype start)."""
        with torch.no_grad():
            arrays = to_arrays(self.params())
            arrays["userInit"] = self.table.mean(0).to(torch.float32).cpu().numpy()
        return arrays


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
    """
    users = np.flatnonzero(train.lengths() > 0)
    dtype = inputs.weights.dtype
    init = init_params(shape, config.seed, proto_scale=0, dtype=dtype)
    module = PooledModel(init, len(users), config.dim, config.seed)
    optimizer = torch.optim.Adam(module.parameters(), lr=config.meta_lr, eps=ADAM_EPSILON)
    resumed = run.resumed(phase)
    if resumed:
        module.load_state_dict(resumed["module"])
    model = world.wrap(module)
    if resumed:  # after the move to the device: the optimizer state follows its parameters
        optimizer.load_state_dict(resumed["optimizer"])
    inputs = to_device(inputs, world.device)
    sampler = world.sampler(len(users), config.batch_size, config.seed * 7919 + 1)
    history = [TrainProgress(**h) for h in resumed["history"]] if resumed else []
    best: Optional[dict] = resumed["best"] if resumed else None
    first = resumed["iteration"] if resumed else 0
    run.progress.phase(phase, config.iterations, first, config.batch_size)
    since, tasks_since, loss_sum = time.monotonic(), 0, 0.0
    for it in range(first + 1, config.iterations + 1):
        picks, _ = sampler.batch(it - 1)
        targets = click_rows(train.take(users[picks]), weighting == "user", dtype)
        clicks = float(world.sum(targets.totals().sum().to(torch.float64)))
        loss = model(inputs, torch.from_numpy(picks).to(world.device), to_device(targets, world.device),
                     config.weight_decay, max(clicks, 1.0) / world.size)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        loss_sum += float(loss.detach())
        tasks_since += config.batch_size
        stop = run.expired()
        run.progress.advance(it)
        if it % config.validate_every == 0 or it == config.iterations or stop:
            seconds = time.monotonic() - since
            mean_loss = float(world.sum(torch.tensor([loss_sum], dtype=torch.float64))) / world.size
            point = TrainProgress(it, mean_loss * config.batch_size / tasks_since, tasks_since / max(seconds, 1e-9))
            if validate is not None:
                record = validate(module.snapshot())
                point.validation = record["mean"]
                if best is None or record["mean"] > best["mean"]:
                    best = record
            history.append(point)
            run.progress.log(describe(phase, it, config.iterations, point))
            run.save(**{phase: {"iteration": it, "module": module.state_dict(), "optimizer": optimizer.state_dict(),
                                "best": best, "history": [h.__dict__ for h in history]}})
            since, tasks_since, loss_sum = time.monotonic(), 0, 0.0
        if stop:
            break
    arrays = best["arrays"] if best is not None else module.snapshot()
    return Pooled(arrays, history, best)


def describe(phase: str, it: int, total: int, p: TrainProgress) -> str:
    text = f"{phase} {it}/{total}  loss {p.loss:.4f}  {p.tasks_per_second:,.0f} tasks/s"
    return text if p.validation is None else f"{text}  validation nDCG@10 {p.validation:.4f}"


def finetune_candidates(arrays: Arrays, dim: int, neighbours: bool) -> list[tuple[float, Arrays]]:
    """(rate, arrays) for every fine-tuning rate × item-item start weight the baseline tries, in the TypeScript order."""
    out = []
    for rate in FINETUNE_RATES:
        for knn in FINETUNE_KNN if neighbours else (0,):
            lr = np.float32(math.log(rate))
            tuned = {**arrays, "logLrUser": np.full(dim, lr, dtype=np.float32), "logLrPop": np.array([lr], dtype=np.float32),
                     "logLrKnn": np.array([lr], dtype=np.float32),
                     # without neighbours the weight is unused; a finite stand-in keeps the artifact loadable
                     "logKnnInit": np.array([math.log(max(knn, 1e-12))], dtype=np.float32)}
            out.append((rate, tuned))
    return out
