"""The neighbour-count choice under a time budget: the same cases as tests/unit/train/neighbour-count.test.ts."""

import numpy as np

from localrec_trainer.core.neighbours import Neighbours
from localrec_trainer.train.neighbour_count import count_candidates, pick_count, search_count, truncate_neighbours


class FakeClock:
    """Every validation takes `ms` of a fake clock; `fits` judges a trial against `deadline` as Run.fits does."""

    def __init__(self, ms: float, scores: dict, deadline: float = float("inf")) -> None:
        self.now, self.ms, self.scores, self.deadline, self.validated = 0.0, ms, scores, deadline, []

    def score(self, count: int) -> float:
        self.validated.append(count)
        self.now += self.ms
        return self.scores[count]

    def fits(self, seconds: float) -> bool:
        return self.now + seconds <= self.deadline


def search(clock: FakeClock, known: float, estimate: float = 0.0):
    return search_count(50, clock.score, (10, 20, 50), known=known, fits=clock.fits, validation_seconds=estimate, clock=lambda: clock.now)


def test_the_smallest_count_within_the_tolerance_of_the_best():
    trials = [{"count": 50, "validation": 0.5}, {"count": 10, "validation": 0.49}, {"count": 20, "validation": 0.4976}]
    assert (pick_count(trials, 0.005), pick_count(trials, 0.03), pick_count(trials, 0)) == (20, 10, 50)
    assert count_candidates((10, 20, 50), 30) == [10, 20, 30] and count_candidates((10, 20, 50), 50) == [10, 20, 50]


def test_truncation_keeps_the_most_similar_entries():
    nb = Neighbours(3, np.array([[1, 2, -1], [0, 2, 3]], dtype=np.int32), np.array([[0.9, 0.5, 0], [0.8, 0.7, 0.1]], dtype=np.float32))
    two = truncate_neighbours(nb, 2)
    assert two.m == 2 and two.ids.tolist() == [[1, 2], [0, 2]] and two.sims.flags.c_contiguous
    assert truncate_neighbours(nb, 5) is nb


def test_the_known_score_of_the_lists_as_built_is_reused():
    clock = FakeClock(10, {10: 0.49, 20: 0.4976})
    result = search(clock, 0.5)
    assert clock.validated == [10, 20]
    assert result.record() == {"count": 20, "trials": [{"count": 10, "validation": 0.49}, {"count": 20, "validation": 0.4976},
                                                       {"count": 50, "validation": 0.5}]}


def test_no_trial_starts_that_cannot_end_within_the_budget_and_the_untried_are_recorded():
    clock = FakeClock(100, {10: 0.5, 20: 0.5}, deadline=150)
    result = search(clock, 0.45, estimate=100)
    assert clock.validated == [10] and clock.now <= 150
    assert (result.count, result.skipped, result.stopped_after) == (10, [20], 1)
    assert result.record()["skipped"] == [20]


def test_past_the_deadline_nothing_is_validated_and_the_lists_stay_as_built():
    clock = FakeClock(100, {}, deadline=900)
    clock.now = 1000
    result = search(clock, 0.45, estimate=100)
    assert clock.validated == [] and result.record() == {"count": 50, "trials": [{"count": 50, "validation": 0.45}], "skipped": [10, 20]}
    assert result.stopped_after == 0


def test_the_next_trial_is_judged_by_the_time_the_last_one_took():
    clock = FakeClock(300, {10: 0.5, 20: 0.5}, deadline=500)
    result = search(clock, 0.4, estimate=100)
    assert clock.validated == [10] and result.skipped == [20]
