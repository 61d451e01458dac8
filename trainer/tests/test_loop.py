"""The loop pooled pretraining and meta-training share (train/loop.py), on an injected clock, as tests/unit/train/loop.test.ts
checks src/train/loop.ts: checkpoints, the best kept, the floor, the budget with its reserve, and resuming."""

import pytest
import torch

from localrec_trainer.distributed.run import Run
from localrec_trainer.distributed.world import World
from localrec_trainer.progress import Progress
from localrec_trainer.train.loop import Checkpoint, TrainLoop, checkpoints_after, falling, train_loop

WORLD = World(0, 1, torch.device("cpu"), None)


class Clock:
    """Seconds that pass only when a batch says so: the budget ends at a known batch on any machine."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def run_of(clock: Clock, max_minutes: float = 0, resume: dict | None = None) -> Run:
    return Run(WORLD, Progress(enabled=False), max_minutes=max_minutes, resume=resume, clock=clock)


def loop_of(run: Run, scores: list[float], iterations: int = 9, validate_every: int = 3, clock: Clock | None = None,
            floor: float | None = None, reserve: float = 0.0, kept: list[int] | None = None) -> TrainLoop:
    """Batch i has loss i (and takes 10 s on `clock`); checkpoint k scores scores[k] and keeps {"mean", "at"}."""
    seen: list[int] = []

    def batch(it: int) -> float:
        if clock is not None:
            clock.now += 10.0
        return float(it)

    def checkpoint(it: int) -> Checkpoint[dict]:
        score = scores[len(seen)]
        seen.append(it)

        def keep() -> dict:
            if kept is not None:
                kept.append(it)
            return {"mean": score, "at": it}
        return Checkpoint(score, keep)

    return TrainLoop(iterations, validate_every, 4, batch, run, WORLD, "meta", "meta-training", "v2", lambda: {"module": {}},
                     checkpoint, lambda: reserve, floor)


def test_validates_every_n_batches_and_after_the_last_keeping_only_improvements():
    kept: list[int] = []
    out = train_loop(loop_of(run_of(Clock()), [0.2, 0.1, 0.3, 0.25], iterations=10, kept=kept))
    assert [h.iteration for h in out.history] == [3, 6, 9, 10]
    assert [h.validation for h in out.history] == [0.2, 0.1, 0.3, 0.25]
    # each checkpoint's loss is the mean over the batches of its window (batch i has loss i), the last window one batch
    assert [h.loss for h in out.history] == [2.0, 5.0, 8.0, 10.0]
    assert kept == [3, 9] and out.best is not None and out.best.value == {"mean": 0.3, "at": 9}
    assert out.stopped_at is None and out.fell_at is None


def test_refuses_a_checkpoint_interval_below_one_naming_it():
    with pytest.raises(ValueError, match="validate_every to be a whole number ≥ 1, got 0"):
        train_loop(loop_of(run_of(Clock()), [], validate_every=0))


def test_stops_at_a_checkpoint_below_the_previous_one_and_below_the_floor():
    out = train_loop(loop_of(run_of(Clock()), [0.3869, 0.372, 0.355], floor=0.4204))
    assert out.fell_at == 6 and [h.iteration for h in out.history] == [3, 6]
    assert out.best is not None and out.best.score == 0.3869
    # a dip that stays above the floor, or no floor, runs to the end
    assert train_loop(loop_of(run_of(Clock()), [0.2075, 0.2071, 0.2169], floor=0.193)).fell_at is None
    assert train_loop(loop_of(run_of(Clock()), [0.3869, 0.372, 0.355])).fell_at is None


def test_stops_a_rise_too_slow_to_reach_the_floor_by_the_last_checkpoint():
    # Last.fm v2 fold 0 under the ALS start's 0.1338: +0.0067 with one checkpoint left reaches 0.1323 only
    out = train_loop(loop_of(run_of(Clock()), [0.1189, 0.1256, 0.129], floor=0.1338))
    assert out.fell_at == 6 and [h.validation for h in out.history] == [0.1189, 0.1256]
    # the same gain with two checkpoints left reaches it: the loop goes on, then stops when it can no longer
    longer = train_loop(loop_of(run_of(Clock()), [0.1189, 0.1256, 0.128, 0.131], iterations=12, floor=0.1338))
    assert longer.fell_at == 9 and [h.iteration for h in longer.history] == [3, 6, 9]
    # below the floor, but its gain carries it over: 0.44 + 0.04 > 0.47
    assert train_loop(loop_of(run_of(Clock()), [0.4, 0.44, 0.5], floor=0.47)).fell_at is None


def test_falling_projects_the_latest_gain_as_the_typescript_loop_does():
    assert falling(0.3, 0.4, 0.5, 5) and falling(0.3, 0.3, 0.5, 5) and falling(0.5, 0.25, 1, 1)
    assert not falling(0.5, 0.25, 1, 2) and not falling(0.3, 0.4, 0.25, 1)
    assert not falling(0.3, None, 0.5, 1) and not falling(0.3, 0.4, None, 1)
    assert [checkpoints_after(it, n, every) for it, n, every in [(100, 300, 100), (200, 300, 100), (4, 10, 4), (8, 10, 4), (3, 10, 4)]] == [2, 1, 2, 1, 3]


def test_stops_after_the_batch_that_reaches_the_deadline_validating_there():
    clock = Clock()
    run = run_of(clock, max_minutes=1)  # the budget ends at 60 s: batch 6
    out = train_loop(loop_of(run, [0.1, 0.2, 0.3], iterations=100, validate_every=4, clock=clock))
    assert out.stopped_at == 6 and [h.iteration for h in out.history] == [4, 6]
    assert run.stops == [{"stage": "meta-training", "iteration": 6}]


def test_leaves_the_reserve_free_after_the_loop():
    clock = Clock()
    run = run_of(clock, max_minutes=1)  # 25 s kept free: the loop stops once 35 s have passed, after batch 4
    out = train_loop(loop_of(run, [0.1, 0.2, 0.3], iterations=100, validate_every=3, clock=clock, reserve=25.0))
    assert out.stopped_at == 4 and [h.iteration for h in out.history] == [3, 4]


def test_a_resumed_loop_continues_after_its_last_checkpoint_with_its_history_and_best():
    first = run_of(Clock())
    whole = train_loop(loop_of(first, [0.3, 0.2], iterations=6))
    half = run_of(Clock())
    train_loop(loop_of(half, [0.3], iterations=3))
    assert half.state["meta"]["iteration"] == 3 and half.state["meta"]["module"] == {}
    kept: list[int] = []
    rest = train_loop(loop_of(run_of(Clock(), resume=half.state), [0.2], iterations=6, kept=kept))
    assert [h.iteration for h in rest.history] == [h.iteration for h in whole.history] == [3, 6]
    assert [h.loss for h in rest.history] == [h.loss for h in whole.history]
    assert kept == [] and rest.best is not None and rest.best.value == {"mean": 0.3, "at": 3}
