"""Implicit ALS and the content regression of the ALS start (eval/ials_train.py, train/content_map.py)."""

import numpy as np
import torch

from localrec_trainer.core.features import feature_rows, feature_vocabulary
from localrec_trainer.core.ragged import Ragged
from localrec_trainer.eval.ials_train import seeded_random, solve_rows
from localrec_trainer.train.content_map import CONTENT_RIDGE, content_regression


def exact(f: torch.Tensor, items: np.ndarray, alpha: float, lam: float) -> torch.Tensor:
    if len(items) == 0:
        return torch.zeros(f.shape[1], dtype=f.dtype)
    a = f.T @ f + lam * torch.eye(f.shape[1], dtype=f.dtype) + alpha * f[items].T @ f[items]
    return torch.linalg.solve(a, (1 + alpha) * f[items].sum(0))


def test_short_rows_are_solved_exactly_and_long_rows_converge_by_conjugate_gradient():
    rng = np.random.default_rng(2)
    f = torch.from_numpy(rng.normal(size=(25, 4)))
    rows = Ragged.of([rng.choice(25, size=k, replace=False).astype(np.int32) for k in (0, 1, 3, 7, 20, 2)])
    start = torch.zeros(len(rows), 4, dtype=torch.float64)
    few = solve_rows(start, rows, f, alpha=10.0, lam=3.0, cg_steps=1)
    enough = solve_rows(start, rows, f, alpha=10.0, lam=3.0, cg_steps=4)  # d steps: exact in exact arithmetic
    for r in range(len(rows)):
        expected = exact(f, rows.row(r), 10.0, 3.0)
        assert torch.allclose(enough[r], expected, atol=1e-8), r
        if len(rows.row(r)) <= 3:
            assert torch.allclose(few[r], expected, atol=1e-10), r  # Woodbury, whatever the CG steps
    assert not torch.allclose(few[4], exact(f, rows.row(4), 10.0, 3.0), atol=1e-3)  # one CG step is not the solution


def test_the_start_is_the_typescript_mulberry32_stream():
    # seededRandom(1) of src/eval/random.ts, printed by Node
    assert seeded_random(1, 4).tolist() == [0.6270739405881613, 0.002735721180215478, 0.5274470399599522, 0.9810509674716741]


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
