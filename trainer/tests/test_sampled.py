"""The sampled softmax of the scale spec (core/sampled.py) against a dense float64 Horvitz–Thompson reference.

The same contract as the Node trainer (src/core/sampled.ts): explicit drawn ids,
candidates C = P ∪ D, logits s − log r with r = 1 on the batch's clicks and
1 − (1 − q)^S on the other drawn items, exclusions kept; a meta-training batch
runs whole on C (its table's rows, its rows in C's columns).
tests/bridge.py answers {"kind": "sampled"} for the TypeScript side's test
(tests/unit/train/torch-sampled.test.ts).
"""

import math

import numpy as np
import pytest
import torch

from fixture import DTYPE, rows, tiny_model
from order_fixture import order_support
from localrec_trainer.core.inner import inner_loop
from localrec_trainer.core.meta import MetaConfig, Share, TaskBatch, trainable_names, meta_objective, query_loss
from localrec_trainer.core.model import item_table, score_batch
from localrec_trainer.core.rows import Feedback
from localrec_trainer.core.sampled import Candidates, candidate_scores, candidates, draw, proposal, sampled_loss
from localrec_trainer.train.config import TrainConfig

COUNTS = np.array([40, 12, 30, 2, 9, 0, 0])
QUERY = Feedback(positives=rows([(0, 5, 1.0), (1, 3, 1.0), (1, 6, 1.0)], 2),
                 excluded=rows([(0, 0, 1.0), (0, 3, 1.0), (0, 1, 1.0), (1, 4, 1.0), (1, 2, 1.0)], 2))


def candidate_loss(items, users, query: Feedback, share: Share, c: Candidates) -> torch.Tensor:
    """The query loss over candidates, the loss pooled pretraining takes (per held-out click)."""
    return sampled_loss(candidate_scores(items, users, c), query, c).sum() / share.clicks


def reference(scores: torch.Tensor, query: Feedback, drawn: np.ndarray, draws: int) -> float:
    """Σ over query clicks of log Σ_{i ∈ C} exp(s_i − log r_i) − s_pos, written out from the definition (dense, float64)."""
    q = (COUNTS + 1.0) ** 0.75
    q /= q.sum()
    positives = set(query.positives.item.tolist())
    cand = sorted(positives | set(drawn.tolist()))
    excluded = query.excluded.dense(scores.shape[1])
    total = 0.0
    for b, p, v in zip(query.positives.row.tolist(), query.positives.item.tolist(), query.positives.value.tolist()):
        terms = []
        for i in cand:
            r = 1.0 if i in positives else 1 - (1 - q[i]) ** draws
            terms.append(float(scores[b, i]) - math.log(r) - 1e4 * float(excluded[b, i]))
        total += v * (np.logaddexp.reduce(terms) - float(scores[b, p]))
    return total


@pytest.mark.parametrize("drawn", [np.array([0, 0, 2, 4]), np.array([3, 1]), np.array([5, 5, 5])])
def test_the_query_loss_over_explicit_draws_is_the_horvitz_thompson_softmax(drawn):
    _, params, inputs = tiny_model()
    support = order_support(0.6, False)
    items = item_table(params, inputs)
    users = inner_loop(params, items, support, 2)
    c = candidates(np.unique(QUERY.positives.item.numpy()), drawn, proposal(COUNTS), 4, DTYPE)
    share = Share(3.0, 2.0)
    ours = float(candidate_loss(items, users, QUERY, share, c)) * share.clicks
    assert ours == pytest.approx(reference(score_batch(items, users), QUERY, drawn, 4), rel=1e-12)
    # every candidate: P ∪ D ascending, log r = 0 on P
    assert c.items.tolist() == sorted(set(QUERY.positives.item.tolist()) | set(drawn.tolist()))
    assert all((float(lr) == 0) == (i in (3, 5, 6)) for i, lr in zip(c.items.tolist(), c.log_r))


def test_drawing_every_item_gives_the_full_softmax_back():
    _, params, inputs = tiny_model()
    items = item_table(params, inputs)
    users = inner_loop(params, items, order_support(0.6, False), 2)
    # with q(i) ≈ 1 for the drawn items (S huge) r → 1: C is the catalog, the loss the dense one
    c = candidates(np.array([5, 3, 6]), np.arange(7), proposal(COUNTS), 10**9, DTYPE)
    dense = query_loss(items, users, QUERY, Share(3.0, 2.0))
    assert float(candidate_loss(items, users, QUERY, Share(3.0, 2.0), c)) == pytest.approx(float(dense), rel=1e-9)


def test_the_normaliser_is_unbiased_over_draws():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=50)
    counts = rng.integers(0, 100, size=50)
    q = proposal(counts)
    positives = np.array([3, 17])
    gen = torch.Generator().manual_seed(1)
    estimates = []
    for _ in range(3000):
        c = candidates(positives, draw(q, 8, gen), q, 8, torch.float64)
        estimates.append(np.exp(scores[c.items.numpy()] - c.log_r.numpy()).sum())
    full = np.exp(scores).sum()
    assert np.mean(estimates) == pytest.approx(full, rel=0.02)
    assert np.std(estimates) > 0  # the draws do vary


@pytest.mark.parametrize("algorithm", ["maml", "fomaml", "reptile", "protonet"])
def test_sampled_meta_gradients_match_finite_differences(algorithm):
    _, params, inputs = tiny_model()
    batch = TaskBatch(order_support(0.6, True), QUERY)
    config = MetaConfig(algorithm, 2, True, 1e-3, neighbours=True, recency=True, transitions=True)
    # Every click of the batch (support 0, 1, 2, 3, 4; query 3, 5, 6) is a candidate; the support's come in as draws,
    # so that log r ≠ 0 on them and the offset's path is checked too.
    c = candidates(np.array([3, 5, 6]), np.array([0, 1, 2, 2, 4]), proposal(COUNTS), 5, DTYPE)
    assert (c.log_r != 0).sum() == 4
    names = trainable_names(config)
    leaves = {n: t.clone().requires_grad_(n in names) for n, t in params.items()}
    grads = dict(zip(names, torch.autograd.grad(meta_objective(leaves, inputs, batch, config, None, c), [leaves[n] for n in names])))
    if algorithm not in ("maml", "protonet"):
        assert all(torch.isfinite(g).all() for g in grads.values())
        return
    for name in ("userInit", "itemEmb", "logitDecay", "logSeqInit"):
        flat = params[name].reshape(-1)
        def at(d, i=flat.numel() - 1):
            moved = flat.clone()
            moved[i] += d
            return float(meta_objective({**params, name: moved.reshape(params[name].shape)}, inputs, batch, config, None, c))
        fd = (at(1e-6) - at(-1e-6)) / 2e-6
        assert grads[name].reshape(-1)[-1].item() == pytest.approx(fd, rel=1e-5, abs=1e-9), name


def test_sampling_starts_above_the_setting_and_never_at_zero():
    assert TrainConfig(sampled_above=100).sampled(101) and not TrainConfig(sampled_above=100).sampled(100)
    assert not TrainConfig(sampled_above=0).sampled(10**7)


def test_impressions_need_the_full_softmax():
    _, params, inputs = tiny_model()
    items = item_table(params, inputs)
    users = inner_loop(params, items, order_support(0.6, False), 0)
    shown = Feedback(QUERY.positives, negatives=rows([(0, 2, 0.5)], 2), excluded=QUERY.excluded)
    c = candidates(np.array([3, 5, 6]), np.array([0]), proposal(COUNTS), 1, DTYPE)
    with pytest.raises(ValueError, match="impressions"):
        candidate_loss(items, users, shown, Share(3.0, 2.0), c)


@pytest.mark.parametrize("algorithm", ["maml", "fomaml", "reptile", "protonet"])
def test_a_batch_whose_candidates_are_the_catalog_at_r_1_is_the_full_batch(algorithm):
    _, params, inputs = tiny_model()
    batch = TaskBatch(order_support(0.6, True), QUERY)
    config = MetaConfig(algorithm, 2, True, 1e-3, neighbours=True, recency=True, transitions=True)
    every = Candidates(torch.arange(7), torch.zeros(7, dtype=DTYPE), torch.arange(7))
    names = trainable_names(config)

    def run(c):
        leaves = {n: t.clone().requires_grad_(n in names) for n, t in params.items()}
        loss = meta_objective(leaves, inputs, batch, config, None, c)
        return float(loss), torch.autograd.grad(loss, [leaves[n] for n in names])

    (full, g_full), (sampled, g_sampled) = run(None), run(every)
    assert sampled == pytest.approx(full, rel=1e-12)
    for name, a, b in zip(names, g_full, g_sampled):
        assert torch.allclose(a, b, rtol=1e-10, atol=1e-12), name


def test_a_click_off_the_candidates_is_refused():
    _, params, inputs = tiny_model()
    batch = TaskBatch(order_support(0.6, False), QUERY)
    c = candidates(np.array([3, 5, 6]), np.array([0]), proposal(COUNTS), 1, DTYPE)
    with pytest.raises(ValueError, match="not among the candidates"):
        meta_objective(params, inputs, batch, MetaConfig("maml", 1, True, 0.0, neighbours=True, transitions=True), None, c)
