"""What a training loop needs besides the math: progress, the time budget shared by every process, checkpoints."""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from ..progress import Progress
from .checkpoint import write_checkpoint
from .world import World


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
        write_checkpoint(self.checkpoint, self.identity, self.state)
