"""The Java model runner driven from Python: outputs equal Python onnxruntime's, errors are one line.

Runs the real ``io.jvmready.onnxruntime.Main`` in a real JVM (built by ``make java``) on models
made here with onnx and skl2onnx.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

from jvmready import java
from jvmready.errors import JvmreadyError
from jvmready.java import JavaRunError, run_java_model
from tests.helpers import run_cli
from tests.vectors import make_models

pytestmark = pytest.mark.java


def _python_outputs(model: Path, inputs: dict[str, np.ndarray]) -> dict[str, Any]:
    sess = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    return make_models._encode_outputs(sess, sess.run(None, inputs))


def _save(path: Path, model: Any) -> Path:
    path.write_bytes(model.SerializeToString())
    return path


@pytest.fixture(scope="module")
def logreg(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    model, x = make_models._logreg(string_labels=False)
    return _save(tmp_path_factory.mktemp("m") / "logreg.onnx", model), x


def test_outputs_equal_python_onnxruntime_for_zipmap_classifier(
    tmp_path: Path, logreg: tuple[Path, np.ndarray]
) -> None:
    model, x = logreg
    np.savez(tmp_path / "in.npz", X=x)
    info = run_java_model(model, tmp_path / "in.npz", tmp_path / "out.npz")
    assert info["runs"] == 1
    assert info["ort_version"] == ort.__version__
    assert info["load_ms"] >= 0 and info["run_ms"] >= 0
    want = _python_outputs(model, {"X": x})
    with np.load(tmp_path / "out.npz") as got:
        assert sorted(got.files) == sorted(want)
        for name, value in want.items():
            assert got[name].dtype == value.dtype, name
            np.testing.assert_array_equal(got[name], value, err_msg=name)
    assert sorted(want) == ["output_label", "output_probability.keys", "output_probability.values"]


def test_stacked_runs_every_sample_in_one_jvm(
    tmp_path: Path, logreg: tuple[Path, np.ndarray]
) -> None:
    model, x = logreg
    samples = x[:12].reshape(4, 3, 4)  # S=4 samples of a [3, 4] batch
    np.savez(tmp_path / "in.npz", X=samples)
    info = run_java_model(model, tmp_path / "in.npz", tmp_path / "out.npz", stacked=True)
    assert info["runs"] == 4
    with np.load(tmp_path / "out.npz") as got:
        for i in range(4):
            want = _python_outputs(model, {"X": samples[i]})
            for name, value in want.items():
                np.testing.assert_array_equal(got[name][i], value, err_msg=f"{name}[{i}]")
        assert got["output_probability.keys"].shape == (4, 3, 3)


def _int_model(dtype: int) -> Any:
    """``y = ids * 3 + 2`` over ``ids [batch, 3]``; int64 or int32 throughout."""
    return make_models._affine_int(dtype, "affine")


@pytest.mark.parametrize("dtype", [TensorProto.INT64, TensorProto.INT32])
def test_integer_models_match_python_whatever_the_npz_width(tmp_path: Path, dtype: int) -> None:
    model = _save(tmp_path / "m.onnx", _int_model(dtype))
    ids = np.array([[1, -2, 3], [2**30, 5, -(2**29)]], dtype=np.int64)
    np.savez(tmp_path / "in.npz", ids=ids)  # int64 on disk; the runner feeds int[] for int32
    run_java_model(model, tmp_path / "in.npz", tmp_path / "out.npz")
    np_type = helper.tensor_dtype_to_np_dtype(dtype)
    want = _python_outputs(model, {"ids": ids.astype(np_type)})
    with np.load(tmp_path / "out.npz") as got:
        for name, value in want.items():
            assert got[name].dtype == np_type
            np.testing.assert_array_equal(got[name], value)


def test_value_too_wide_for_int32_input_is_refused_naming_input_index_value(tmp_path: Path) -> None:
    model = _save(tmp_path / "m.onnx", _int_model(TensorProto.INT32))
    np.savez(tmp_path / "in.npz", ids=np.array([[1, 2, 3], [4, 2**31 + 5, 6]], dtype=np.int64))
    with pytest.raises(JavaRunError) as exc:
        run_java_model(model, tmp_path / "in.npz", tmp_path / "out.npz")
    assert exc.value.returncode == 1
    assert exc.value.message == (
        f"{tmp_path / 'in.npz'}: input 'ids': value 2147483653 at flat index 4 does not fit int32 "
        "(model declares tensor(int32) [batch, 3])"
    )
    assert not (tmp_path / "out.npz").exists()


def test_multiple_inputs_with_dynamic_dims(tmp_path: Path) -> None:
    model = _save(tmp_path / "m.onnx", make_models._multi_input())
    rng = np.random.default_rng(7)
    inputs = {
        "a": rng.integers(-(2**40), 2**40, size=(3, 6), dtype=np.int64),
        "b": rng.standard_normal((3, 6)).astype(np.float32),
        "idx": np.array([5, 0], dtype=np.int64),
    }
    np.savez(tmp_path / "in.npz", **inputs)  # type: ignore[arg-type]
    run_java_model(model, tmp_path / "in.npz", tmp_path / "out.npz")
    want = _python_outputs(model, inputs)
    with np.load(tmp_path / "out.npz") as got:
        for name, value in want.items():
            np.testing.assert_array_equal(got[name], value, err_msg=name)


def test_bad_inputs_fail_with_one_line_and_exit_2(tmp_path: Path) -> None:
    model = _save(tmp_path / "m.onnx", _int_model(TensorProto.INT64))
    with pytest.raises(JavaRunError) as exc:
        run_java_model(model, tmp_path / "missing.npz", tmp_path / "out.npz")
    assert exc.value.returncode == 2
    assert str(exc.value) == f"{tmp_path / 'missing.npz'}: no such file"

    np.savez(tmp_path / "in.npz", ids=np.zeros((2, 5), dtype=np.int64))
    with pytest.raises(JavaRunError) as exc:
        run_java_model(model, tmp_path / "in.npz", tmp_path / "out.npz")
    assert exc.value.returncode == 2
    assert str(exc.value).endswith(
        "input 'ids': model declares tensor(int64) [batch, 3]; given LongBuffer [2, 5]"
    )

    np.savez(tmp_path / "f.npz", ids=np.zeros((2, 3), dtype=np.float32))
    with pytest.raises(JavaRunError, match="floats are not converted to integers"):
        run_java_model(model, tmp_path / "f.npz", tmp_path / "out.npz")


def test_missing_library_says_run_make_java(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pom.xml").write_text("<project/>")
    monkeypatch.setenv(java.JAVA_DIR_ENV, str(tmp_path))
    with pytest.raises(JvmreadyError, match=r"not built .*run `make java`"):
        java.classpath()
    monkeypatch.setenv(java.JAVA_DIR_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(JvmreadyError, match="set JVMREADY_JAVA_DIR"):
        java.classpath()
    result = run_cli("classpath")
    # run_cli inherits the patched environment: the CLI reports the same line, exit 2
    assert result.returncode == 2
    assert "set JVMREADY_JAVA_DIR" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_java_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(JvmreadyError, match="java not found"):
        java.find_java()


def test_classpath_compiles_and_runs_user_code(tmp_path: Path) -> None:
    result = run_cli("classpath")
    assert result.returncode == 0, result.stderr
    cp = result.stdout.strip()
    assert "\n" not in cp
    entries = cp.split(os.pathsep)
    assert any("jvmready-onnxruntime" in e for e in entries)
    assert any("jvmready-core" in e for e in entries)
    assert any("onnxruntime-1.23.2.jar" in e for e in entries)
    assert all(Path(e).exists() for e in entries)

    model = _save(tmp_path / "m.onnx", _int_model(TensorProto.INT64))
    src = tmp_path / "Hello.java"
    src.write_text(
        """
import io.jvmready.onnxruntime.ModelRunner;
import io.jvmready.onnxruntime.Result;
import java.nio.file.Path;
import java.util.Arrays;

public class Hello {
  public static void main(String[] args) throws Exception {
    try (ModelRunner r = ModelRunner.open(Path.of(args[0]));
        Result res = r.run("ids", new int[][] {{1, 2, 3}})) {
      System.out.println(Arrays.toString(res.longs("y")));
    }
  }
}
"""
    )
    javac = Path(java.find_java()).with_name("javac")
    subprocess.run([str(javac), "-cp", cp, "-d", str(tmp_path), str(src)], check=True, timeout=300)
    run = subprocess.run(
        [java.find_java(), "-cp", cp + os.pathsep + str(tmp_path), "Hello", str(model)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    want = _python_outputs(model, {"ids": np.array([[1, 2, 3]], dtype=np.int64)})["y"]
    assert run.stdout.strip() == str(want.ravel().tolist())


def test_runner_error_line_is_picked_out_of_onnxruntime_log_lines() -> None:
    stderr = (
        "2026-11-25 [W:onnxruntime:, graph.cc:1] Removing initializer 'x'.\n"
        "jvmready-java: error: in.npz: no such file\n"
    )
    assert java._java_error(stderr, 2) == "in.npz: no such file"
    assert "run `make java`" in java._java_error(
        "Error: Could not find or load main class io.jvmready.onnxruntime.Main\n"
        "Caused by: java.lang.ClassNotFoundException: io.jvmready.onnxruntime.Main\n",
        1,
    )


def test_a_jvm_that_cannot_start_the_runner_is_a_setup_error_not_a_run_error() -> None:
    # JavaSetupError (exit 2: Java unusable) is told from JavaRunError (the model failed) by type.
    with pytest.raises(java.JavaSetupError, match="the Java library is incomplete") as exc:
        java.run_main(java.classpath(), "io.jvmready.NoSuchMain", [], label="x", timeout=300)
    assert not isinstance(exc.value, java.JavaRunError)
