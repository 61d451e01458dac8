"""Tiny prepared-data bundles written by the tests themselves (the format of src/cli/prepare.ts)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from localrec_trainer.core.features import feature_vocabulary


def synthetic_users(seed: int = 1, users: int = 120, items: int = 60, groups: int = 4) -> tuple[list[list[int]], list[list[str]]]:
    """Users who mostly click within one of `groups` item groups (so there is something to learn), and group tags."""
    rng = np.random.default_rng(seed)
    lists = []
    for _ in range(users):
        g = rng.integers(groups)
        own = [i for i in range(items) if i % groups == g]
        n = int(rng.integers(4, 16))
        picks = rng.choice(own, size=min(n, len(own)), replace=False).tolist() + rng.choice(items, size=2, replace=False).tolist()
        lists.append(list(dict.fromkeys(int(i) for i in picks)))
    tags = [[f"group-{i % groups}"] + (["odd"] if i % 2 else []) for i in range(items)]
    return lists, tags


def write_bundle(directory: Path, lists: list[list[int]], tags: list[list[str]], validation_every: int = 8, name: str = "fixture",
                 min_count: int = 2) -> Path:
    """Every `validation_every`-th user is a validation user; all others train. The vocabulary: tags on `min_count` or more
    items, as the data step writes it when every candidate minimum count gives the same vocabulary (no search)."""
    directory.mkdir(parents=True, exist_ok=True)
    ptr = np.zeros(len(lists) + 1, dtype="<i8")
    np.cumsum([len(u) for u in lists], out=ptr[1:])
    items = np.asarray([i for u in lists for i in u], dtype="<i4")
    role = np.asarray([1 if u % validation_every == 0 else 0 for u in range(len(lists))], dtype="u1")
    ptr.tofile(directory / "users.ptr")
    items.tofile(directory / "users.items")
    role.tofile(directory / "users.role")
    catalog = json.dumps({"items": [{"id": f"i{i}", "title": f"Item {i}", "tags": t} for i, t in enumerate(tags)]}, separators=(",", ":"))
    (directory / "catalog.json").write_text(catalog)
    names = feature_vocabulary(tags, min_count=min_count)
    vocabulary = json.dumps({"names": names, "minCount": min_count, "trials": [{"minCount": min_count, "features": len(names)}]})
    (directory / "vocabulary.json").write_text(vocabulary)
    header = {
        "format": "localrec-prepared", "version": 2,
        "dataset": {"name": name, "format": "csv", "positives": "every interaction (no ratings)", "fingerprint": "ab" * 32,
                    "users": len(lists), "items": len(tags), "interactions": int(len(items))},
        "split": {"fold": 0, "minPositives": 1, "threshold": 4, "train": int((role == 0).sum()), "validation": int((role == 1).sum()),
                  "validationBucket": int((role == 1).sum()), "unused": 0},
        "choices": {"seed": 1, "validationUsers": 0, "tagMinCounts": [min_count], "dim": 32, "alsAlpha": 10, "alsLambdas": [10, 100, 1000],
                    "innerSteps": 2, "objective": "v2", "validationKs": [1, 3, 5, 10, 20]},
        "vocabulary": {"minCount": min_count, "features": len(names), "searched": False},
        "files": {"users.ptr": {"dtype": "int64", "length": len(ptr), "bytes": ptr.nbytes},
                  "users.items": {"dtype": "int32", "length": len(items), "bytes": items.nbytes},
                  "users.role": {"dtype": "uint8", "length": len(role), "bytes": role.nbytes},
                  "catalog.json": {"bytes": len(catalog)}, "vocabulary.json": {"bytes": len(vocabulary)}},
    }
    (directory / "prepared.json").write_text(json.dumps(header))
    return directory
