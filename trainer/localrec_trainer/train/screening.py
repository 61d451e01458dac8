"""A grid screened on part of the validation users before its best are validated on all (src/train/screening.ts).

One round of successive halving: every head of the ALS start's item-item ×
popularity grid is scored on a seeded third of the validation users, and the
SCREEN_KEEP best are validated on all of them, where the choice is made.
"""

from __future__ import annotations

import math
from typing import Callable, Optional, Sequence, TypeVar

import numpy as np

from ..core.ragged import Ragged
from ..math.rng import sample, seed_text

SCREEN_SHARE = 1 / 3
"""Share of the validation users a screen scores."""
SCREEN_MIN_USERS = 50
"""Fewest users a screen scores: below it (fewer than 150 validation users) a grid is validated whole."""
SCREEN_KEEP = 3
"""Candidates the screen keeps for the full validation."""

C = TypeVar("C")


def screening_users(users: Ragged, seed: int) -> Optional[Ragged]:
    """screeningUsers: a seeded third of the validation users in protocol order; None when that third is under SCREEN_MIN_USERS."""
    n = math.floor(len(users) * SCREEN_SHARE)
    if n < SCREEN_MIN_USERS:
        return None
    keep = np.sort(sample(f"{seed_text(seed)}:screening", len(users), n))
    return Ragged.of([users.row(int(i)) for i in keep])


def screen_candidates(candidates: Sequence[C], screen: Callable[[C], Optional[float]]) -> tuple[list[C], list[tuple[C, float]]]:
    """screenCandidates: scores in order (None: out of time, the rest unscreened); the SCREEN_KEEP best in their given order."""
    scores: list[tuple[C, float]] = []
    for c in candidates:
        s = screen(c)
        if s is None:
            break
        scores.append((c, s))
    # sorted() is stable: equal scores keep the grid's order
    best = {id(c) for c, _ in sorted(scores, key=lambda cs: -cs[1])[:SCREEN_KEEP]}
    return [c for c in candidates if id(c) in best], scores
