"""The ALS start of a run, its λ grid spread over the processes (alsCandidate in src/train/trainer.ts).

The math is als_start.py's (ALS, the content split, the head search); this is
its wiring into a run: each process factorizes its share of the λs, every
result is broadcast to all, the head is chosen on every process's share of the
validation users, and the choice is checkpointed so a resumed run skips it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import torch

from ..core.params import ModelShape, param_shapes
from .als_start import ALS_ITERATIONS_STAGE, AlsStart, AlsStartConfig, als_data, als_embeddings, select_als_start
from .screening import screening_users
from .types import Arrays

if TYPE_CHECKING:
    from .trainer import TrainContext

ALS_TEMPERATURE = 10.0
"""Logit scale of the ALS start (ALS scores live in [0, 1])."""

ALS_BUDGET_SHARE = 0.45
"""Share of the time budget, from the start of the run, after which the ALS search starts no new trial (trainMeta)."""


def als_candidate(context: "TrainContext") -> AlsStart:
    """The ALS start with its head chosen on the validation users; the λ grid is spread over the processes."""
    saved = context.run.resumed("als")
    if saved is not None:
        return AlsStart(**saved)
    config, world = context.config, context.world
    started = time.monotonic()
    data = als_data(context.data.train, context.shape.items, context.side.features, context.side.warm)
    cfg = AlsStartConfig(config.dim, config.als_alpha, config.als_lambdas, ALS_TEMPERATURE, config.seed)

    # Each ALS runs on one process only, so its stop is that process's own reading of the shared deadline (no
    # collective inside ALS, so no process can wait on another there); the iterations it ran are broadcast with its factors.
    out_of_time = context.run.passed(ALS_BUDGET_SHARE)

    def embed(lambdas: list[float]) -> dict[float, tuple[Arrays, int]]:
        # every process computes its share of the λs at once, then each result goes to all
        mine = {lam: als_embeddings(data, cfg, lam, out_of_time) for i, lam in enumerate(lambdas) if i % world.size == world.rank}
        shapes = embedding_shapes(context.shape)
        out: dict[float, tuple[Arrays, int]] = {}
        for i, lam in enumerate(lambdas):
            arrays = {n: world.broadcast(torch.from_numpy(mine[lam][0][n]) if lam in mine else torch.zeros(shape, dtype=torch.float32), i % world.size).numpy()
                      for n, shape in shapes.items()}
            ran = world.broadcast(torch.tensor([mine[lam][1] if lam in mine else 0], dtype=torch.int64), i % world.size)
            out[lam] = (arrays, int(ran[0]))
        return out

    context.run.progress.log(f"ALS start: λ in {list(config.als_lambdas)}, head chosen on {len(context.data.validation)} validation users")
    # the knn × pop grid is screened on a seeded third of the validation users when that third is large enough (screening.py)
    screen_users = screening_users(context.data.validation, config.seed)
    screen = None if screen_users is None else (len(screen_users), lambda arrays: context.validate_arrays(arrays, users=screen_users))
    als = select_als_start(lambda arrays: context.validate_arrays(arrays), embed, param_shapes(context.shape),
                           config.als_lambdas, context.index is not None, context.eval_steps, context.run.past(ALS_BUDGET_SHARE), world.size,
                           screen)
    if als.stopped_after is not None:
        context.run.stops.append({"stage": "ALS start", "iteration": als.stopped_after})
    if als.iterations_run is not None:
        context.run.stops.append({"stage": ALS_ITERATIONS_STAGE, "iteration": als.iterations_run})
    context.run.progress.log(f"ALS start: validation {als.mean:.4f} with {als.head} ({time.monotonic() - started:.1f} s)")
    context.run.save(als=als.__dict__)
    return als


def embedding_shapes(shape: ModelShape) -> dict[str, tuple[int, ...]]:
    """What an ALS start computes per λ: item and context embeddings and their content maps."""
    shapes = param_shapes(shape)
    return {n: shapes[n] for n in ("itemEmb", "ctxEmb", "contentW", "contentCtx")}
