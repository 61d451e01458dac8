"""Reads a localrec artifact (model.json + weights.bin + catalog.json) into PyTorch tensors.

The same decoding as src/artifact/decode.ts and src/core/features.ts: weights in
manifest order, little-endian float32; content features are multi-hot tags with
feature 0 a constant 1 and each tag weighted 1/sqrt(number of known tags).
"""

import json
import math
import os

import torch


def load_artifact(directory):
    """Returns (meta, weights by name, catalog items) of the artifact in `directory`."""
    with open(os.path.join(directory, "model.json"), encoding="utf-8") as f:
        model = json.load(f)
    meta = model.get("localrec")
    if not meta or meta.get("format") != "localrec-model":
        raise ValueError(f"{directory}/model.json is not a localrec model: expected a 'localrec' block.")
    group = model["weightsManifest"][0]
    raw = b"".join(open(os.path.join(directory, p), "rb").read() for p in group["paths"])
    weights, offset = {}, 0
    for spec in group["weights"]:
        n = math.prod(spec["shape"])
        chunk = torch.frombuffer(bytearray(raw[offset : offset + 4 * n]), dtype=torch.float32)
        weights[spec["name"]] = chunk.reshape(spec["shape"]) if spec["shape"] else chunk
        offset += 4 * n
    if offset != len(raw):
        raise ValueError(f"weights.bin has {len(raw)} bytes, the manifest describes {offset}.")
    with open(os.path.join(directory, "catalog.json"), encoding="utf-8") as f:
        items = json.load(f)["items"]
    if len(items) != meta["shape"]["items"]:
        raise ValueError(f"catalog.json has {len(items)} items, the weights are for {meta['shape']['items']}.")
    return meta, weights, items


def feature_matrix(items, names):
    """Dense [items, features] content matrix, as featureMatrix() in src/core/features.ts."""
    column = {name: i for i, name in enumerate(names)}
    x = torch.zeros(len(items), len(names), dtype=torch.float32)
    x[:, 0] = 1
    for i, item in enumerate(items):
        cols = sorted({column[t] for t in item.get("tags", []) if column.get(t, 0) > 0})
        if cols:
            x[i, cols] = 1 / math.sqrt(len(cols))
    return x


def item_table(meta, w, items):
    """Item vectors [N, dim], popularity prior [N] and context vectors [N, dim] (computeItemTable)."""
    x = feature_matrix(items, meta["featureNames"])
    warm = w["itemWarm"].reshape(-1, 1)
    vectors = x @ w["contentW"] + warm * w["itemEmb"]
    bias = x @ w["contentBias"] + warm[:, 0] * w["itemBias"] + w["itemLogPop"] * w["popWeight"]
    context = x @ w["contentCtx"] + warm * w["ctxEmb"]
    return vectors.contiguous(), bias.contiguous(), context.contiguous()
