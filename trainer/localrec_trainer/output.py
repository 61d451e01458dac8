"""What rank 0 writes after training: the artifact the browser loads (and the synthetic world's demo visitors)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Sequence

import torch

from .artifact.encode import ArtifactInput, encode_artifact, write_artifact
from .artifact.js_json import integer_keys_first
from .train.neighbour_count import truncate_neighbours
from .train.prepared import Prepared
from .train.types import TrainedModel

if TYPE_CHECKING:
    from .distributed.world import World


def objective_name(objective: str, ks: Sequence[int]) -> str:
    """What the artifact says its validation score measures (OBJECTIVE_NAMES in src/cli/train.ts)."""
    shots = ",".join(str(k) for k in ks)
    return {"v1": f"mean nDCG@10 over k in {{{shots}}} (protocol v1)",
            "v2": "mean HR@10 of the next click (protocol v2)",
            "both": f"mean of protocol v1's nDCG@10 over k in {{{shots}}} and protocol v2's HR@10"}[objective]


def write_model(args: argparse.Namespace, prepared: Prepared, model: TrainedModel, world: "World", blas: str,
                stops: Sequence[dict] = ()) -> tuple[int, list[str]]:
    """Encodes and writes the artifact to --out, as `npm run train` does; returns (bytes, file names).

    `training` records what `npm run train` records (src/cli/train.ts), in its
    order: the settings, the start, the item lists, the vocabulary the data step
    chose, the validation users, whether the losses were sampled and the time
    budget with the loops it ended early (`stops`); then the engine's own:
    the torch version and its BLAS, the process count and the dtype.
    """
    config = model.config
    dataset, split = prepared.header["dataset"], prepared.header["split"]
    items, validation_users = len(prepared.data.tags), len(prepared.data.validation)
    counted = model.neighbour_count
    training = {"engine": "pytorch", **config.to_json(), **({"neighbourCount": counted} if counted is not None else {}), "start": model.start,
                **({"itemLists": model.item_lists} if model.item_lists is not None else {}),
                "vocabulary": prepared.vocabulary.summary(), "validationUsers": validation_users, "sampled": config.sampled(items),
                "budget": {"maxMinutes": config.max_minutes, "stoppedEarly": list(stops)},
                "backend": world.backend or "none",
                "torch": torch.__version__.split("+")[0], "blas": blas, "processes": world.size, "dtype": args.dtype, "format": dataset["format"],
                "threshold": split["threshold"], "minPositives": split["minPositives"], "validationFold": split["fold"]}
    files = encode_artifact(ArtifactInput(
        algorithm=config.algorithm, arrays=model.arrays, warm=model.side.warm, log_pop=model.side.log_pop,
        neighbours=truncate_neighbours(model.neighbours, counted["count"]) if model.neighbours is not None and counted is not None else model.neighbours,
        transitions=model.transitions, feature_names=model.side.names, catalog=prepared.catalog,
        items=len(prepared.data.tags), steps=0 if config.algorithm == "protonet" else config.inner_steps,
        negative_weight=args.negative_weight, training=training,
        data={k: dataset[k] for k in ("name", "fingerprint", "users", "items", "interactions")},
        validation={"objective": objective_name(config.objective, config.validation_ks), "score": model.validation.mean,
                    "byK": integer_keys_first({str(k): v for k, v in model.validation.by_k.items()}),
                    "users": validation_users},
        generated_by="localrec train:dist",
    ))
    personas = args.prepared / "personas.json"
    if personas.exists():
        files["personas.json"] = personas.read_bytes()  # the synthetic world's demo visitors, as npm run train writes them
    return write_artifact(args.out, files), list(files)
