"""Implicit ALS and the content regression of the ALS start (math/ials.py, math/rng.py, train/content_map.py)."""

import numpy as np
import torch

from localrec_trainer.core.features import feature_rows, feature_vocabulary
from localrec_trainer.core.ragged import Ragged
from localrec_trainer.math.ials import solve_rows
from localrec_trainer.math.rng import uniforms
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


def test_the_start_is_the_typescript_sfc32_stream():
    # createRng(7).next() and createRng('héllo:😀').next() of src/math/rng.ts, printed by Node
    assert uniforms(7, 3).tolist() == [0.4748047913890332, 0.5469241640530527, 0.11604278115555644]
    assert uniforms("héllo:😀", 2).tolist() == [0.685449582291767, 0.0664337205234915]


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


def test_above_the_dense_limit_the_regression_is_solved_sparsely_to_the_same_maps():
    rng = np.random.default_rng(5)
    tags = [[f"t{j}" for j in rng.choice(40, size=rng.integers(0, 4), replace=False)] for _ in range(300)]
    names = feature_vocabulary(tags, min_count=1)
    rows = feature_rows(tags, names)
    warm = (rng.random(300) < 0.8).astype(np.float32)
    emb = rng.normal(size=(300, 5)).astype(np.float32)
    dense = content_regression(rows, warm)
    sparse = content_regression(rows, warm, dense_features=8)
    assert dense.factor is not None and sparse.factor is None  # nothing features × features is built
    for a, b in zip(dense.split(emb), sparse.split(emb)):
        assert np.allclose(a, b, rtol=1e-6, atol=1e-6)
