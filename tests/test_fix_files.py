"""``fix`` file to file: external data streamed with its layout kept, the input never touched,
and the ``jvmready fix`` command."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from jvmready.errors import JvmreadyError, NarrowingError
from jvmready.fix import fix_file
from jvmready.formats import FixOptions
from jvmready.onnx.load import external_location, load_model
from tests.fixtools import assert_same_outputs
from tests.helpers import make_model, run_cli

I64, I32, F = TensorProto.INT64, TensorProto.INT32, TensorProto.FLOAT
N = 300_000


def vi(name: str, elem: int, shape: list[int | str | None]) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, elem, shape)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def external_model(folder: Path, idx_values: np.ndarray | None = None) -> Path:
    """Gather from a large int64 table at large int64 indices, plus a float weight, all stored
    in one external data file."""
    rng = np.random.default_rng(1)
    table = rng.integers(-(2**31), 2**31, size=N, dtype=np.int64)
    idx = rng.integers(0, N, size=N, dtype=np.int64) if idx_values is None else idx_values
    model = make_model(
        [
            helper.make_node("Gather", ["table", "idx"], ["picked"], axis=0),
            helper.make_node("Add", ["picked", "offset"], ["shifted"]),
            helper.make_node("Mul", ["x", "w"], ["scaled"]),
        ],
        [vi("offset", I64, [1]), vi("x", F, [N])],
        [vi("picked", I64, [N]), vi("shifted", I64, [N]), vi("scaled", F, [N])],
        [
            numpy_helper.from_array(table, "table"),
            numpy_helper.from_array(idx, "idx"),
            numpy_helper.from_array(rng.standard_normal(N).astype(np.float32), "w"),
        ],
    )
    helper.set_model_props(model, {"source": "test"})
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "model.onnx"
    onnx.save_model(
        model, path, save_as_external_data=True, location="weights.bin", size_threshold=0
    )
    return path


def feeds() -> dict[str, np.ndarray]:
    return {
        "offset": np.array([3], dtype=np.int64),
        "x": np.linspace(-1, 1, N, dtype=np.float32),
    }


def test_external_data_is_streamed_narrowed_and_keeps_its_layout(tmp_path: Path) -> None:
    src = external_model(tmp_path / "in")
    before = digest(src.parent)
    out = tmp_path / "out" / "fixed.onnx"
    report = fix_file(src, out, FixOptions(target="int32"))
    assert digest(src.parent) == before  # the input and its data are untouched
    assert sorted(p.name for p in out.parent.iterdir()) == ["fixed.onnx", "weights.bin"]
    fixed = load_model(out)  # validates every external reference
    tensors = {t.name: t for t in fixed.model.graph.initializer}
    assert all(t.data_location == TensorProto.EXTERNAL for t in tensors.values())
    assert {external_location(t)[0] for t in tensors.values()} == {"weights.bin"}
    assert tensors["idx"].data_type == I32 and external_location(tensors["idx"])[2] == N * 4
    assert tensors["table"].data_type == I64  # Gather's data is tied to its int64 output
    kinds = {(c.kind, c.name) for c in report.changes}
    assert ("initializer-narrowed", "idx") in kinds
    assert ("input-narrowed", "offset") in kinds
    assert ("output-narrowed", "picked") in kinds  # values of a table that fits int32
    assert {p.key: p.value for p in fixed.model.metadata_props}["source"] == "test"
    out_values = assert_same_outputs(src, out, feeds())
    assert out_values["picked"].dtype == np.int32  # type: ignore[union-attr]


def test_output_next_to_the_input_would_overwrite_its_data_so_it_is_refused(
    tmp_path: Path,
) -> None:
    src = external_model(tmp_path)
    before = digest(tmp_path)
    with pytest.raises(JvmreadyError, match="another directory"):
        fix_file(src, tmp_path / "fixed.onnx", FixOptions())
    assert digest(tmp_path) == before


def test_refusal_writes_nothing(tmp_path: Path) -> None:
    idx = np.zeros(N, dtype=np.int64)
    idx[N - 2] = 2**33
    src = external_model(tmp_path / "in", idx)
    out_dir = tmp_path / "out"
    with pytest.raises(NarrowingError) as caught:
        fix_file(src, out_dir / "fixed.onnx", FixOptions(target="int32"))
    assert (caught.value.tensor, caught.value.index, caught.value.value) == ("idx", N - 2, 2**33)
    assert not out_dir.exists() or list(out_dir.iterdir()) == []


def test_refuses_to_overwrite_the_input(tmp_path: Path) -> None:
    model = make_model(
        [helper.make_node("Identity", ["a"], ["b"])], [vi("a", I64, [1])], [vi("b", I64, [1])]
    )
    path = tmp_path / "m.onnx"
    onnx.save_model(model, path)
    before = path.read_bytes()
    with pytest.raises(JvmreadyError, match="refusing to overwrite"):
        fix_file(path, path, FixOptions())
    assert path.read_bytes() == before


def small_model(path: Path, labels: list[int]) -> Path:
    model = make_model(
        [
            helper.make_node("ArgMax", ["scores"], ["best"], axis=1, keepdims=0),
            helper.make_node("Gather", ["labels", "best"], ["label"], axis=0),
            helper.make_node("Cast", ["scores"], ["echo"], to=F),
        ],
        [vi("scores", F, ["n", len(labels)]), vi("ids", I64, ["n"])],
        [vi("label", I64, ["n"]), vi("ids", I64, ["n"])],
        [numpy_helper.from_array(np.array(labels, dtype=np.int64), "labels")],
    )
    onnx.save_model(model, path)
    return path


def test_cli_fix_prints_changes_and_writes_a_model_ort_runs(tmp_path: Path) -> None:
    src = small_model(tmp_path / "m.onnx", [5, 6, 7])
    out = tmp_path / "fixed.onnx"
    done = run_cli("fix", src, "-o", out)
    assert done.returncode == 0, done.stderr
    assert "input-narrowed: 'ids' tensor(int64) -> tensor(int32)" in done.stdout
    assert "output-narrowed: 'label' tensor(int64) -> tensor(int32)" in done.stdout
    assert f"wrote {out}" in done.stdout
    scores = np.eye(3, dtype=np.float32)
    got = assert_same_outputs(src, out, {"scores": scores, "ids": np.arange(3, dtype=np.int64)})
    assert got["label"].tolist() == [5, 6, 7]  # type: ignore[union-attr]


def test_cli_json_and_keep(tmp_path: Path) -> None:
    src = small_model(tmp_path / "m.onnx", [5, 6, 7])
    out = tmp_path / "fixed.onnx"
    done = run_cli("fix", src, "-o", out, "--keep", "ids", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["output"] == str(out) and doc["format"] == "onnx"
    assert [(c["kind"], c["name"]) for c in doc["changes"]] == [("output-narrowed", "label")]
    assert [f["rule"] for f in doc["findings"]] == ["JR504"]


def test_cli_refusals_are_one_line(tmp_path: Path) -> None:
    src = small_model(tmp_path / "m.onnx", [5, 2**31 + 5, 7])
    out = tmp_path / "fixed.onnx"
    forced = run_cli("fix", src, "-o", out, "--unsafe-narrow-outputs")
    assert forced.returncode == 1
    assert forced.stderr.strip().splitlines() == [
        "jvmready: refused: output 'label' cannot be narrowed: tensor 'labels' holds value "
        "2147483653 at flat index 1, which does not fit int32 and can reach it; keep it int64 "
        "(--keep label)"
    ]
    assert not out.exists()
    same = run_cli("fix", src, "-o", src)
    assert same.returncode == 2 and "refusing to overwrite the input" in same.stderr
    missing = run_cli("fix", tmp_path / "nope.onnx", "-o", out)
    assert missing.returncode == 2 and "nope.onnx" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    bad_io = run_cli("fix", src, "-o", out, "--io", "int8")
    assert bad_io.returncode == 2 and "--io" in bad_io.stderr
    both = run_cli("fix", src, "-o", out, "--unsafe-narrow-outputs", "--keep", "label")
    assert both.returncode == 0 and "JR504" in both.stdout
    kept = run_cli("fix", src, "-o", out)  # without --unsafe: label stays int64, reported
    assert kept.returncode == 0
    assert "JR502" in kept.stdout and "2147483653" in kept.stdout


def test_api_on_a_path_narrows_external_tensors_into_memory_only(tmp_path: Path) -> None:
    from jvmready import fix

    src = external_model(tmp_path)
    before = digest(tmp_path)
    result = fix(src, target="int32")
    tensors = {t.name: t for t in result.model.graph.initializer}
    assert tensors["idx"].data_location == TensorProto.DEFAULT
    assert numpy_helper.to_array(tensors["idx"]).dtype == np.int32
    expected = numpy_helper.to_array(onnx.load(str(src)).graph.initializer[1])
    assert numpy_helper.to_array(tensors["idx"]).tolist() == expected.tolist()
    assert tensors["table"].data_location == TensorProto.EXTERNAL  # untouched: still on disk
    assert digest(tmp_path) == before
