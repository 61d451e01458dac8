"""The recency decay and the sequential term (core/recency.py, core/transitions.py, effective_support):
weights against finite differences, and the meta-gradients of every parameter against finite differences
of the true function (rows rebuilt at each decay), for every algorithm that differentiates through them."""

import math

import numpy as np
import pytest
import torch

from fixture import DTYPE, tiny_model
from order_fixture import SUPPORTS, order_query, order_support
from localrec_trainer.core.meta import META_ALGORITHMS, MetaConfig, TaskBatch, trainable_names, meta_objective
from localrec_trainer.core.params import PARAM_NAMES, decay_logit
from localrec_trainer.core.ragged import Ragged
from localrec_trainer.core.recency import decay_of, recency_weights
from localrec_trainer.core.transitions import seq_weights


def test_recency_weights_sum_to_one_and_their_derivative_matches_finite_differences():
    lists = Ragged.of([np.arange(5), np.arange(1), np.arange(3)])
    w, dw = recency_weights(lists, 0.7)
    assert np.allclose(np.bincount(lists.rows(), weights=w), 1)
    assert w[4] > w[0]
    eps = 1e-7
    fd = (recency_weights(lists, 0.7 + eps)[0] - recency_weights(lists, 0.7 - eps)[0]) / (2 * eps)
    assert np.allclose(dw, fd, atol=1e-7)
    assert recency_weights(Ragged.of([np.arange(4)]), 1.0)[0].tolist() == [0.25] * 4
    assert decay_of(decay_logit(1.0)) == 1.0


def test_the_sequential_row_looks_back_on_the_last_five_clicks_only():
    w, dw = seq_weights(Ragged.of([np.arange(8)]), 0.5)
    assert w.tolist() == [0, 0, 0, 0.0625, 0.125, 0.25, 0.5, 1]
    eps = 1e-7
    fd = (seq_weights(Ragged.of([np.arange(8)]), 0.5 + eps)[0] - seq_weights(Ragged.of([np.arange(8)]), 0.5 - eps)[0]) / (2 * eps)
    assert np.allclose(dw, fd, atol=1e-7)


def true_objective(params, inputs, config):
    """The objective with the rows rebuilt at the parameters' own decay (no linearisation)."""
    decay = 1 / (1 + math.exp(-float(params["logitDecay"])))
    return meta_objective(params, inputs, TaskBatch(order_support(decay, False), order_query()), config)


@pytest.mark.parametrize("algorithm", ["maml", "protonet"])
def test_meta_gradients_match_finite_differences_of_the_true_function(algorithm):
    _, params, inputs = tiny_model()
    params["logitDecay"] = torch.tensor([decay_logit(0.6)], dtype=DTYPE)
    config = MetaConfig(algorithm, 2, True, 1e-3, neighbours=True, recency=True, transitions=True)
    names = trainable_names(config)
    assert {"logitDecay", "logSeqInit"} <= set(names) and ("logLrSeq" in names) == (algorithm == "maml")
    leaves = {n: t.clone().requires_grad_(n in names) for n, t in params.items()}
    batch = TaskBatch(order_support(0.6, True), order_query())
    loss = meta_objective(leaves, inputs, batch, config)
    grads = dict(zip(names, torch.autograd.grad(loss, [leaves[n] for n in names])))
    assert float(loss) == pytest.approx(float(true_objective(params, inputs, config)), rel=1e-12)
    eps = 1e-6
    for name in names:
        flat = params[name].reshape(-1)
        for i in sorted({0, flat.numel() - 1}):
            def at(d):
                moved = flat.clone()
                moved[i] += d
                return float(true_objective({**params, name: moved.reshape(params[name].shape)}, inputs, config))
            fd = (at(eps) - at(-eps)) / (2 * eps)
            assert grads[name].reshape(-1)[i].item() == pytest.approx(fd, rel=1e-5, abs=1e-9), f"{name}[{i}]"
    assert abs(float(grads["logitDecay"])) > 1e-4


@pytest.mark.parametrize("algorithm", META_ALGORITHMS)
def test_every_algorithm_reaches_the_decay_and_what_it_trains(algorithm):
    _, params, inputs = tiny_model()
    config = MetaConfig(algorithm, 2, True, 1e-3, neighbours=True, recency=True, transitions=True)
    names = trainable_names(config)
    leaves = {n: t.clone().requires_grad_(n in names) for n, t in params.items()}
    loss = meta_objective(leaves, inputs, TaskBatch(order_support(0.6, True), order_query()), config)
    grads = torch.autograd.grad(loss, [leaves[n] for n in names])
    assert all(torch.isfinite(g).all() for g in grads)
    assert "logitDecay" in names and set(names) <= set(PARAM_NAMES)
    # Every algorithm but ProtoNet (no inner steps) moves the sequential and item-item
    # start weights: Reptile's pull reaches them as MAML's query loss does.
    reached = {n: float(g.abs().sum()) for n, g in zip(names, grads)}
    assert "logSeqInit" in names and "logKnnInit" in names
    if algorithm != "protonet":
        assert reached["logSeqInit"] > 1e-8 and reached["logKnnInit"] > 1e-8, reached
