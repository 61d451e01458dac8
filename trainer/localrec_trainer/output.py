"""What rank 0 writes after training: the artifact the browser loads (and the synthetic world's demo visitors)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Optional, Sequence

import torch

from .artifact.encode import ArtifactInput, encode_artifact, write_artifact
from .artifact.js_json import integer_keys_first
from .train.prepared import Prepared
from .train.trainer import TrainedModel

if TYPE_CHECKING:
    from .distributed import World


def objective_name(objective: str, ks: Sequence[int]) -> str:
    """What the artifact says its validation score measures (OBJECTIVE_NAMES in src/cli/train.ts)."""
    shots = ",".join(str(k) for k in ks)
    return {"v1": f"mean nDCG@10 over k in {{{shots}}} (protocol v1)",
            "v2": "mean HR@10 of the next click (protocol v2)",
            "both": f"mean of protocol v1's nDCG@10 over k in {{{shots}}} and protocol v2's HR@10"}[objective]


def write_model(args: argparse.Namespace, prepared: Prepared, model: TrainedModel, world: "World", blas: str,
                stopped_after: Optional[float] = None) -> tuple[int, list[str]]:
    """Encodes and writes the artifact to --out, as `npm run train` does; returns (bytes, file names).

    `training` records what `npm run train` records, the engine ("pytorch"),
    the torch version and its BLAS, the process count and the dtype, and whether
    --max-minutes stopped the run (`stopped_after` seconds).
    """
    config = model.config
    dataset, split = prepared.header["dataset"], prepared.header["split"]
    training = {"engine": "pytorch", **config.to_json(), "start": model.start,
                **({"itemLists": model.item_lists} if model.item_lists is not None else {}), "backend": world.backend or "none",
                "torch": torch.__version__.split("+")[0], "blas": blas, "processes": world.size, "dtype": args.dtype, "format": dataset["format"],
                "threshold": split["threshold"], "minPositives": split["minPositives"], "validationFold": split["fold"]}
    if stopped_after is not None:
        training["stopped"] = {"reason": f"--max-minutes {args.max_minutes}", "afterSeconds": round(stopped_after, 1)}
    files = encode_artifact(ArtifactInput(
        algorithm=config.algorithm, arrays=model.arrays, warm=model.side.warm, log_pop=model.side.log_pop,
        neighbours=model.neighbours, transitions=model.transitions, feature_names=model.side.names, catalog=prepared.catalog,
        items=len(prepared.data.tags), steps=0 if config.algorithm == "protonet" else config.inner_steps,
        negative_weight=args.negative_weight, training=training,
        data={k: dataset[k] for k in ("name", "fingerprint", "users", "items", "interactions")},
        validation={"objective": objective_name(config.objective, config.validation_ks), "score": model.validation.mean,
                    "byK": integer_keys_first({str(k): v for k, v in model.validation.by_k.items()}),
                    "users": len(prepared.data.validation)},
        generated_by="localrec train:dist",
    ))
    personas = args.prepared / "personas.json"
    if personas.exists():
        files["personas.json"] = personas.read_bytes()  # the synthetic world's demo visitors, as npm run train writes them
    return write_artifact(args.out, files), list(files)
