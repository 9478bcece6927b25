"""``jvmready verify`` on SavedModels: the original in Python TensorFlow as the reference, the
candidate in Python TensorFlow and in TensorFlow Java (a real JVM), every output compared.

Needs the TF Java adapter built (``make test-tf`` builds it before running these tests).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
import tensorflow as tf
from onnx import TensorProto, helper

from jvmready.errors import JvmreadyError
from jvmready.verify import verify
from tests.helpers import make_model, run_cli

pytestmark = pytest.mark.java

OUTPUTS = {"label", "logits", "id_sum"}
SAMPLES = 5
ROWS = 3  # the dynamic batch dimension of token_ids [None, 3], as verify generates it


@pytest.fixture(scope="module")
def fixed(classifier: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("verify") / "fixed"
    r = run_cli("fix", classifier, "-o", out, "--io", "int32")
    assert r.returncode in (0, 1), r.stderr  # 1: id_sum stays int64 (a JR102 warning)
    sig = tf.saved_model.load(str(out)).signatures["serving_default"]
    assert sig.structured_input_signature[1]["token_ids"].dtype == tf.int32
    return out


@pytest.fixture(scope="module")
def tampered(fixed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixed model with column 0 of the embedding shifted by 1: every logits[., 0] moves."""
    loaded = tf.saved_model.load(str(fixed))
    embedding = loaded.original.embedding  # fix wraps the original model as `original`
    values = embedding.numpy()
    values[:, 0] += 1.0
    embedding.assign(values)
    out = tmp_path_factory.mktemp("verify") / "tampered"
    tf.saved_model.save(
        loaded, str(out), signatures={"serving_default": loaded.signatures["serving_default"]}
    )
    return out


def test_fixed_savedmodel_has_parity_in_python_and_java(classifier: Path, fixed: Path) -> None:
    r = run_cli("verify", classifier, fixed, "--java", "--samples", str(SAMPLES), "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert doc["passed"] is True and doc["format"] == "tensorflow-savedmodel"
    assert doc["samples"] == SAMPLES and doc["inputs"] == "generated (seed 0)"
    runs = {run["backend"]: run for run in doc["runs"] if run["role"] == "candidate"}
    assert set(runs) == {"python", "tf-java"}
    assert runs["python"]["version"] == f"tensorflow {tf.__version__} (Python)"
    assert (
        runs["tf-java"]["version"].startswith("tensorflow ")
        and "(Java 17" in runs["tf-java"]["version"]
    )
    assert {"load_s", "run_s", "jvm_total_s"} <= set(runs["tf-java"]["timings"])
    for backend in ("python", "tf-java"):
        outs = {o["name"]: o for o in doc["outputs"] if o["backend"] == backend}
        assert set(outs) == OUTPUTS
        assert all(o["passed"] and o["mismatches"] == 0 for o in outs.values())
        assert outs["label"]["kind"] == "integer" and outs["label"]["compared"] == SAMPLES * ROWS
        assert (
            outs["logits"]["kind"] == "float" and outs["logits"]["compared"] == SAMPLES * ROWS * 4
        )
        assert outs["id_sum"]["compared"] == SAMPLES * ROWS


def test_human_report_has_a_table_per_backend(classifier: Path, fixed: Path) -> None:
    r = run_cli("verify", classifier, fixed, "--java", "--samples", "2")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "python vs reference" in r.stdout and "tf-java vs reference" in r.stdout
    assert "│ logits " in r.stdout and "│ label " in r.stdout
    assert r.stdout.rstrip().endswith("parity")


def test_original_int64_signature_runs_in_java_against_itself(classifier: Path) -> None:
    report = verify(classifier, java=True, python=False, samples=3, seed=4)
    assert report.passed, report.to_dict()
    assert {c.name for c in report.comparisons} == OUTPUTS
    assert {c.backend for c in report.comparisons} == {"tf-java"}
    assert report.evidence is not None
    assert report.evidence.inputs.arrays["token_ids"].dtype == np.int64


def test_tampered_candidate_fails_naming_output_and_index(classifier: Path, tampered: Path) -> None:
    r = run_cli("verify", classifier, tampered, "--java", "--samples", "3", "--json")
    assert r.returncode == 1, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    assert doc["passed"] is False
    failed = {(o["backend"], o["name"]): o for o in doc["outputs"] if not o["passed"]}
    assert {("python", "logits"), ("tf-java", "logits")} <= set(failed)
    for backend in ("python", "tf-java"):
        first = failed[(backend, "logits")]["first_mismatch"]
        assert (first["sample"], first["index"], first["where"]) == (0, 0, "[0, 0]")
        assert first["actual"] == pytest.approx(first["expected"] + 3.0, abs=1e-4)  # 3 ids per row
    human = run_cli("verify", classifier, tampered, "--java", "--samples", "3")
    assert human.returncode == 1
    assert "tf-java logits: first mismatch at sample 0, index [0, 0] (flat 0)" in human.stdout
    assert human.stdout.rstrip().endswith("MISMATCH")


def test_values_beyond_int32_are_refused_for_the_int32_candidate(
    classifier: Path, fixed: Path, tmp_path: Path
) -> None:
    ids = np.array([[1, 2, 3], [9, 2**31 + 5, 4]], dtype=np.int64)
    npz = tmp_path / "wide.npz"
    np.savez(npz, token_ids=ids)
    r = run_cli("verify", classifier, fixed, "--java", "--inputs", npz)
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.count("\n") == 1, r.stderr
    assert "input 'token_ids': value 2147483653 at flat index 4 does not fit int32" in r.stderr
    assert str(npz) in r.stderr and str(fixed) in r.stderr


def test_given_inputs_are_used_and_stacked_samples_count(
    classifier: Path, fixed: Path, tmp_path: Path
) -> None:
    ids = np.array([[[1, 2, 3]], [[9, 0, 4]], [[5, 5, 5]], [[0, 0, 0]]], dtype=np.int64)
    npz = tmp_path / "ids.npz"
    np.savez(npz, token_ids=ids)
    report = verify(classifier, fixed, java=True, inputs=npz)
    assert report.passed, report.to_dict()
    assert report.samples == 4 and report.inputs == str(npz)
    label = next(c for c in report.comparisons if c.backend == "tf-java" and c.name == "label")
    assert label.compared == 4


def test_generated_inputs_the_model_rejects_ask_for_real_ones(tmp_path: Path) -> None:
    class Picky(tf.Module):
        def __init__(self) -> None:
            super().__init__()
            self.table = tf.Variable([1.0, 2.0])

        @tf.function(input_signature=[tf.TensorSpec([4], tf.int64, name="ids")])
        def serve(self, ids: tf.Tensor) -> dict[str, tf.Tensor]:
            return {"y": tf.gather(self.table, ids + 5)}  # always out of range on CPU

    model = Picky()
    path = tmp_path / "picky"
    tf.saved_model.save(model, str(path), signatures={"serving_default": model.serve})
    r = run_cli("verify", path)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1, r.stderr
    assert "TensorFlow failed on sample 0" in r.stderr and "--inputs FILE.npz" in r.stderr


def test_embed_spark_and_unknown_signature_refuse_in_one_line(
    classifier: Path, fixed: Path, tmp_path: Path
) -> None:
    embed = run_cli("verify", classifier, fixed, "--embed", "-o", tmp_path / "copy")
    assert embed.returncode == 2 and embed.stderr.count("\n") == 1
    assert "--embed stores samples in ONNX metadata" in embed.stderr
    assert not (tmp_path / "copy").exists()
    spark = run_cli("verify", classifier, fixed, "--spark")
    assert spark.returncode == 2 and spark.stderr.count("\n") == 1
    assert "--spark scores ONNX models" in spark.stderr
    sig = run_cli("verify", classifier, "--signature", "predict")
    assert sig.returncode == 2 and sig.stderr.count("\n") == 1
    assert "no signature 'predict' (it has serving_default)" in sig.stderr
    with pytest.raises(JvmreadyError, match="no signature 'predict'"):
        verify(classifier, signature="predict")


def test_explicit_default_signature_is_the_same_run(classifier: Path, fixed: Path) -> None:
    r = run_cli("verify", classifier, fixed, "--signature", "serving_default", "--samples", "2")
    assert r.returncode == 0, r.stdout + r.stderr


def test_missing_java_is_one_line_exit_2(classifier: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "JVMREADY_DEBUG")}
    env["PATH"] = str(Path(sys.executable).parent)
    r = subprocess.run(
        [sys.executable, "-m", "jvmready", "verify", str(classifier), "--java", "--samples", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.count("\n") == 1 and "java not found" in r.stderr


def test_an_onnx_original_with_a_savedmodel_candidate_is_refused(
    classifier: Path, tmp_path: Path
) -> None:
    ids = helper.make_tensor_value_info("token_ids", TensorProto.INT64, [None, 3])
    label = helper.make_tensor_value_info("label", TensorProto.INT64, [None, 3])
    path = tmp_path / "m.onnx"
    onnx.save(
        make_model([helper.make_node("Identity", ["token_ids"], ["label"])], [ids], [label]), path
    )
    r = run_cli("verify", path, classifier)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "verify compares models of one format" in r.stderr
    assert "the original is onnx, this is tensorflow-savedmodel" in r.stderr
