"""Every meta-learned parameter, in artifact order (src/core/params.ts).

The item side (content projection, id embeddings, biases) is shared by all
users; the user side (userInit, popInit) is where on-device adaptation starts;
protoScale and the log learning rates shape that adaptation (prototype start,
Meta-SGD steps). Names stay camelCase: they are the artifact's weight names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Union

import numpy as np
import torch
from torch import Tensor

PARAM_NAMES: tuple[str, ...] = (
    "contentW",  # [features, dim]  content → item vector, so cold items get one
    "itemEmb",  # [items, dim]      id embedding, used only for warm items
    "contentBias",  # [features]   content → popularity prior
    "itemBias",  # [items]          learned popularity of warm items
    "userInit",  # [dim]            the meta-initialization of the user vector
    "popInit",  # [1]               initial weight of the popularity prior
    "protoScale",  # [1]            weight of the mean clicked-item vector at step 0
    "logLrUser",  # [dim]           per-coordinate inner learning rates (log)
    "logLrPop",  # [1]              inner learning rate of popInit (log)
    "popWeight",  # [1]             weight of log(1 + training popularity) in the prior
    "logShrink",  # [1]             evidence shrinkage κ (log): k clicks count k / (k + κ)
    "contentCtx",  # [features, dim] content → context vector (how a click describes its clicker)
    "ctxEmb",  # [items, dim]       id context embedding of warm items
    "logKnnInit",  # [1]            initial weight of the item-item term (log; times the evidence)
    "logLrKnn",  # [1]              inner learning rate of the item-item weight (log)
    "logitDecay",  # [1]            recency decay of click weights (logit; see core/recency)
    "logSeqInit",  # [1]            initial weight of the sequential (next-item transition) term (log)
    "logLrSeq",  # [1]              inner learning rate of the sequential weight (log)
)

ITEM_ROW_NAMES: tuple[str, ...] = ("itemEmb", "itemBias", "ctxEmb")
"""The item-indexed parameters, one row per catalog item: a sampled batch's gradient in them is row-sparse (its
candidates' rows), so a sampled run updates them with lazy Adam (math/lazy_adam.py)."""

UNIFORM_DECAY_LOGIT = 20.0
"""sigmoid(20) rounds to 1 in float32: clicks weigh the same, as before the decay was learned."""


def decay_logit(decay: float) -> float:
    """Logit of a decay; a decay of 1 (every click weighing the same) maps to UNIFORM_DECAY_LOGIT."""
    return UNIFORM_DECAY_LOGIT if decay >= 1 else math.log(decay / (1 - decay))

Params = dict[str, Tensor]
"""Parameters by name: tensors (leaves or not) of one dtype."""

ArrayLike = Union[np.ndarray, Tensor]


@dataclass(frozen=True)
class ModelShape:
    """Sizes of a model: catalog items, content features, embedding dimension."""

    items: int
    features: int
    dim: int


def param_shapes(shape: ModelShape) -> dict[str, tuple[int, ...]]:
    """The shape of every parameter for a model shape."""
    n, f, d = shape.items, shape.features, shape.dim
    return {
        "contentW": (f, d),
        "itemEmb": (n, d),
        "contentBias": (f,),
        "itemBias": (n,),
        "userInit": (d,),
        "popInit": (1,),
        "protoScale": (1,),
        "logLrUser": (d,),
        "logLrPop": (1,),
        "popWeight": (1,),
        "logShrink": (1,),
        "contentCtx": (f, d),
        "ctxEmb": (n, d),
        "logKnnInit": (1,),
        "logLrKnn": (1,),
        "logitDecay": (1,),
        "logSeqInit": (1,),
        "logLrSeq": (1,),
    }


def init_params(
    shape: ModelShape,
    seed: int,
    *,
    scale: float = 0.05,
    inner_lr: float = 1.0,
    proto_scale: float = 1.0,
    knn_init: float = 2.0,
    decay: float = 1.0,
    seq_init: float = 1.0,
    dtype: torch.dtype = torch.float32,
) -> Params:
    """Seeded random initialization (initParams): the same seed gives the same parameters.

    The stream is torch's, not the TypeScript sfc32: the two trainers start from
    different random numbers with the same distribution.
    """
    gen = torch.Generator().manual_seed(seed)
    shapes = param_shapes(shape)
    normal = lambda name: torch.randn(shapes[name], generator=gen, dtype=dtype) * scale  # noqa: E731
    filled = lambda name, v: torch.full(shapes[name], float(v), dtype=dtype)  # noqa: E731
    lr = math.log(inner_lr)
    return {
        "contentW": normal("contentW"),
        "itemEmb": normal("itemEmb"),
        "contentBias": filled("contentBias", 0),
        "itemBias": filled("itemBias", 0),
        "userInit": normal("userInit"),
        "popInit": filled("popInit", 1),
        "protoScale": filled("protoScale", proto_scale),
        "logLrUser": filled("logLrUser", lr),
        "logLrPop": filled("logLrPop", lr),
        "popWeight": filled("popWeight", 1),
        "logShrink": filled("logShrink", 0),
        "contentCtx": normal("contentCtx"),
        "ctxEmb": normal("ctxEmb"),
        "logKnnInit": filled("logKnnInit", math.log(knn_init)),
        "logLrKnn": filled("logLrKnn", lr),
        "logitDecay": filled("logitDecay", decay_logit(decay)),
        "logSeqInit": filled("logSeqInit", math.log(seq_init)),
        "logLrSeq": filled("logLrSeq", lr),
    }


def from_arrays(values: Mapping[str, ArrayLike], shape: ModelShape, dtype: torch.dtype = torch.float32) -> Params:
    """Parameter tensors from flat arrays (fromArrays); a wrong size names the parameter and the shape."""
    shapes = param_shapes(shape)
    out: Params = {}
    for name in PARAM_NAMES:
        want = math.prod(shapes[name])
        value = values.get(name)
        got = None if value is None else int(np.prod(value.shape))
        if got != want:
            raise ValueError(
                f'Parameter "{name}" has {got if got is not None else "no"} values, expected {want} for shape '
                f"{list(shapes[name])}: the weights do not match the model shape (items {shape.items}, "
                f"features {shape.features}, dim {shape.dim})."
            )
        tensor = value if isinstance(value, Tensor) else torch.from_numpy(np.ascontiguousarray(value))
        out[name] = tensor.detach().to(dtype).reshape(shapes[name]).clone()
    return out


def to_arrays(params: Mapping[str, Tensor]) -> dict[str, np.ndarray]:
    """Every parameter as a flat float32 array (toArrays), in artifact order."""
    return {name: params[name].detach().to(torch.float32).reshape(-1).numpy().copy() for name in PARAM_NAMES}
