"""The artifact's files as bytes (src/artifact/encode.ts): model.json, weights.bin, catalog.json.

The same layout byte for byte: the same keys in the same order, float32
weights little-endian in PARAM_NAMES order then the item inputs, the
neighbour lists and the transition lists, the same SHA-256 entries and version rule. Only the values
differ, and `training.engine` says which trainer made them.
"""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

import numpy as np

from ..core.neighbours import Neighbours
from ..core.params import PARAM_NAMES, ModelShape, param_shapes
from .js_json import stringify

ARTIFACT_FORMAT = "localrec-model"
ARTIFACT_FORMAT_VERSION = 1
WEIGHTS_FILE = "weights.bin"
CATALOG_FILE = "catalog.json"
WARM_WEIGHT = "itemWarm"
POPULARITY_WEIGHT = "itemLogPop"
NEIGHBOUR_IDS_WEIGHT = "itemNeighbours"
NEIGHBOUR_SIMS_WEIGHT = "itemNeighbourSims"
TRANSITION_IDS_WEIGHT = "itemTransitions"
TRANSITION_WEIGHTS_WEIGHT = "itemTransitionWeights"


@dataclass(frozen=True)
class ArtifactInput:
    algorithm: str
    arrays: Mapping[str, np.ndarray]  # every parameter, flat float32
    warm: np.ndarray
    log_pop: np.ndarray
    neighbours: Optional[Neighbours]
    feature_names: Sequence[str]
    catalog: bytes  # catalog.json as the prepare step wrote it: {"items": [{id, title, tags}, ...]}
    items: int
    steps: int
    negative_weight: float
    training: Mapping[str, Any]
    data: Mapping[str, Any]
    validation: Mapping[str, Any]
    generated_by: str = "localrec train"
    transitions: Optional[Neighbours] = None  # the sequential term's next-item lists, if the model has one


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode_artifact(a: ArtifactInput) -> dict[str, bytes]:
    """The files keyed by name (pure: the caller writes them)."""
    dim = len(a.arrays["userInit"])
    m = a.neighbours.m if a.neighbours is not None else 0
    shape: dict[str, int] = {"items": a.items, "features": len(a.feature_names), "dim": dim}
    mt = a.transitions.m if a.transitions is not None else 0
    if m > 0:
        shape["neighbours"] = m
    if mt > 0:
        shape["transitions"] = mt
    shapes = param_shapes(ModelShape(a.items, len(a.feature_names), dim))
    specs = [{"name": n, "shape": list(shapes[n]), "dtype": "float32"} for n in PARAM_NAMES]
    specs += [{"name": WARM_WEIGHT, "shape": [a.items], "dtype": "float32"}, {"name": POPULARITY_WEIGHT, "shape": [a.items], "dtype": "float32"}]
    parts = [np.asarray(a.arrays[n], dtype="<f4").reshape(-1) for n in PARAM_NAMES] + [np.asarray(a.warm, "<f4"), np.asarray(a.log_pop, "<f4")]
    for name, part in zip(PARAM_NAMES, parts):
        want = math.prod(shapes[name])
        if part.size != want:
            raise ValueError(f'Parameter "{name}" has {part.size} values, expected {want} for shape {list(shapes[name])}.')
    if a.neighbours is not None and m > 0:
        specs += [{"name": NEIGHBOUR_IDS_WEIGHT, "shape": [a.items, m], "dtype": "float32"},
                  {"name": NEIGHBOUR_SIMS_WEIGHT, "shape": [a.items, m], "dtype": "float32"}]
        parts += [np.asarray(a.neighbours.ids, "<f4").reshape(-1), np.asarray(a.neighbours.sims, "<f4").reshape(-1)]
    if a.transitions is not None and mt > 0:
        specs += [{"name": TRANSITION_IDS_WEIGHT, "shape": [a.items, mt], "dtype": "float32"},
                  {"name": TRANSITION_WEIGHTS_WEIGHT, "shape": [a.items, mt], "dtype": "float32"}]
        parts += [np.asarray(a.transitions.ids, "<f4").reshape(-1), np.asarray(a.transitions.sims, "<f4").reshape(-1)]
    weights = b"".join(p.tobytes() for p in parts)
    files = {
        WEIGHTS_FILE: {"sha256": sha256_hex(weights), "bytes": len(weights)},
        CATALOG_FILE: {"sha256": sha256_hex(a.catalog), "bytes": len(a.catalog)},
    }
    version = f"{a.algorithm}-{sha256_hex((files[WEIGHTS_FILE]['sha256'] + files[CATALOG_FILE]['sha256']).encode())[:12]}"
    lr_user = [math.exp(float(v)) for v in np.asarray(a.arrays["logLrUser"], dtype=np.float32)]
    meta = {
        "format": ARTIFACT_FORMAT,
        "formatVersion": ARTIFACT_FORMAT_VERSION,
        "version": version,
        "algorithm": a.algorithm,
        "shape": shape,
        "featureNames": list(a.feature_names),
        "adaptation": {
            "steps": a.steps,
            "negativeWeight": a.negative_weight,
            "learningRates": {"user": lr_user, "pop": math.exp(float(np.float32(a.arrays["logLrPop"][0])))},
            "protoScale": float(np.float32(a.arrays["protoScale"][0])),
        },
        "training": dict(a.training),
        "data": dict(a.data),
        "validation": dict(a.validation),
        "files": files,
    }
    model = {
        "format": ARTIFACT_FORMAT,
        "generatedBy": a.generated_by,
        "modelTopology": None,
        "weightsManifest": [{"paths": [WEIGHTS_FILE], "weights": specs}],
        "localrec": meta,
    }
    return {"model.json": stringify(model, 1).encode("utf-8"), WEIGHTS_FILE: weights, CATALOG_FILE: a.catalog}


def write_artifact(directory: Path, files: Mapping[str, bytes]) -> int:
    """Writes the files (each atomically, model.json last so a reader never sees a half-written model); returns bytes."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in sorted(files, key=lambda n: n == "model.json"):
        tmp = directory / f".{name}.tmp"
        tmp.write_bytes(files[name])
        os.replace(tmp, directory / name)
    return sum(len(b) for b in files.values())
