"""The time budget inside the ALS start: a running iALS stops after the iteration in which its share ends (math/ials.py,
train/als_start.py, distributed/run.py), on an injected clock, as src/math/ials.ts and src/train/als-start.ts do."""

import time

import numpy as np
import torch

from localrec_trainer.core.params import ModelShape, param_shapes
from localrec_trainer.core.ragged import Ragged
from localrec_trainer.distributed.run import Run
from localrec_trainer.distributed.world import World
from localrec_trainer.math.ials import train_ials, train_ials_within
from localrec_trainer.progress import Progress
from localrec_trainer.train.als_start import ALS_ITERATIONS, AlsStartConfig, als_data, als_embeddings, select_als_start
from localrec_trainer.train.validate import Validation

ITEMS = 30
rng = np.random.default_rng(4)
TRAIN = Ragged.of([np.unique((u % 2) * 15 + rng.integers(0, 15, size=6)).astype(np.int32) for u in range(50)])
DATA = als_data(TRAIN, ITEMS, None, np.ones(ITEMS, dtype=np.float32))
ALS = dict(dim=4, alpha=10.0, lam=5.0, iterations=10, cg_steps=3, seed=2)


class Minutes:
    """A clock that reads one minute later at every reading: the deadline passes at a known iteration on any machine."""

    def __init__(self, start: float = 0.0) -> None:
        self.minute = start

    def __call__(self) -> float:
        now = self.minute
        self.minute += 60.0
        return now


def test_without_a_deadline_every_iteration_runs_as_train_ials_does():
    items, ran = train_ials_within(TRAIN, DATA.item_users, **ALS)
    assert ran == 10
    assert torch.equal(items, train_ials(TRAIN, DATA.item_users, **ALS))


def test_stops_after_the_iteration_in_which_the_deadline_passes_with_those_factors():
    clock = Minutes()
    items, ran = train_ials_within(TRAIN, DATA.item_users, **ALS, out_of_time=lambda: clock() >= 180.0)
    assert ran == 4  # readings after iterations 1-4 are minutes 0, 1, 2, 3: the fourth is past
    assert torch.equal(items, train_ials(TRAIN, DATA.item_users, **{**ALS, "iterations": 4}))


def test_a_budget_spent_before_it_starts_still_runs_one_iteration():
    items, ran = train_ials_within(TRAIN, DATA.item_users, **ALS, out_of_time=lambda: True)
    assert ran == 1
    assert torch.equal(items, train_ials(TRAIN, DATA.item_users, **{**ALS, "iterations": 1}))
    assert items.abs().sum() > 0


def _run(clock, minutes: float, deadline: float) -> Run:
    return Run(World(0, 1, torch.device("cpu"), None), Progress(enabled=False), max_minutes=minutes, deadline=deadline, clock=clock)


def test_the_run_counts_its_shares_from_the_commands_start_given_as_an_epoch_deadline():
    # The command started 4 minutes ago with a 10-minute budget (6 minutes left): 30% of it is spent, 45% not yet.
    run = _run(lambda: 1000.0, 10, time.time() + 6 * 60)
    assert abs((run.deadline - run.started) - 600) < 1e-6
    assert abs((1000.0 - run.started) - 240) < 1.0
    assert run.passed(0.3)() and run.past(0.3)()
    assert not run.passed(0.45)() and not run.past(0.45)()


def test_the_als_start_stops_its_running_als_at_the_share_and_records_the_iterations():
    clock = Minutes()
    run = _run(clock, 10, time.time() + 10 * 60)  # started at minute 0 on the injected clock: the ALS share ends at minute 4.5
    out_of_time = run.passed(0.45)
    cfg = AlsStartConfig(4, 10.0, (1.0, 10.0, 100.0), 10.0, 2)
    computed: list[float] = []

    def embed(lambdas):
        computed.extend(lambdas)
        return {lam: als_embeddings(DATA, cfg, lam, out_of_time) for lam in lambdas}

    shapes = param_shapes(ModelShape(ITEMS, 1, 4))
    # The clock's first reading went to Run itself (minute 0); ALS reads minutes 1-5 after iterations 1-5: stops after the 5th.
    als = select_als_start(lambda arrays: Validation(0.5, {}), embed, shapes, cfg.lambdas, False, 2, run.past(0.45), parallel=2)
    assert als.iterations_run == 5 < ALS_ITERATIONS
    assert computed == [1.0, 10.0]  # one round of two λ (two processes' worth); the third λ never started
    # (on one process the second λ's ALS ran after the first's, past the share: one iteration, and no trial of it)
    assert als.stopped_after == 1 and [t["head"]["lambda"] for t in als.trials] == [1.0]
