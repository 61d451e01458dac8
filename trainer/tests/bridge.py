"""What the TypeScript equivalence tests ask the PyTorch side (tests/unit/train/torch-equivalence.test.ts).

Reads one JSON request on stdin, writes one JSON answer on stdout. Every
computation runs in float64 from the float32 values TypeScript sent, so the
differences the tests see are TypeScript's float32 rounding.

  {"kind": "meta", model, "batch": {support, query} as (row, item, value) triples, "config"}
      → {"loss", "grads": {name: [...]}}
  {"kind": "lists", model, "train": [[items]], "m", "shrink", "supports": [[...]], "queries", "config"}
      → the neighbour lists, leave-one-out rows and the meta loss and gradients built from lists
  {"kind": "pooled", model, "table": [[...]], "picks": [...], "targets": [[items]], "weighting", "weightDecay"}
      → {"loss", "grads"}
  {"kind": "encode", "input": {...}} → {"files": {name: base64}}
  {"kind": "ials", "train": [[items]], "items", "dim", "alpha", "lambda", "iterations", "cgSteps", "seed"} → {"factors"}
  {"kind": "checkpoints", "a": path, "b": path} → the largest differences of two runs' meta-training states
model = {"shape": {items, features, dim}, "params": {name: [...]}, "features": {ptr, cols, weights}, "warm", "logPop"}
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from localrec_trainer.artifact.encode import ArtifactInput, encode_artifact  # noqa: E402
from localrec_trainer.core.features import FeatureRows, item_inputs  # noqa: E402
from localrec_trainer.core.meta import MetaConfig, TaskBatch, differentiated_names, meta_objective  # noqa: E402
from localrec_trainer.core.model import ItemInputs  # noqa: E402
from localrec_trainer.core.rows import Feedback, Rows  # noqa: E402
from localrec_trainer.core.neighbours import Neighbours  # noqa: E402
from localrec_trainer.core.params import ModelShape, Params, from_arrays  # noqa: E402
from localrec_trainer.core.ragged import Ragged  # noqa: E402
from localrec_trainer.eval.ials_train import train_ials  # noqa: E402
from localrec_trainer.train.neighbours import _transpose, build_neighbours, leave_one_out_rows  # noqa: E402
from localrec_trainer.train.pretrain import SHARED, pooled_loss  # noqa: E402
from localrec_trainer.train.tasks import click_rows, task_batch  # noqa: E402

DTYPE = torch.float64


def model_of(request: dict) -> tuple[ModelShape, Params, ItemInputs]:
    s = request["shape"]
    shape = ModelShape(s["items"], s["features"], s["dim"])
    params = from_arrays({k: np.asarray(v, dtype=np.float32) for k, v in request["params"].items()}, shape, DTYPE)
    f = request["features"]
    rows = FeatureRows(np.asarray(f["ptr"], dtype=np.int64), np.asarray(f["cols"], dtype=np.int64), np.asarray(f["weights"], dtype=np.float32), shape.features)
    return shape, params, item_inputs(rows, np.asarray(request["warm"], np.float32), np.asarray(request["logPop"], np.float32), DTYPE)


def rows_of(triples: list, batch: int) -> Rows:
    t = np.asarray(triples, dtype=np.float64).reshape(-1, 3)
    return Rows(torch.from_numpy(t[:, 0].astype(np.int64)), torch.from_numpy(t[:, 1].astype(np.int64)), torch.from_numpy(t[:, 2]), batch)


def feedback_of(f: dict, batch: int) -> Feedback:
    opt = lambda key: rows_of(f[key], batch) if key in f else None  # noqa: E731
    count = torch.tensor(f["count"], dtype=DTYPE)[:, None] if "count" in f else None
    return Feedback(rows_of(f["positives"], batch), opt("negatives"), opt("excluded"), count, opt("neighbours"))


def config_of(c: dict) -> MetaConfig:
    return MetaConfig(c["algorithm"], c["innerSteps"], c["learnRates"], c["weightDecay"], c.get("neighbours", False))


def gradients(params: Params, names: list[str], loss_of) -> dict[str, Any]:
    leaves = {n: (t.clone().requires_grad_(n in names)) for n, t in params.items()}
    loss = loss_of(leaves)
    grads = torch.autograd.grad(loss, [leaves[n] for n in names])
    return {"loss": float(loss), "grads": {n: g.reshape(-1).tolist() for n, g in zip(names, grads)}}


def meta(request: dict) -> dict:
    _, params, inputs = model_of(request)
    b = request["batch"]
    size = len(b["support"]["count"])
    batch = TaskBatch(feedback_of(b["support"], size), feedback_of(b["query"], size))
    config = config_of(request["config"])
    return gradients(params, differentiated_names(config), lambda p: meta_objective(p, inputs, batch, config))


def lists(request: dict) -> dict:
    shape, params, inputs = model_of(request)
    train = Ragged.of([np.asarray(u, dtype=np.int32) for u in request["train"]])
    index = build_neighbours(train, shape.items, request["m"], request["shrink"])
    supports = Ragged.of([np.asarray(u, dtype=np.int32) for u in request["supports"]])
    queries = Ragged.of([np.asarray(u, dtype=np.int32) for u in request["queries"]])
    histories = Ragged.of([np.concatenate([s, q]).astype(np.int32) for s, q in zip(request["supports"], request["queries"])])
    rows = leave_one_out_rows(index, supports, histories, DTYPE)
    batch = task_batch(supports, queries, rows, DTYPE)
    config = config_of(request["config"])
    out = gradients(params, differentiated_names(config), lambda p: meta_objective(p, inputs, batch, config))
    out["neighbours"] = {"ids": index.ids.reshape(-1).tolist(), "sims": index.sims.reshape(-1).tolist(), "co": index.co.reshape(-1).tolist()}
    out["rows"] = rows.dense(shape.items).reshape(-1).tolist()
    return out


def pooled(request: dict) -> dict:
    _, params, inputs = model_of(request)
    table = torch.tensor(request["table"], dtype=DTYPE)
    picks = torch.tensor(request["picks"], dtype=torch.long)
    targets = click_rows(Ragged.of([np.asarray(t, dtype=np.int32) for t in request["targets"]]), request["weighting"] == "user", DTYPE)
    leaves = {n: t.clone().requires_grad_(n in SHARED) for n, t in params.items()}
    table.requires_grad_(True)
    clicks = float(targets.totals().sum())
    loss = pooled_loss(leaves, inputs, table[picks], targets, table, request["weightDecay"], clicks)
    grads = torch.autograd.grad(loss, [leaves[n] for n in SHARED] + [table])
    names = list(SHARED) + ["table"]
    return {"loss": float(loss), "grads": {n: g.reshape(-1).tolist() for n, g in zip(names, grads)}}


def encode(request: dict) -> dict:
    i = request["input"]
    nb = i.get("neighbours")
    files = encode_artifact(ArtifactInput(
        algorithm=i["algorithm"], arrays={k: np.asarray(v, dtype=np.float32) for k, v in i["arrays"].items()},
        warm=np.asarray(i["warm"], np.float32), log_pop=np.asarray(i["logPop"], np.float32),
        neighbours=Neighbours(nb["m"], np.asarray(nb["ids"], np.int32).reshape(-1, nb["m"]), np.asarray(nb["sims"], np.float32).reshape(-1, nb["m"])) if nb else None,
        feature_names=i["featureNames"], catalog=i["catalog"].encode("utf-8"), items=i["items"], steps=i["steps"],
        negative_weight=i["negativeWeight"], training=i["training"], data=i["data"], validation=i["validation"],
    ))
    return {"files": {name: base64.b64encode(data).decode() for name, data in files.items()}}


def ials(request: dict) -> dict:
    """Item factors of implicit ALS on the given users' lists (the trainer's ALS start runs this)."""
    train = Ragged.of([np.asarray(u, dtype=np.int32) for u in request["train"]])
    factors = train_ials(train, _transpose(train, request["items"]), request["dim"], request["alpha"], request["lambda"],
                         iterations=request["iterations"], cg_steps=request["cgSteps"], seed=request["seed"])
    return {"factors": factors.reshape(-1).tolist()}


def checkpoints(request: dict) -> dict:
    """Largest differences between two runs' meta-training states (module, best validated arrays)."""
    a, b = (torch.load(request[k], map_location="cpu")["meta"] for k in ("a", "b"))
    module = max(float((a["module"][k].double() - b["module"][k].double()).abs().max()) for k in a["module"])
    best = max(float(np.abs(a["best"]["arrays"][k].astype(np.float64) - b["best"]["arrays"][k]).max()) for k in a["best"]["arrays"])
    return {"module": module, "best": best, "iterations": [a["iteration"], b["iteration"]]}


HANDLERS = {"meta": meta, "lists": lists, "pooled": pooled, "encode": encode, "ials": ials, "checkpoints": checkpoints}


def main() -> None:
    """One request, or {"requests": [...]} answered as a list (one python start for many questions)."""
    request = json.load(sys.stdin)
    if "requests" in request:
        json.dump([HANDLERS[r["kind"]](r) for r in request["requests"]], sys.stdout)
    else:
        json.dump(HANDLERS[request["kind"]](request), sys.stdout)


if __name__ == "__main__":
    main()
