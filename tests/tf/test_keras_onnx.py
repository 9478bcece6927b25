"""examples/keras_to_onnx.py end to end: real Keras training, tf2onnx export, check, fix, and
verify in ONNX Runtime Python and Java (a real JVM; ``make test-tf`` builds the jars first).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest

from tests.helpers import REPO, run_cli

pytestmark = pytest.mark.java

EXAMPLE = REPO / "examples" / "keras_to_onnx.py"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("keras") / "out"
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), str(out), "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out, json.loads(done.stdout)


def _input_type(path: Path) -> str:
    (spec,) = ort.InferenceSession(str(path)).get_inputs()
    return str(spec.type)


def test_export_keeps_keras_int64_and_computes_what_keras_computes(
    run: tuple[Path, dict[str, Any]],
) -> None:
    _, r = run
    assert r["keras"] == {**r["keras"], "input": "int64", "label": "int64"}
    assert r["onnx"]["ir_version"] <= 10 and r["onnx"]["opsets"]["ai.onnx"] == 17
    assert r["onnx"]["io"] == {
        "token_ids": "tensor(int64) -> long[][]",
        "label": "tensor(int64) -> long[]",
        "logits": "tensor(float) -> float[][]",
    }
    assert r["onnx"]["labels_equal_keras"] is True
    assert r["onnx"]["logits_max_abs_diff"] < 1e-5


def test_check_then_fix_give_an_int32_interface(run: tuple[Path, dict[str, Any]]) -> None:
    out, r = run
    assert r["check"] == ["JR101 token_ids", "JR102 label"]
    assert r["fix"]["changes"] == [
        "input-narrowed: token_ids tensor(int64) -> tensor(int32)",
        "output-narrowed: label tensor(int64) -> tensor(int32)",
    ]
    assert r["fix"]["io"]["token_ids"] == "tensor(int32) -> int[][]"
    assert r["fix"]["io"]["label"] == "tensor(int32) -> int[]"
    assert r["fix"]["errors_left"] == []
    # The files themselves, read back by ONNX Runtime: int64 before, int32 after, same values.
    original, fixed = out / "classifier.onnx", out / "classifier-int32.onnx"
    assert (_input_type(original), _input_type(fixed)) == ("tensor(int64)", "tensor(int32)")
    ids = np.load(out / "token_ids.npz")["token_ids"].reshape(-1, 6)
    assert ids.dtype == np.int64 and ids.max() < 64
    want = ort.InferenceSession(str(original)).run(["label", "logits"], {"token_ids": ids})
    got = ort.InferenceSession(str(fixed)).run(
        ["label", "logits"], {"token_ids": ids.astype(np.int32)}
    )
    assert (want[0].dtype, got[0].dtype) == (np.int64, np.int32)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


def test_verify_passes_in_python_and_java(run: tuple[Path, dict[str, Any]]) -> None:
    _, r = run
    v = r["verify"]
    assert v["passed"] is True and v["samples"] == 4
    assert [(x["role"], x["backend"], x["error"]) for x in v["runs"]] == [
        ("reference", "python", ""),
        ("candidate", "python", ""),
        ("candidate", "java", ""),
    ]
    assert "Java" in v["runs"][2]["version"]
    outputs = {(o["backend"], o["name"]): o for o in v["outputs"]}
    assert set(outputs) == {(b, n) for b in ("python", "java") for n in ("label", "logits")}
    for (_, name), o in outputs.items():
        assert o["passed"] and o["mismatches"] == 0
        assert o["compared"] == {"label": 8, "logits": 24}[name]
        assert o["kind"] == {"label": "integer", "logits": "float"}[name]


def test_cli_commands_the_example_prints_work(run: tuple[Path, dict[str, Any]]) -> None:
    out, _ = run
    original, fixed = out / "classifier.onnx", out / "classifier-int32.onnx"
    checked = run_cli("check", original, "--json")
    assert checked.returncode == 1
    assert {f["rule"] for f in json.loads(checked.stdout)["findings"]} >= {"JR101", "JR102"}
    verified = run_cli(
        "verify", original, fixed, "--java", "--inputs", out / "token_ids.npz", "--json"
    )
    assert verified.returncode == 0, verified.stderr
    assert json.loads(verified.stdout)["passed"] is True


def test_where_widths_bite(run: tuple[Path, dict[str, Any]]) -> None:
    _, r = run
    w = r["widths"]
    assert w["exported_input_type"] == {
        "default (float32)": "tensor(float)",
        "int32": "tensor(int32)",
        "int64": "tensor(int64)",
    }
    assert w["float32_id"] == {"value": 16777217, "as_float32": 16777216}
    assert (w["value"], w["astype_int32"]) == (2**31 + 5, -2147483643)
    assert (
        "'token_ids'" in w["narrow_checked"] and "2147483653 at flat index 1" in w["narrow_checked"]
    )


@pytest.mark.filterwarnings("ignore::FutureWarning")  # Keras's numpy-2 patch of tf2onnx
def test_keras_ops_argmax_exports_a_model_onnx_runtime_refuses(tmp_path: Path) -> None:
    """Why the example uses tf.argmax: Keras 3's argmax (int32) lowers to TF ops tf2onnx 1.17
    cannot convert (Bitcast, BitwiseAnd); the export still writes a file, which ORT rejects."""
    import keras

    ids = keras.Input(shape=(6,), dtype="int64", name="token_ids")
    logits = keras.layers.Dense(3)(
        keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(64, 8)(ids))
    )
    model = keras.Model(ids, keras.ops.argmax(logits, axis=-1))
    label = model(np.zeros((1, 6), np.int64))
    assert keras.backend.standardize_dtype(label.dtype) == "int32"
    path = tmp_path / "keras-argmax.onnx"
    model.export(str(path), format="onnx", opset_version=17, verbose=False)
    with pytest.raises(Exception, match="Bitcast"):
        ort.InferenceSession(str(path))
