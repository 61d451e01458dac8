"""The loop meta-training and pooled pretraining share (src/train/loop.ts trainLoop).

`iterations` batches, a checkpoint every `validate_every` of them and after the
last, each with the window's mean loss (over every process) and tasks/s, and
the best validated checkpoint kept. The time budget ends it early, on a
checkpoint; a checkpoint below `floor` that its latest gain, repeated at every
checkpoint left, would not lift to `floor` ends it too. Under DDP every process runs it in step: the budget's answer and
the losses are collectives (distributed/run.py's Run, distributed/world.py's World).

Unlike the Node loop, this one also writes the resumable checkpoint at every
validation (Run.save under the key `stage`) and starts from the resumed one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Generic, Optional, TypeVar

import torch

if TYPE_CHECKING:
    from ..distributed.run import Run
    from ..distributed.world import World

T = TypeVar("T", bound=dict)
"""What a checkpoint keeps: a dict with its score under "mean" (so a resumed run knows the best so far)."""


@dataclass
class TrainProgress:
    """One checkpoint of a training run (TrainProgress)."""

    iteration: int
    loss: float
    tasks_per_second: float
    validation: Optional[float] = None

    def to_json(self) -> dict:
        out = {"iteration": self.iteration, "loss": self.loss, "tasksPerSecond": self.tasks_per_second}
        return out if self.validation is None else {**out, "validation": self.validation}


@dataclass(frozen=True)
class Checkpoint(Generic[T]):
    """A validation at a checkpoint: its objective (higher is better) and how to keep what scored it."""

    score: float
    keep: Callable[[], T]  # called only when `score` is the best so far


@dataclass(frozen=True)
class Best(Generic[T]):
    score: float
    value: T


@dataclass
class TrainLoop(Generic[T]):
    iterations: int
    validate_every: int  # batches between checkpoints; the last batch is always one
    batch_size: int  # tasks per global batch: the unit of tasks/s
    batch: Callable[[int], float]  # trains on batch `iteration` (1-based); returns this process's loss
    run: "Run"
    world: "World"
    stage: str  # progress lines and the checkpoint's key ('pretrain', 'meta')
    budget_stage: str  # how a budget stop is recorded ('pretraining', 'meta-training'), as the Node trainer records it
    objective: str  # what the validation score is, for the progress lines
    state: Callable[[], dict]  # the module and optimizer state a resumed run starts from
    checkpoint: Optional[Callable[[int], Optional[Checkpoint[T]]]] = None  # None: the run does not validate
    reserve: Callable[[], float] = lambda: 0.0  # seconds the run still needs after the loop (reserveMs), read after every batch
    floor: Optional[float] = None  # the score the run already holds from elsewhere (TrainLoop.floor)


@dataclass
class LoopResult(Generic[T]):
    history: list[TrainProgress] = field(default_factory=list)
    best: Optional[Best[T]] = None
    stopped_at: Optional[int] = None  # the last batch run, when the time budget stopped the loop before `iterations`
    fell_at: Optional[int] = None  # the last batch run, when validation could no longer reach the floor (falling)


def train_loop(loop: TrainLoop[T]) -> LoopResult[T]:
    """Runs the loop from where the resumed checkpoint left it (trainLoop)."""
    for key in ("iterations", "validate_every", "batch_size"):
        value = getattr(loop, key)
        if not isinstance(value, int) or value < (0 if key == "iterations" else 1):
            raise ValueError(f"Training needs {key} to be a whole number ≥ {0 if key == 'iterations' else 1}, got {value}.")
    run, world = loop.run, loop.world
    resumed = run.resumed(loop.stage)
    result: LoopResult[T] = LoopResult()
    if resumed:
        result.history = [TrainProgress(**h) for h in resumed["history"]]
        result.best = Best(resumed["best"]["mean"], resumed["best"]) if resumed["best"] else None
    first = resumed["iteration"] if resumed else 0
    run.progress.phase(loop.stage, loop.iterations, first, loop.batch_size)
    since, tasks_since, loss_sum = time.monotonic(), 0, 0.0
    for it in range(first + 1, loop.iterations + 1):
        loss_sum += loop.batch(it)
        tasks_since += loop.batch_size
        stop = it < loop.iterations and run.expired(loop.budget_stage, it, loop.reserve())
        run.progress.advance(it)
        if it % loop.validate_every != 0 and it != loop.iterations and not stop:
            continue
        seconds = time.monotonic() - since
        mean_loss = float(world.sum(torch.tensor([loss_sum], dtype=torch.float64))) / world.size
        point = TrainProgress(it, mean_loss * loop.batch_size / tasks_since, tasks_since / max(seconds, 1e-9))
        checkpoint = loop.checkpoint(it) if loop.checkpoint is not None else None
        previous = result.history[-1].validation if result.history else None
        if checkpoint is not None:
            point.validation = checkpoint.score
            if result.best is None or checkpoint.score > result.best.score:
                result.best = Best(checkpoint.score, checkpoint.keep())
        result.history.append(point)
        run.progress.log(describe(loop.stage, it, loop.iterations, point, loop.objective))
        run.save(**{loop.stage: {"iteration": it, **loop.state(), "best": result.best.value if result.best is not None else None,
                                 "history": [h.__dict__ for h in result.history]}})
        since, tasks_since, loss_sum = time.monotonic(), 0, 0.0
        if stop:
            result.stopped_at = it
            break
        if checkpoint is not None and it < loop.iterations and falling(checkpoint.score, previous, loop.floor,
                                                                        checkpoints_after(it, loop.iterations, loop.validate_every)):
            result.fell_at = it
            break
    return result


def falling(score: float, previous: Optional[float], floor: Optional[float], remaining: int) -> bool:
    """Whether a checkpoint's score ends the loop (loop.ts falling): below the floor, and still below it after
    `remaining` more checkpoints that each gain what this one gained over `previous` (nothing when it fell)."""
    if floor is None or previous is None or score >= floor:
        return False
    return score + remaining * max(0.0, score - previous) < floor


def checkpoints_after(it: int, iterations: int, validate_every: int) -> int:
    """Checkpoints the loop still has after batch `it` if it runs to the end: every validate_every-th batch, and the last."""
    return iterations // validate_every - it // validate_every + (0 if iterations % validate_every == 0 else 1)


def mean_rate(history: list[TrainProgress]) -> float:
    """Mean tasks/s over the checkpoints of a run (meanRate)."""
    return sum(h.tasks_per_second for h in history) / max(1, len(history))


SCORE_NAMES: dict[str, str] = {"v1": "nDCG@10", "v2": "next-click HR@10", "both": "mean of nDCG@10 and next-click HR@10"}
"""What a validation score is, by objective, for the progress lines."""


def describe(phase: str, it: int, total: int, p: TrainProgress, objective: str) -> str:
    text = f"{phase} {it}/{total}  loss {p.loss:.4f}  {p.tasks_per_second:,.0f} tasks/s"
    return text if p.validation is None else f"{text}  validation {SCORE_NAMES[objective]} {p.validation:.4f}"
