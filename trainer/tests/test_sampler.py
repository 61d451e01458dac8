"""The distributed sampler (distributed/sampler.py): N ranks hold exactly one process's global batch."""

import numpy as np
import torch

from localrec_trainer.distributed.sampler import UserSampler
from localrec_trainer.distributed.world import World


def world(rank: int, size: int) -> World:
    return World(rank, size, torch.device("cpu"), None)


def test_the_ranks_batches_together_are_the_one_process_batch():
    for size in (2, 4):
        for population in (37, 100):
            one = UserSampler(population, 8, world(0, 1), seed=11)
            ranks = [UserSampler(population, 8, world(r, size), seed=11) for r in range(size)]
            for it in range(30):  # several epochs
                users, slots = one.batch(it)
                parts = [s.batch(it) for s in ranks]
                assert sorted(np.concatenate([p[0] for p in parts]).tolist()) == sorted(users.tolist())
                shots = one.uniforms(it, slots, 0)
                shared = np.concatenate([s.uniforms(it, p[1], 0) for s, p in zip(ranks, parts)])
                assert np.all((shots >= 0) & (shots < 1))
                assert sorted(zip(np.concatenate([p[1] for p in parts]).tolist(), shared.tolist())) == sorted(zip(slots.tolist(), shots.tolist()))


def test_epochs_visit_every_user_once_and_small_populations_repeat():
    s = UserSampler(16, 4, world(0, 1), seed=3)
    epoch = np.concatenate([s.batch(it)[0] for it in range(4)])
    assert sorted(epoch.tolist()) == list(range(16))
    small = UserSampler(5, 8, world(0, 1), seed=3)
    assert len(small.batch(0)[0]) == 8 and set(small.batch(0)[0].tolist()) <= set(range(5))


def test_a_batch_that_does_not_split_is_refused():
    import pytest
    with pytest.raises(ValueError, match="--batch 10 is not a multiple of the 3 processes"):
        UserSampler(100, 10, world(0, 3), seed=1)
