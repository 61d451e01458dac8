"""Command-line flags of the distributed trainer: the names of `npm run train`'s training flags.

`npm run train:dist` prepares the data in Node and passes these through to
`python -m localrec_trainer` under torchrun.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional, Sequence

from .train.config import ALGORITHMS, DEFAULT_TRAIN_CONFIG, TRANSFERS, TrainConfig

d = DEFAULT_TRAIN_CONFIG


def _bool(text: str) -> bool:
    if text not in ("true", "false"):
        raise argparse.ArgumentTypeError(f'"{text}" must be true or false')
    return text == "true"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m localrec_trainer", description="Meta-trains a localrec model with PyTorch (DDP under torchrun).")
    p.add_argument("--prepared", type=Path, required=True, help="the prepared-data bundle (npm run train:dist writes it)")
    p.add_argument("--out", type=Path, required=True, help="artifact directory to write (what a website serves)")
    p.add_argument("--checkpoint", type=Path, help="checkpoint to write at every validation (default: <prepared>/../checkpoint.pt)")
    p.add_argument("--resume", type=Path, help="a checkpoint.pt to continue from (same data and flags; --iterations may grow)")
    p.add_argument("--max-minutes", type=float, help="stop after this wall time and write the best validated model")
    p.add_argument("--algo", choices=ALGORITHMS, default=d.algorithm)
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--dim", type=int, default=d.dim)
    p.add_argument("--steps", type=int, default=d.inner_steps)
    p.add_argument("--iterations", type=int, default=d.iterations)
    p.add_argument("--pretrain-iterations", type=int, default=d.pretrain_iterations)
    p.add_argument("--validate-every", type=int, default=d.validate_every)
    p.add_argument("--transfer", choices=TRANSFERS, default=d.transfer)
    p.add_argument("--batch", type=int, default=d.batch_size, help="tasks per meta-batch over all processes")
    p.add_argument("--meta-lr", type=float, default=d.meta_lr)
    p.add_argument("--inner-lr", type=float, default=d.inner_lr)
    p.add_argument("--learn-rates", type=_bool, default=d.learn_rates)
    p.add_argument("--weight-decay", type=float, default=d.weight_decay)
    p.add_argument("--negative-weight", type=float, default=0.5)
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                   help="float64 checks the distributed wiring without float32 rounding noise (the artifact is float32 either way)")
    return p


def parse(argv: Optional[Sequence[str]] = None) -> tuple[argparse.Namespace, TrainConfig]:
    args = parser().parse_args(argv)
    config = TrainConfig(
        algorithm=args.algo,
        seed=args.seed,
        dim=args.dim,
        inner_steps=args.steps,
        iterations=args.iterations,
        pretrain_iterations=args.pretrain_iterations,
        validate_every=args.validate_every,
        transfer=args.transfer,
        batch_size=args.batch,
        meta_lr=args.meta_lr,
        inner_lr=args.inner_lr,
        learn_rates=args.learn_rates,
        weight_decay=args.weight_decay,
    )
    return args, config
