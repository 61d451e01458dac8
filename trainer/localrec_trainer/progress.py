"""Progress of a training run on rank 0: a bar with rate and ETA on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Optional, TextIO

BAR_WIDTH = 24
REDRAW_S = 0.25  # terminal redraws at most this often
LINE_EVERY_S = 30.0  # without a terminal, a progress line at most this often (besides validations)


def clock(seconds: float) -> str:
    """1:02:03, 2:03 or 0:05."""
    seconds = max(0, int(round(seconds)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """One phase at a time (e.g. 'pretrain' 300 batches, then 'meta' 300); silent when not enabled (ranks > 0)."""

    def __init__(self, enabled: bool = True, stream: Optional[TextIO] = None, unit: str = "tasks") -> None:
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.tty = enabled and self.stream.isatty()
        self.unit = unit
        self.name, self.total, self.done, self.first, self.per_step = "", 0, 0, 0, 1
        self.started = self.last_draw = self.last_line = time.monotonic()
        self.status = ""
        self.drawn = False

    def log(self, text: str) -> None:
        """A line of its own (the bar, if any, is redrawn below it)."""
        if not self.enabled:
            return
        self._clear()
        self.stream.write(f"[train:dist {time.strftime('%H:%M:%S')}] {text}\n")
        self.stream.flush()
        self._draw(force=True)

    def phase(self, name: str, total: int, done: int = 0, per_step: int = 1) -> None:
        """Starts a phase of `total` steps, `done` of them already (a resumed run); each step is `per_step` units."""
        self._clear()
        self.name, self.total, self.done, self.per_step = name, total, done, per_step
        self.first = done
        self.started = self.last_line = time.monotonic()
        self.status = ""

    def advance(self, done: int, status: str = "") -> None:
        """Steps done so far in this phase; `status` (loss, validation) is shown after the rate."""
        self.done = done
        if status:
            self.status = status
        now = time.monotonic()
        if self.tty:
            if now - self.last_draw >= REDRAW_S or done >= self.total:
                self._draw()
        elif self.enabled and now - self.last_line >= LINE_EVERY_S:
            self.log(self._summary())
            self.last_line = now

    def _rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return (self.done - self.first) * self.per_step / elapsed if elapsed > 0 else 0.0

    def _summary(self) -> str:
        rate = self._rate()
        left = (self.total - self.done) * self.per_step / rate if rate > 0 else float("nan")
        eta = clock(left) if left == left else "?"
        status = f"  {self.status}" if self.status else ""
        return f"{self.name} {self.done}/{self.total}  {rate:,.0f} {self.unit}/s  ETA {eta}{status}"

    def _draw(self, force: bool = False) -> None:
        if not self.tty or not self.total or (not force and self.done == 0 and not self.drawn):
            return
        filled = int(BAR_WIDTH * min(1.0, self.done / self.total))
        bar = "█" * filled + "·" * (BAR_WIDTH - filled)
        self.stream.write(f"\r\x1b[2K{bar} {self._summary()}")
        self.stream.flush()
        self.last_draw = time.monotonic()
        self.drawn = True

    def _clear(self) -> None:
        if self.tty and self.drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.drawn = False

    def close(self) -> None:
        self._clear()
