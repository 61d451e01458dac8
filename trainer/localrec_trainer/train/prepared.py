"""Reads the prepared-data bundle that `src/cli/prepare.ts` writes (the Node side loads and splits the data).

prepared.json is a small header; the users' ordered positives are binary
arrays (CSR), memory-mapped here, so a 10M-interaction log costs 40 MB of
int32 and no parsing. Roles follow src/train/dataset-split.ts (shippingSplit):
0 = training user, 1 = validation user, 2 = validation bucket below
--min-positives (unused).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..core.ragged import Ragged
from .trainer import TrainingData

PREPARED_FORMAT = "localrec-prepared"
PREPARED_VERSION = 1
ROLE_TRAIN, ROLE_VALIDATION = 0, 1
DTYPES = {"int64": "<i8", "int32": "<i4", "uint8": "u1"}


@dataclass(frozen=True)
class Prepared:
    directory: Path
    header: dict[str, Any]
    catalog: bytes  # catalog.json exactly as the artifact ships it
    data: TrainingData

    @property
    def fingerprint(self) -> str:
        return str(self.header["dataset"]["fingerprint"])


def _array(directory: Path, header: dict, name: str) -> np.ndarray:
    entry = header["files"].get(name)
    if entry is None:
        raise ValueError(f"{directory}/prepared.json lists no {name}: prepare the data again with this version of localrec.")
    path = directory / name
    dtype = np.dtype(DTYPES[entry["dtype"]])
    size = path.stat().st_size
    if size != entry["length"] * dtype.itemsize:
        raise ValueError(f"{path} has {size} bytes, prepared.json says {entry['length']} × {entry['dtype']}: the bundle is incomplete; prepare it again.")
    if entry["length"] == 0:
        return np.zeros(0, dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", shape=(entry["length"],))


def read_prepared(directory: str | Path) -> Prepared:
    """The bundle in `directory`: header, catalog bytes and the training data split into training and validation users."""
    root = Path(directory)
    header_path = root / "prepared.json"
    if not header_path.exists():
        raise FileNotFoundError(f"{header_path} is missing: run `npm run train:dist` (it prepares the data), or `npm run prepare`.")
    header = json.loads(header_path.read_text(encoding="utf-8"))
    if header.get("format") != PREPARED_FORMAT or header.get("version") != PREPARED_VERSION:
        raise ValueError(f"{header_path} is not a {PREPARED_FORMAT} bundle of version {PREPARED_VERSION}: prepare the data again.")
    catalog = (root / "catalog.json").read_bytes()
    items = json.loads(catalog.decode("utf-8"))["items"]
    ptr = np.asarray(_array(root, header, "users.ptr"), dtype=np.int64)
    positives = _array(root, header, "users.items")
    roles = np.asarray(_array(root, header, "users.role"))
    if len(roles) + 1 != len(ptr) or ptr[-1] != len(positives):
        raise ValueError(f"{root}: users.ptr, users.items and users.role do not fit together; prepare the data again.")
    users = Ragged(ptr, positives)
    train = users.take(np.flatnonzero(roles == ROLE_TRAIN))
    validation = users.take(np.flatnonzero(roles == ROLE_VALIDATION))
    if len(validation) == 0:
        raise ValueError(f"No validation user in {root}: lower --min-positives.")
    tags = [item.get("tags") for item in items]
    return Prepared(root, header, catalog, TrainingData(tags, train, validation))
