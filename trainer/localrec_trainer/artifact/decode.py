"""Reads a localrec artifact (model.json + weights.bin + catalog.json) into tensors (src/artifact/decode.ts).

Every file's SHA-256 is checked against model.json, as the browser does.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import numpy as np
import torch

from ..core.features import feature_rows, item_inputs
from ..core.model import ItemInputs
from ..core.neighbours import Neighbours
from .encode import (ARTIFACT_FORMAT, NEIGHBOUR_IDS_WEIGHT, NEIGHBOUR_SIMS_WEIGHT, POPULARITY_WEIGHT, TRANSITION_IDS_WEIGHT,
                     TRANSITION_WEIGHTS_WEIGHT, WARM_WEIGHT, sha256_hex)


@dataclass(frozen=True)
class Artifact:
    meta: dict[str, Any]
    weights: dict[str, torch.Tensor]  # by manifest name, float32
    catalog: list[dict[str, Any]]

    def inputs(self) -> ItemInputs:
        """The item-side inputs, as parseArtifact builds them from the catalog's tags and the shipped weights."""
        rows = feature_rows([c.get("tags", []) for c in self.catalog], self.meta["featureNames"])
        return item_inputs(rows, self.weights[WARM_WEIGHT].numpy(), self.weights[POPULARITY_WEIGHT].numpy())

    def neighbours(self) -> Optional[Neighbours]:
        m = int(self.meta["shape"].get("neighbours", 0))
        if m <= 0 or NEIGHBOUR_IDS_WEIGHT not in self.weights:
            return None
        return Neighbours(m, self.weights[NEIGHBOUR_IDS_WEIGHT].numpy().astype(np.int32), self.weights[NEIGHBOUR_SIMS_WEIGHT].numpy())

    def transitions(self) -> Optional[Neighbours]:
        """The sequential term's next-item lists (None: the model has no sequential term)."""
        m = int(self.meta["shape"].get("transitions", 0))
        if m <= 0 or TRANSITION_IDS_WEIGHT not in self.weights:
            return None
        return Neighbours(m, self.weights[TRANSITION_IDS_WEIGHT].numpy().astype(np.int32), self.weights[TRANSITION_WEIGHTS_WEIGHT].numpy())


def load_artifact(directory: str | Path) -> Artifact:
    """Meta, weights by name and catalog items of the artifact in `directory`; errors name the bad file."""
    root = Path(directory)
    model = json.loads((root / "model.json").read_text(encoding="utf-8"))
    meta = model.get("localrec")
    if not meta or meta.get("format") != ARTIFACT_FORMAT:
        raise ValueError(f"{root}/model.json is not a localrec model: expected a 'localrec' block with format '{ARTIFACT_FORMAT}'.")
    blobs = {}
    for name, entry in meta["files"].items():
        data = (root / name).read_bytes()
        if sha256_hex(data) != entry["sha256"]:
            raise ValueError(f'Artifact file "{name}" failed verification: SHA-256 {sha256_hex(data)} ({len(data)} bytes), expected {entry["sha256"]} ({entry["bytes"]} bytes).')
        blobs[name] = data
    group = model["weightsManifest"][0]
    raw = b"".join(blobs[p] for p in group["paths"])
    weights, offset = {}, 0
    for spec in group["weights"]:
        n = math.prod(spec["shape"])
        chunk = np.frombuffer(raw, dtype="<f4", count=n, offset=offset).copy()
        weights[spec["name"]] = torch.from_numpy(chunk.reshape(spec["shape"]))
        offset += 4 * n
    if offset != len(raw):
        raise ValueError(f"weights.bin has {len(raw)} bytes, the manifest describes {offset}.")
    items = json.loads(blobs["catalog.json"].decode("utf-8"))["items"]
    if len(items) != meta["shape"]["items"]:
        raise ValueError(f"catalog.json has {len(items)} items, the weights are for {meta['shape']['items']}.")
    return Artifact(meta, weights, items)
