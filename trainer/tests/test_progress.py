"""Progress output (progress.py): plain lines without a terminal, a redrawn bar with rate and ETA on one."""

import io

from localrec_trainer import progress as progress_module
from localrec_trainer.progress import Progress, clock


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_without_a_terminal_a_progress_line_at_most_every_interval(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: now[0])
    out = io.StringIO()
    p = Progress(stream=out)
    p.phase("meta", 300, per_step=32)
    for step in range(1, 301):
        now[0] = step * 1.0  # 1 s per step: 32 tasks/s
        p.advance(step, "loss 1.0")
    lines = [line for line in out.getvalue().splitlines() if "meta " in line]
    assert 9 <= len(lines) <= 11  # 300 s at one line per 30 s, not one per step
    assert "meta 30/300  32 tasks/s  ETA 4:30  loss 1.0" in lines[0]


def test_on_a_terminal_the_bar_is_redrawn_in_place():
    out = Terminal()
    p = Progress(stream=out)
    p.phase("pretrain", 10, per_step=4)
    for step in range(1, 11):
        p.advance(step)
    text = out.getvalue()
    assert "\r\x1b[2K" in text and "pretrain 10/10" in text and "\n" not in text
    p.log("validation 0.5")
    assert "validation 0.5\n" in out.getvalue()


def test_clock():
    assert [clock(5), clock(125), clock(3725)] == ["0:05", "2:05", "1:02:05"]
