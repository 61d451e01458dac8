"""The training configuration and its defaults (src/train/config.ts).

Field names are the TypeScript ones in snake_case, in the TypeScript key
order; `to_json` gives the camelCase object the artifact records and
`from_json` reads the one `npm run train:dist` passes (its flags are parsed
once, by src/cli/train-args.ts). `sampled_above` and `negatives` are the
sampled softmax of the scale spec (core/sampled.py). `tag_min_counts` and
`validation_users` are used by the data step (src/cli/prepare.ts), which
makes those choices for both trainers; here they are recorded and checked
against the bundle.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Mapping

ALGORITHMS: tuple[str, ...] = ("maml", "fomaml", "reptile", "protonet", "pretrain")
TRANSFERS: tuple[str, ...] = ("pooled", "als", "auto")
VALIDATION_OBJECTIVES: tuple[str, ...] = ("v1", "v2", "both")


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
    validation_ks: tuple[int, ...] = (1, 3, 5, 10, 20)  # shot counts of the v1 validation objective
    pretrain_iterations: int = 300  # batches of pooled pretraining before meta-training (0: none)
    neighbours: int = 50  # item-item neighbours kept per item (0: none)
    neighbour_shrink: float = 10  # the neighbours' cosine shrinkage of the pretrain baseline (meta-training searches it)
    transitions: int = 20  # next-item transition lists kept per item (0: none)
    transition_shrink: float = 5  # the `+ shrink` in trans(a, b) / (out(a) + shrink)
    transfer: str = "auto"  # 'pooled' | 'als' | 'auto': where the item side comes from
    als_alpha: float = 10  # ALS confidence weight α of a positive (1 + α)
    als_lambdas: tuple[float, ...] = (10, 100, 1000)  # ALS ridge λ candidates, chosen on validation
    recency: bool = True  # learn a recency decay of click weights
    decay_init: float = 0.9  # starting decay when it is learned, in (0, 1)
    # what validation chooses by and training tasks ask: 'v2' the next click (HR@10, the default), 'v1' nDCG@10 over shots, 'both'
    objective: str = "v2"
    # minimum item counts of a kept tag tried on validation users; the data step chooses (src/train/vocabulary.ts), the bundle carries the choice
    tag_min_counts: tuple[int, ...] = (1, 2, 5)
    sampled_above: int = 20_000  # catalogs above this many items run each task, and the pooled loss, on sampled candidates (0: never)
    negatives: int = 2048  # popularity-sampled negatives per batch of the sampled softmax
    validation_users: int = 0  # validation users kept at most (the data step marks a seeded subset: validationSubset)
    max_minutes: float = 0  # wall-clock budget, minutes (0: none): training stops after the current batch, keeping the best validated checkpoint

    def __post_init__(self) -> None:
        if self.algorithm not in ALGORITHMS:
            raise ValueError(f'--algo "{self.algorithm}" is not one of {", ".join(ALGORITHMS)}')
        if self.transfer not in TRANSFERS:
            raise ValueError(f'--transfer "{self.transfer}" is not one of {", ".join(TRANSFERS)}')
        if self.objective not in VALIDATION_OBJECTIVES:
            raise ValueError(f'--objective "{self.objective}" is not one of {", ".join(VALIDATION_OBJECTIVES)}')
        for name in ("dim", "batch_size", "validate_every", "negatives"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} is {getattr(self, name)}: it must be at least 1.")
        for name in ("iterations", "pretrain_iterations", "inner_steps", "neighbours", "transitions", "sampled_above", "max_minutes", "validation_users"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} is {getattr(self, name)}: it must not be negative.")
        if not 0 < self.decay_init < 1:
            raise ValueError(f"decay_init is {self.decay_init}: use a decay in (0, 1), e.g. 0.9.")
        if not self.validation_ks or not self.als_lambdas or not self.tag_min_counts:
            raise ValueError("validation_ks, als_lambdas and tag_min_counts need at least one value each.")

    def sampled(self, items: int) -> bool:
        """Whether losses over this catalog train on sampled candidates."""
        return 0 < self.sampled_above < items

    def to_json(self) -> dict[str, Any]:
        """The TypeScript TrainConfig object, keys in its order (the artifact's `training` block starts with it)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[_camel(f.name)] = list(value) if isinstance(value, tuple) else value
        return out

    @staticmethod
    def from_json(values: Mapping[str, Any]) -> "TrainConfig":
        """The configuration a camelCase object describes (defaults for keys it leaves out); unknown keys are refused."""
        names = {_camel(f.name): f.name for f in fields(TrainConfig)}
        unknown = [k for k in values if k not in names]
        if unknown:
            raise ValueError(f"Unknown training setting(s) {', '.join(unknown)}: the settings are {', '.join(names)}.")
        return TrainConfig(**{names[k]: tuple(v) if isinstance(v, list) else v for k, v in values.items()})

    def with_changes(self, **changes: Any) -> "TrainConfig":
        return replace(self, **changes)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    special = {"ks": "Ks", "lr": "Lr"}
    return head + "".join(special.get(p, p.capitalize()) for p in rest)


# What each validation objective asks training tasks: the share of next-click tasks (NEXT_CLICK_SHARE in validate.ts).
NEXT_CLICK_SHARE: dict[str, float] = {"v1": 0.0, "v2": 1.0, "both": 0.5}

DEFAULT_TRAIN_CONFIG = TrainConfig()
