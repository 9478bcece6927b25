"""``jvmready check`` and ``jvmready demo`` as a user runs them: output, exit codes, bad input."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto as T
from onnx import helper, numpy_helper
from rich.console import Console

from jvmready import progress
from jvmready.check import check
from jvmready.onnx.check import PROGRESS_MIN_BYTES
from jvmready.onnx.rules import RULES
from tests.helpers import REPO, make_model, run_cli


def _save(model: onnx.ModelProto, path: Path) -> Path:
    path.write_bytes(model.SerializeToString())
    return path


@pytest.fixture
def int64_model(tmp_path: Path) -> Path:
    """y = x + offsets, x and y int64: errors under ort-java."""
    return _save(
        make_model(
            [helper.make_node("Add", ["x", "offsets"], ["y"])],
            [helper.make_tensor_value_info("x", T.INT64, ["batch", 2])],
            [helper.make_tensor_value_info("y", T.INT64, ["batch", 2])],
            [numpy_helper.from_array(np.array([1, 2**31 + 5], np.int64), "offsets")],
        ),
        tmp_path / "ids.onnx",
    )


@pytest.fixture
def float_model(tmp_path: Path) -> Path:
    return _save(
        make_model(
            [helper.make_node("Relu", ["x"], ["y"])],
            [helper.make_tensor_value_info("x", T.FLOAT, [None, 4])],
            [helper.make_tensor_value_info("y", T.FLOAT, [None, 4])],
        ),
        tmp_path / "relu.onnx",
    )


@pytest.fixture
def warning_model(tmp_path: Path) -> Path:
    """Float interface, but a declared shape that disagrees with inference: a warning only."""
    model = make_model(
        [helper.make_node("Relu", ["x"], ["y"])],
        [helper.make_tensor_value_info("x", T.FLOAT, [3])],
        [helper.make_tensor_value_info("y", T.FLOAT, [3])],
    )
    model.graph.output[0].type.tensor_type.shape.dim[0].dim_value = 4
    return _save(model, tmp_path / "shape.onnx")


def test_table_output_and_exit_1(int64_model: Path) -> None:
    r = run_cli("check", int64_model)
    assert r.returncode == 1, r.stderr
    assert "Java signature" in r.stdout
    assert "long[][]" in r.stdout and "LongBuffer" in r.stdout
    assert "JR101" in r.stdout and "JR102" in r.stdout
    assert "jvmready fix --keep x" in r.stdout
    assert "2147483653" in r.stdout  # the stored value beyond int32 and its max
    assert "2 errors" in r.stdout
    assert r.stderr == ""


def test_exit_0_on_clean_model(float_model: Path) -> None:
    r = run_cli("check", float_model)
    assert r.returncode == 0, r.stderr
    assert "float[][]" in r.stdout and "no findings" in r.stdout


def test_fail_on_levels(warning_model: Path, int64_model: Path) -> None:
    assert run_cli("check", warning_model).returncode == 0  # default: error
    r = run_cli("check", warning_model, "--fail-on", "warning")
    assert r.returncode == 1 and "JR131" in r.stdout
    assert run_cli("check", int64_model, "--fail-on", "never").returncode == 0


def test_target_int32_escalates_internals(tmp_path: Path) -> None:
    # Float interface, int64 inside (Shape -> Reshape): clean for ORT Java, errors for int32.
    model = make_model(
        [
            helper.make_node("Shape", ["x"], ["s"]),
            helper.make_node("Reshape", ["x", "s"], ["y"]),
        ],
        [helper.make_tensor_value_info("x", T.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("y", T.FLOAT, [2, 3])],
    )
    path = _save(model, tmp_path / "reshape.onnx")
    assert run_cli("check", path).returncode == 0
    r = run_cli("check", path, "--target", "int32", "--json")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["target"] == "int32"
    errors = {
        (f["rule"], f["location"].get("node")) for f in doc["findings"] if f["severity"] == "error"
    }
    assert ("JR120", "Shape_0") in errors and ("JR120", "Reshape_1") in errors


def test_json_document(int64_model: Path) -> None:
    r = run_cli("check", int64_model, "--json")
    assert r.returncode == 1
    doc = json.loads(r.stdout)  # stdout is exactly one JSON document
    assert doc["schema_version"] == 1
    assert doc["tool"]["name"] == "jvmready"
    assert doc["format"] == "onnx" and doc["target"] == "ort-java"
    assert doc["path"] == str(int64_model)
    (x,) = doc["inputs"]
    assert x == {
        "name": "x",
        "direction": "input",
        "type": "tensor(int64)",
        "shape": ["batch", 2],
        "java": {
            "type": "long[][]",
            "alternatives": ["OnnxTensor.createTensor(env, LongBuffer, long[] shape)"],
            "note": x["java"]["note"],
        },
    }
    assert "Unexpected input data type" in x["java"]["note"]
    (t,) = doc["tensors"]
    assert (t["name"], t["min"], t["max"], t["fits_int32"]) == ("offsets", 1, 2**31 + 5, False)
    rules = [f["rule"] for f in doc["findings"]]
    assert rules[:2] == ["JR101", "JR102"]  # worst first
    jr101 = doc["findings"][0]
    assert jr101["severity"] == "error"
    assert jr101["location"] == {"file": str(int64_model), "graph": "main", "tensor": "x"}
    assert "must stay int64" in jr101["message"]
    assert doc["summary"]["counts"]["error"] == 2
    assert doc["summary"]["worst"] == "error" and doc["summary"]["fail_on"] == "error"


def test_sarif_file(int64_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "ci" / "check.sarif"
    r = run_cli("check", int64_model, "--sarif", out)
    assert r.returncode == 1
    assert "SARIF written" in r.stderr
    sarif = json.loads(out.read_text())
    assert sarif["version"] == "2.1.0" and "sarif-schema-2.1.0" in sarif["$schema"]
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "jvmready"
    assert [r["id"] for r in driver["rules"]] == [r.id for r in RULES]
    assert all(r["shortDescription"]["text"] and r["help"]["text"] for r in driver["rules"])
    results = run["results"]
    first = results[0]
    assert first["ruleId"] == "JR101" and first["level"] == "error"
    assert driver["rules"][first["ruleIndex"]]["id"] == "JR101"
    (loc,) = first["locations"]
    assert loc["physicalLocation"]["artifactLocation"]["uri"].endswith("ids.onnx")
    assert loc["logicalLocations"] == [{"fullyQualifiedName": "main/x", "kind": "variable"}]
    assert "Remedy:" in first["message"]["text"]
    assert {r["level"] for r in results} <= {"error", "warning", "note"}
    assert "note" in {r["level"] for r in results}  # JR110 info -> note


def test_json_and_sarif_together(int64_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.sarif"
    r = run_cli("check", int64_model, "--json", "--sarif", out, "--fail-on", "never")
    assert r.returncode == 0
    assert json.loads(r.stdout)["summary"]["fail_on"] == "never"
    assert json.loads(out.read_text())["runs"][0]["results"]


@pytest.mark.parametrize(
    ("setup", "problem"),
    [
        ("missing", "no such file"),
        ("text", "not a valid ONNX model"),
        ("truncated", "not a valid ONNX model"),
        ("empty", "empty file"),
        ("directory", "is a directory"),
        ("no_external", "external data file 'weights.bin'"),
        ("short_external", "is truncated"),
        ("lying_dims", "is too short for tensor 'offsets'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, int64_model: Path, setup: str, problem: str
) -> None:
    path = tmp_path / f"{setup}.onnx"
    if setup == "text":
        path.write_text("this is not a model\n")
    elif setup == "truncated":
        data = int64_model.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif setup == "empty":
        path.write_bytes(b"")
    elif setup == "directory":
        path.mkdir()
    elif setup == "lying_dims":
        # No recorded length, and dims claiming 8 TiB: refused, never memory-mapped.
        model = onnx.load(int64_model)
        t = model.graph.initializer[0]
        t.ClearField("raw_data")
        del t.dims[:]
        t.dims.append(1 << 40)
        t.data_location = T.EXTERNAL
        t.external_data.add(key="location", value="weights.bin")
        (tmp_path / "weights.bin").write_bytes(b"\0" * 16)
        _save(model, path)
    elif setup in ("no_external", "short_external"):
        model = onnx.load(int64_model)
        t = model.graph.initializer[0]
        t.ClearField("raw_data")
        t.data_location = T.EXTERNAL
        t.external_data.add(key="location", value="weights.bin")
        t.external_data.add(key="length", value="16")
        if setup == "short_external":
            (tmp_path / "weights.bin").write_bytes(b"\0" * 8)
        _save(model, path)
    r = run_cli("check", path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert path.name in lines[0] and problem in lines[0]
    assert r.stdout == ""


def test_usage_errors_exit_2(int64_model: Path) -> None:
    r = run_cli("check", int64_model, "--target", "int16")
    assert r.returncode == 2 and "unknown target 'int16'" in r.stderr and "ort-java" in r.stderr
    r = run_cli("check", int64_model, "--fail-on", "sometimes")
    assert r.returncode == 2 and "--fail-on" in r.stderr
    r = run_cli("check")
    assert r.returncode == 2 and "Missing argument" in r.stderr and "MODEL" in r.stderr


class _Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []

    def start(self, description: str, total_bytes: int) -> None:
        self.events.append(("start", total_bytes))

    def advance(self, nbytes: int) -> None:
        self.events.append(("advance", nbytes))

    def finish(self) -> None:
        self.events.append(("finish", 0))


def _big_int64_model(tmp_path: Path) -> Path:
    """An external int64 tensor just over the progress threshold (a sparse file of zeros)."""
    count = PROGRESS_MIN_BYTES // 8 + 1024
    model = make_model(
        [helper.make_node("Gather", ["table", "i"], ["y"])],
        [helper.make_tensor_value_info("i", T.INT64, [1])],
        [helper.make_tensor_value_info("y", T.INT64, [1])],
        [numpy_helper.from_array(np.zeros(4, np.int64), "table")],
    )
    t = model.graph.initializer[0]
    del t.dims[:]
    t.dims.append(count)
    t.ClearField("raw_data")
    t.data_location = T.EXTERNAL
    t.external_data.add(key="location", value="table.bin")
    with (tmp_path / "table.bin").open("wb") as f:
        f.truncate(count * 8)
    return _save(model, tmp_path / "table.onnx")


def test_progress_reported_for_big_scans_and_kept_off_json(tmp_path: Path) -> None:
    path = _big_int64_model(tmp_path)
    rec = _Recorder()
    with progress.reporting_to(rec):
        report = check(path)
    total = rec.events[0][1]
    assert rec.events[0] == ("start", total) and total > PROGRESS_MIN_BYTES
    assert sum(n for kind, n in rec.events if kind == "advance") == total
    assert rec.events[-1] == ("finish", 0)
    assert report.tensors[0].range is not None and report.tensors[0].range.max == 0

    small = _Recorder()
    with progress.reporting_to(small):
        check(tmp_path / "table.onnx", "int32")
    assert small.events  # same model: still big
    r = run_cli("check", path, "--json")
    doc = json.loads(r.stdout)
    assert doc["extra"]["int64_bytes_scanned"] == total
    assert r.stderr == ""
    # Without a terminal (CI logs, pipes) no bar is drawn either: stderr stays clean.
    r = run_cli("check", path)
    assert r.returncode == 1 and r.stderr == "" and "table" in r.stdout


def test_demo_api_writes_model_and_explains(tmp_path: Path) -> None:
    from jvmready.demo import STEPS, run_demo

    buf = StringIO()
    ctx = run_demo(tmp_path / "work", Console(file=buf, width=160, soft_wrap=False), until="check")
    text = buf.getvalue()
    assert [s.name for s in STEPS][:2] == ["train", "check"]
    assert ctx.model is not None and ctx.model.exists()
    model = onnx.load(ctx.model)
    assert {i.name for i in model.graph.input} == {"categories", "measurements"}
    assert any(n.op_type == "ZipMap" for n in model.graph.node)
    assert any(n.op_type == "OneHotEncoder" for n in model.graph.node)
    report = ctx.reports["check"]
    assert {f.rule for f in report.findings if f.severity.name == "ERROR"} == {
        "JR101",
        "JR102",
        "JR103",
    }
    doc = json.loads((tmp_path / "work" / "check.json").read_text())
    assert doc["schema_version"] == 1 and doc["inputs"][0]["java"]["type"] == "long[][]"
    assert json.loads((tmp_path / "work" / "check.sarif").read_text())["version"] == "2.1.0"
    assert "OnnxMap<Long,Float>" in text and "map.get(1L)" in text
    assert "JR103" in text and "--drop-zipmap" in text
    assert "-2147483643" in text  # the folk cast, shown wrapping


def test_demo_cli(tmp_path: Path) -> None:
    r = run_cli("demo", "--workdir", tmp_path / "d", "--until", "check")
    assert r.returncode == 0, r.stderr
    assert "Step 1/2" in r.stdout and "Step 2/2" in r.stdout
    assert "JR101" in r.stdout and "long[][]" in r.stdout
    assert (tmp_path / "d" / "diabetes_progression.onnx").exists()
    r = run_cli("demo", "--workdir", tmp_path / "d", "--until", "nope")
    assert r.returncode == 2 and "unknown demo step 'nope'" in r.stderr and "check" in r.stderr


def test_every_rule_is_documented() -> None:
    doc = (REPO / "docs" / "rules.md").read_text()
    for r in RULES:
        assert f"## {r.id}" in doc, r.id
        assert r.name in doc, r.name


def test_onnx_without_onnx_suffix_is_recognised(int64_model: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "exported_model"
    renamed.write_bytes(int64_model.read_bytes())
    report = check(renamed)
    assert report.format == "onnx"
    assert [f.rule for f in report.findings][:2] == ["JR101", "JR102"]
