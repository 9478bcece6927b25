"""``check`` on hand-built graphs: If/Loop subgraphs, external data (also > 2 GB), schema
rules, declared-vs-inferred types, and the Java types of every interface kind."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onnx import TensorProto as T
from onnx import helper, numpy_helper

import jvmready.onnx.check as onnx_check
import jvmready.onnx.ranges as ranges
from jvmready import Severity, check
from jvmready.onnx.load import from_proto
from jvmready.onnx.signature import java_type
from jvmready.report import CheckReport
from tests.helpers import make_model

BIG = 2**31 + 5


def _rules(report: CheckReport, rule: str) -> list:  # type: ignore[type-arg]
    return [f for f in report.findings if f.rule == rule]


def _if_loop_model() -> onnx.ModelProto:
    """out = If(cond) then x + 3000000000 else x + 1; n = Loop(trip) summing an int64 counter."""
    then_c = helper.make_node(
        "Constant", [], ["big"], value=numpy_helper.from_array(np.array([3 * 10**9], np.int64))
    )
    then_add = helper.make_node("Add", ["x", "big"], ["then_out"])
    then_g = helper.make_graph(
        [then_c, then_add], "then", [], [helper.make_tensor_value_info("then_out", T.INT64, [1])]
    )
    else_c = helper.make_node(
        "Constant", [], ["one"], value=numpy_helper.from_array(np.array([1], np.int64))
    )
    else_add = helper.make_node("Add", ["x", "one"], ["else_out"])
    else_g = helper.make_graph(
        [else_c, else_add], "else", [], [helper.make_tensor_value_info("else_out", T.INT64, [1])]
    )
    if_node = helper.make_node(
        "If", ["cond"], ["out"], name="choose", then_branch=then_g, else_branch=else_g
    )
    body = helper.make_graph(
        [
            helper.make_node("Identity", ["cond_in"], ["cond_out"]),
            helper.make_node("Add", ["acc_in", "iter"], ["acc_out"]),
        ],
        "body",
        [
            helper.make_tensor_value_info("iter", T.INT64, []),
            helper.make_tensor_value_info("cond_in", T.BOOL, []),
            helper.make_tensor_value_info("acc_in", T.INT64, []),
        ],
        [
            helper.make_tensor_value_info("cond_out", T.BOOL, []),
            helper.make_tensor_value_info("acc_out", T.INT64, []),
        ],
    )
    loop = helper.make_node("Loop", ["trip", "", "zero"], ["n"], body=body)
    zero = numpy_helper.from_array(np.array(0, np.int64), "zero")
    return make_model(
        [if_node, loop],
        [
            helper.make_tensor_value_info("x", T.INT64, [1]),
            helper.make_tensor_value_info("cond", T.BOOL, []),
            helper.make_tensor_value_info("trip", T.INT64, []),
        ],
        [
            helper.make_tensor_value_info("out", T.INT64, [1]),
            helper.make_tensor_value_info("n", T.INT64, []),
        ],
        [zero],
    )


def test_if_and_loop_subgraphs(tmp_path: Path) -> None:
    model = _if_loop_model()
    path = tmp_path / "ifloop.onnx"
    onnx.save(model, path)
    # Real: onnxruntime runs it and the big constant really flows to the output.
    sess = ort.InferenceSession(str(path))
    out, n = sess.run(
        None,
        {"x": np.array([5], np.int64), "cond": np.array(True), "trip": np.array(4, np.int64)},
    )
    assert out.tolist() == [3 * 10**9 + 5] and int(n) == 6

    report = check(path)
    consts = {f.location.tensor: f for f in _rules(report, "JR111")}
    big = consts["big"]
    assert big.location.graph == "main/choose.then_branch" and big.location.node == "Constant_0"
    assert big.data == {
        "min": 3 * 10**9,
        "max": 3 * 10**9,
        "count": 1,
        "fits_int32": False,
        "shape": [1],
    }
    assert big.severity is Severity.INFO  # ORT runs int64 inside: a fact, not a problem
    assert consts["one"].data["fits_int32"] is True
    assert consts["one"].location.graph == "main/choose.else_branch"

    inside = {f.location.graph: f for f in _rules(report, "JR112")}
    body = inside["main/Loop_1.body"]
    assert set(body.data["values"]) >= {"iter", "acc_in", "acc_out"}
    assert "main/choose.then_branch" in inside

    (loop_schema,) = [f for f in _rules(report, "JR120") if f.data["op_type"] == "Loop"]
    assert "input M ('trip')" in loop_schema.data["at"]

    # The big constant reaches both x and out: they must stay int64.
    (jr101,) = [f for f in _rules(report, "JR101") if f.location.tensor == "x"]
    assert "beyond int32" in jr101.message and "3000000000" in jr101.message
    jr102 = {f.location.tensor: f for f in _rules(report, "JR102")}
    assert set(jr102) == {"out", "n"}
    # x + 3e9 is computed, so there is no witness, but no proof either; and the constant
    # it is connected to says why it must stay int64.
    assert jr102["out"].data["proof"]["fits_int32"] is False
    assert "no proof" in jr102["out"].message and "3000000000" in jr102["out"].message
    assert "must stay int64" in jr102["out"].message
    assert jr102["n"].data["proof"]["fits_int32"] is False  # a loop sum: no proof either way
    assert "no proof" in jr102["n"].message
    assert report.inputs[2].java.primary == "long"  # a scalar input
    assert report.outputs[1].java.primary == "Long"  # a scalar output comes back boxed

    strict = check(path, "int32")
    sev = {(f.rule, f.location.tensor): f.severity for f in strict.findings}
    assert sev[("JR111", "big")] is Severity.ERROR
    assert sev[("JR111", "one")] is Severity.WARNING
    assert {f.severity for f in _rules(strict, "JR112")} == {Severity.WARNING}
    assert {f.severity for f in _rules(strict, "JR120")} == {Severity.ERROR}


def _external(tensor: onnx.TensorProto, location: str, offset: int = 0) -> None:
    """Turn ``tensor`` into an external-data reference (its bytes are written by the caller)."""
    nbytes = len(tensor.raw_data) if tensor.HasField("raw_data") else None
    tensor.ClearField("raw_data")
    tensor.data_location = T.EXTERNAL
    for key, value in (("location", location), ("offset", str(offset))):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    if nbytes is not None:
        entry = tensor.external_data.add()
        entry.key, entry.value = "length", str(nbytes)


FLOATS = 3 << 28  # 3 GiB of float32: the model with its data is over 2 GB


def _big_external_model(tmp_path: Path, ids: np.ndarray) -> Path:  # type: ignore[type-arg]
    """y = Gather(W, i) with W: 3 GiB float32 in a sparse file; z = i + offsets (int64, external)."""
    placeholder = numpy_helper.from_array(np.zeros(4, np.float32), "W")
    offsets = numpy_helper.from_array(ids, "offsets")
    model = make_model(
        [
            helper.make_node("Gather", ["W", "i"], ["y"]),
            helper.make_node("Add", ["i", "offsets"], ["z"]),
        ],
        [helper.make_tensor_value_info("i", T.INT64, [ids.size])],
        [
            helper.make_tensor_value_info("y", T.FLOAT, [ids.size]),
            helper.make_tensor_value_info("z", T.INT64, [ids.size]),
        ],
        [placeholder, offsets],
    )
    w, off = model.graph.initializer
    del w.dims[:]
    w.dims.append(FLOATS)
    w.ClearField("raw_data")
    _external(w, "weights.bin")
    w.external_data.add(key="length", value=str(FLOATS * 4))
    with (tmp_path / "weights.bin").open("wb") as f:
        f.truncate(FLOATS * 4)  # sparse: takes no disk, and must never be read
    (tmp_path / "ids.bin").write_bytes(b"\0" * 16 + ids.astype("<i8").tobytes())
    _external(off, "ids.bin", offset=16)
    path = tmp_path / "big.onnx"
    path.write_bytes(model.SerializeToString())
    return path


def test_external_data_over_2gb_reads_only_int64(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = np.arange(3 * (1 << 20), dtype=np.int64)  # 24 MiB: several scan chunks
    ids[-1] = BIG
    path = _big_external_model(tmp_path, ids)
    assert (tmp_path / "weights.bin").stat().st_size > 2**31

    materialised: list[tuple[str, int]] = []
    real = onnx_check.tensor_array

    def recording(loaded, tensor):  # type: ignore[no-untyped-def]
        materialised.append((tensor.name, tensor.data_type))
        return real(loaded, tensor)

    monkeypatch.setattr(onnx_check, "tensor_array", recording)
    monkeypatch.setattr(ranges, "tensor_array", recording)  # the output range proof reads too
    report = check(path)

    # Only the int64 tensor was ever turned into an array; the 3 GiB of floats were not.
    assert materialised and set(materialised) == {("offsets", T.INT64)}
    (summary,) = report.tensors
    assert summary.name == "offsets" and summary.shape == (ids.size,)
    assert summary.range is not None
    assert (summary.range.min, summary.range.max, summary.range.fits_int32) == (0, BIG, False)
    assert report.extra["shape_inference"] == "ok"  # inference ran on the proto without data
    assert not _rules(report, "JR132") and not _rules(report, "JR130")
    (jr110,) = _rules(report, "JR110")
    assert jr110.data["max"] == BIG and jr110.severity is Severity.INFO
    assert "beyond int32" in _rules(report, "JR101")[0].message
    assert check(path, "int32").worst is Severity.ERROR


def test_small_int64_external_does_not_touch_floats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _big_external_model(tmp_path, np.array([1, 2, 3], np.int64))
    seen: list[int] = []
    real = onnx_check.tensor_array

    def recording(loaded, tensor):  # type: ignore[no-untyped-def]
        seen.append(tensor.data_type)
        return real(loaded, tensor)

    monkeypatch.setattr(onnx_check, "tensor_array", recording)
    monkeypatch.setattr(ranges, "tensor_array", recording)
    report = check(path, "int32")
    assert seen and set(seen) == {T.INT64}
    (jr110,) = _rules(report, "JR110")
    assert jr110.severity is Severity.WARNING and jr110.data["fits_int32"] is True


def test_declared_type_that_disagrees_with_inference(tmp_path: Path) -> None:
    model = make_model(
        [helper.make_node("Shape", ["x"], ["s"]), helper.make_node("Identity", ["s"], ["y"])],
        [helper.make_tensor_value_info("x", T.FLOAT, [2, 3])],
        [helper.make_tensor_value_info("y", T.INT64, [2])],
    )
    model.graph.output[0].type.tensor_type.elem_type = T.INT32  # what a broken exporter writes
    model.graph.output[0].type.tensor_type.shape.dim[0].dim_value = 5
    path = tmp_path / "lie.onnx"
    path.write_bytes(model.SerializeToString())
    report = check(path)
    (jr130,) = _rules(report, "JR130")
    assert jr130.data == {"declared": "tensor(int32)", "inferred": "tensor(int64)"}
    assert jr130.severity is Severity.ERROR and jr130.location.tensor == "y"
    (jr131,) = _rules(report, "JR131")
    assert jr131.data == {"declared": [5], "inferred": [2]}
    # The signature shows what the model declares; the finding says it is wrong.
    assert report.outputs[0].java.primary == "int[]"


def test_inference_failure_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    model = make_model(
        [helper.make_node("Mystery", ["x"], ["y"], domain="com.example")],
        [helper.make_tensor_value_info("x", T.INT64, [2])],
        [helper.make_tensor_value_info("y", T.INT64, [2])],
        extra_opsets=[("com.example", 1)],
    )
    model.graph.node[0].op_type = "Reshape"  # a standard op with a wrong arity, in a custom
    model.graph.node[0].domain = ""  # graph: inference must fail
    path = tmp_path / "broken.onnx"
    path.write_bytes(model.SerializeToString())
    report = check(path)
    (jr132,) = _rules(report, "JR132")
    assert jr132.severity is Severity.WARNING and "Reshape" in jr132.data["error"]
    assert report.extra["shape_inference"] == "failed"
    assert {f.rule for f in report.findings} >= {"JR101", "JR102"}


def test_unsupported_interface_type(tmp_path: Path) -> None:
    model = make_model(
        [helper.make_node("Identity", ["x"], ["y"])],
        [helper.make_tensor_value_info("x", T.UINT64, [3])],
        [helper.make_tensor_value_info("y", T.UINT64, [3])],
    )
    path = tmp_path / "u64.onnx"
    path.write_bytes(model.SerializeToString())
    report = check(path)
    assert {f.location.tensor for f in _rules(report, "JR104")} == {"x", "y"}
    assert report.inputs[0].java.primary == "(no Java type)"


@pytest.mark.parametrize(
    ("tp", "direction", "primary", "in_alternatives", "in_note"),
    [
        (
            helper.make_tensor_type_proto(T.INT64, [None, 3]),
            "input",
            "long[][]",
            "LongBuffer",
            "tensor(int32)",
        ),
        (
            helper.make_tensor_type_proto(T.INT64, [2, 2, 2]),
            "output",
            "long[][][]",
            "getLongBuffer",
            "[[[J cannot be cast to [[[I",
        ),
        (helper.make_tensor_type_proto(T.INT32, [4]), "input", "int[]", "IntBuffer", "long array"),
        (
            helper.make_tensor_type_proto(T.FLOAT, None),
            "input",
            "FloatBuffer + long[] shape",
            "FloatBuffer",
            "",
        ),
        (helper.make_tensor_type_proto(T.STRING, [None]), "output", "String[]", "", ""),
        (
            helper.make_tensor_type_proto(T.BOOL, [1, 2]),
            "input",
            "boolean[][]",
            "OnnxJavaType.BOOL",
            "",
        ),
        (
            helper.make_tensor_type_proto(T.UINT8, [2]),
            "output",
            "byte[]",
            "getByteBuffer",
            "& 0xFF",
        ),
        (
            helper.make_tensor_type_proto(T.FLOAT16, [2]),
            "input",
            "ShortBuffer + long[] shape (float16 bits)",
            "OnnxJavaType.FLOAT16",
            "float16",
        ),
        (
            helper.make_tensor_type_proto(T.FLOAT16, [2]),
            "output",
            "float[]",
            "getShortBuffer",
            "converted",
        ),
        (
            helper.make_sequence_type_proto(
                helper.make_map_type_proto(T.STRING, helper.make_tensor_type_proto(T.FLOAT, []))
            ),
            "output",
            "OnnxSequence of OnnxMap<String,Float>",
            "--drop-zipmap",
            "Map<String,Float>",
        ),
        (
            helper.make_sequence_type_proto(helper.make_tensor_type_proto(T.INT64, [None])),
            "output",
            "OnnxSequence of Long",
            "",
            "List",
        ),
        (
            helper.make_map_type_proto(T.INT64, helper.make_tensor_type_proto(T.DOUBLE, [])),
            "output",
            "OnnxMap<Long,Double>",
            "",
            "java.util.Map",
        ),
    ],
)
def test_java_types(
    tp: onnx.TypeProto, direction: str, primary: str, in_alternatives: str, in_note: str
) -> None:
    jt = java_type(tp, direction)
    assert jt.primary == primary
    assert in_alternatives in " ".join(jt.alternatives)
    assert in_note in jt.note


def test_zero_size_and_empty_stored_tensors(tmp_path: Path) -> None:
    model = make_model(
        [helper.make_node("Concat", ["x", "empty"], ["y"], axis=0)],
        [helper.make_tensor_value_info("x", T.INT64, [2])],
        [helper.make_tensor_value_info("y", T.INT64, [2])],
        [numpy_helper.from_array(np.zeros((0,), np.int64), "empty")],
    )
    path = tmp_path / "empty.onnx"
    path.write_bytes(model.SerializeToString())
    report = check(path, "int32")
    (jr110,) = _rules(report, "JR110")
    assert jr110.data["count"] == 0 and jr110.data["fits_int32"] is True
    assert "(empty)" in jr110.message and jr110.data["min"] is None


def test_sparse_files_are_cleaned_up(tmp_path: Path) -> None:
    # Guard for the >2 GB test: the sparse file really occupies (almost) no disk.
    path = _big_external_model(tmp_path, np.array([1], np.int64))
    assert path.exists()
    st = os.stat(tmp_path / "weights.bin")
    assert st.st_blocks * 512 < 1 << 20


@given(
    values=st.lists(st.integers(-(2**63), 2**63 - 1), min_size=0, max_size=60),
    block=st.integers(1, 7),
)
@settings(max_examples=60, deadline=None)
def test_block_scan_matches_numpy(values: list[int], block: int) -> None:
    """The progress-friendly block scan gives exactly the range of the whole tensor."""
    array = np.array(values, dtype=np.int64)
    tensor = numpy_helper.from_array(array, "t")
    loaded = from_proto(
        make_model(
            [helper.make_node("Identity", ["t"], ["y"])],
            [],
            [helper.make_tensor_value_info("y", T.INT64, [len(values)])],
            [tensor],
        )
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(onnx_check, "SCAN_BLOCK", block)
        got = onnx_check._range_in_blocks(loaded, tensor, None)
    assert got.count == len(values)
    if values:
        assert (got.min, got.max) == (min(values), max(values))
        assert got.fits_int32 == (min(values) >= -(2**31) and max(values) < 2**31)
    else:
        assert got.min is None and got.max is None and got.fits_int32
