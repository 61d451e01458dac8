"""Command-line flags of the distributed trainer.

`npm run train:dist` parses npm run train's flags once (src/cli/train-args.ts),
prepares the data in Node and passes the resulting configuration here as JSON
(`--config`, which carries the time budget `maxMinutes` too), with the flags
of the run itself (bundle, output, checkpoints, dtype).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Optional, Sequence

from .train.config import TrainConfig
from .train.neighbour_count import NEIGHBOUR_COUNTS


def _config(text: str) -> TrainConfig:
    try:
        values = json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"--config is not JSON ({error}): pass the training settings as an object, e.g. '{{\"iterations\": 300}}'")
    if not isinstance(values, dict):
        raise argparse.ArgumentTypeError("--config must be a JSON object of training settings, e.g. '{\"iterations\": 300}'")
    try:
        return TrainConfig.from_json(values)
    except (TypeError, ValueError) as error:
        raise argparse.ArgumentTypeError(str(error))


def _counts(text: str) -> list[int]:
    try:
        counts = [int(c) for c in text.split(",")]
    except ValueError:
        counts = []
    if not counts or any(c < 1 for c in counts):
        raise argparse.ArgumentTypeError(f"--neighbour-counts {text!r}: give whole numbers ≥ 1 separated by commas, e.g. 10,20,50")
    return counts


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m localrec_trainer", description="Meta-trains a localrec model with PyTorch (DDP under torchrun).")
    p.add_argument("--prepared", type=Path, required=True, help="the prepared-data bundle (npm run train:dist writes it)")
    p.add_argument("--out", type=Path, required=True, help="artifact directory to write (what a website serves)")
    p.add_argument("--config", type=_config, default=TrainConfig(),
                   help="the training settings as a camelCase JSON object (src/train/config.ts names; omitted ones take their defaults)")
    p.add_argument("--checkpoint", type=Path, help="checkpoint to write at every validation (default: <prepared>/../checkpoint.pt)")
    p.add_argument("--resume", type=Path, help="a checkpoint.pt to continue from (same data and settings; iterations may grow)")
    p.add_argument("--negative-weight", type=float, default=0.5, help="weight of impressions the artifact tells the runtime to use")
    p.add_argument("--neighbour-counts", type=_counts, default=list(NEIGHBOUR_COUNTS),
                   help="neighbour counts tried on validation users after training; the smallest within 0.5%% of the best is shipped")
    p.add_argument("--report", type=Path,
                   help="where rank 0 writes the run's measurements as JSON (seconds, tasks/s, peak RSS), as npm run train --report does")
    p.add_argument("--deadline", type=float,
                   help="when the maxMinutes budget ends, in seconds since the epoch (train:dist passes its start + --max-minutes to "
                        "every process, so the data step counts and all ranks stop alike); default: maxMinutes from this start")
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                   help="float64 checks the distributed wiring without float32 rounding noise (the artifact is float32 either way)")
    return p


def parse(argv: Optional[Sequence[str]] = None) -> tuple[argparse.Namespace, TrainConfig]:
    args = parser().parse_args(argv)
    return args, args.config
