"""How many item-item neighbours a shipped model keeps per item (src/train/neighbour-count.ts).

A few counts are tried on the validation users (the model's own objective,
with its transition lists) and the smallest within COUNT_TOLERANCE of the
best is kept: the lists are most of what a visitor downloads. The lists as
built (count m) were validated at the kept checkpoint, so that score is
reused; the smaller counts are validated smallest first, each only if it
can end within the time budget (judged by the latest validation's time).
Counts not tried are recorded as `skipped`, and the stop as the run's
{stage: 'neighbour count', iteration: trials run}.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

import numpy as np

from ..core.neighbours import Neighbours

NEIGHBOUR_COUNTS: tuple[int, ...] = (10, 20, 50)
COUNT_TOLERANCE = 0.005
"""Relative validation loss accepted for a smaller count (the 0.5% the format's quality target allows)."""

COUNT_STAGE = "neighbour count"
"""The stage a budget stop of the choice is recorded under (training.budget.stoppedEarly)."""


def truncate_neighbours(neighbours: Neighbours, count: int) -> Neighbours:
    """The first `count` neighbours of every item (the lists are sorted most similar first)."""
    if count >= neighbours.m:
        return neighbours
    return Neighbours(count, np.ascontiguousarray(neighbours.ids[:, :count]), np.ascontiguousarray(neighbours.sims[:, :count]))


def count_candidates(counts: Sequence[int], m: int) -> list[int]:
    """The counts weighed for lists of `m` neighbours: those below m, and m itself, ascending (countCandidates)."""
    return sorted({*(c for c in counts if 0 < c < m), m})


def pick_count(trials: Sequence[dict], tolerance: float = COUNT_TOLERANCE) -> int:
    """The smallest count whose validation score is within `tolerance` (relative) of the best (pickCount)."""
    best = max(t["validation"] for t in trials)
    return next(t["count"] for t in sorted(trials, key=lambda t: t["count"]) if t["validation"] >= (1 - tolerance) * best)


@dataclass
class CountResult:
    count: int
    trials: list[dict]  # [{count, validation}] ascending by count
    skipped: list[int] = field(default_factory=list)  # counts the budget left untried
    stopped_after: Optional[int] = None  # trials run when the budget stopped the choice

    def record(self) -> dict:
        """What the artifact's training.neighbourCount says (the Node trainer's CountChoice)."""
        return {"count": self.count, "trials": self.trials, **({"skipped": self.skipped} if self.skipped else {})}


def search_count(m: int, score: Callable[[int], float], counts: Sequence[int] = NEIGHBOUR_COUNTS, tolerance: float = COUNT_TOLERANCE,
                 known: Optional[float] = None, fits: Callable[[float], bool] = lambda _seconds: True,
                 validation_seconds: float = 0.0, clock: Callable[[], float] = time.monotonic) -> CountResult:
    """searchCount: `score` each candidate (m reused when `known`); `fits(seconds)` says whether a trial that long can still end
    within the budget (the same answer on every process)."""
    trials = [] if known is None else [{"count": m, "validation": known}]
    to_try = [c for c in count_candidates(counts, m) if known is None or c != m]
    estimate, ran = validation_seconds, 0
    for count in to_try:
        if not fits(estimate):
            break
        started = clock()
        trials.append({"count": count, "validation": score(count)})
        estimate, ran = clock() - started, ran + 1
    trials.sort(key=lambda t: t["count"])
    skipped = to_try[ran:]
    # with nothing scored (no known score, no time) the lists stay as they are
    count = pick_count(trials, tolerance) if trials else m
    return CountResult(count, trials, skipped, ran if skipped else None)
