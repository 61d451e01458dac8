"""Scores and losses (src/core/model.ts).

The score of item i for user b is `U[b]·V[i] + P[b]·bias[i] (+ K[b]·n[b, i]) (+ S[b]·s[b, i])`:
a user vector against item vectors, a user-specific weight on the popularity
prior, and adapted weights on the user's item-item row (when the model has
neighbours) and sequential row (when it has transition lists). Items: `V = X·contentW + warm ⊙ itemEmb`,
`bias = X·contentBias + warm ⊙ itemBias + popWeight · log(1 + count)`.

Feedback is kept as sparse rows (core/rows.py: index lists with weights),
not dense [B, items] rows: only the scores and their softmax are dense. The
losses and the closed-form inner gradient are the TypeScript ones term for term.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from .params import Params
from .rows import Feedback, Rows, Slate

EXCLUDED_OFFSET = -1e4
"""Score offset that takes an excluded item out of the softmax."""


@dataclass(frozen=True)
class ItemInputs:
    """The fixed, non-learned inputs of the item side; content as CSR for an embedding bag."""

    cols: Tensor  # long [nnz] feature index of each entry
    offsets: Tensor  # long [items] where each item's entries start
    weights: Tensor  # [nnz] value of each entry (feature 0 is 1, tags 1/sqrt(#tags))
    features: int
    warm: Tensor  # [items, 1] 1 where the item had training interactions
    log_pop: Tensor  # [items, 1] log(1 + training users with the item)

    @property
    def items(self) -> int:
        return self.warm.shape[0]


@dataclass(frozen=True)
class ItemTable:
    """Item vectors [items, dim], popularity prior [items] and context vectors [items, dim]."""

    vectors: Tensor
    bias: Tensor
    context: Tensor
    # [items] a constant added to every user's score of the item, only on a sampled
    # sub-catalog (core/sampled.py candidate_table): −log r_i. None: 0.
    offset: Optional[Tensor] = None


@dataclass(frozen=True)
class UserBatch:
    """The adapted, per-user parameters of B users."""

    user: Tensor  # [B, dim]
    pop: Tensor  # [B, 1] weight of the popularity prior
    knn: Optional[Tensor] = None  # [B, 1] weight of the item-item row, when the model has neighbours
    neighbours: Optional[Rows] = None  # the item-item row the weight multiplies, fixed by the clicks
    seq: Optional[Tensor] = None  # [B, 1] weight of the sequential term, when the model has transition lists
    transitions: Optional[Rows] = None  # the transition row it multiplies (what tends to follow the last clicks)


def item_table(params: Params, inputs: ItemInputs) -> ItemTable:
    """Item vectors, bias and context vectors from the meta-parameters (computeItemTable; differentiable)."""

    def project(weight: Tensor) -> Tensor:
        return F.embedding_bag(inputs.cols, weight, inputs.offsets, mode="sum", per_sample_weights=inputs.weights)

    vectors = project(params["contentW"]) + inputs.warm * params["itemEmb"]
    bias = (
        project(params["contentBias"].reshape(-1, 1))
        + inputs.warm * params["itemBias"].reshape(-1, 1)
        + inputs.log_pop * params["popWeight"]
    )
    context = project(params["contentCtx"]) + inputs.warm * params["ctxEmb"]
    return ItemTable(vectors, bias.reshape(-1), context)


def score_batch(items: ItemTable, users: UserBatch) -> Tensor:
    """Scores of every item for every user in the batch: [B, items]."""
    scores = torch.addmm(users.pop * items.bias[None, :], users.user, items.vectors.T)
    return add_rows(scores if items.offset is None else scores + items.offset[None, :], users)


def add_rows(scores: Tensor, users: UserBatch) -> Tensor:
    """Scores plus the users' weighted item-item and sequential rows (their columns must be the scores' columns)."""
    for weight, rows in ((users.knn, users.neighbours), (users.seq, users.transitions)):
        if weight is not None and rows is not None:
            scores = scores.index_put((rows.row, rows.item), weight[rows.row, 0] * rows.value, accumulate=True)
    return scores


def candidate_scores(scores: Tensor, feedback: Feedback) -> Tensor:
    """Scores with the excluded items pushed out of the softmax."""
    if feedback.excluded is None:
        return scores
    return scores + feedback.excluded.mask(scores.shape[1]) * EXCLUDED_OFFSET


def slate_log_z(candidates: Tensor, slate: Slate) -> Tensor:
    """log Σ exp(score) over each row's slate [B] (0 for an empty slate), touching the slate items only.

    TypeScript pushes every other item out with a −1e4 offset, whose exp is 0 in
    float32: the same sum.
    """
    scores = candidates.gather(1, slate.padded).masked_fill(~slate.valid, -torch.inf)
    log_z = torch.logsumexp(scores, 1)
    return torch.where(slate.valid.any(1), log_z, torch.zeros_like(log_z))


def feedback_loss(scores: Tensor, feedback: Feedback) -> Tensor:
    """Per-user loss [B]: catalog cross-entropy of the clicks, plus λ × their cross-entropy among the shown slate.

    −Σ_i pos_i log softmax(s)_i = Σpos · logsumexp(s) − Σ_i pos_i s_i, computed on the clicked items only.
    """
    pos = feedback.positives
    candidates = candidate_scores(scores, feedback)
    total = pos.totals()
    clicked = pos.dot(candidates)
    catalog = total * torch.logsumexp(candidates, 1) - clicked
    if feedback.negatives is None:
        return catalog
    # the clicked items are on the slate, so their slate scores are their candidate scores
    choice = total * slate_log_z(candidates, feedback.slate) - clicked
    return catalog + feedback.negatives.totals() * choice


def feedback_score_grad(scores: Tensor, feedback: Feedback) -> Tensor:
    """d loss / d scores [B, items] in closed form: `(p·Σpos − pos) + λ·(q·Σpos − pos)`.

    Built from ordinary differentiable operations, so second-order MAML
    differentiates through it (as src/core/model.ts does); q lives on the slate only.
    """
    return feedback_loss_and_grad(scores, feedback)[1]


def feedback_loss_and_grad(scores: Tensor, feedback: Feedback) -> tuple[Tensor, Tensor]:
    """The loss [B] and its closed-form gradient [B, items] from one softmax (an adaptation step reports one, takes the other)."""
    pos = feedback.positives
    total = pos.totals()
    candidates = candidate_scores(scores, feedback)
    clicked = pos.dot(candidates)
    log_z = torch.logsumexp(candidates, 1)
    loss = total * log_z - clicked
    grad = torch.exp(candidates - log_z[:, None]) * total[:, None]
    if feedback.negatives is None:
        return loss, grad.index_put((pos.row, pos.item), -pos.value, accumulate=True)
    lam = feedback.negatives.totals()
    slate = feedback.slate
    row, item = slate.row, slate.item
    slate_z = slate_log_z(candidates, slate)
    loss = loss + lam * (total * slate_z - clicked)
    q = torch.exp(candidates[row, item] - slate_z[row])
    grad = grad.index_put((row, item), lam[row] * total[row] * q, accumulate=True)
    return loss, grad.index_put((pos.row, pos.item), -(1 + lam[pos.row]) * pos.value, accumulate=True)


def user_grad(items: ItemTable, users: UserBatch, feedback: Feedback, score_grad: Optional[Tensor] = None) -> UserBatch:
    """Gradients of the summed loss with respect to each user's parameters (userGrad; `neighbours`, `transitions`: none).

    `score_grad`: d loss / d scores of these users when the caller has it already.
    """
    g = feedback_score_grad(score_batch(items, users), feedback) if score_grad is None else score_grad
    user = g @ items.vectors
    pop = (g * items.bias[None, :]).sum(1, keepdim=True)
    knn = users.neighbours.dot(g)[:, None] if users.knn is not None and users.neighbours is not None else None
    seq = users.transitions.dot(g)[:, None] if users.seq is not None and users.transitions is not None else None
    return UserBatch(user, pop, knn, None, seq, None)
