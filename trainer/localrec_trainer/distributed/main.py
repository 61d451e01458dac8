"""The command every process runs: setup → train → write the artifact (rank 0) → cleanup."""

from __future__ import annotations

import datetime
import time
from pathlib import Path
from typing import Optional

import torch

from ..progress import Progress
from .checkpoint import load_checkpoint
from .run import Run
from .world import check_same_data, cleanup, setup


def blas_library() -> str:
    """Which BLAS torch's matrix products run on: "openblas", "reference" (Debian's libblas), or the library's name."""
    torch.ones(2, 2) @ torch.ones(2, 2)  # loads the BLAS
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            libraries = {line.split()[-1] for line in maps if "blas" in line.lower()}
    except OSError:
        return "unknown"
    if any("openblas" in lib for lib in libraries):
        return "openblas"
    if any("/blas/libblas.so" in lib for lib in libraries):
        return "reference"
    return ", ".join(sorted(Path(lib).name for lib in libraries)) or "built in"


def blas_hint(blas: str) -> Optional[str]:
    """A hint when torch runs on Debian's reference BLAS, whose matrix products are several times slower than OpenBLAS's."""
    if blas != "reference":
        return None
    return ("torch runs on the reference BLAS: training takes several times less CPU with OpenBLAS "
            "(Debian: apt-get install libopenblas0-pthread; npm run train:dist then uses it).")


def peak_rss_mb() -> float:
    """This process's peak resident memory, MB (Linux reports ru_maxrss in KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_report(path: Path, measured: dict) -> None:
    """The run's measurements, kept out of the artifact so that its bytes depend only on data, flags and seed."""
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(measured, indent=2) + "\n")


def main(argv: Optional[list[str]] = None) -> int:
    """setup → train (every process) → write the artifact (rank 0) → cleanup."""
    launched = time.monotonic()
    from ..cli import parse
    from ..output import write_model
    from ..train.prepared import check_choices, read_prepared
    from ..train.loop import SCORE_NAMES
    from ..train.trainer import train

    args, config = parse(argv)
    world = setup()
    progress = Progress(enabled=world.is_main)
    try:
        prepared = read_prepared(args.prepared)
        check_choices(prepared, config)
        check_same_data(world, prepared.fingerprint, prepared.choices_digest)
        identity = {"fingerprint": prepared.fingerprint, "config": config.to_json()}
        resume = load_checkpoint(args.resume, identity) if args.resume else None
        checkpoint = args.checkpoint or args.prepared.resolve().parent / "checkpoint.pt"
        # One clock for every rank: rank 0's deadline (nodes launched apart would each have counted from their own start).
        given = world.gather(torch.tensor([args.deadline if args.deadline is not None else float("nan")], dtype=torch.float64)).tolist()
        deadline = world.broadcast_object(args.deadline, 0)
        run = Run(world, progress, max_minutes=config.max_minutes, deadline=deadline, checkpoint=checkpoint, resume=resume, identity=identity)
        if deadline is not None and config.max_minutes > 0:
            progress.log(f"time budget: {config.max_minutes} min from the command's start, {max(0.0, deadline - time.time()) / 60:.1f} min left "
                         f"(ends {datetime.datetime.fromtimestamp(deadline, datetime.timezone.utc).strftime('%H:%M:%S')} UTC on every rank)")
        dataset = prepared.header["dataset"]
        data = prepared.data
        vocabulary = prepared.vocabulary
        progress.log(f"{dataset['name']}: {dataset['items']} items, {len(data.train)} training users, {len(data.validation)} validation users ({dataset['positives']}); "
                     f"vocabulary: tags on ≥ {vocabulary.min_count} items, {len(vocabulary.names)} features (chosen by the data step)")
        progress.log(f"{config.algorithm} on {world.size} process{'es' if world.size > 1 else ''} ({world.backend or 'no process group'}, "
                     f"{torch.get_num_threads()} thread{'s' if torch.get_num_threads() > 1 else ''} each): {config.iterations} meta-batches of "
                     f"{config.batch_size} tasks, {config.inner_steps} inner steps, dim {config.dim}; checkpoints to {checkpoint}")
        blas = blas_library()
        hint = blas_hint(blas) if world.is_main else None
        if hint:
            progress.log(hint)
        started = time.monotonic()
        model = train(data, vocabulary.names, config, world, run, getattr(torch, args.dtype), args.neighbour_counts)
        seconds = time.monotonic() - started
        budget_seconds = time.monotonic() - run.started
        # Every process's peak, summed: the memory the run takes on this machine (a collective: all ranks call it).
        peak = float(world.sum(torch.tensor([peak_rss_mb()], dtype=torch.float64))[0])
        if world.is_main:
            size, names = write_model(args, prepared, model, world, blas, run.stops)
            if args.report:
                # The layout of npm run train --report (src/cli/train.ts); `processes` says how many the peak sums over.
                write_report(args.report, {"seconds": round(budget_seconds), "wallSeconds": round(time.monotonic() - launched),
                                           "tasksPerSecond": round(model.tasks_per_second), "peakRssMb": round(peak),
                                           "validation": model.validation.mean, "stoppedEarly": list(run.stops), "processes": world.size,
                                           # the budget's end (s since the epoch) the ranks kept, and what each was given
                                           **({"deadline": deadline, "rankDeadlines": given} if deadline is not None else {})})
            for stop in run.stops:  # searches count trials, training loops batches
                if stop["stage"] == "neighbour count":
                    progress.log(f"time budget of {config.max_minutes} min: the neighbour count was chosen after {stop['iteration']} of its trials "
                                 f"(untried: {', '.join(str(c) for c in model.neighbour_count['skipped'])}; the lists' own count needs none)")
                    continue
                unit = "batch" if stop["stage"] in ("pretraining", "meta-training") else "trial"
                progress.log(f"time budget of {config.max_minutes} min: {stop['stage']} stopped after {unit} {stop['iteration']}; "
                             "the artifact keeps the best validated checkpoint")
            progress.log(f"trained in {seconds:.1f} s ({model.tasks_per_second:,.0f} tasks/s on {world.size} process{'es' if world.size > 1 else ''}); "
                         f"best validation {SCORE_NAMES[model.config.objective]} {model.validation.mean:.4f} ({model.start['chosen']} start)")
            progress.log(f"wrote {args.out} ({', '.join(names)}; {size / 1024:,.0f} KiB)")
        return 0
    finally:
        progress.close()
        cleanup(world)
