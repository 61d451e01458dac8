"""Neighbour lists and leave-one-out rows (train/neighbours.py, core/neighbours.py) against direct loops."""

import math

import numpy as np
import pytest

from localrec_trainer.core.neighbours import neighbour_rows
from localrec_trainer.core.ragged import Ragged
from localrec_trainer.train import neighbours as nb
from localrec_trainer.train.neighbours import build_neighbours, leave_one_out_rows


def random_users(seed: int, users: int = 40, items: int = 30) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [np.unique(rng.integers(0, items - 2, size=rng.integers(1, 9))).astype(np.int32) for _ in range(users)]


def brute_force(train: list[np.ndarray], items: int, m: int, shrink: float):
    """buildNeighbours of src/train/neighbours.ts, loop for loop."""
    counts = np.zeros(items)
    for u in train:
        for i in set(u.tolist()):
            counts[i] += 1
    ids = np.full((items, m), -1)
    sims = np.zeros((items, m))
    for j in range(items):
        acc: dict[int, int] = {}
        for u in train:
            if j in set(u.tolist()):
                for i in set(u.tolist()) - {j}:
                    acc[i] = acc.get(i, 0) + 1
        scored = sorted(((-c / (math.sqrt(counts[i] * counts[j]) + shrink), i) for i, c in acc.items()))[:m]
        for r, (s, i) in enumerate(scored):
            ids[j, r], sims[j, r] = i, -s
    return ids, sims


@pytest.mark.parametrize("shrink", [0, 10])
def test_lists_are_the_top_m_shrunk_cosine_neighbours_ties_by_index(shrink):
    train = random_users(1)
    index = build_neighbours(Ragged.of(train), 30, 7, shrink)
    ids, sims = brute_force(train, 30, 7, shrink)
    assert np.array_equal(index.ids, ids)
    assert np.allclose(index.sims, sims, atol=1e-7)
    assert np.array_equal(index.ids[28], [-1] * 7)  # no user has items 28, 29: no neighbours


def test_blocks_give_the_same_lists_as_one_block(monkeypatch):
    train = Ragged.of(random_users(2))
    whole = build_neighbours(train, 30, 5, 10)
    monkeypatch.setattr(nb, "PAIR_BUDGET", 40)  # forces many small blocks
    blocked = build_neighbours(train, 30, 5, 10)
    assert np.array_equal(whole.ids, blocked.ids) and np.array_equal(whole.sims, blocked.sims)


def test_a_visitor_row_is_the_mean_similarity_to_the_clicks():
    train = Ragged.of(random_users(3))
    index = build_neighbours(train, 30, 30, 0)
    row = neighbour_rows(index, Ragged.of([np.array([0, 4, 4], dtype=np.int32)])).dense(30)[0].numpy()
    expected = np.zeros(30)
    for c in (0, 4, 4):  # a repeated click counts again
        for i, s in zip(index.ids[c], index.sims[c]):
            if i >= 0:
                expected[i] += s / 3
    assert np.allclose(row, expected, atol=1e-7)


def test_a_training_users_row_leaves_their_own_co_occurrences_out():
    users = random_users(4)
    train = Ragged.of(users)
    index = build_neighbours(train, 30, 30, 10)
    for u in (0, 7, 19):
        support = Ragged.of([users[u][:3]])
        loo = leave_one_out_rows(index, support, Ragged.of([users[u]])).dense(30)[0].numpy()
        without = build_neighbours(Ragged.of([x for v, x in enumerate(users) if v != u]), 30, 30, 10)
        expected = neighbour_rows(without, support).dense(30)[0].numpy()
        assert np.allclose(loo, expected, atol=1e-6), u
        plain = neighbour_rows(index, support).dense(30)[0].numpy()
        assert not np.allclose(loo, plain, atol=1e-4)  # the check can fail: the user's own pairs matter
