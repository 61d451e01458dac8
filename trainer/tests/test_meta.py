"""Meta-gradients (core/meta.py): second-order MAML through the closed form, first-order methods, finite differences."""

import pytest
import torch

from fixture import tiny_model, tiny_tasks
from localrec_trainer.core.inner import autodiff_user_grad, inner_rates, start_users
from localrec_trainer.core.meta import META_ALGORITHMS, MetaConfig, trainable_names, local_share, meta_objective, query_loss
from localrec_trainer.core.model import UserBatch, item_table, score_batch
from localrec_trainer.core.params import PARAM_NAMES

CONFIG = MetaConfig("maml", 2, True, 1e-3, True)


def grads_of(params, names, f):
    leaves = {n: t.clone().requires_grad_(n in names) for n, t in params.items()}
    loss = f(leaves)
    return loss, dict(zip(names, torch.autograd.grad(loss, [leaves[n] for n in names])))


def test_maml_meta_gradient_matches_finite_differences_for_every_parameter():
    _, params, inputs = tiny_model()
    batch = tiny_tasks()
    names = trainable_names(CONFIG)
    assert set(names) == set(PARAM_NAMES) - {"logitDecay", "logSeqInit", "logLrSeq"}  # the fixture's tasks have no decay rows nor transitions
    _, grads = grads_of(params, names, lambda p: meta_objective(p, inputs, batch, CONFIG))
    eps = 1e-6
    for name in names:
        flat = params[name].reshape(-1)
        for i in sorted({0, flat.numel() // 2, flat.numel() - 1}):
            at = lambda d: float(meta_objective({**params, name: (flat + d * torch.nn.functional.one_hot(torch.tensor(i), flat.numel())).reshape(params[name].shape)}, inputs, batch, CONFIG))  # noqa: E731
            fd = (at(eps) - at(-eps)) / (2 * eps)
            assert grads[name].reshape(-1)[i].item() == pytest.approx(fd, rel=1e-5, abs=1e-8), f"{name}[{i}]"


def test_closed_form_maml_equals_autograd_through_the_inner_gradient():
    """Differentiating the closed-form steps = differentiating autograd's inner gradient (create_graph)."""
    _, params, inputs = tiny_model()
    batch = tiny_tasks()

    def autograd_objective(p):
        items = item_table(p, inputs)
        rates = inner_rates(p, batch.support)
        users = start_users(p, items, batch.support)
        for _ in range(CONFIG.inner_steps):
            g = autodiff_user_grad(items, users, batch.support, create_graph=True)
            users = UserBatch(users.user - rates.user * g.user, users.pop - rates.pop * g.pop, users.knn - rates.knn * g.knn, users.neighbours)
        decay = CONFIG.weight_decay * (p["itemEmb"].square().sum() + p["itemBias"].square().sum())
        return query_loss(items, users, batch.query, local_share(batch)) + decay

    names = trainable_names(CONFIG)
    loss_a, closed = grads_of(params, names, lambda p: meta_objective(p, inputs, batch, CONFIG))
    loss_b, auto = grads_of(params, names, autograd_objective)
    assert float(loss_a) == pytest.approx(float(loss_b), rel=1e-12)
    for name in names:
        assert torch.allclose(closed[name], auto[name], rtol=1e-9, atol=1e-12), name


def test_first_order_maml_passes_the_query_gradient_at_the_adapted_point_to_the_start():
    _, params, inputs = tiny_model()
    batch = tiny_tasks()
    fo = MetaConfig("fomaml", 2, True, 0.0, True)
    _, grads = grads_of(params, trainable_names(fo), lambda p: meta_objective(p, inputs, batch, fo))
    # ∂L/∂userInit = Σ_b ∂L/∂u_b at the adapted users (identity Jacobian through the steps)
    with torch.no_grad():
        items = item_table(params, inputs)
        from localrec_trainer.core.inner import inner_loop
        adapted = inner_loop(params, items, batch.support, 2)
    user = adapted.user.clone().requires_grad_()
    loss = query_loss(items, UserBatch(user, adapted.pop, adapted.knn, adapted.neighbours), batch.query, local_share(batch))
    (g,) = torch.autograd.grad(loss, [user])
    assert torch.allclose(grads["userInit"], g.sum(0), atol=1e-12)
    assert "logLrUser" not in grads


@pytest.mark.parametrize("algorithm", META_ALGORITHMS)
def test_every_algorithm_gives_finite_gradients_to_what_it_trains(algorithm):
    _, params, inputs = tiny_model()
    batch = tiny_tasks()
    config = MetaConfig(algorithm, 2, True, 1e-3, True)
    loss, grads = grads_of(params, trainable_names(config), lambda p: meta_objective(p, inputs, batch, config))
    assert torch.isfinite(loss)
    assert all(torch.isfinite(g).all() for g in grads.values())
    assert ("logLrUser" in grads) == (algorithm == "maml")


def test_protonet_matches_finite_differences():
    _, params, inputs = tiny_model()
    batch = tiny_tasks()
    config = MetaConfig("protonet", 2, True, 1e-3, True)
    _, grads = grads_of(params, ["protoScale", "logShrink"], lambda p: meta_objective(p, inputs, batch, config))
    for name in ("protoScale", "logShrink"):
        at = lambda d: float(meta_objective({**params, name: params[name] + d}, inputs, batch, config))  # noqa: E731
        assert grads[name].item() == pytest.approx((at(1e-6) - at(-1e-6)) / 2e-6, rel=1e-5)
