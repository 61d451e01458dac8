"""The checkpoint file: written atomically on rank 0 at every validation, resumed on any process count."""

from __future__ import annotations

import os
from pathlib import Path

import torch

CHECKPOINT_FORMAT = "localrec-checkpoint"
CHECKPOINT_VERSION = 1


def write_checkpoint(path: Path, identity: dict, state: dict) -> None:
    """Writes `state` under the run's `identity` (its data's fingerprint and configuration), atomically: a crash keeps the last one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, **identity, **state}, tmp)
    os.replace(tmp, path)


def load_checkpoint(path: Path, identity: dict) -> dict:
    """A checkpoint's state, after checking it belongs to this data and configuration (iterations may differ)."""
    state = torch.load(path, map_location="cpu")
    if state.get("format") != CHECKPOINT_FORMAT or state.get("version") != CHECKPOINT_VERSION:
        raise ValueError(f"{path} is not a localrec checkpoint (version {CHECKPOINT_VERSION}): pass the checkpoint.pt a train:dist run wrote.")
    if state.get("fingerprint") != identity["fingerprint"]:
        raise ValueError(f"{path} was trained on other data (fingerprint {str(state.get('fingerprint'))[:12]}…, this data {identity['fingerprint'][:12]}…): resume with the same --format, --data and split flags.")
    ignore = {"iterations", "pretrainIterations", "validateEvery", "maxMinutes"}
    theirs, ours = state.get("config", {}), identity["config"]
    changed = [k for k in ours if k not in ignore and theirs.get(k) != ours[k]]
    if changed:
        diff = ", ".join(f"{k}: {theirs.get(k)!r} → {ours[k]!r}" for k in changed)
        raise ValueError(f"{path} was trained with another configuration ({diff}): resume with the flags it was started with (only --iterations, --pretrain-iterations and --max-minutes may change).")
    return {k: v for k, v in state.items() if k not in ("format", "version", "fingerprint", "config")}
