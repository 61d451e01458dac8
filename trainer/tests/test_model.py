"""Scores, losses and the closed-form inner gradient (core/model.py) against dense references and finite differences."""

import torch

from fixture import DTYPE, tiny_model, tiny_tasks
from localrec_trainer.core.inner import autodiff_user_grad, start_users
from localrec_trainer.core.model import UserBatch, feedback_loss, item_table, score_batch, user_grad
from localrec_trainer.core.rows import Feedback


def dense_loss(scores: torch.Tensor, f: Feedback) -> torch.Tensor:
    """feedbackLoss of src/core/model.ts, written with dense rows as TypeScript does."""
    n = scores.shape[1]
    pos = f.positives.dense(n)
    cand = scores + (f.excluded.mask(n) * -1e4 if f.excluded is not None else 0)
    catalog = -(pos * torch.log_softmax(cand, 1)).sum(1)
    if f.negatives is None:
        return catalog
    neg = f.negatives.dense(n)
    slate = cand + (1 - ((pos + neg) > 0).to(scores.dtype)) * -1e4
    return catalog + neg.sum(1) * -(pos * torch.log_softmax(slate, 1)).sum(1)


def users_with_grad(params, items, support) -> UserBatch:
    u = start_users(params, items, support)
    return UserBatch(u.user.detach().requires_grad_(), u.pop.detach().requires_grad_(), u.knn.detach().requires_grad_(), u.neighbours)


def finite_difference(f, t: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    out = torch.zeros_like(t)
    flat = t.detach().reshape(-1)
    for i in range(flat.numel()):
        plus, minus = flat.clone(), flat.clone()
        plus[i] += eps
        minus[i] -= eps
        out.view(-1)[i] = (f(plus.reshape(t.shape)) - f(minus.reshape(t.shape))) / (2 * eps)
    return out


def test_losses_equal_the_dense_log_softmax_form():
    _, params, inputs = tiny_model()
    batch = tiny_tasks()
    items = item_table(params, inputs)
    for f in (batch.support, batch.query):
        scores = score_batch(items, start_users(params, items, batch.support))
        assert torch.allclose(feedback_loss(scores, f), dense_loss(scores, f), atol=1e-12)


def test_closed_form_inner_gradient_matches_autograd_and_finite_differences():
    _, params, inputs = tiny_model()
    batch = tiny_tasks()
    items = item_table(params, inputs)
    for f in (batch.support, batch.query):
        users = users_with_grad(params, items, batch.support)
        closed = user_grad(items, users, f)
        auto = autodiff_user_grad(items, users, f)
        for name in ("user", "pop", "knn"):
            assert torch.allclose(getattr(closed, name), getattr(auto, name), atol=1e-12), name

        def loss_at(**change):
            fields = {"user": users.user, "pop": users.pop, "knn": users.knn, **change}
            return float(feedback_loss(score_batch(items, UserBatch(neighbours=users.neighbours, **fields)), f).sum())

        assert torch.allclose(closed.user, finite_difference(lambda t: loss_at(user=t), users.user), atol=1e-7)
        assert torch.allclose(closed.pop, finite_difference(lambda t: loss_at(pop=t), users.pop), atol=1e-7)
        assert torch.allclose(closed.knn, finite_difference(lambda t: loss_at(knn=t), users.knn), atol=1e-7)


def test_the_check_can_fail_a_wrong_gradient():
    _, params, inputs = tiny_model()
    batch = tiny_tasks()
    items = item_table(params, inputs)
    users = users_with_grad(params, items, batch.support)
    closed = user_grad(items, users, batch.support)
    without_slate = user_grad(items, users, Feedback(batch.support.positives, count=batch.support.count, neighbours=batch.support.neighbours))
    assert not torch.allclose(closed.user, without_slate.user, atol=1e-4)


def test_item_table_is_content_projection_plus_warm_embeddings():
    shape, params, inputs = tiny_model()
    items = item_table(params, inputs)
    x = torch.zeros(shape.items, shape.features, dtype=DTYPE)
    rows = torch.repeat_interleave(torch.arange(shape.items), torch.diff(torch.cat([inputs.offsets, torch.tensor([len(inputs.cols)])])))
    x[rows, inputs.cols] = inputs.weights
    assert torch.allclose(items.vectors, x @ params["contentW"] + inputs.warm * params["itemEmb"])
    bias = x @ params["contentBias"] + inputs.warm[:, 0] * params["itemBias"] + inputs.log_pop[:, 0] * params["popWeight"]
    assert torch.allclose(items.bias, bias)
    assert torch.allclose(items.vectors[5:], (x @ params["contentW"])[5:])  # cold items: content alone
