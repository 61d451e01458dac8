"""Scores and losses (src/core/model.ts).

The score of item i for user b is `U[b]·V[i] + P[b]·bias[i] (+ K[b]·row[b, i])`:
a user vector against item vectors, a user-specific weight on the popularity
prior and, when the model has neighbours, an adapted weight on the user's
item-item row. Items: `V = X·contentW + warm ⊙ itemEmb`,
`bias = X·contentBias + warm ⊙ itemBias + popWeight · log(1 + count)`.

Feedback is kept as sparse rows (index lists with weights), not dense
[B, items] rows: only the scores and their softmax are dense. The losses and
the closed-form inner gradient are the TypeScript ones term for term.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass, replace
from typing import Optional, TypeVar

import torch
import torch.nn.functional as F
from torch import Tensor

from .params import Params

T = TypeVar("T")

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


@dataclass(frozen=True)
class Rows:
    """B sparse rows over the catalog: entry e adds `value[e]` at (row[e], item[e]); repeats add up."""

    row: Tensor  # long [nnz]
    item: Tensor  # long [nnz]
    value: Tensor  # [nnz]
    batch: int

    def dense(self, items: int) -> Tensor:
        """The [B, items] matrix (repeated entries summed)."""
        out = torch.zeros(self.batch, items, dtype=self.value.dtype, device=self.value.device)
        return out.index_put((self.row, self.item), self.value, accumulate=True)

    def mask(self, items: int) -> Tensor:
        """[B, items]: 1 where the row lists the item with a positive value, else 0."""
        return (self.dense(items) > 0).to(self.value.dtype)

    def totals(self) -> Tensor:
        """Sum of each row's values [B]."""
        return torch.zeros(self.batch, dtype=self.value.dtype, device=self.value.device).index_add(0, self.row, self.value)

    def dot(self, dense: Tensor) -> Tensor:
        """Σ_i row[b, i] · dense[b, i] per row [B]."""
        return torch.zeros(self.batch, dtype=dense.dtype, device=dense.device).index_add(0, self.row, self.value * dense[self.row, self.item])

    def matmul(self, table: Tensor) -> Tensor:
        """rows @ table: [B, items] × [items, d] → [B, d], touching only the listed items."""
        out = torch.zeros(self.batch, table.shape[1], dtype=table.dtype, device=table.device)
        return out.index_add(0, self.row, self.value[:, None] * table[self.item])


@dataclass(frozen=True)
class UserBatch:
    """The adapted, per-user parameters of B users."""

    user: Tensor  # [B, dim]
    pop: Tensor  # [B, 1] weight of the popularity prior
    knn: Optional[Tensor] = None  # [B, 1] weight of the item-item row, when the model has neighbours
    neighbours: Optional[Rows] = None  # the item-item row the weight multiplies, fixed by the clicks


@dataclass(frozen=True)
class Feedback:
    """A batch's feedback: positives (clicks) with rows summing to 1 (or 1 per click), shown-not-clicked negatives."""

    positives: Rows
    negatives: Optional[Rows] = None
    excluded: Optional[Rows] = None  # items that are not candidates (the support when judging the query)
    count: Optional[Tensor] = None  # [B, 1] clicks behind each positives row: the prototype's evidence
    neighbours: Optional[Rows] = None  # mean item-item similarity of each item to the clicked ones

    @property
    def batch(self) -> int:
        return self.positives.batch


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
    scores = users.user @ items.vectors.T + users.pop * items.bias[None, :]
    if users.knn is not None and users.neighbours is not None:
        n = users.neighbours
        scores = scores.index_put((n.row, n.item), users.knn[n.row, 0] * n.value, accumulate=True)
    return scores


def candidate_scores(scores: Tensor, feedback: Feedback) -> Tensor:
    """Scores with the excluded items pushed out of the softmax."""
    if feedback.excluded is None:
        return scores
    return scores + feedback.excluded.mask(scores.shape[1]) * EXCLUDED_OFFSET


def slate_scores(candidates: Tensor, feedback: Feedback, negatives: Rows) -> Tensor:
    """Candidate scores restricted to the slate (clicked and shown items); all others pushed out."""
    n = candidates.shape[1]
    on_slate = ((feedback.positives.dense(n) + negatives.dense(n)) > 0).to(candidates.dtype)
    return candidates + (1 - on_slate) * EXCLUDED_OFFSET


def feedback_loss(scores: Tensor, feedback: Feedback) -> Tensor:
    """Per-user loss [B]: catalog cross-entropy of the clicks, plus λ × their cross-entropy among the shown slate.

    −Σ_i pos_i log softmax(s)_i = Σpos · logsumexp(s) − Σ_i pos_i s_i, computed on the clicked items only.
    """
    pos = feedback.positives
    candidates = candidate_scores(scores, feedback)
    total = pos.totals()
    catalog = total * torch.logsumexp(candidates, 1) - pos.dot(candidates)
    if feedback.negatives is None:
        return catalog
    slate = slate_scores(candidates, feedback, feedback.negatives)
    choice = total * torch.logsumexp(slate, 1) - pos.dot(slate)
    return catalog + feedback.negatives.totals() * choice


def feedback_score_grad(scores: Tensor, feedback: Feedback) -> Tensor:
    """d loss / d scores [B, items] in closed form: `(p·Σpos − pos) + λ·(q·Σpos − pos)`.

    Built from ordinary differentiable operations, so second-order MAML
    differentiates through it (as src/core/model.ts does).
    """
    n = scores.shape[1]
    pos = feedback.positives
    total = pos.totals()[:, None]
    candidates = candidate_scores(scores, feedback)
    clicks = pos.dense(n)
    grad = torch.softmax(candidates, 1) * total - clicks
    if feedback.negatives is None:
        return grad
    lam = feedback.negatives.totals()[:, None]
    q = torch.softmax(slate_scores(candidates, feedback, feedback.negatives), 1)
    return grad + lam * (q * total - clicks)


def user_grad(items: ItemTable, users: UserBatch, feedback: Feedback, scores: Optional[Tensor] = None) -> UserBatch:
    """Gradients of the summed loss with respect to each user's parameters (userGrad; `neighbours`: none).

    `scores`: the users' scores when the caller has them already.
    """
    g = feedback_score_grad(score_batch(items, users) if scores is None else scores, feedback)
    user = g @ items.vectors
    pop = (g * items.bias[None, :]).sum(1, keepdim=True)
    if users.knn is None or users.neighbours is None:
        return UserBatch(user, pop)
    return UserBatch(user, pop, users.neighbours.dot(g)[:, None])


def to_device(value: T, device: torch.device) -> T:
    """The same batch, inputs or feedback with every tensor on `device` (no copy on the CPU)."""
    if device.type == "cpu":
        return value
    if isinstance(value, Tensor):
        return value.to(device)  # type: ignore[return-value]
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: to_device(getattr(value, f.name), device) for f in fields(value)})  # type: ignore[return-value]
    return value
