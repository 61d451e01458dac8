"""The artifact writer and reader (artifact/encode.py, decode.py)."""

import json

import numpy as np
import pytest

from localrec_trainer.artifact.decode import load_artifact
from localrec_trainer.artifact.encode import ArtifactInput, encode_artifact, write_artifact
from localrec_trainer.core.neighbours import Neighbours
from localrec_trainer.core.params import ModelShape, init_params, to_arrays


def artifact_input(**change) -> ArtifactInput:
    shape = ModelShape(5, 2, 3)
    catalog = json.dumps({"items": [{"id": f"i{i}", "title": f"Item {i}", "tags": ["a"] if i % 2 else []} for i in range(5)]}).encode()
    base = dict(algorithm="maml", arrays=to_arrays(init_params(shape, 3)), warm=np.ones(5, np.float32), log_pop=np.arange(5, dtype=np.float32),
                neighbours=Neighbours(2, np.array([[1, 2], [0, -1], [0, 1], [-1, -1], [3, 2]], np.int32), np.full((5, 2), 0.5, np.float32)),
                feature_names=["(all items)", "a"], catalog=catalog, items=5, steps=2, negative_weight=0.5,
                training={"engine": "pytorch"}, data={"name": "t"}, validation={"ndcg10": 0.5})
    return ArtifactInput(**{**base, **change})


def test_round_trip_with_hashes_and_the_manifest_layout(tmp_path):
    files = encode_artifact(artifact_input())
    write_artifact(tmp_path, files)
    art = load_artifact(tmp_path)
    model = json.loads(files["model.json"])
    assert list(model) == ["format", "generatedBy", "modelTopology", "weightsManifest", "localrec"]
    assert list(model["localrec"]) == ["format", "formatVersion", "version", "algorithm", "shape", "featureNames", "adaptation", "training", "data", "validation", "files"]
    assert [w["name"] for w in model["weightsManifest"][0]["weights"]][-4:] == ["itemWarm", "itemLogPop", "itemNeighbours", "itemNeighbourSims"]
    assert art.meta["shape"] == {"items": 5, "features": 2, "dim": 3, "neighbours": 2}
    assert art.weights["itemNeighbours"][1].tolist() == [0, -1]
    assert art.meta["version"].startswith("maml-")
    assert art.neighbours() is not None and art.inputs().items == 5


def test_a_changed_weight_changes_the_version_and_a_tampered_file_is_refused(tmp_path):
    a = encode_artifact(artifact_input())
    arrays = dict(artifact_input().arrays)
    arrays["userInit"] = arrays["userInit"] + 1
    b = encode_artifact(artifact_input(arrays=arrays))
    assert json.loads(a["model.json"])["localrec"]["version"] != json.loads(b["model.json"])["localrec"]["version"]
    write_artifact(tmp_path, a)
    blob = bytearray((tmp_path / "weights.bin").read_bytes())
    blob[10] ^= 1
    (tmp_path / "weights.bin").write_bytes(bytes(blob))
    with pytest.raises(ValueError, match="weights.bin.*failed verification"):
        load_artifact(tmp_path)


def test_a_wrong_parameter_size_names_the_parameter():
    arrays = dict(artifact_input().arrays)
    arrays["itemEmb"] = arrays["itemEmb"][:-1]
    with pytest.raises(ValueError, match='"itemEmb" has 14 values, expected 15'):
        encode_artifact(artifact_input(arrays=arrays))


def test_transition_lists_follow_the_neighbours_in_the_weights_and_the_shape(tmp_path):
    transitions = Neighbours(1, np.array([[4], [-1], [1], [0], [2]], np.int32), np.linspace(0.1, 0.5, 5, dtype=np.float32).reshape(5, 1))
    files = encode_artifact(artifact_input(transitions=transitions))
    write_artifact(tmp_path, files)
    art = load_artifact(tmp_path)
    names = [w["name"] for w in json.loads(files["model.json"])["weightsManifest"][0]["weights"]]
    assert names[-4:] == ["itemNeighbours", "itemNeighbourSims", "itemTransitions", "itemTransitionWeights"]
    assert art.meta["shape"] == {"items": 5, "features": 2, "dim": 3, "neighbours": 2, "transitions": 1}
    back = art.transitions()
    assert back is not None and back.ids[:, 0].tolist() == [4, -1, 1, 0, 2]
    assert np.array_equal(back.sims, transitions.sims)
    assert load_artifact_without_transitions(tmp_path) is None


def load_artifact_without_transitions(tmp_path):
    write_artifact(tmp_path, encode_artifact(artifact_input()))
    return load_artifact(tmp_path).transitions()
