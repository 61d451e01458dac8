"""A tiny model and two tasks in float64, the shape of tests/unit/core/fixture.ts (7 items, 3 features, dim 4)."""

from __future__ import annotations

import numpy as np
import torch

from localrec_trainer.core.features import FeatureRows, item_inputs
from localrec_trainer.core.meta import TaskBatch
from localrec_trainer.core.model import ItemInputs
from localrec_trainer.core.rows import Feedback, Rows
from localrec_trainer.core.params import ModelShape, Params, init_params

DTYPE = torch.float64


def rows(entries: list[tuple[int, int, float]], batch: int) -> Rows:
    """Rows from (row, item, value) triples."""
    r, i, v = zip(*entries) if entries else ((), (), ())
    return Rows(torch.tensor(r, dtype=torch.long), torch.tensor(i, dtype=torch.long), torch.tensor(v, dtype=DTYPE), batch)


def tiny_model(seed: int = 1) -> tuple[ModelShape, Params, ItemInputs]:
    shape = ModelShape(items=7, features=3, dim=4)
    params = init_params(shape, seed, scale=0.5, inner_lr=0.7, proto_scale=0.8, dtype=DTYPE)
    params["itemBias"] = torch.tensor([0.3, -0.2, 0.1, 0.5, -0.4, 0.9, -0.9], dtype=DTYPE)
    params["contentBias"] = torch.tensor([0.1, 0.2, -0.3], dtype=DTYPE)
    rng = np.random.default_rng(seed + 100)
    ptr, cols, weights = [0], [], []
    for _ in range(shape.items):
        tags = [c for c in (1, 2) if rng.random() < 0.5]
        cols += [0] + tags
        weights += [1.0] + [1 / np.sqrt(len(tags)) if tags else 0.0] * len(tags)
        ptr.append(len(cols))
    features = FeatureRows(np.array(ptr), np.array(cols), np.array(weights, dtype=np.float32), 3)
    warm = np.array([1, 1, 1, 1, 1, 0, 0], dtype=np.float32)
    log_pop = np.array([3, 1.5, 2, 0.7, 1, 0, 0], dtype=np.float32)
    return shape, params, item_inputs(features, warm, log_pop, DTYPE)


def tiny_tasks() -> TaskBatch:
    """Two users' support (with impressions and neighbour rows) and query (with exclusions)."""
    support = Feedback(
        positives=rows([(0, 0, 0.5), (0, 1, 0.5), (1, 3, 1.0)], 2),
        negatives=rows([(0, 2, 0.25), (0, 4, 0.25)], 2),
        count=torch.tensor([[2.0], [1.0]], dtype=DTYPE),
        neighbours=rows([(0, 0, 0.2), (0, 1, 0.1), (0, 2, 0.6), (0, 4, 0.3), (0, 5, 0.05), (1, 0, 0.4), (1, 4, 0.7), (1, 6, 0.2)], 2),
    )
    query = Feedback(
        positives=rows([(0, 5, 1.0), (1, 2, 0.5), (1, 6, 0.5)], 2),
        negatives=rows([(1, 1, 0.5)], 2),
        excluded=rows([(0, 0, 1.0), (0, 1, 1.0), (1, 3, 1.0)], 2),
    )
    return TaskBatch(support, query)
