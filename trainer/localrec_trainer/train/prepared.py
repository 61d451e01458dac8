"""Reads the prepared-data bundle that `src/cli/prepare.ts` writes (the Node side loads and splits the data).

prepared.json is a small header; the users' ordered positives are binary
arrays (CSR), memory-mapped here, so a 10M-interaction log costs 40 MB of
int32 and no parsing. Roles follow src/train/dataset-split.ts (shippingSplit,
then validationSubset): 0 = training user, 1 = validation user, 2 = unused
(the validation bucket below --min-positives or beyond --validation-users).
The tag vocabulary (vocabulary.json) was chosen on those validation users by
the Node trainer's chooseVocabulary; training uses it as is.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..core.ragged import Ragged
from .config import TrainConfig
from .types import TrainingData

PREPARED_FORMAT = "localrec-prepared"
PREPARED_VERSION = 2
ROLE_TRAIN, ROLE_VALIDATION = 0, 1
DTYPES = {"int64": "<i8", "int32": "<i4", "uint8": "u1"}
CHOICE_SETTINGS = ("seed", "validationUsers", "tagMinCounts", "dim", "alsAlpha", "alsLambdas", "innerSteps", "objective", "validationKs")
"""The training settings the bundle's choices depend on (CHOICE_SETTINGS in src/cli/prepared-format.ts)."""
SEARCH_SETTINGS = ("seed", "dim", "alsAlpha", "alsLambdas", "innerSteps", "objective", "validationKs")
"""What the vocabulary search validates with, beyond the candidates themselves."""


@dataclass(frozen=True)
class Vocabulary:
    """The tag vocabulary chosen on the validation users (VocabularyChoice in src/train/vocabulary.ts)."""

    names: list[str]  # the constant feature, then the kept tags, most frequent first
    min_count: int  # items a tag had to carry to be kept
    trials: list[dict[str, Any]]  # each distinct vocabulary tried: {minCount, features, validation?}

    def summary(self) -> dict[str, Any]:
        """What the artifact's training.vocabulary records (runSummary in src/train/trainer.ts)."""
        return {"minCount": self.min_count, "features": len(self.names), "trials": self.trials}


@dataclass(frozen=True)
class Prepared:
    directory: Path
    header: dict[str, Any]
    catalog: bytes  # catalog.json exactly as the artifact ships it
    data: TrainingData
    vocabulary: Vocabulary

    @property
    def fingerprint(self) -> str:
        return str(self.header["dataset"]["fingerprint"])

    @property
    def choices_digest(self) -> str:
        """SHA-256 of what was chosen on the validation users (their roles, the vocabulary): equal on nodes that chose alike."""
        digest = hashlib.sha256((self.directory / "users.role").read_bytes())
        digest.update((self.directory / "vocabulary.json").read_bytes())
        return digest.hexdigest()


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
        raise FileNotFoundError(f"{header_path} is missing: run `npm run train:dist` (it prepares the data), or `npm run train:prepare`.")
    header = json.loads(header_path.read_text(encoding="utf-8"))
    if header.get("format") != PREPARED_FORMAT or header.get("version") != PREPARED_VERSION:
        raise ValueError(f"{header_path} is a {header.get('format')} bundle of version {header.get('version')}; this trainer reads version "
                         f"{PREPARED_VERSION}, which carries the chosen vocabulary and validation users: rerun "
                         f"`npm run train:prepare -- <the flags of this run> --out {root}`.")
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
    chosen = json.loads((root / "vocabulary.json").read_text(encoding="utf-8"))
    vocabulary = Vocabulary(list(chosen["names"]), int(chosen["minCount"]), list(chosen["trials"]))
    return Prepared(root, header, catalog, TrainingData(tags, train, validation), vocabulary)


def check_choices(prepared: Prepared, config: TrainConfig) -> None:
    """Refuses a bundle whose validation users and vocabulary were chosen with other settings than `config`'s."""
    ours, theirs = config.to_json(), prepared.header["choices"]
    differ = [k for k in choice_settings_used(prepared.header, config) if theirs.get(k) != ours[k]]
    if differ:
        diff = ", ".join(f"{k} {json.dumps(theirs.get(k))} → {json.dumps(ours[k])}" for k in differ)
        raise ValueError(f"{prepared.directory} was prepared with other settings ({diff}), which choose the validation users and the vocabulary: "
                         f"rerun `npm run train:prepare -- <the flags of this run> --out {prepared.directory}`.")


def choice_settings_used(header: dict[str, Any], config: TrainConfig) -> list[str]:
    """The settings that made the bundle's choices for a run with `config` (choiceSettingsUsed in src/cli/prepared-format.ts)."""
    cut = header["split"]["validationBucket"] > min(header["choices"]["validationUsers"], config.validation_users)
    used = {"tagMinCounts", *(("validationUsers", "seed") if cut else ()), *(SEARCH_SETTINGS if header["vocabulary"]["searched"] else ())}
    return [k for k in CHOICE_SETTINGS if k in used]
