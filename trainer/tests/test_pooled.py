"""Pooled pretraining (train/pretrain.py): the user table outside DDP trains what one dense table would,
and the pooled loss's sampled softmax is the full one when every item is a candidate."""

import numpy as np
import pytest
import torch

from bundle import synthetic_users
from localrec_trainer.core.params import ModelShape, init_params
from localrec_trainer.core.features import feature_rows, feature_vocabulary, item_inputs, log_popularity
from localrec_trainer.core.ragged import Ragged
from localrec_trainer.core.sampled import candidates, proposal
from localrec_trainer.distributed.world import World
from localrec_trainer.train.pretrain import ADAM_EPSILON, SHARED, PooledModel, UserTable, pooled_loss
from localrec_trainer.train.tasks import click_rows

DTYPE = torch.float64


def setup():
    lists, tags = synthetic_users(users=30, items=24)
    train = Ragged.of([np.asarray(u, dtype=np.int32) for u in lists])
    names = feature_vocabulary(tags)
    counts = np.bincount(train.items, minlength=24).astype(np.float32)
    inputs = item_inputs(feature_rows(tags, names), (counts > 0).astype(np.float32), log_popularity(counts), DTYPE)
    shape = ModelShape(24, len(names), 4)
    return train, inputs, shape, init_params(shape, 3, proto_scale=0, dtype=DTYPE)


def test_the_user_table_trains_as_one_dense_table_with_its_l2_would():
    train, inputs, shape, init = setup()
    wd, lr = 3e-3, 0.05
    module = PooledModel(init)
    table = UserTable(len(train), shape.dim, 7, DTYPE, lr)
    opt = torch.optim.Adam(module.parameters(), lr=lr, eps=ADAM_EPSILON)
    # the dense reference: the whole table a parameter of one optimizer, its L2 in the loss
    ref_shared = {n: torch.nn.Parameter(init[n].clone()) for n in SHARED}
    ref_table = torch.nn.Parameter(table.table.detach().clone())
    ref_opt = torch.optim.Adam([*ref_shared.values(), ref_table], lr=lr, eps=ADAM_EPSILON)
    world = World(0, 1, torch.device("cpu"), None)
    for picks in ([0, 3, 3, 9], [1, 2, 28, 29], [5, 0, 7, 11]):
        picks = np.asarray(picks)
        targets = click_rows(train.take(picks), True, DTYPE)
        clicks = float(targets.totals().sum())
        rows = table.rows(picks, torch.device("cpu"))
        loss = module(inputs, rows, targets, wd, clicks, None)
        opt.zero_grad()
        loss.backward()
        opt.step()
        table.step(picks, rows, wd, world)
        ref_loss = pooled_loss({**init, **ref_shared}, inputs, ref_table[torch.from_numpy(picks)], targets, ref_table, wd, clicks)
        ref_opt.zero_grad()
        ref_loss.backward()
        ref_opt.step()
        assert float(loss) + table.decay(wd) != pytest.approx(0)
    assert torch.allclose(table.table, ref_table, atol=1e-12)
    for n in SHARED:
        assert torch.allclose(module.shared[n], ref_shared[n], atol=1e-12), n


def test_the_pooled_sampled_loss_is_the_full_one_when_every_item_is_a_candidate():
    train, inputs, shape, init = setup()
    users = torch.randn(5, shape.dim, dtype=DTYPE, generator=torch.Generator().manual_seed(2))
    targets = click_rows(train.take(np.arange(5)), True, DTYPE)
    c = candidates(np.unique(targets.item.numpy()), np.arange(24), proposal(np.zeros(24)), 10**9, DTYPE)
    full = pooled_loss(init, inputs, users, targets, None, 0.0, 5.0)
    sampled = pooled_loss(init, inputs, users, targets, None, 0.0, 5.0, c)
    assert float(sampled) == pytest.approx(float(full), rel=1e-9)
    few = candidates(np.unique(targets.item.numpy()), np.array([0]), proposal(np.zeros(24)), 1, DTYPE)
    assert float(pooled_loss(init, inputs, users, targets, None, 0.0, 5.0, few)) != pytest.approx(float(full), rel=1e-3)
