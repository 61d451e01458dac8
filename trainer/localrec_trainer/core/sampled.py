"""Sampled softmax (the scale spec's contract, shared with the Node trainer).

Above `sampledAbove` catalog items a meta-training task runs whole on a
sampled sub-catalog, and the pooled-pretraining loss scores candidates. Per batch:
- P: the distinct items the batch clicked, support and query (for pretraining:
  the positives of its loss), in-batch negatives for the other tasks;
- S draws with replacement from q(i) ∝ (n_i + 1)^0.75 (n_i: the item's training
  users); D: the distinct drawn items;
- candidates C = P ∪ D, shared by every task; task b's logit for candidate i is
  s_b(i) − log r_i, with r_i = 1 on P and r_i = 1 − (1 − q(i))^S (its inclusion
  probability) on D \\ P, so the log-sum-exp over C is the Horvitz–Thompson
  estimate of the full catalog's normaliser (the logQ correction).
Items a task excludes (its support) stay excluded. A meta-training batch sees
C as its catalog (candidate_table, candidate_batch): the item table's rows at C
with −log r as a score offset and every row of the batch in C's columns, so the
start, the inner loop and the query loss are the full-catalog functions on |C|
items (src/core/sampled.ts does the same).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import torch
from torch import Tensor

from .model import EXCLUDED_OFFSET, ItemTable, UserBatch, add_rows
from .rows import Feedback, Rows

PROPOSAL_POWER = 0.75
"""q(i) ∝ (n_i + 1)^0.75: popular items are drawn more often, rare ones still drawn."""


@dataclass(frozen=True)
class Candidates:
    """The candidates of one batch: catalog indices (ascending), their −log r, and each item's column."""

    items: Tensor  # long [C]
    log_r: Tensor  # [C] log inclusion probability: 0 on the batch's positives
    position: Tensor  # long [catalog] column of each item among the candidates, -1 elsewhere


def proposal(counts: np.ndarray) -> np.ndarray:
    """q over the catalog from the items' training users (float64, sums to 1)."""
    weights = np.power(np.asarray(counts, dtype=np.float64) + 1, PROPOSAL_POWER)
    return weights / weights.sum()


def draw(q: np.ndarray, draws: int, generator: torch.Generator) -> np.ndarray:
    """`draws` item ids drawn with replacement from q (the ids an equivalence test passes explicitly)."""
    return torch.multinomial(torch.from_numpy(q), draws, replacement=True, generator=generator).numpy()


def candidates(positives: np.ndarray, drawn: np.ndarray, q: np.ndarray, draws: int, dtype: torch.dtype) -> Candidates:
    """C = P ∪ D with log r_i: 0 on P, log(1 − (1 − q_i)^S) on D \\ P (`draws` = S)."""
    items = len(q)
    pos = np.unique(np.asarray(positives, dtype=np.int64))
    union = np.union1d(pos, np.asarray(drawn, dtype=np.int64))
    # 1 − (1 − q)^S without cancellation for tiny q
    log_r = np.log(-np.expm1(draws * np.log1p(-q[union])))
    log_r[np.isin(union, pos, assume_unique=True)] = 0.0
    position = np.full(items, -1, dtype=np.int64)
    position[union] = np.arange(len(union))
    return Candidates(torch.from_numpy(union), torch.from_numpy(log_r).to(dtype), torch.from_numpy(position))


def candidate_scores(items: ItemTable, users: UserBatch, c: Candidates) -> Tensor:
    """[B, C] scores of the candidates, rows (item-item, sequential) restricted to them; no correction yet."""
    vectors, bias = items.vectors[c.items], items.bias[c.items]
    restricted = UserBatch(users.user, users.pop,
                           users.knn, users.neighbours.restricted(c.position) if users.neighbours is not None else None,
                           users.seq, users.transitions.restricted(c.position) if users.transitions is not None else None)
    return add_rows(torch.addmm(users.pop * bias[None, :], users.user, vectors.T), restricted)


def sampled_loss(scores: Tensor, feedback: Feedback, c: Candidates) -> Tensor:
    """Per-user loss [B] over the candidates: Σpos · logsumexp_C(s − log r) − Σ_i pos_i s_i (positives lie in P: r = 1)."""
    if feedback.negatives is not None:
        raise ValueError("The sampled softmax trains on clicks only: impressions (negatives) need the full-catalog loss.")
    logits = scores - c.log_r[None, :]
    if feedback.excluded is not None:
        logits = logits + feedback.excluded.restricted(c.position).mask(logits.shape[1]) * EXCLUDED_OFFSET
    pos = feedback.positives.restricted(c.position)
    if len(pos.row) != len(feedback.positives.row):
        raise ValueError("A positive of the loss is not among the candidates: build them from every positive of the batch.")
    return pos.totals() * torch.logsumexp(logits, 1) - pos.dot(logits)


def batch_positives(rows: Rows) -> np.ndarray:
    """The distinct items with a positive weight in `rows` (P of one process's part of a batch)."""
    return np.unique(rows.item[rows.value > 0].numpy())


def candidate_table(items: ItemTable, c: Candidates) -> ItemTable:
    """The item table of the candidates ([C] rows, row k = item c.items[k]) with −log r as the score offset (candidateTable)."""
    return ItemTable(items.vectors[c.items], items.bias[c.items], items.context[c.items], -c.log_r)


def candidate_feedback(feedback: Feedback, c: Candidates) -> Feedback:
    """Every row set of `feedback` in the candidates' columns; a click off the candidates is an error (it would be lost)."""
    out = {}
    for f in fields(feedback):
        value = getattr(feedback, f.name)
        if isinstance(value, Rows):
            kept = value.restricted(c.position)
            if f.name == "positives" and len(kept.row) != len(value.row):
                raise ValueError("A click of the batch is not among the candidates: build them from every support and query click.")
            out[f.name] = kept
    return replace(feedback, **out)
