"""Meta-training's batches: the meta-model under DDP, its tasks, its optimizer, the shared loop (trainMeta's trainLoop, src/train/trainer.ts).

Every process samples its share of each global batch (the sampler's epoch
slots decide each task's shape the same for any process count), DDP averages
the meta-gradients, and train/loop.py validates, keeps the best and stops.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import numpy as np
import torch
from torch import Tensor, nn

from ..core.meta import MetaConfig, Share, TaskBatch, meta_objective, trainable_names
from ..core.model import ItemInputs
from ..core.params import Params, from_arrays, to_arrays
from ..core.ragged import Ragged
from ..core.recency import decay_of
from ..core.rows import to_device
from ..core.sampled import Candidates
from .config import NEXT_CLICK_SHARE
from .loop import Checkpoint, TrainLoop, TrainProgress, train_loop
from .row_optimizer import RowOptimizer
from .sampling import Sampling
from .tasks import NEXT_CLICK_HISTORY, TRAIN_SHOTS, TaskRecency, eligible_users, sample_tasks
from .types import Arrays
from .validate import Validation

if TYPE_CHECKING:
    from ..distributed.sampler import UserSampler
    from .trainer import TrainContext


class MetaModel(nn.Module):
    """Every meta-parameter as one module for DDP; those the algorithm does not train are constants."""

    def __init__(self, init: Params, trainable: list[str]) -> None:
        super().__init__()
        self.learned = nn.ParameterDict({n: nn.Parameter(t.clone()) for n, t in init.items() if n in trainable})
        for n, t in init.items():
            if n not in trainable:
                self.register_buffer(n, t.clone())

    def params(self) -> Params:
        return {**dict(self.named_buffers()), **dict(self.learned.items())}

    def forward(self, inputs: ItemInputs, batch: TaskBatch, config: MetaConfig, share: Share,
                candidates: Optional[Candidates] = None) -> Tensor:
        return meta_objective(self.params(), inputs, batch, config, share, candidates)


@dataclass
class MetaBest:
    """The best validated meta-parameters (what trainMeta's checkpoint keeps)."""

    arrays: Arrays
    mean: float
    by_k: dict[int, float]

    @property
    def validation(self) -> Validation:
        return Validation(self.mean, self.by_k)


def meta_loop(context: "TrainContext", start: Arrays, floor: Optional[float] = None) -> tuple["MetaBest", list[TrainProgress], Optional[int]]:
    """The meta-batches; keeps the parameters with the best validation objective. `floor`: the ALS start's validation
    (trainLoop's floor): a checkpoint below it that its latest gain would not lift to it by the last checkpoint ends
    the loop (loop.py falling); returns that batch too."""
    config, world, run = context.config, context.world, context.run
    meta = MetaConfig(config.algorithm, config.inner_steps, config.learn_rates, config.weight_decay,
                      context.index is not None, config.recency, context.seq_index is not None)
    module = MetaModel(from_arrays(start, context.shape, context.dtype), trainable_names(meta))
    sampling = Sampling.of(context.data.train, context.shape.items, config, world, f"{config.seed}:meta", context.dtype)
    optimizer = RowOptimizer(module.learned, config.meta_lr, sampling is not None)
    resumed = run.resumed("meta")
    if resumed:
        module.load_state_dict(resumed["module"])
    model = world.wrap(module)
    if resumed:  # after the move to the device: the optimizer state follows its parameters
        optimizer.load_state_dict(resumed)
    inputs = to_device(context.inputs, world.device)
    eligible = eligible_users(context.data.train)
    sampler = world.sampler(len(eligible), config.batch_size, config.seed * 7919 + 2)
    if sampling is not None:
        run.progress.log(f"sampled softmax: {context.shape.items} items > {config.sampled_above}; each task runs on the batch's "
                         f"clicks and {config.negatives} popularity-sampled negatives (logQ-corrected)")
    next_share = NEXT_CLICK_SHARE[config.objective]

    def batch(it: int) -> float:
        users, slots = sampler.batch(it - 1)
        picks = eligible[users]
        shots, next_click = task_shapes(context.data.train, sampler, it - 1, slots, picks, next_share)
        recency = TaskRecency(decay_of(float(module.params()["logitDecay"].reshape(-1)[0])), True) if config.recency else None
        tasks = sample_tasks(context.data.train, picks, shots, context.index, context.dtype, context.seq_index, recency, next_click)
        candidates = sampling.candidates(it, tasks.support.positives, tasks.query.positives) if sampling is not None else None
        clicks = float(world.sum(tasks.query.positives.totals().sum().to(torch.float64)))
        share = Share(max(clicks, 1.0) / world.size, config.batch_size / world.size)
        loss = model(inputs, to_device(tasks, world.device), meta, share, to_device(candidates, world.device))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step(candidates.items.to(world.device) if candidates is not None else None)
        return float(loss.detach())

    def checkpoint(it: int) -> Checkpoint[dict]:
        v = context.validate(module.params())
        return Checkpoint(v.mean, lambda: MetaBest(to_arrays(module.params()), v.mean, v.by_k).__dict__)

    done = train_loop(TrainLoop(config.iterations, config.validate_every, config.batch_size, batch, run, world, "meta", "meta-training",
                                config.objective, lambda: {"module": module.state_dict(), **optimizer.state_dict()},
                                checkpoint, context.reserve, floor))
    if done.best is None:  # no meta-batch ran (--iterations 0, or resumed at the end): validate the start
        v = context.validate(module.params())
        return MetaBest(to_arrays(module.params()), v.mean, v.by_k), done.history, done.fell_at
    return MetaBest(**done.best.value), done.history, done.fell_at


def task_shapes(train: Ragged, sampler: "UserSampler", iteration: int, slots: np.ndarray, picks: np.ndarray,
                next_share: float) -> tuple[np.ndarray, Optional[np.ndarray]]:
    """Each task's shot count, or for a next-click task its history length (1 … min(n − 1, 50)), and which are next-click."""
    shots = np.asarray(TRAIN_SHOTS)[np.minimum((sampler.uniforms(iteration, slots, 0) * len(TRAIN_SHOTS)).astype(np.int64), len(TRAIN_SHOTS) - 1)]
    if next_share <= 0:
        return shots, None
    next_click = sampler.uniforms(iteration, slots, 1) < next_share
    span = np.minimum(train.lengths()[picks] - 1, NEXT_CLICK_HISTORY)
    history = 1 + np.minimum((sampler.uniforms(iteration, slots, 2) * span).astype(np.int64), span - 1)
    return np.where(next_click, history, shots), next_click
