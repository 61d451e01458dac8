"""Whole training runs in one process (distributed/main.py without torchrun): every algorithm, the budget, resume."""

import dataclasses
import json
import math

import pytest
import torch

from bundle import synthetic_users, write_bundle
from localrec_trainer.artifact.decode import load_artifact
from localrec_trainer.distributed.main import main

# tagMinCounts: the one the fixture bundle's vocabulary was chosen with (bundle.py)
FAST = {"iterations": 6, "pretrainIterations": 6, "validateEvery": 3, "batchSize": 8, "dim": 8, "tagMinCounts": [2]}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    lists, tags = synthetic_users()
    return write_bundle(tmp_path_factory.mktemp("bundle") / "prepared", lists, tags)


def train(bundle, out, settings=None, *flags):
    config = json.dumps({**FAST, **(settings or {})})
    assert main(["--prepared", str(bundle), "--out", str(out), "--checkpoint", str(out) + ".pt", "--config", config, *flags]) == 0
    return load_artifact(out), json.loads((out / "model.json").read_text())["localrec"]


@pytest.mark.parametrize("algorithm", ["maml", "fomaml", "reptile", "protonet", "pretrain"])
def test_every_algorithm_writes_a_validated_artifact(bundle, tmp_path, algorithm, capsys):
    art, meta = train(bundle, tmp_path / "model", {"algorithm": algorithm, "transfer": "pooled"})
    assert meta["algorithm"] == algorithm and meta["training"]["engine"] == "pytorch"
    assert meta["adaptation"]["steps"] == (0 if algorithm == "protonet" else 2)
    # the default objective: the next click (protocol v2), as npm run train
    assert meta["training"]["objective"] == "v2" and meta["validation"]["objective"] == "mean HR@10 of the next click (protocol v2)"
    assert 0 < meta["validation"]["score"] <= 1 and meta["validation"]["byK"] == {}
    assert all(torch.isfinite(w).all() for w in art.weights.values())
    # the model ships the lists it was validated with
    assert ("itemTransitions" in art.weights) == (art.transitions() is not None) == (meta["shape"].get("transitions", 0) > 0)
    assert ("itemLists" in meta["training"]) == (algorithm != "pretrain")
    assert "validation next-click HR@10" in capsys.readouterr().err


@pytest.mark.parametrize("objective", ["v1", "both"])
def test_the_other_objectives_train_and_validate(bundle, tmp_path, objective, capsys):
    _, meta = train(bundle, tmp_path / "model", {"objective": objective, "transfer": "pooled"})
    assert meta["training"]["objective"] == objective
    assert meta["validation"]["objective"].startswith("mean nDCG@10 over k in {1,3,5,10,20}" if objective == "v1" else "mean of protocol v1's")
    assert 0 < meta["validation"]["score"] <= 1 and list(meta["validation"]["byK"]) == ["1", "3", "5", "10", "20"]
    log = capsys.readouterr().err
    assert "item lists chosen" in log and "transition lists at weight 4" in log


def test_the_pretrain_baseline_searches_its_head_on_the_objective(bundle, tmp_path, capsys):
    art, meta = train(bundle, tmp_path / "model", {"algorithm": "pretrain", "transitions": 20})
    log = capsys.readouterr().err
    assert "item lists chosen" in log  # the lists meta-training would ship
    rate = meta["training"]["innerLr"]
    assert rate in (0.1, 0.3, 1, 3, 10)
    lr = float(art.weights["logLrUser"][0])
    assert lr == pytest.approx(math.log(rate), abs=1e-6) and float(art.weights["logLrSeq"][0]) == pytest.approx(lr, abs=1e-6)
    decay = 1 / (1 + math.exp(-float(art.weights["logitDecay"][0])))
    assert min(abs(decay - d) for d in (1, 0.8, 0.6)) < 1e-5  # v2 searches the decay
    assert math.exp(float(art.weights["logSeqInit"][0])) == pytest.approx(1) or "itemTransitions" in art.weights


def test_a_learned_decay_moves_and_the_sampled_softmax_trains(bundle, tmp_path, capsys):
    art, meta = train(bundle, tmp_path / "model", {"transfer": "pooled", "sampledAbove": 10, "negatives": 16, "iterations": 12})
    assert "sampled softmax: 60 items > 10" in capsys.readouterr().err
    assert meta["training"]["sampledAbove"] == 10
    logit = float(art.weights["logitDecay"][0])
    assert logit != pytest.approx(2.1972246, abs=1e-6)  # logit(0.9): the meta-gradient moved it


def test_auto_transfer_records_both_starts(bundle, tmp_path):
    _, meta = train(bundle, tmp_path / "model", {"transfer": "auto"})
    start = meta["training"]["start"]
    assert start["chosen"] in ("als", "pooled")
    assert list(start["als"]["head"]) in (["knn", "pop", "innerLr", "lambda"], ["lambda", "knn", "pop", "innerLr"])
    chosen = start["als"]["validation"] if start["chosen"] == "als" else start["pooled"]
    assert meta["validation"]["score"] == chosen == max(start["als"]["validation"], start["pooled"])


def test_the_time_budget_stops_early_and_still_writes_the_best_validated_model(bundle, tmp_path, capsys):
    # a budget spent at once: every search keeps its first trial, every loop stops after its first batch (as trainMeta does)
    _, meta = train(bundle, tmp_path / "model", {"iterations": 1000, "pretrainIterations": 1000, "maxMinutes": 1e-9})
    assert meta["training"]["budget"] == {"maxMinutes": 1e-9, "stoppedEarly": [
        {"stage": "item lists", "iteration": 1}, {"stage": "ALS start", "iteration": 1}, {"stage": "ALS iterations", "iteration": 1},
        {"stage": "pretraining", "iteration": 1}, {"stage": "meta-training", "iteration": 1}, {"stage": "neighbour count", "iteration": 0}]}
    # the neighbour count: the lists' own score reused, the smaller counts not tried and said so
    assert meta["training"]["neighbourCount"] == {"count": 50, "trials": [{"count": 50, "validation": meta["validation"]["score"]}], "skipped": [10, 20]}
    assert "the neighbour count was chosen after 0 of its trials" in capsys.readouterr().err
    assert len(meta["training"]["itemLists"]["trials"]) == 1 and meta["training"]["itemLists"]["transitions"] == 0
    assert 0 < meta["validation"]["score"] <= 1
    _, meta = train(bundle, tmp_path / "whole", {"transfer": "pooled"})
    assert meta["training"]["budget"] == {"maxMinutes": 0, "stoppedEarly": []}


def test_the_artifact_records_the_bundles_vocabulary_and_validation_users(bundle, tmp_path):
    art, meta = train(bundle, tmp_path / "model", {"transfer": "pooled"})
    chosen = json.loads((bundle / "vocabulary.json").read_text())
    training = meta["training"]
    # what npm run train records (src/cli/train.ts), in its order, between the item lists and the engine's own;
    # validationUsers overwrites the setting of that name in place, as the object spread does in TypeScript
    keys = list(training)
    assert keys[keys.index("itemLists") + 1 : keys.index("backend")] == ["vocabulary", "sampled", "budget"]
    assert keys.index("validationUsers") < keys.index("start")
    assert training["vocabulary"] == {"minCount": 2, "features": len(chosen["names"]), "trials": chosen["trials"]}
    assert art.meta["featureNames"] == chosen["names"]
    assert training["validationUsers"] == meta["validation"]["users"] == 15 and training["sampled"] is False


def test_a_bundle_from_other_settings_or_an_older_version_is_refused_with_the_fix(bundle, tmp_path):
    with pytest.raises(ValueError, match=r"prepared with other settings \(tagMinCounts \[2\] → \[1, 2, 5\]\).*rerun `npm run train:prepare"):
        train(bundle, tmp_path / "model", {"tagMinCounts": [1, 2, 5]})
    old = tmp_path / "old"
    old.mkdir()
    header = json.loads((bundle / "prepared.json").read_text())
    (old / "prepared.json").write_text(json.dumps({**header, "version": 1}))
    with pytest.raises(ValueError, match=r"version 1; this trainer reads version 2.*rerun `npm run train:prepare"):
        train(old, tmp_path / "model")


@pytest.mark.parametrize("algorithm", ["maml", "pretrain", "maml-sampled"])
def test_a_resumed_run_ends_where_an_uninterrupted_one_does(bundle, tmp_path, algorithm):
    # pretrain: resumed after its first validation, it keeps the head found there, as the uninterrupted run does;
    # maml-sampled: the sampled softmax's lazy Adam resumes its moments and step count from the checkpoint
    sampled = {"sampledAbove": 10, "negatives": 16} if algorithm == "maml-sampled" else {}
    settings = {"transfer": "pooled", "algorithm": algorithm.removesuffix("-sampled"), **sampled}
    whole, _ = train(bundle, tmp_path / "whole", settings, "--dtype", "float64")
    train(bundle, tmp_path / "half", {**settings, "iterations": 3}, "--dtype", "float64")
    rest, _ = train(bundle, tmp_path / "rest", settings, "--dtype", "float64", "--resume", str(tmp_path / "half") + ".pt")
    for name, w in whole.weights.items():
        assert torch.allclose(w, rest.weights[name], atol=1e-6), name
    with pytest.raises(ValueError, match=r"another configuration \(dim: 8 → 16\)"):
        train(bundle, tmp_path / "other", {**settings, "dim": 16}, "--dtype", "float64", "--resume", str(tmp_path / "half") + ".pt")


def test_unknown_settings_are_refused_by_name(bundle, tmp_path):
    with pytest.raises(SystemExit):
        train(bundle, tmp_path / "model", {"iteratoins": 3})


def test_report_writes_the_run_measurements_in_the_layout_of_npm_run_train(bundle, tmp_path):
    # src/cli/train.ts --report: seconds, wallSeconds, tasksPerSecond, peakRssMb, validation, stoppedEarly (plus the process count)
    report = tmp_path / "runs" / "run.json"
    _, meta = train(bundle, tmp_path / "model", {"transfer": "pooled", "iterations": 1000, "maxMinutes": 1e-9}, "--report", str(report))
    measured = json.loads(report.read_text())
    assert list(measured) == ["seconds", "wallSeconds", "tasksPerSecond", "peakRssMb", "validation", "stoppedEarly", "processes"]
    assert measured["validation"] == meta["validation"]["score"]
    assert measured["stoppedEarly"] == meta["training"]["budget"]["stoppedEarly"] != []
    assert measured["processes"] == 1 and measured["peakRssMb"] > 50 and measured["tasksPerSecond"] > 0
    assert 0 <= measured["seconds"] <= measured["wallSeconds"]
    # without --report nothing else is written
    train(bundle, tmp_path / "plain", {"transfer": "pooled"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model", "model.pt", "plain", "plain.pt", "runs"]


def test_the_neighbour_count_is_chosen_on_validation_and_shipped(bundle, tmp_path, capsys):
    art, meta = train(bundle, tmp_path / "model", {"transfer": "pooled"}, "--neighbour-counts", "5,20")
    choice = meta["training"]["neighbourCount"]
    # the lists as built (50) keep the kept checkpoint's score; 5 and 20 were validated; the smallest within 0.5% of the best ships
    assert [t["count"] for t in choice["trials"]] == [5, 20, 50] and "skipped" not in choice
    assert choice["trials"][2]["validation"] == meta["validation"]["score"]
    best = max(t["validation"] for t in choice["trials"])
    assert choice["count"] == min(t["count"] for t in choice["trials"] if t["validation"] >= 0.995 * best)
    assert meta["shape"]["neighbours"] == choice["count"] and art.neighbours().m == choice["count"]
    assert meta["training"]["budget"]["stoppedEarly"] == []
    assert f"keeping {choice['count']}" in capsys.readouterr().err


def test_meta_training_stops_when_validation_cannot_reach_the_als_start(bundle, tmp_path, monkeypatch):
    # loop.ts falling: Last.fm fold 1's checkpoints under its ALS start (0.3869, then 0.372 < both) end the loop at
    # batch 6 of 9, as does a rise too slow to reach it; the ALS start is kept. A dip that stays above the start does not stop it.
    from localrec_trainer.train import trainer as trainer_module
    from localrec_trainer.train.loop import falling
    from localrec_trainer.train.validate import Validation

    assert falling(0.3, 0.4, 0.5, 1) and not falling(0.5, 0.25, 1, 2) and not falling(0.3, 0.4, 0.25, 1)
    assert not falling(0.3, None, 0.5, 1) and not falling(0.3, 0.4, None, 1)
    real_als, real_loop = trainer_module.als_candidate, trainer_module.meta_loop

    def run(als_mean: float, scores: list[float], out: str):
        seen: list[float] = []
        searching = [False]

        def als_candidate(context):
            searching[0] = True
            found = real_als(context)
            searching[0] = False
            return dataclasses.replace(found, mean=als_mean)

        def meta_loop(context, *args):
            out = real_loop(context, *args)
            searching[0] = True  # the neighbour-count trials after it
            return out

        def fake_validate(self, params, objective=None, users=None):
            if searching[0]:  # the ALS head search (its screen, its start's score is set above), the count trials
                return Validation(0.0, {})
            seen.append(scores[len(seen)])
            return Validation(seen[-1], {})

        monkeypatch.setattr(trainer_module, "als_candidate", als_candidate)
        monkeypatch.setattr(trainer_module, "meta_loop", meta_loop)
        monkeypatch.setattr(trainer_module.TrainContext, "validate", fake_validate)
        _, meta = train(bundle, tmp_path / out, {"transfer": "auto", "iterations": 9, "validateEvery": 3})
        return seen, meta["training"]["start"]

    seen, start = run(0.4204, [0.3869, 0.372, 0.355], "fell")
    assert seen == [0.3869, 0.372] and start["fellAt"] == 6 and start["chosen"] == "als" and start["pooled"] == 0.3869
    seen, start = run(0.193, [0.2075, 0.2071, 0.2169], "dip")
    assert seen == [0.2075, 0.2071, 0.2169] and "fellAt" not in start and start["pooled"] == 0.2169
    # Last.fm v2 fold 0 under its ALS start (0.1338): rising by 0.0067 with one checkpoint left cannot reach it
    seen, start = run(0.1338, [0.1189, 0.1256, 0.129], "slow")
    assert seen == [0.1189, 0.1256] and start["fellAt"] == 6 and start["chosen"] == "als"
