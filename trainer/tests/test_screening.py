"""The ALS head grid screened on a seeded third of the validation users (train/screening.py), as
src/train/screening.ts does: the same users, the same finalists, the full validation choosing among them."""

import math

import numpy as np

from localrec_trainer.core.params import ModelShape, param_shapes
from localrec_trainer.core.ragged import Ragged
from localrec_trainer.math.rng import sample
from localrec_trainer.train.als_start import AlsStartConfig, als_data, als_embeddings, select_als_start
from localrec_trainer.train.screening import SCREEN_KEEP, SCREEN_MIN_USERS, screen_candidates, screening_users
from localrec_trainer.train.validate import Validation

ITEMS = 30
rng = np.random.default_rng(5)
TRAIN = Ragged.of([np.unique((u % 2) * 15 + rng.integers(0, 15, size=6)).astype(np.int32) for u in range(50)])
DATA = als_data(TRAIN, ITEMS, None, np.ones(ITEMS, dtype=np.float32))


def test_sample_draws_what_createRng_sample_draws():
    # createRng('1:screening').sample(186, 62) in src/math/rng.ts, first 12, and a whole permutation
    assert list(sample("1:screening", 186, 62)[:12]) == [90, 54, 70, 141, 101, 178, 109, 22, 175, 134, 176, 163]
    assert list(sample("7:screening", 10, 10)) == [1, 4, 5, 8, 3, 6, 0, 9, 2, 7]


def test_screening_users_are_a_seeded_third_in_protocol_order_and_none_below_the_minimum():
    users = Ragged.of([np.array([i], dtype=np.int32) for i in range(3 * SCREEN_MIN_USERS + 2)])
    third = screening_users(users, 1)
    assert third is not None and len(third) == SCREEN_MIN_USERS
    kept = [int(third.row(u)[0]) for u in range(len(third))]
    assert kept == sorted(set(kept))
    assert kept == sorted(int(i) for i in sample("1:screening", len(users), SCREEN_MIN_USERS))
    few = Ragged.of([np.array([i], dtype=np.int32) for i in range(3 * SCREEN_MIN_USERS - 1)])
    assert screening_users(few, 1) is None


def test_screen_candidates_keeps_the_best_in_grid_order_and_stops_when_told():
    scores = [0.1, 0.5, 0.3, 0.5, 0.2, 0.3]
    kept, all_scores = screen_candidates([0, 1, 2, 3, 4, 5], lambda c: scores[c])
    assert SCREEN_KEEP == 3 and kept == [1, 2, 3] and len(all_scores) == 6
    kept, all_scores = screen_candidates([0, 1, 2, 3, 4, 5], lambda c: scores[c] if c < 2 else None)
    assert kept == [0, 1] and len(all_scores) == 2


def _head(arrays) -> tuple[float, float]:
    return round(math.exp(float(arrays["logKnnInit"].reshape(-1)[0])), 2), round(float(arrays["popWeight"].reshape(-1)[0]), 2)


def _objective(knn: float, pop: float) -> float:
    return 1 - abs(math.log2(knn) - 2) / 10 - abs(pop - 0.1)


def test_the_full_validation_chooses_among_the_heads_the_screen_keeps():
    cfg = AlsStartConfig(4, 10.0, (1.0, 10.0), 10.0, 3)
    full: list[tuple[float, float]] = []
    screened: list[tuple[float, float]] = []

    def evaluate(arrays):
        full.append(_head(arrays))
        return Validation(_objective(*full[-1]), {})

    def screen(arrays):
        # noisy: the true best (knn 4, pop 0.1) ranks third here
        knn, pop = _head(arrays)
        screened.append((knn, pop))
        return Validation(_objective(knn, pop) + (0.3 if (knn, pop) == (8, 0.1) else 0.2 if (knn, pop) == (1, 0.1) else 0), {})

    shapes = param_shapes(ModelShape(ITEMS, 1, 4))
    als = select_als_start(evaluate, lambda lams: {lam: als_embeddings(DATA, cfg, lam) for lam in lams}, shapes, cfg.lambdas, True, 0,
                           screen=(50, screen))
    assert len(screened) == 17
    assert len(full) == 3 + SCREEN_KEEP  # two λ, one beyond the edge, the screen's three
    assert (als.head["knn"], als.head["pop"]) == (4, 0.1)
    assert als.screened is not None and als.screened["users"] == 50 and len(als.screened["trials"]) == 17
