"""CPU seconds of the PyTorch trainer's two heavy steps on a prepared bundle, on whichever BLAS torch loaded.

  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/blas            /usr/bin/python3 bench/reference/torch-blas.py <prepared>
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread /usr/bin/python3 bench/reference/torch-blas.py <prepared>

A MAML meta-batch (32 next-click tasks, 2 inner steps, sampled softmax above
20,000 items: forward and backward) and the next-click validation of 32
users (full-catalog adaptation at every step), with one thread, as the
trainer runs them. CPU time, not wall time: the machine is shared.
Prints one JSON line (bench/train-scale.ts's README table cites it).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "trainer"))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from localrec_trainer.core.meta import MetaConfig, Share, meta_objective  # noqa: E402
from localrec_trainer.core.params import ModelShape, init_params  # noqa: E402
from localrec_trainer.core.features import item_inputs  # noqa: E402
from localrec_trainer.distributed.main import blas_library  # noqa: E402
from localrec_trainer.distributed.world import World  # noqa: E402
from localrec_trainer.train.config import TrainConfig  # noqa: E402
from localrec_trainer.train.prepared import read_prepared  # noqa: E402
from localrec_trainer.train.sampling import Sampling  # noqa: E402
from localrec_trainer.train.tasks import NEXT_CLICK_HISTORY, TaskRecency, eligible_users, sample_tasks  # noqa: E402
from localrec_trainer.train.item_side import item_side  # noqa: E402
from localrec_trainer.train.validate import validate  # noqa: E402


def main() -> None:
    torch.set_num_threads(1)
    prepared = read_prepared(sys.argv[1])
    data = prepared.data
    config = TrainConfig()
    side = item_side(data, prepared.vocabulary.names)
    shape = ModelShape(len(data.tags), len(side.names), config.dim)
    inputs = item_inputs(side.features, side.warm, side.log_pop)
    params = {n: t.requires_grad_(True) for n, t in init_params(shape, 1, inner_lr=config.inner_lr, proto_scale=1, decay=0.9).items()}
    meta = MetaConfig("maml", config.inner_steps, True, config.weight_decay, False, True, False)
    world = World(0, 1, torch.device("cpu"), None)
    sampling = Sampling.of(data.train, shape.items, config, world, "blas")
    rng = np.random.default_rng(1)
    eligible = eligible_users(data.train)
    batches = 3
    cpu = time.process_time()
    for it in range(batches):
        picks = eligible[rng.choice(len(eligible), config.batch_size)]
        history = np.minimum(data.train.lengths()[picks] - 1, NEXT_CLICK_HISTORY)
        batch = sample_tasks(data.train, picks, 1 + rng.integers(0, history), None, torch.float32, None, TaskRecency(0.9, True),
                             np.ones(len(picks), dtype=bool))
        candidates = sampling.candidates(it + 1, batch.query.positives) if sampling is not None else None
        clicks = float(batch.query.positives.totals().sum())
        meta_objective(params, inputs, batch, meta, Share(clicks, config.batch_size), candidates).backward()
    meta_s = (time.process_time() - cpu) / batches
    users = data.validation.take(np.arange(32))
    cpu = time.process_time()
    with torch.no_grad():
        v = validate({n: t.detach() for n, t in params.items()}, inputs, users, "v2", config.validation_ks, config.inner_steps)
    validation_s = time.process_time() - cpu
    print(json.dumps({"blas": blas_library(), "items": shape.items, "meta_batch_cpu_s": round(meta_s, 2), "tasks_per_cpu_s": round(config.batch_size / meta_s, 1),
                      "validation_32_users_cpu_s": round(validation_s, 2), "validation_users": len(data.validation), "hr10": round(v.mean, 4)}))


if __name__ == "__main__":
    main()
