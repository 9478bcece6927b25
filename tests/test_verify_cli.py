"""`jvmready verify` end to end in Python: parity of fixed models, mismatch detection, --json,
--inputs conversion, and the exit codes (0 parity, 1 mismatch, 2 usage or file errors)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from jvmready.fix import fix
from jvmready.verify import verify
from tests.helpers import make_model, run_cli
from tests.verify_models import classifier_model, gather_model, tampered_gather_model


@pytest.fixture
def models(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "original": tmp_path / "gather.onnx",
        "fixed": tmp_path / "gather.fixed.onnx",
        "tampered": tmp_path / "gather.tampered.onnx",
        "clf": tmp_path / "clf.onnx",
        "clf_fixed": tmp_path / "clf.fixed.onnx",
    }
    onnx.save(gather_model(), str(paths["original"]))
    onnx.save(fix(gather_model()).model, str(paths["fixed"]))
    onnx.save(tampered_gather_model(), str(paths["tampered"]))
    onnx.save(classifier_model(), str(paths["clf"]))
    onnx.save(fix(classifier_model(), drop_zipmap=True).model, str(paths["clf_fixed"]))
    return paths


def test_fixed_model_has_parity_with_its_original(models: dict[str, Path]) -> None:
    fixed = onnx.load(str(models["fixed"]))
    assert fixed.graph.input[0].type.tensor_type.elem_type == TensorProto.INT32
    r = run_cli("verify", models["original"], models["fixed"], "--samples", "20")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "parity" in r.stdout and "onnxruntime 1.23.2 (Python)" in r.stdout
    assert "│ am " in r.stdout and "│ s " in r.stdout


def test_classifier_without_zipmap_matches_the_maps(models: dict[str, Path]) -> None:
    report = verify(models["clf"], models["clf_fixed"], samples=6, seed=2)
    assert report.passed, report.to_dict()
    kinds = {c.name: c.kind for c in report.comparisons}
    assert kinds == {"output_label": "integer", "output_probability": "seq(map)"}
    prob = next(c for c in report.comparisons if c.name == "output_probability")
    assert prob.compared == 6 * 3 * 3  # samples x rows x classes


def test_changed_weight_is_a_mismatch_with_the_first_index(models: dict[str, Path]) -> None:
    r = run_cli("verify", models["original"], models["tampered"], "--samples", "30", "--json")
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    assert doc["passed"] is False and doc["samples"] == 30
    by_name = {o["name"]: o for o in doc["outputs"]}
    s = by_name["s"]
    assert s["passed"] is False and s["mismatches"] > 0
    first = s["first_mismatch"]
    # The first sample/position whose id is row 3 (the changed row) is the first mismatch.
    inputs = verify(models["original"], samples=30).evidence
    assert inputs is not None
    ids = np.asarray(inputs.inputs.arrays["ids"]).reshape(-1)
    flat = int(np.flatnonzero(ids == 3)[0])
    assert (first["sample"], first["index"]) == divmod(flat, ids.size // 30)
    assert abs(first["actual"] - first["expected"] - 0.25) < 1e-5
    assert s["max_abs"] == pytest.approx(0.25, abs=1e-5)
    assert by_name["am"]["kind"] == "integer"


def test_human_output_names_the_first_mismatch(models: dict[str, Path]) -> None:
    r = run_cli("verify", models["original"], models["tampered"], "--samples", "30")
    assert r.returncode == 1
    assert "python s: first mismatch at sample" in r.stdout and "MISMATCH" in r.stdout


def test_json_document(models: dict[str, Path]) -> None:
    r = run_cli("verify", models["original"], "--json", "--samples", "3", "--seed", "9")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["passed"] is True and doc["inputs"] == "generated (seed 9)"
    assert doc["rtol"] == 1e-5 and doc["atol"] == 1e-6
    assert [(run["role"], run["backend"]) for run in doc["runs"]] == [
        ("reference", "python"),
        ("candidate", "python"),
    ]
    assert all(run["version"] == "onnxruntime 1.23.2 (Python)" for run in doc["runs"])
    assert {o["name"] for o in doc["outputs"]} == {"s", "am"}
    assert all(o["compared"] == 9 and o["first_mismatch"] is None for o in doc["outputs"])


def test_inputs_file_serves_original_and_fixed(models: dict[str, Path], tmp_path: Path) -> None:
    npz = tmp_path / "in.npz"
    np.savez(npz, ids=np.array([[0, 6, 3], [1, 1, 2]], dtype=np.int64))
    r = run_cli("verify", models["original"], models["fixed"], "--inputs", npz, "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["samples"] == 2 and doc["inputs"] == str(npz)


def test_inputs_out_of_int32_range_are_refused(models: dict[str, Path], tmp_path: Path) -> None:
    # ids >= 2**31 cannot reach an int32 input; the Gather would reject it anyway, so use an
    # identity model whose fixed copy takes int32.
    model = make_model(
        [helper.make_node("Identity", ["x"], ["y"])],
        [helper.make_tensor_value_info("x", TensorProto.INT64, ["n"])],
        [helper.make_tensor_value_info("y", TensorProto.INT64, ["n"])],
    )
    orig, fixed = tmp_path / "id.onnx", tmp_path / "id.fixed.onnx"
    onnx.save(model, str(orig))
    onnx.save(fix(model).model, str(fixed))
    npz = tmp_path / "big.npz"
    np.savez(npz, x=np.array([7, 2**31 + 5], dtype=np.int64))
    r = run_cli("verify", orig, fixed, "--inputs", npz)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "input 'x': value 2147483653 at flat index 1 does not fit int32" in r.stderr
    assert str(npz) in r.stderr


def test_exit_2_cases(models: dict[str, Path], tmp_path: Path) -> None:
    missing = run_cli("verify", tmp_path / "nope.onnx")
    assert missing.returncode == 2 and "nope.onnx: no such file" in missing.stderr
    bad_npz = tmp_path / "bad.npz"
    bad_npz.write_text("hello")
    r = run_cli("verify", models["original"], "--inputs", bad_npz)
    assert r.returncode == 2 and "bad.npz" in r.stderr
    r = run_cli("verify", models["original"], "--embed")
    assert r.returncode == 2 and "--embed needs -o" in r.stderr
    r = run_cli("verify", models["original"], "--samples", "0")
    assert r.returncode == 2 and "--samples" in r.stderr
    for r in (missing,):
        assert "Traceback" not in r.stderr


def test_rejected_generated_inputs_ask_for_real_ones(tmp_path: Path) -> None:
    # Indices that go through Add before the Gather: no bound is known, so generated values
    # (0..9) overflow the 2-row table and onnxruntime rejects them.
    model = make_model(
        [
            helper.make_node("Add", ["ids", "five"], ["shifted"]),
            helper.make_node("Gather", ["table", "shifted"], ["y"]),
        ],
        [helper.make_tensor_value_info("ids", TensorProto.INT64, [4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])],
        [
            helper.make_tensor("table", TensorProto.FLOAT, [2], [1.0, 2.0]),
            helper.make_tensor("five", TensorProto.INT64, [], [5]),
        ],
    )
    path = tmp_path / "picky.onnx"
    onnx.save(model, str(path))
    r = run_cli("verify", path)
    assert r.returncode == 2
    assert "--inputs FILE.npz" in r.stderr and "sample 0" in r.stderr
    assert r.stderr.count("\n") == 1


def test_candidate_that_fails_to_run_is_a_mismatch(tmp_path: Path) -> None:
    # Same signature, but the candidate's table has 2 rows: ids up to 6 make onnxruntime fail.
    orig = tmp_path / "g.onnx"
    onnx.save(gather_model(), str(orig))
    small = tmp_path / "small.onnx"
    onnx.save(gather_model(np.ones((2, 4), dtype=np.float32)), str(small))
    r = run_cli("verify", orig, small, "--samples", "5", "--json")
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    failed = [run for run in doc["runs"] if run["error"]]
    assert len(failed) == 1 and failed[0]["backend"] == "python"
    assert "failed on sample" in failed[0]["error"] and doc["passed"] is False


def test_signature_is_for_savedmodels_and_unreadable_formats_are_named(
    models: dict[str, Path], tmp_path: Path
) -> None:
    r = run_cli("verify", models["original"], "--signature", "serving_default")
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "--signature picks a TensorFlow SavedModel signature" in r.stderr
    weights = tmp_path / "w.npy"
    np.save(weights, np.arange(3, dtype=np.int64))
    r = run_cli("verify", weights)
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "w.npy: verify runs onnx and tensorflow-savedmodel models; this is" in r.stderr
