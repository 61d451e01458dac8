"""The inner loop, vectorised over a batch of users (src/core/inner.ts).

Every user's parameters are one row of a [B, dim] tensor, so a batch of tasks
is a few matrix products. The browser adapts one visitor with the same math
(B = 1); bench/reference/peer.py runs these functions for its clicks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
    seq: Optional[Tensor] = None  # [B, 1], when the feedback has transition rows


def evidence(params: Params, feedback: Feedback) -> Tensor:
    """How much k clicks are trusted: k / (k + κ), per user [B, 1]."""
    shrink = params["logShrink"]
    count = feedback.count if feedback.count is not None else torch.ones(feedback.batch, 1, dtype=shrink.dtype, device=shrink.device)
    return count / (count + torch.exp(shrink))


def inner_rates(params: Params, feedback: Feedback) -> InnerRates:
    """Meta-SGD rates from their logs, scaled per user by the evidence of their clicks."""
    trust = evidence(params, feedback)
    return InnerRates(
        trust * torch.exp(params["logLrUser"]).reshape(1, -1),
        trust * torch.exp(params["logLrPop"]).reshape(1, 1),
        trust * torch.exp(params["logLrKnn"]).reshape(1, 1) if feedback.neighbours is not None else None,
        trust * torch.exp(params["logLrSeq"]).reshape(1, 1) if feedback.transitions is not None else None,
    )


def start_users(params: Params, items: ItemTable, support: Feedback) -> UserBatch:
    """Step-0 user parameters: the initialization plus `protoScale · k/(k + κ)` times the clicks' weighted context vector."""
    trust = evidence(params, support)
    proto = support.positives.matmul(items.context) * trust
    user = params["userInit"].reshape(1, -1) + params["protoScale"] * proto
    pop = params["popInit"].reshape(1, 1).expand(support.batch, 1)
    # The item-item row is as trustworthy as the clicks behind it; its start
    # weight is learned in log space (similarities' scale differs by dataset).
    knn = torch.exp(params["logKnnInit"]).reshape(1, 1) * trust if support.neighbours is not None else None
    # What follows the last click is as telling after one click as after fifty: no evidence factor.
    seq = torch.exp(params["logSeqInit"]).reshape(1, 1).expand(support.batch, 1) if support.transitions is not None else None
    return UserBatch(user, pop, knn, support.neighbours if knn is not None else None, seq, support.transitions if seq is not None else None)


def autodiff_user_grad(items: ItemTable, users: UserBatch, feedback: Feedback, create_graph: bool = False) -> UserBatch:
    """Gradient of the summed support loss by autograd: the reference the closed form is checked against."""
    names = [n for n in ("user", "pop", "knn", "seq") if getattr(users, n) is not None]
    loss = feedback_loss(score_batch(items, users), feedback).sum()
    grads = dict(zip(names, torch.autograd.grad(loss, [getattr(users, n) for n in names], create_graph=create_graph)))
    return UserBatch(grads["user"], grads["pop"], grads.get("knn"), None, grads.get("seq"), None)


def inner_step(
    items: ItemTable, users: UserBatch, feedback: Feedback, rates: InnerRates, score_grad: Optional[Tensor] = None
) -> UserBatch:
    """One gradient step on every user of the batch (closed-form gradient); returns new tensors.

    `score_grad`: d loss / d scores at `users`, when the caller computed it with the loss.
    """
    g = user_grad(items, users, feedback, score_grad)
    knn = users.knn - rates.knn * g.knn if users.knn is not None and g.knn is not None and rates.knn is not None else None
    seq = users.seq - rates.seq * g.seq if users.seq is not None and g.seq is not None and rates.seq is not None else None
    return UserBatch(users.user - rates.user * g.user, users.pop - rates.pop * g.pop,
                     knn, users.neighbours if knn is not None else None, seq, users.transitions if seq is not None else None)


def effective_support(params: Params, support: Feedback) -> Feedback:
    """The support with rows that depend on the learned recency decay: built at `decay_at`, linearised here.

    `row + (sigmoid(logitDecay) − decay_at) · derivative` has the rows' value
    and their exact gradient in the decay. Without `decay_at`, the support as it is.
    """
    if support.decay_at is None:
        return support
    delta = torch.sigmoid(params["logitDecay"]).reshape(()) - support.decay_at
    return replace(
        support,
        positives=support.positives.moved(support.positives_decay, delta),
        neighbours=support.neighbours.moved(support.neighbours_decay, delta) if support.neighbours is not None else None,
        transitions=support.transitions.moved(support.transitions_decay, delta) if support.transitions is not None else None,
        decay_at=None, positives_decay=None, neighbours_decay=None, transitions_decay=None,
    )


def inner_loop(params: Params, items: ItemTable, support: Feedback, steps: int) -> UserBatch:
    """Start plus `steps` inner steps for a whole batch; differentiable in every meta-parameter."""
    live = effective_support(params, support)
    rates = inner_rates(params, live)
    users = start_users(params, items, live)
    for _ in range(steps):
        users = inner_step(items, users, live, rates)
    return users
