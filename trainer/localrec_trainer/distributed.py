"""The DDP wiring, and only it: process group, sampler over users, rank-0 I/O, checkpoints.

Shaped like PyTorch's own DDP examples (setup → DDP(model) → DistributedSampler →
train → save on rank 0 → cleanup). Under `torchrun` every process trains on its
share of each global batch of users; DistributedDataParallel averages the
gradients, and the losses are scaled so that the average is the gradient of the
whole global batch: N processes give the parameters of one process with the
same global batch (up to float summation order). Without torchrun's
environment it runs as one plain process, no process group.

gloo on CPU; nccl and one GPU per process when CUDA is available.
"""

from __future__ import annotations

import datetime
import os
import time
from dataclasses import dataclass
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional

import numpy as np
import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

from .progress import Progress

GROUP_TIMEOUT = datetime.timedelta(hours=2)
"""How long a rank waits for the others at a collective (rank 0 may be writing a large artifact)."""

CHECKPOINT_FORMAT = "localrec-checkpoint"
CHECKPOINT_VERSION = 1


@dataclass(frozen=True)
class World:
    """This process's place among the training processes."""

    rank: int
    size: int
    device: torch.device
    backend: Optional[str]  # 'gloo' | 'nccl'; None: one plain process, no process group

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def share(self) -> tuple[int, int]:
        return self.rank, self.size

    def wrap(self, module: nn.Module) -> nn.Module:
        """The module under DDP (which broadcasts rank 0's parameters now and averages gradients on backward)."""
        module.to(self.device)
        if self.backend is None:
            return module
        ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(module, device_ids=ids)

    def sum(self, value: Tensor) -> Tensor:
        """The sum over all processes (a new tensor; float64 sums stay exact enough for metrics)."""
        out = value.detach().clone().to(self.device)
        if self.backend is not None:
            dist.all_reduce(out, op=dist.ReduceOp.SUM)
        return out.cpu()

    def any(self, flag: bool) -> bool:
        """True on every process when it is true on any (so that all stop at the same step)."""
        return bool(self.sum(torch.tensor([1.0 if flag else 0.0], dtype=torch.float64))[0] > 0)

    def gather(self, value: Tensor) -> Tensor:
        """Every process's tensor (same shape everywhere), concatenated in rank order along dim 0."""
        if self.backend is None:
            return value
        local = value.detach().contiguous().to(self.device)
        parts = [torch.empty_like(local) for _ in range(self.size)]
        dist.all_gather(parts, local)
        return torch.cat(parts).cpu()

    def union(self, items: np.ndarray) -> np.ndarray:
        """The sorted distinct values of every process's array (e.g. the positives of a global batch)."""
        if self.backend is None:
            return np.unique(items)
        parts: list[Any] = [None] * self.size
        dist.all_gather_object(parts, np.asarray(items))
        return np.unique(np.concatenate(parts))

    def broadcast(self, value: Tensor, src: int) -> Tensor:
        """Rank `src`'s tensor on every process (same shape and dtype everywhere)."""
        if self.backend is None:
            return value
        out = value.detach().clone().contiguous().to(self.device)
        dist.broadcast(out, src)
        return out.cpu()

    def broadcast_object(self, value: Any, src: int = 0) -> Any:
        if self.backend is None:
            return value
        box = [value]
        dist.broadcast_object_list(box, src, device=self.device if self.backend == "nccl" else None)
        return box[0]

    def sampler(self, population: int, global_batch: int, seed: int) -> "UserSampler":
        return UserSampler(population, global_batch, self, seed)


def setup() -> World:
    """Joins torchrun's process group when launched by it (else one plain process)."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    local_size = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
    # One thread per process unless OMP_NUM_THREADS says otherwise: the BLAS Debian's torch
    # calls is single-threaded anyway, and OpenMP threads that spin while the cores are
    # shared (other ranks, other jobs) made small operations 100× slower here.
    torch.set_num_threads(max(1, int(os.environ.get("OMP_NUM_THREADS") or 1)))
    if "RANK" not in os.environ:
        return World(0, 1, torch.device("cpu"), None)
    cuda = torch.cuda.is_available() and torch.cuda.device_count() >= local_size
    backend = "nccl" if cuda and dist.is_nccl_available() else "gloo"
    device = torch.device("cpu")
    if backend == "nccl":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    dist.init_process_group(backend, timeout=GROUP_TIMEOUT)
    return World(dist.get_rank(), size, device, backend)


def cleanup(world: World) -> None:
    if world.backend is not None and dist.is_initialized():
        dist.destroy_process_group()


class UserSampler:
    """Global batches of users, an epoch at a time, each process its share (DistributedSampler).

    Iteration t of a run is batch t mod S of epoch t div S (S batches per
    epoch), so a resumed run continues with exactly the batches it would have
    seen, whatever the number of processes. DistributedSampler gives rank r the
    positions r, r + W, r + 2W, ... of the epoch's permutation; rank r's batch j
    is positions j·b … (j+1)·b − 1 of that list (b = B / W), and together the
    ranks hold positions j·B … (j+1)·B − 1: the batch one process would draw.
    """

    def __init__(self, population: int, global_batch: int, world: World, seed: int) -> None:
        if population < 1:
            raise ValueError("No users to sample tasks from.")
        if global_batch % world.size:
            raise ValueError(f"--batch {global_batch} is not a multiple of the {world.size} processes: use a batch of {world.size * max(1, round(global_batch / world.size))}.")
        # Populations smaller than a batch are repeated (the TypeScript sampler draws with replacement).
        self.population = population
        self.virtual = population * -(-global_batch // population)
        self.local = global_batch // world.size
        self.per_epoch = self.virtual // global_batch
        self.seed = seed
        self.sampler = DistributedSampler(range(self.virtual), num_replicas=world.size, rank=world.rank,
                                          shuffle=True, seed=seed, drop_last=True)
        self.epoch = -1
        self.order = np.zeros(0, dtype=np.int64)
        self.drawn: dict[tuple[int, int], np.ndarray] = {}

    def batch(self, iteration: int) -> tuple[np.ndarray, np.ndarray]:
        """(users, slots) of this process for 0-based `iteration`: user positions and their epoch slots (≥ 0)."""
        epoch, j = divmod(iteration, self.per_epoch)
        if epoch != self.epoch:
            self.sampler.set_epoch(epoch)
            self.order = np.fromiter(iter(self.sampler), dtype=np.int64)
            self.epoch = epoch
        slots = self.order[j * self.local : (j + 1) * self.local]
        return slots % self.population, slots

    def uniforms(self, iteration: int, slots: np.ndarray, stream: int) -> np.ndarray:
        """One draw in [0, 1) per slot of the epoch of `iteration` from random stream `stream` (shot counts, task kinds, ...).

        The same on every process and for every process count: a slot's draws depend on its epoch and position only.
        """
        epoch = iteration // self.per_epoch
        key = (epoch, stream)
        if key not in self.drawn:
            gen = torch.Generator().manual_seed(self.seed * 1_000_003 + epoch * 1009 + stream)
            self.drawn = {key: torch.rand(self.virtual, generator=gen, dtype=torch.float64).numpy(), **{k: v for k, v in self.drawn.items() if k[0] == epoch}}
        return self.drawn[key][slots]


class Run:
    """What a training loop needs besides the math: progress, the time budget, checkpoints to resume from."""

    def __init__(self, world: World, progress: Progress, *, max_minutes: float = 0, deadline: Optional[float] = None,
                 checkpoint: Optional[Path] = None, resume: Optional[dict] = None, identity: Optional[dict] = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """`deadline`: when the budget ends, seconds since the epoch (train:dist passes its command's start + max_minutes,
        the same number to every process, so the data step counts and every rank agrees); None: max_minutes from now."""
        self.world = world
        self.progress = progress
        self.clock = clock
        now = clock()
        self.deadline = (now + (deadline - time.time()) if deadline is not None else now + 60 * max_minutes) if max_minutes > 0 else None
        # The shares of the budget (the searches' cut-offs) count from the command's start, as in trainMeta.
        self.started = self.deadline - 60 * max_minutes if self.deadline is not None else now
        self.stage_deadline: Optional[float] = None
        self.checkpoint = checkpoint
        self.state: dict = dict(resume or {})
        self.identity = identity or {}
        self.stops: list[dict[str, Any]] = []  # [{stage, iteration}]: the loops the budget ended early (the artifact's training.budget)

    def expired(self, stage: str, iteration: int, reserve: float = 0.0) -> bool:
        """Whether the time budget (or the stage's share of it) is spent, keeping `reserve` seconds free after the stage
        (its last validation, the neighbour-count trials: trainLoop's reserveMs); all processes get the same answer at the same step.

        A stop is recorded as {stage, iteration}, as the Node trainer records it ('pretraining', 'meta-training').
        """
        ends = [t for t in (self.deadline, self.stage_deadline) if t is not None]
        if not ends:
            return False
        out = self.world.any(self.clock() + reserve >= min(ends))
        if out:
            self.stops.append({"stage": stage, "iteration": iteration})
        return out

    def fits(self, seconds: float) -> bool:
        """Whether work of `seconds` started now ends within the budget; the same answer on every process."""
        if self.deadline is None:
            return True
        return not self.world.any(self.clock() + seconds > self.deadline)

    def past(self, share: float) -> Callable[[], bool]:
        """Whether `share` of the budget, from the start of the run, is spent (the searches' cut-offs in trainMeta); same on every process."""
        if self.deadline is None:
            return lambda: False
        cut = self.started + (self.deadline - self.started) * share
        return lambda: self.world.any(self.clock() >= cut)

    def passed(self, share: float) -> Callable[[], bool]:
        """`past` read by this process alone (no collective): for work only one process runs, such as one λ's ALS.
        Every process holds the same deadline, so the answer differs between them only by their clocks' skew."""
        if self.deadline is None:
            return lambda: False
        cut = self.started + (self.deadline - self.started) * share
        return lambda: self.clock() >= cut

    @contextmanager
    def share_of_remaining(self, share: float, reserve: float = 0.0) -> Iterator[None]:
        """Within the block, the budget ends after `share` of the time left less `reserve` seconds (pretraining's share, as in trainMeta)."""
        if self.deadline is not None:
            now = self.clock()
            self.stage_deadline = now + max(0.0, self.deadline - now - reserve) * share
        try:
            yield
        finally:
            self.stage_deadline = None

    def resumed(self, key: str) -> Any:
        """A part of the resumed checkpoint (None when starting fresh or when that part was not reached)."""
        return self.state.get(key)

    def save(self, **parts: Any) -> None:
        """Records parts of the run's state and writes the checkpoint on rank 0 (atomically: a crash keeps the last one)."""
        self.state.update(parts)
        if not self.world.is_main or self.checkpoint is None:
            return
        self.checkpoint.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.checkpoint.with_suffix(".tmp")
        torch.save({"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, **self.identity, **self.state}, tmp)
        os.replace(tmp, self.checkpoint)


def load_checkpoint(path: Path, identity: dict) -> dict:
    """A checkpoint's state, after checking it belongs to this data and configuration (iterations may differ)."""
    state = torch.load(path, map_location="cpu")
    if state.get("format") != CHECKPOINT_FORMAT or state.get("version") != CHECKPOINT_VERSION:
        raise ValueError(f"{path} is not a localrec checkpoint (version {CHECKPOINT_VERSION}): pass the checkpoint.pt a train:dist run wrote.")
    if state.get("fingerprint") != identity["fingerprint"]:
        raise ValueError(f"{path} was trained on other data (fingerprint {str(state.get('fingerprint'))[:12]}…, this data {identity['fingerprint'][:12]}…): resume with the same --format, --data and split flags.")
    ignore = {"iterations", "pretrainIterations", "validateEvery", "maxMinutes"}
    theirs, ours = state.get("config", {}), identity["config"]
    changed = [k for k in ours if k not in ignore and theirs.get(k) != ours[k]]
    if changed:
        diff = ", ".join(f"{k}: {theirs.get(k)!r} → {ours[k]!r}" for k in changed)
        raise ValueError(f"{path} was trained with another configuration ({diff}): resume with the flags it was started with (only --iterations, --pretrain-iterations and --max-minutes may change).")
    return {k: v for k, v in state.items() if k not in ("format", "version", "fingerprint", "config")}


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


def check_same_data(world: World, fingerprint: str, choices: str = "") -> None:
    """Every node must have prepared the same data and made the same choices on it (validation users, vocabulary):
    a node with other files would train on another log, or on other features."""
    theirs, their_choices = world.broadcast_object((fingerprint, choices), 0)
    if theirs != fingerprint:
        raise ValueError(f"Rank {world.rank} prepared data with fingerprint {fingerprint[:12]}…, rank 0 {theirs[:12]}…: every node needs the same --data and flags.")
    if their_choices != choices:
        raise ValueError(f"Rank {world.rank} prepared other validation users or another vocabulary than rank 0 from the same data "
                         f"(choices {choices[:12]}…, rank 0 {their_choices[:12]}…): every node needs the same flags.")


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
    from .cli import parse
    from .output import write_model
    from .train.prepared import check_choices, read_prepared
    from .train.loop import SCORE_NAMES
    from .train.trainer import train

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
