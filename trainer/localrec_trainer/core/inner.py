"""The inner loop, vectorised over a batch of users (src/core/inner.ts).

Every user's parameters are one row of a [B, dim] tensor, so a batch of tasks
is a few matrix products. The browser adapts one visitor with the same math
(B = 1); bench/reference/peer.py runs these functions for its clicks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import torch
from torch import Tensor

from .model import ItemTable, UserBatch, feedback_loss, score_batch, user_grad
from .rows import Feedback
from .params import Params


@dataclass(frozen=True)
class InnerRates:
    """Per-step learning rates: one per user-vector coordinate [B, dim], one for the popularity weight [B, 1]."""

    user: Tensor
    pop: Tensor
    knn: Optional[Tensor] = None  # [B, 1], when the feedback has neighbour rows


def evidence(params: Params, feedback: Feedback) -> Tensor:
    """How much k clicks are trusted: k / (k + κ), per user [B, 1]."""
    shrink = params["logShrink"]
    count = feedback.count if feedback.count is not None else torch.ones(feedback.batch, 1, dtype=shrink.dtype, device=shrink.device)
    return count / (count + torch.exp(shrink))


def inner_rates(params: Params, feedback: Feedback) -> InnerRates:
    """Meta-SGD rates from their logs, scaled per user by the evidence of their clicks."""
    trust = evidence(params, feedback)
    user = trust * torch.exp(params["logLrUser"]).reshape(1, -1)
    pop = trust * torch.exp(params["logLrPop"]).reshape(1, 1)
    if feedback.neighbours is None:
        return InnerRates(user, pop)
    return InnerRates(user, pop, trust * torch.exp(params["logLrKnn"]).reshape(1, 1))


def start_users(params: Params, items: ItemTable, support: Feedback) -> UserBatch:
    """Step-0 user parameters: the initialization plus `protoScale · k/(k + κ)` times the clicks' mean context vector."""
    trust = evidence(params, support)
    proto = support.positives.matmul(items.context) * trust
    user = params["userInit"].reshape(1, -1) + params["protoScale"] * proto
    pop = params["popInit"].reshape(1, 1).expand(support.batch, 1)
    if support.neighbours is None:
        return UserBatch(user, pop)
    # The item-item row is as trustworthy as the clicks behind it; its start
    # weight is learned in log space (similarities' scale differs by dataset).
    knn = torch.exp(params["logKnnInit"]).reshape(1, 1) * trust
    return UserBatch(user, pop, knn, support.neighbours)


def autodiff_user_grad(items: ItemTable, users: UserBatch, feedback: Feedback, create_graph: bool = False) -> UserBatch:
    """Gradient of the summed support loss by autograd: the reference the closed form is checked against."""
    leaves = [users.user, users.pop] + ([users.knn] if users.knn is not None else [])
    loss = feedback_loss(score_batch(items, users), feedback).sum()
    grads = torch.autograd.grad(loss, leaves, create_graph=create_graph)
    return UserBatch(grads[0], grads[1], grads[2] if len(grads) > 2 else None)


def inner_step(
    items: ItemTable, users: UserBatch, feedback: Feedback, rates: InnerRates, score_grad: Optional[Tensor] = None
) -> UserBatch:
    """One gradient step on every user of the batch (closed-form gradient); returns new tensors.

    `score_grad`: d loss / d scores at `users`, when the caller computed it with the loss.
    """
    g = user_grad(items, users, feedback, score_grad)
    user = users.user - rates.user * g.user
    pop = users.pop - rates.pop * g.pop
    if users.knn is None or g.knn is None or rates.knn is None:
        return UserBatch(user, pop)
    return UserBatch(user, pop, users.knn - rates.knn * g.knn, users.neighbours)


def inner_loop(params: Params, items: ItemTable, support: Feedback, steps: int) -> UserBatch:
    """Start plus `steps` inner steps for a whole batch; differentiable in every meta-parameter."""
    rates = inner_rates(params, support)
    users = start_users(params, items, support)
    for _ in range(steps):
        users = inner_step(items, users, support, rates)
    return users
