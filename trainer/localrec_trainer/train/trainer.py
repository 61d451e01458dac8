"""Meta-training: the ALS start, pooled pretraining, the meta-loop, the validated choice (src/train/trainer.ts).

The loops run the same on one process and under DDP: `world` (distributed/world.py)
wraps the module, hands out each process's share of a global batch and sums
what the processes computed; `run` holds progress, the time budget and the
checkpoint. The meta-batches are in meta_loop.py, the loop both stages share in loop.py.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Optional, Sequence

import torch

from ..core.features import item_inputs
from ..core.params import ModelShape, Params, from_arrays, init_params, to_arrays
from ..core.ragged import Ragged
from ..core.rows import to_device
from .als_candidate import als_candidate
from .config import TrainConfig
from .episodes import ItemLists
from .finetune import train_pretrain
from .item_side import item_side
from .list_search import choose_item_lists
from .loop import TrainProgress, mean_rate
from .meta_loop import meta_loop
from .neighbour_count import COUNT_STAGE, count_candidates, search_count, truncate_neighbours
from .neighbours import TrainingNeighbours
from .pretrain import pooled_params
from .transitions import TrainingTransitions
from .types import Arrays, TrainedModel, TrainingData
from .validate import Validation, validate

if TYPE_CHECKING:
    from ..distributed.run import Run
    from ..distributed.world import World

LISTS_BUDGET_SHARE = 0.3
"""Share of the time budget, from the start of the run, after which the item-list search starts no new trial (trainMeta)."""
COUNT_BUDGET_SHARE = 0.15
"""At most this share of the budget is kept from meta-training for the neighbour-count trials (COUNT_BUDGET_SHARE in trainMeta)."""


def train(data: TrainingData, names: list[str], config: TrainConfig, world: "World", run: "Run", dtype: torch.dtype = torch.float32,
          neighbour_counts: Optional[Sequence[int]] = None) -> TrainedModel:
    """The configured training over the vocabulary `names`: the pretrain baseline, or meta-training with the validated start.

    `dtype`: float32 as the browser computes; float64 to check the distributed
    wiring without float32 rounding noise (Adam amplifies it in near-zero gradients).
    `neighbour_counts`: the counts the neighbour lists are cut to and validated with after training, within the
    budget (neighbour_count.py); None: the lists stay as built.
    """
    context = TrainContext(data, names, config, world, run, dtype, neighbour_counts)
    return train_pretrain(context) if config.algorithm == "pretrain" else context.meta()


class TrainContext:
    """What every phase of one run shares: item inputs, item lists, the validation function."""

    def __init__(self, data: TrainingData, names: list[str], config: TrainConfig, world: "World", run: "Run", dtype: torch.dtype,
                 neighbour_counts: Optional[Sequence[int]] = None) -> None:
        self.data, self.config, self.world, self.run, self.dtype = data, config, world, run, dtype
        self.neighbour_counts = neighbour_counts
        self.validation_seconds = 0.0  # the latest validation's wall time: what the next one will take
        self.side = item_side(data, names)
        self.shape = ModelShape(len(data.tags), len(self.side.names), config.dim)
        self.inputs = item_inputs(self.side.features, self.side.warm, self.side.log_pop, dtype)
        self.eval_steps = 0 if config.algorithm == "protonet" else config.inner_steps
        self.index: Optional[TrainingNeighbours] = None
        self.seq_index: Optional[TrainingTransitions] = None
        self.item_lists: Optional[dict] = None
        self.lists = ItemLists()

    def choose_lists(self) -> None:
        """Meta-training's item lists: the neighbour shrinkage and the transitions, as validation prefers (chooseItemLists)."""
        config, started = self.config, time.monotonic()
        choice = choose_item_lists(self.data.train, self.shape.items, self.data.validation, config.neighbours, config.transitions,
                                   config.transition_shrink, config.objective, config.validation_ks,
                                   self.world.share, self.world.sum, self.run.progress.log, self.run.past(LISTS_BUDGET_SHARE))
        if choice.stopped_after is not None:
            self.run.stops.append({"stage": "item lists", "iteration": choice.stopped_after})
        self.index, self.seq_index = choice.neighbours, choice.transitions
        self.item_lists = {"neighbourShrink": self.index.shrink if self.index is not None else None,
                           "transitions": self.seq_index.m if self.seq_index is not None else 0, "trials": choice.trials}
        self.lists = ItemLists(self.index.shipped() if self.index is not None else None,
                               self.seq_index.shipped() if self.seq_index is not None else None)
        self.run.progress.log(f"item lists chosen in {time.monotonic() - started:.1f} s: neighbour shrinkage "
                              f"{self.item_lists['neighbourShrink']}, {self.item_lists['transitions']} transitions per item")

    def validate(self, params: Params, objective: Optional[str] = None, users: Optional[Ragged] = None) -> Validation:
        """The run's objective on every process's share of the validation users (or of `users`, a screen's), summed over the processes."""
        started = time.monotonic()
        on_device = {n: t.detach().to(self.world.device) for n, t in params.items()}
        v = validate(on_device, to_device(self.inputs, self.world.device), self.data.validation if users is None else users,
                     objective or self.config.objective, self.config.validation_ks, self.eval_steps, self.lists, self.world.share, self.world.sum)
        if users is None:  # a screen's shorter validation says nothing of the next full one's time
            self.validation_seconds = time.monotonic() - started
        return v

    def validate_arrays(self, arrays: Arrays, objective: Optional[str] = None, users: Optional[Ragged] = None) -> Validation:
        params = from_arrays(arrays, self.shape, self.dtype)
        return self.validate(params, objective) if users is None else self.validate(params, objective, users)

    def count_trials(self) -> int:
        """Validations the neighbour-count choice will run (the lists' own count is known): what the loops leave time for."""
        nb = self.lists.neighbours
        return len(count_candidates(self.neighbour_counts, nb.m)) - 1 if self.neighbour_counts and nb is not None and nb.m > 0 else 0

    def choose_count(self, arrays: Arrays, known: float) -> Optional[dict]:
        """chooseNeighbourCount within the budget, as the run's last stage; records a budget stop in run.stops."""
        full = self.lists
        if not self.neighbour_counts or full.neighbours is None or full.neighbours.m == 0:
            return None
        params = from_arrays(arrays, self.shape, self.dtype)

        def score(count: int) -> float:
            self.lists = ItemLists(truncate_neighbours(full.neighbours, count), full.transitions)
            try:
                return self.validate(params).mean
            finally:
                self.lists = full

        result = search_count(full.neighbours.m, score, self.neighbour_counts, known=known, fits=self.run.fits,
                              validation_seconds=self.validation_seconds)
        if result.stopped_after is not None:
            self.run.stops.append({"stage": COUNT_STAGE, "iteration": result.stopped_after})
        untried = f"; not tried within the time budget: {', '.join(map(str, result.skipped))}" if result.skipped else ""
        tried = ", ".join(f"{t['count']}: {t['validation']:.4f}" for t in result.trials)
        self.run.progress.log(f"neighbours per item on validation: {tried}{untried}; keeping {result.count}")
        return result.record()

    def model(self, arrays: Arrays, history: list[TrainProgress], validation: Validation, start: dict,
              config: Optional[TrainConfig] = None) -> TrainedModel:
        return TrainedModel(arrays, self.side, config or self.config, history, validation,
                            mean_rate(history), self.lists.neighbours, start, self.lists.transitions, self.item_lists,
                            self.choose_count(arrays, validation.mean))

    def meta(self) -> TrainedModel:
        """Meta-trains an initialization (trainMeta); the ALS start competes on validation unless --transfer pooled."""
        config = self.config
        self.choose_lists()
        als = None if config.transfer == "pooled" else als_candidate(self)
        als_summary = {"als": {"head": als.head, "validation": als.mean,
                               **({"iterationsRun": als.iterations_run} if als.iterations_run is not None else {})}} if als is not None else {}
        if als is not None and config.transfer == "als":
            return self.model(als.arrays, [], Validation(als.mean, als.by_k), {"chosen": "als", **als_summary})
        start = self.starting_params()
        trained, history, fell_at = meta_loop(self, start, als.mean if als is not None else None)
        chosen_als = als is not None and als.mean > trained.mean
        arrays, validation = (als.arrays, Validation(als.mean, als.by_k)) if chosen_als else (trained.arrays, trained.validation)
        fell = {"fellAt": fell_at} if fell_at is not None else {}
        return self.model(arrays, history, validation, {"chosen": "als" if chosen_als else "pooled", "pooled": trained.mean, **fell, **als_summary})

    def starting_params(self) -> Arrays:
        """Random parameters, or pooled-pretrained ones with the context side copied from the item side."""
        saved = self.run.resumed("start")
        if saved is not None:
            return saved
        config = self.config
        fresh = to_arrays(init_params(self.shape, config.seed, inner_lr=config.inner_lr, proto_scale=1,
                                      decay=config.decay_init if config.recency else 1.0))
        if config.pretrain_iterations <= 0:
            return fresh
        # The time left is shared by pretraining and meta-training in proportion to their batches (trainMeta).
        with self.run.share_of_remaining(config.pretrain_iterations / (config.pretrain_iterations + config.iterations), self.reserve()):
            pooled = pooled_params(self.data.train, config.with_changes(iterations=config.pretrain_iterations), self.shape,
                                   self.inputs, "user", self.world, self.run, "pretrain").arrays
        keep = ("protoScale", "logLrUser", "logLrPop", "logShrink", "logKnnInit", "logLrKnn", "logitDecay", "logSeqInit", "logLrSeq")
        start = {**fresh, **pooled, "contentCtx": pooled["contentW"].copy(), "ctxEmb": pooled["itemEmb"].copy(),
                 **{n: fresh[n] for n in keep}}
        self.run.save(start=start)
        return start

    def reserve(self) -> float:
        """Seconds kept free after meta-training: its last validation, and the count trials (each as long as the latest validation)
        up to their share of the budget."""
        budget = self.run.deadline - self.run.started if self.run.deadline is not None else 0.0
        return self.validation_seconds + min(self.validation_seconds * self.count_trials(), budget * COUNT_BUDGET_SHARE)
