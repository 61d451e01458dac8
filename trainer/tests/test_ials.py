"""Implicit ALS and the content regression of the ALS start (eval/ials_train.py, train/content_map.py)."""

import numpy as np
import torch

from localrec_trainer.core.features import feature_rows, feature_vocabulary
from localrec_trainer.core.ragged import Ragged
from localrec_trainer.eval.ials_train import solve_rows
from localrec_trainer.train.content_map import CONTENT_RIDGE, content_regression


def test_every_row_is_the_exact_weighted_ridge_solution():
    rng = np.random.default_rng(2)
    f = torch.from_numpy(rng.normal(size=(25, 4)))
    rows = Ragged.of([rng.choice(25, size=k, replace=False).astype(np.int32) for k in (0, 1, 3, 7, 20, 2)])
    x = solve_rows(rows, f, alpha=10.0, lam=3.0)
    for r in range(len(rows)):
        items = rows.row(r)
        a = f.T @ f + 3.0 * torch.eye(4) + 10.0 * f[items].T @ f[items]
        b = 11.0 * f[items].sum(0)
        expected = torch.linalg.solve(a, b) if len(items) else torch.zeros(4, dtype=f.dtype)
        assert torch.allclose(x[r], expected, atol=1e-10), r


def test_content_maps_fit_warm_items_and_give_cold_items_their_tags_vector():
    tags = [["a"], ["a", "b"], ["b"], ["a", "b"], [], ["a"]]
    names = feature_vocabulary(tags, min_count=1)
    rows = feature_rows(tags, names)
    warm = np.array([1, 1, 1, 1, 1, 0], dtype=np.float32)
    emb = np.random.default_rng(3).normal(size=(6, 2)).astype(np.float32)
    mapping, residual = content_regression(rows, warm).split(emb)
    x = rows.dense().astype(np.float64)
    w = warm.astype(bool)
    expected = np.linalg.solve(x[w].T @ x[w] + CONTENT_RIDGE * np.eye(len(names)), x[w].T @ emb[w])
    assert np.allclose(mapping, expected, atol=1e-5)
    assert np.allclose(x[w] @ mapping + residual[w], emb[w], atol=1e-5)  # warm items score as before
    assert np.allclose(residual[~w], 0) and np.allclose(x[~w] @ mapping, x[~w] @ expected, atol=1e-5)
