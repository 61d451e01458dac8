"""The training configuration and its defaults (src/train/config.ts).

Field names are the TypeScript ones in snake_case; `to_json` gives the
camelCase object, in the TypeScript key order, that the artifact records.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

ALGORITHMS: tuple[str, ...] = ("maml", "fomaml", "reptile", "protonet", "pretrain")
TRANSFERS: tuple[str, ...] = ("pooled", "als", "auto")


@dataclass(frozen=True)
class TrainConfig:
    algorithm: str = "maml"
    dim: int = 32  # embedding dimension
    inner_steps: int = 2  # inner steps in training, and the runtime's default adaptation steps
    inner_lr: float = 0.5  # initial inner learning rate (learned per coordinate by MAML when learn_rates)
    learn_rates: bool = True
    batch_size: int = 32  # tasks (users) per meta-batch: the global batch, whatever the process count
    iterations: int = 300  # meta-batches to train for
    meta_lr: float = 0.03  # Adam learning rate of the outer loop
    weight_decay: float = 3e-3
    seed: int = 1
    validate_every: int = 100  # meta-batches between validations (the best validated parameters are kept)
    validation_ks: tuple[int, ...] = (1, 3, 5, 10, 20)  # shot counts of the validation objective
    pretrain_iterations: int = 300  # batches of pooled pretraining before meta-training (0: none)
    neighbours: int = 50  # item-item neighbours kept per item (0: none)
    neighbour_shrink: float = 10  # the `+ shrink` in the neighbours' cosine denominator
    transfer: str = "auto"  # 'pooled' | 'als' | 'auto': where the item side comes from
    als_alpha: float = 10  # ALS confidence weight α of a positive (1 + α)
    als_lambdas: tuple[float, ...] = (10, 100, 1000)  # ALS ridge λ candidates, chosen on validation

    def __post_init__(self) -> None:
        if self.algorithm not in ALGORITHMS:
            raise ValueError(f'--algo "{self.algorithm}" is not one of {", ".join(ALGORITHMS)}')
        if self.transfer not in TRANSFERS:
            raise ValueError(f'--transfer "{self.transfer}" is not one of {", ".join(TRANSFERS)}')
        for name in ("dim", "batch_size", "validate_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} is {getattr(self, name)}: it must be at least 1.")
        for name in ("iterations", "pretrain_iterations", "inner_steps", "neighbours"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} is {getattr(self, name)}: it must not be negative.")

    def to_json(self) -> dict[str, Any]:
        """The TypeScript TrainConfig object, keys in its order (the artifact's `training` block starts with it)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[_camel(f.name)] = list(value) if isinstance(value, tuple) else value
        return out

    def with_changes(self, **changes: Any) -> "TrainConfig":
        return replace(self, **changes)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    special = {"ks": "Ks", "lr": "Lr"}
    return head + "".join(special.get(p, p.capitalize()) for p in rest)


DEFAULT_TRAIN_CONFIG = TrainConfig()
