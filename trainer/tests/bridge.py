"""What the TypeScript equivalence tests ask the PyTorch side (tests/unit/train/torch-equivalence.test.ts).

Reads one JSON request on stdin, writes one JSON answer on stdout. Every
computation runs in float64 from the float32 values TypeScript sent, so the
differences the tests see are TypeScript's float32 rounding.

  {"kind": "meta", model, "batch": {support, query} as (row, item, value) triples, "config"}
      → {"loss", "grads": {name: [...]}}
  {"kind": "lists", model, "train": [[items]], "m", "shrink", "transitionsM", "transitionShrink", "supports", "queries",
   "histories", "decay", "config"}
      → the neighbour and transition lists, the leave-one-out rows (and their decay derivatives) and the meta loss and gradients
  {"kind": "itemLists", "train", "validation", "items", "neighbours", "transitions", "transitionShrink", "objective", "ks"}
      → the item-list search's trials and choice
  {"kind": "validation", model, "neighbours"?, "transitions"?, "users", "objective", "ks", "steps"} → {"mean", "byK", "next", "scores"}
  {"kind": "sampled", model, "batch", "counts", "drawn", "negatives", "config"} → the meta-loss and gradients of the batch run on its sampled sub-catalog, candidates, log r
  {"kind": "defaults"} → the PyTorch trainer's default TrainConfig
  {"kind": "head", model, "neighbours"?, "transitions"?, "users", "objective", "ks", "steps"}
      → the pretrain baseline's head search: every head tried with its validation, the chosen one and its arrays
  {"kind": "pooled", model, "table": [[...]], "picks": [...], "targets": [[items]], "weighting", "weightDecay"}
      → {"loss", "grads"}
  {"kind": "encode", "input": {...}} → {"files": {name: base64}}
  {"kind": "ials", "train": [[items]], "items", "dim", "alpha", "lambda", "iterations", "cgSteps", "seed"} → {"factors"}
  {"kind": "checkpoints", "a": path, "b": path} → the largest differences of two runs' meta-training states
  {"kind": "lazyAdam", "lr", "tables": {name: {values, width}}, "steps": [{ids, grads: {name: [...]}}]}
      → {"tables": {name: {values, m, v}}}: the trainer's LazyAdam stepped on each step's rows (gradients zero elsewhere)
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
from localrec_trainer.core.meta import MetaConfig, TaskBatch, trainable_names, meta_objective  # noqa: E402
from localrec_trainer.core.model import ItemInputs  # noqa: E402
from localrec_trainer.core.rows import Feedback, Rows  # noqa: E402
from localrec_trainer.core.neighbours import Neighbours  # noqa: E402
from localrec_trainer.core.params import ModelShape, Params, from_arrays  # noqa: E402
from localrec_trainer.core.ragged import Ragged  # noqa: E402
from localrec_trainer.math.ials import train_ials  # noqa: E402
from localrec_trainer.math.lazy_adam import AdamSettings, LazyAdam  # noqa: E402
from localrec_trainer.train.neighbours import transpose, build_neighbours, leave_one_out_rows  # noqa: E402
from localrec_trainer.train.pretrain import SHARED, pooled_loss  # noqa: E402
from localrec_trainer.core.sampled import candidates, proposal  # noqa: E402
from localrec_trainer.train.config import TrainConfig  # noqa: E402
from localrec_trainer.train.episodes import ItemLists, adapted_scores  # noqa: E402
from localrec_trainer.train.finetune import Head, Tried, first_head, head_arrays, search_head  # noqa: E402
from localrec_trainer.train.list_search import choose_item_lists  # noqa: E402
from localrec_trainer.train.tasks import TaskRecency, click_rows, list_tasks  # noqa: E402
from localrec_trainer.train.transitions import build_transitions  # noqa: E402
from localrec_trainer.train.validate import validate  # noqa: E402

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
    return Feedback(rows_of(f["positives"], batch), opt("negatives"), opt("excluded"), count, opt("neighbours"), opt("transitions"),
                    f.get("decayAt"), opt("positivesDecay"), opt("neighboursDecay"), opt("transitionsDecay"))


def config_of(c: dict) -> MetaConfig:
    return MetaConfig(c["algorithm"], c["innerSteps"], c["learnRates"], c["weightDecay"], c.get("neighbours", False),
                      c.get("recency", False), c.get("transitions", False))


def ragged(lists: list) -> Ragged:
    return Ragged.of([np.asarray(u, dtype=np.int32) for u in lists])


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
    return gradients(params, trainable_names(config), lambda p: meta_objective(p, inputs, batch, config))


def lists(request: dict) -> dict:
    """Lists (neighbours, transitions), leave-one-out rows with their decay derivatives, and the meta-gradients of the batch they make."""
    shape, params, inputs = model_of(request)
    train = ragged(request["train"])
    index = build_neighbours(train, shape.items, request["m"], request["shrink"])
    following = build_transitions(train, shape.items, request["transitionsM"], request["transitionShrink"])
    supports, queries, histories = ragged(request["supports"]), ragged(request["queries"]), ragged(request["histories"])
    recency = TaskRecency(request["decay"], True)
    batch = list_tasks(supports, queries, histories, index, following, recency, DTYPE)
    config = config_of(request["config"])
    out = gradients(params, trainable_names(config), lambda p: meta_objective(p, inputs, batch, config))
    out["neighbours"] = {"ids": index.ids.reshape(-1).tolist(), "sims": index.sims.reshape(-1).tolist(), "co": index.co.reshape(-1).tolist()}
    out["transitions"] = {"ids": following.ids.reshape(-1).tolist(), "sims": following.sims.reshape(-1).tolist(), "co": following.co.reshape(-1).tolist(),
                          "out": following.out.tolist()}
    s = batch.support
    out["rows"] = {name: getattr(s, name).dense(shape.items).reshape(-1).tolist()
                   for name in ("positives", "neighbours", "transitions", "positives_decay", "neighbours_decay", "transitions_decay")}
    return out


def item_lists(request: dict) -> dict:
    """The item-list search's trials and choice on the given training and validation users (chooseItemLists)."""
    train, validation = ragged(request["train"]), ragged(request["validation"])
    choice = choose_item_lists(train, request["items"], validation, request["neighbours"], request["transitions"],
                               request["transitionShrink"], request["objective"], request["ks"])
    return {"trials": choice.trials, "shrink": choice.neighbours.shrink if choice.neighbours is not None else None,
            "transitions": choice.transitions is not None}


def lists_of(request: dict, shape: ModelShape) -> ItemLists:
    return ItemLists(*(Neighbours(l["m"], np.asarray(l["ids"], np.int32).reshape(shape.items, l["m"]), np.asarray(l["sims"], np.float32).reshape(shape.items, l["m"]))
                       if l else None for l in (request.get("neighbours"), request.get("transitions"))))


def validation(request: dict) -> dict:
    """The objective-based validation of a model with item lists (validate)."""
    shape, params, inputs = model_of(request)
    lists = lists_of(request, shape)
    users = ragged(request["users"])
    scores = [t for _, t in adapted_scores(params, inputs, users, request["steps"], lists)]
    v = validate(params, inputs, users, request["objective"], request["ks"], request["steps"], lists)
    return {"mean": v.mean, "byK": {str(k): x for k, x in v.by_k.items()}, "next": v.next, "scores": torch.cat(scores).reshape(-1).tolist()}


def head(request: dict) -> dict:
    """The pretrain baseline's coordinate search of its fine-tuning head on fixed pooled parameters (finetune.py)."""
    shape, params, inputs = model_of(request)
    lists = lists_of(request, shape)
    users = ragged(request["users"])
    arrays = {k: np.asarray(v, dtype=np.float32) for k, v in request["params"].items()}
    tried: list[Tried] = []

    def score(h: Head) -> Tried:
        tuned = head_arrays(arrays, shape.dim, h)
        t = Tried(tuned, h, validate(from_arrays(tuned, shape, DTYPE), inputs, users, request["objective"], request["ks"], request["steps"], lists))
        tried.append(t)
        return t

    chosen = search_head(score, first_head(lists.neighbours is not None), lists.neighbours is not None, lists.transitions is not None, request["objective"])
    return {"trials": [{"head": t.head.__dict__, "mean": t.validation.mean} for t in tried], "head": chosen.head.__dict__,
            "mean": chosen.validation.mean, "arrays": {k: chosen.arrays[k].tolist() for k in ("logLrUser", "logLrPop", "logLrKnn", "logLrSeq", "logKnnInit", "logSeqInit", "logitDecay")}}


def defaults(_: dict) -> dict:
    return {"config": TrainConfig().to_json()}


def sampled(request: dict) -> dict:
    """The meta-loss and gradients of a batch (rows over the catalog) run on its sub-catalog: its clicks ∪ the explicit draws."""
    _, params, inputs = model_of(request)
    b = request["batch"]
    size = len(b["support"]["count"])
    batch = TaskBatch(feedback_of(b["support"], size), feedback_of(b["query"], size))
    q = proposal(np.asarray(request["counts"], dtype=np.float64))
    positives = np.unique(np.concatenate([batch.support.positives.item.numpy(), batch.query.positives.item.numpy()]))
    c = candidates(positives, np.asarray(request["drawn"], dtype=np.int64), q, request["negatives"], DTYPE)
    config = config_of(request["config"])
    out = gradients(params, trainable_names(config), lambda p: meta_objective(p, inputs, batch, config, None, c))
    out["candidates"] = c.items.tolist()
    out["logR"] = c.log_r.tolist()
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
    nb, tr = i.get("neighbours"), i.get("transitions")
    files = encode_artifact(ArtifactInput(
        algorithm=i["algorithm"], arrays={k: np.asarray(v, dtype=np.float32) for k, v in i["arrays"].items()},
        warm=np.asarray(i["warm"], np.float32), log_pop=np.asarray(i["logPop"], np.float32),
        neighbours=Neighbours(nb["m"], np.asarray(nb["ids"], np.int32).reshape(-1, nb["m"]), np.asarray(nb["sims"], np.float32).reshape(-1, nb["m"])) if nb else None,
        feature_names=i["featureNames"], catalog=i["catalog"].encode("utf-8"), items=i["items"], steps=i["steps"],
        negative_weight=i["negativeWeight"], training=i["training"], data=i["data"], validation=i["validation"],
        transitions=Neighbours(tr["m"], np.asarray(tr["ids"], np.int32).reshape(-1, tr["m"]), np.asarray(tr["sims"], np.float32).reshape(-1, tr["m"])) if tr else None,
    ))
    return {"files": {name: base64.b64encode(data).decode() for name, data in files.items()}}


def ials(request: dict) -> dict:
    """Item factors of implicit ALS on the given users' lists (the trainer's ALS start runs this)."""
    train = Ragged.of([np.asarray(u, dtype=np.int32) for u in request["train"]])
    factors = train_ials(train, transpose(train, request["items"]), request["dim"], request["alpha"], request["lambda"],
                         iterations=request["iterations"], cg_steps=request["cgSteps"], seed=request["seed"])
    return {"factors": factors.reshape(-1).tolist()}


def lazy_adam(request: dict) -> dict:
    """The trainer's LazyAdam (math/lazy_adam.py) on the given tables: each step's gradients at its rows, zero elsewhere,
    as a sampled batch's all-reduced gradients are."""
    shapes = {n: (len(t["values"]) // t["width"], t["width"]) for n, t in request["tables"].items()}
    params = {n: torch.nn.Parameter(torch.tensor(t["values"], dtype=DTYPE).reshape(shapes[n])) for n, t in request["tables"].items()}
    lazy = LazyAdam(params, AdamSettings(request["lr"]))
    for step in request["steps"]:
        rows = torch.tensor(step["ids"], dtype=torch.long)
        lazy.zero_grad()
        for n, p in params.items():
            grad = torch.zeros_like(p)
            grad[rows] = torch.tensor(step["grads"][n], dtype=DTYPE).reshape(len(rows), shapes[n][1])
            p.grad = grad
        lazy.step(rows)
    return {"tables": {n: {"values": p.detach().reshape(-1).tolist(), "m": lazy.m[n].reshape(-1).tolist(),
                           "v": lazy.v[n].reshape(-1).tolist()} for n, p in params.items()}}


def checkpoints(request: dict) -> dict:
    """Largest differences between two runs' meta-training states (module, best validated arrays)."""
    a, b = (torch.load(request[k], map_location="cpu")["meta"] for k in ("a", "b"))
    module = max(float((a["module"][k].double() - b["module"][k].double()).abs().max()) for k in a["module"])
    best = max(float(np.abs(a["best"]["arrays"][k].astype(np.float64) - b["best"]["arrays"][k]).max()) for k in a["best"]["arrays"])
    return {"module": module, "best": best, "iterations": [a["iteration"], b["iteration"]]}


HANDLERS = {"meta": meta, "lists": lists, "pooled": pooled, "encode": encode, "ials": ials, "checkpoints": checkpoints,
            "itemLists": item_lists, "validation": validation, "defaults": defaults, "sampled": sampled, "head": head,
            "lazyAdam": lazy_adam}


def main() -> None:
    """One request, or {"requests": [...]} answered as a list (one python start for many questions)."""
    request = json.load(sys.stdin)
    if "requests" in request:
        json.dump([HANDLERS[r["kind"]](r) for r in request["requests"]], sys.stdout)
    else:
        json.dump(HANDLERS[request["kind"]](request), sys.stdout)


if __name__ == "__main__":
    main()
