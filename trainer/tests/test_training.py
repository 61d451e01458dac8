"""Whole training runs in one process (distributed.main without torchrun): every algorithm, the budget, resume."""

import json

import pytest
import torch

from bundle import synthetic_users, write_bundle
from localrec_trainer.artifact.decode import load_artifact
from localrec_trainer.distributed import main

FAST = ["--iterations", "6", "--pretrain-iterations", "6", "--validate-every", "3", "--batch", "8", "--dim", "8"]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    lists, tags = synthetic_users()
    return write_bundle(tmp_path_factory.mktemp("bundle") / "prepared", lists, tags)


def train(bundle, out, *flags):
    assert main(["--prepared", str(bundle), "--out", str(out), "--checkpoint", str(out) + ".pt", *FAST, *flags]) == 0
    return load_artifact(out), json.loads((out / "model.json").read_text())["localrec"]


@pytest.mark.parametrize("algorithm", ["maml", "fomaml", "reptile", "protonet", "pretrain"])
def test_every_algorithm_writes_a_validated_artifact(bundle, tmp_path, algorithm, capsys):
    art, meta = train(bundle, tmp_path / "model", "--algo", algorithm, "--transfer", "pooled")
    assert meta["algorithm"] == algorithm and meta["training"]["engine"] == "pytorch"
    assert meta["adaptation"]["steps"] == (0 if algorithm == "protonet" else 2)
    assert 0 < meta["validation"]["ndcg10"] <= 1 and list(meta["validation"]["byK"]) == ["1", "3", "5", "10", "20"]
    assert all(torch.isfinite(w).all() for w in art.weights.values())
    assert "validation nDCG@10" in capsys.readouterr().err


def test_auto_transfer_records_both_starts(bundle, tmp_path):
    _, meta = train(bundle, tmp_path / "model")
    start = meta["training"]["start"]
    assert start["chosen"] in ("als", "pooled")
    assert list(start["als"]["head"]) in (["knn", "pop", "innerLr", "lambda"], ["lambda", "knn", "pop", "innerLr"])
    chosen = start["als"]["validation"] if start["chosen"] == "als" else start["pooled"]
    assert meta["validation"]["ndcg10"] == chosen == max(start["als"]["validation"], start["pooled"])


def test_the_time_budget_stops_early_and_still_writes_the_best_validated_model(bundle, tmp_path):
    _, meta = train(bundle, tmp_path / "model", "--transfer", "pooled", "--max-minutes", "0", "--iterations", "1000")
    assert meta["training"]["stopped"]["reason"] == "--max-minutes 0.0"
    assert 0 < meta["validation"]["ndcg10"] <= 1


def test_a_resumed_run_ends_where_an_uninterrupted_one_does(bundle, tmp_path):
    flags = ["--transfer", "pooled", "--dtype", "float64"]
    whole, _ = train(bundle, tmp_path / "whole", *flags)
    train(bundle, tmp_path / "half", *flags, "--iterations", "3")
    rest, _ = train(bundle, tmp_path / "rest", *flags, "--resume", str(tmp_path / "half") + ".pt")
    for name, w in whole.weights.items():
        assert torch.allclose(w, rest.weights[name], atol=1e-6), name
    with pytest.raises(ValueError, match=r"another configuration \(dim: 8 → 16\)"):
        train(bundle, tmp_path / "other", *flags, "--resume", str(tmp_path / "half") + ".pt", "--dim", "16")
