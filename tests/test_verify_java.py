"""`verify --java` and `selfCheck()` in a real JVM with ONNX Runtime Java (needs `make java`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import onnx
import pytest

from jvmready.fix import fix
from jvmready.java import java_command
from jvmready.verify import verify
from tests.helpers import run_cli
from tests.verify_models import classifier_model, gather_model, tampered_gather_model

SELF_CHECK_MAIN = "io.jvmready.onnxruntime.SelfCheck"


def _save(model: onnx.ModelProto, path: Path) -> Path:
    onnx.save(model, str(path))
    return path


@pytest.mark.java
def test_fixed_int32_model_has_parity_in_java(tmp_path: Path) -> None:
    orig = _save(gather_model(), tmp_path / "g.onnx")
    fixed = _save(fix(gather_model()).model, tmp_path / "g.fixed.onnx")
    r = run_cli("verify", orig, fixed, "--java", "--samples", "25", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    java = [run for run in doc["runs"] if run["backend"] == "java"]
    assert len(java) == 1 and java[0]["version"].startswith("onnxruntime 1.23.2 (Java 17")
    assert {"load_s", "run_s", "jvm_total_s"} <= set(java[0]["timings"])
    java_outputs = {o["name"]: o for o in doc["outputs"] if o["backend"] == "java"}
    assert set(java_outputs) == {"s", "am"}
    assert all(o["passed"] and o["compared"] == 75 for o in java_outputs.values())


@pytest.mark.java
def test_zipmap_outputs_compare_in_java(tmp_path: Path) -> None:
    clf = _save(classifier_model(), tmp_path / "clf.onnx")
    report = verify(clf, java=True, python=False, samples=5, seed=1)
    assert report.passed, report.to_dict()
    prob = next(c for c in report.comparisons if c.name == "output_probability")
    assert prob.backend == "java" and prob.kind == "seq(map)" and prob.compared == 5 * 3 * 3


@pytest.mark.java
def test_mismatch_in_java_names_the_first_index(tmp_path: Path) -> None:
    orig = _save(gather_model(), tmp_path / "g.onnx")
    bad = _save(tampered_gather_model(), tmp_path / "bad.onnx")
    report = verify(orig, bad, java=True, samples=30)
    assert not report.passed
    firsts = {(c.backend, c.name): c.first for c in report.comparisons if not c.passed}
    assert set(firsts) == {("python", "s"), ("java", "s")}
    py, jv = firsts[("python", "s")], firsts[("java", "s")]
    assert py is not None and jv is not None
    assert (py.sample, py.index) == (jv.sample, jv.index)


@pytest.mark.java
def test_java_self_check_replays_fix_embedded_samples(tmp_path: Path) -> None:
    src = _save(gather_model(), tmp_path / "g.onnx")
    fixed = tmp_path / "g.fixed.onnx"
    r = run_cli("fix", src, "-o", fixed, "--embed-samples", "7")
    assert r.returncode == 0, r.stderr
    ok = subprocess.run(java_command(SELF_CHECK_MAIN, [str(fixed)]), capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    assert "self-check passed: 7 samples, outputs [s, am]" in ok.stdout

    # The same samples in a model with one weight changed: selfCheck names output/sample/index.
    from jvmready.verify.samples import embed, extract

    found = extract(onnx.load(str(fixed)))
    assert found is not None
    other = fix(tampered_gather_model()).model
    moved = _save(
        embed(other, found.inputs, found.expected, rtol=found.rtol, atol=found.atol),
        tmp_path / "moved.onnx",
    )
    py = next(
        c for c in verify(src, moved, samples=1, inputs=found.inputs).comparisons if c.name == "s"
    )
    assert py.first is not None
    bad = subprocess.run(
        java_command(SELF_CHECK_MAIN, [str(moved)]), capture_output=True, text=True
    )
    assert bad.returncode == 1
    assert f"output 's' sample {py.first.sample} index [{py.first.index}]" in bad.stderr


def test_missing_java_is_one_line_exit_2(tmp_path: Path) -> None:
    orig = _save(gather_model(), tmp_path / "g.onnx")
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "JVMREADY_DEBUG")}
    env["PATH"] = str(Path(sys.executable).parent)
    r = subprocess.run(
        [sys.executable, "-m", "jvmready", "verify", str(orig), "--java"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "java not found" in r.stderr
