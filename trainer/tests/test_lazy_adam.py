"""Lazy (row-sparse) Adam of the item tables (math/lazy_adam.py ↔ src/math/lazy-adam.ts).

Hand-computed steps on rows touched and untouched, dense Adam when every row is
touched, the checkpointed state; tests/bridge.py answers {"kind": "lazyAdam"}
for the TypeScript side (tests/unit/train/torch-lazy-adam.test.ts).
"""

import pytest
import torch

from localrec_trainer.math.lazy_adam import AdamSettings, LazyAdam, lazy_adam_step

LR = 0.01
S = AdamSettings(LR)


def test_a_step_moves_the_touched_rows_by_hand_computed_amounts_and_leaves_the_others():
    start = torch.tensor([[1.0, -1.0], [2.0, -2.0], [3.0, -3.0], [4.0, -4.0]], dtype=torch.float64)
    values, m, v = start.clone(), torch.zeros_like(start), torch.zeros_like(start)
    lazy_adam_step(values, m, v, torch.tensor([0, 2]), torch.tensor([[0.5, -2.0], [4.0, 0.0]], dtype=torch.float64), 1, S)
    # t = 1: m̂ = g, v̂ = g²: each coordinate moves by lr · g / (|g| + ε), 0 where g = 0.
    assert torch.allclose(values, torch.tensor([[1 - LR, -1 + LR], [2, -2], [3 - LR, -3], [4, -4]], dtype=torch.float64), atol=1e-8)
    assert torch.allclose(m, torch.tensor([[0.05, -0.2], [0, 0], [0.4, 0], [0, 0]], dtype=torch.float64))
    after_one = (values.clone(), m.clone(), v.clone())
    lazy_adam_step(values, m, v, torch.tensor([2, 3]), torch.tensor([[4.0, 1.0], [-3.0, 0.0]], dtype=torch.float64), 2, S)
    # Row 2 (g = 4 twice) moves by lr again; a coordinate first stepped at t = 2 (global count) by lr · 0.526316 / 0.707284.
    assert values[2, 0] == pytest.approx(3 - 2 * LR, abs=1e-8)
    assert values[2, 1] == pytest.approx(-3 - LR * 0.744136, abs=1e-7)
    assert values[3, 0] == pytest.approx(4 + LR * 0.744136, abs=1e-7)
    assert values[3, 1] == -4
    # Rows 0 and 1, not touched at step 2: values and moments as after step 1.
    for now, then in zip((values, m, v), after_one):
        assert torch.equal(now[:2], then[:2])
    assert torch.equal(values[1], start[1]) and torch.equal(v[1], torch.zeros(2, dtype=torch.float64))


def test_touching_every_row_at_every_step_is_torch_adam_with_tfjs_epsilon():
    g = torch.Generator().manual_seed(3)
    start = torch.rand(5, 3, generator=g, dtype=torch.float64) - 0.5
    ours = torch.nn.Parameter(start.clone())
    theirs = torch.nn.Parameter(start.clone())
    lazy = LazyAdam({"t": ours}, S)
    adam = torch.optim.Adam([theirs], lr=LR, eps=S.epsilon)
    for _ in range(4):
        grad = torch.rand(5, 3, generator=g, dtype=torch.float64) * 2 - 1
        ours.grad, theirs.grad = grad.clone(), grad.clone()
        lazy.step(torch.arange(5))
        adam.step()
    assert torch.allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_the_state_resumes_where_it_stopped_and_bad_input_is_named():
    p = torch.nn.Parameter(torch.ones(4, 2, dtype=torch.float64))
    lazy = LazyAdam({"t": p}, S)
    p.grad = torch.full((4, 2), 0.5, dtype=torch.float64)
    lazy.step(torch.tensor([1, 3]))
    q = torch.nn.Parameter(p.detach().clone())
    again = LazyAdam({"t": q}, S)
    again.load_state_dict(lazy.state_dict())
    for opt, param in ((lazy, p), (again, q)):
        param.grad = torch.full((4, 2), -0.25, dtype=torch.float64)
        opt.step(torch.tensor([0, 1]))
    assert again.steps == lazy.steps == 2
    assert torch.equal(p, q)
    assert torch.equal(p[2], torch.ones(2, dtype=torch.float64))
    with pytest.raises(ValueError, match="≥ 1, got 0"):
        lazy_adam_step(p.data, lazy.m["t"], lazy.v["t"], torch.tensor([0]), torch.zeros(1, 2, dtype=torch.float64), 0, S)
    with pytest.raises(ValueError, match=r"gradients of shape \(2, 2\) for rows of shape \(1, 2\)"):
        lazy_adam_step(p.data, lazy.m["t"], lazy.v["t"], torch.tensor([0]), torch.zeros(2, 2, dtype=torch.float64), 1, S)
