"""The meta-training optimizer, lazy on the item tables of a sampled run (src/train/row-optimizer.ts).

A sampled batch's gradient in the item tables is row-sparse: lazy Adam
(math/lazy_adam.py) updates its candidates' rows alone, with torch's Adam on
the dense parameters beside them; the full softmax keeps Adam on every
parameter. Under DDP the gradients it reads are the all-reduced ones, the same
on every process, so every process takes the same step.
"""

from __future__ import annotations

from typing import Mapping, Optional

import torch
from torch import Tensor, nn

from ..core.params import ITEM_ROW_NAMES
from ..math.lazy_adam import AdamSettings, LazyAdam
from .pretrain import ADAM_EPSILON


class RowOptimizer:
    """Adam over `learned` at learning rate `lr`; with `sampled`, lazy Adam on its item tables (rowOptimizer)."""

    def __init__(self, learned: Mapping[str, nn.Parameter], lr: float, sampled: bool) -> None:
        self.lazy = LazyAdam({n: p for n, p in learned.items() if n in ITEM_ROW_NAMES},
                             AdamSettings(lr, epsilon=ADAM_EPSILON)) if sampled else None
        dense = [p for n, p in learned.items() if self.lazy is None or n not in ITEM_ROW_NAMES]
        self.dense = torch.optim.Adam(dense, lr=lr, eps=ADAM_EPSILON)

    def zero_grad(self) -> None:
        self.dense.zero_grad(set_to_none=True)
        if self.lazy is not None:
            self.lazy.zero_grad()

    def step(self, rows: Optional[Tensor]) -> None:
        """One Adam step; `rows`: the global batch's candidates (a sampled run), whose item-table rows alone move."""
        self.dense.step()
        if self.lazy is not None:
            assert rows is not None, "a sampled run's step needs the batch's candidates"
            self.lazy.step(rows)

    def state_dict(self) -> dict:
        """What a checkpoint keeps, under the keys the checkpoint format has always used."""
        return {"optimizer": self.dense.state_dict(), "lazy": self.lazy.state_dict() if self.lazy is not None else None}

    def load_state_dict(self, state: dict) -> None:
        """Call after the module moved to its device: the optimizer state follows its parameters."""
        self.dense.load_state_dict(state["optimizer"])
        if self.lazy is not None:
            self.lazy.load_state_dict(state["lazy"])
