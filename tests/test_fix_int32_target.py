"""``fix --target int32``: stored int64 tensors narrowed exactly where op schemas allow it."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from jvmready import NarrowingError, fix
from tests.fixtools import assert_same_outputs
from tests.helpers import make_model

I64, I32, F = TensorProto.INT64, TensorProto.INT32, TensorProto.FLOAT


def vi(name: str, elem: int, shape: list[int | str | None]) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, elem, shape)


def const(name: str, values: object) -> onnx.TensorProto:
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def stored_types(model: onnx.ModelProto) -> dict[str, int]:
    types = {t.name: t.data_type for t in model.graph.initializer}
    for n in model.graph.node:
        if n.op_type == "Constant":
            types[n.output[0]] = (
                n.attribute[0].t.data_type if n.attribute[0].name == "value" else I64
            )
    return types


def remains(result: object, name: str) -> str:
    for f in result.findings:  # type: ignore[attr-defined]
        if f.rule == "JR510" and f.location.tensor == name:
            return str(f.message)
    raise AssertionError(f"no JR510 finding for {name}")


def mixed_model() -> onnx.ModelProto:
    return make_model(
        [
            # Slice: starts/ends/axes all share Tind and are all stored -> narrowed together.
            helper.make_node("Slice", ["x", "starts", "ends", "axes"], ["sliced"]),
            # Slice whose ends is computed int64: ties 'starts2' to a value that stays int64.
            helper.make_node("Shape", ["x"], ["xs"], start=1),
            helper.make_node("Slice", ["x", "starts2", "xs", "axes0"], ["sliced2"]),
            # Reshape's shape must be int64 by schema.
            helper.make_node("Reshape", ["sliced", "shape"], ["flat"]),
            # Gather indices (Tind) from a Constant node with value_ints.
            helper.make_node("Constant", [], ["pick"], value_ints=[0, 2]),
            helper.make_node("Gather", ["flat", "pick"], ["picked"], axis=0),
            # Add ties the constant to its int64 output.
            helper.make_node("Cast", ["picked"], ["picked64"], to=I64),
            helper.make_node("Add", ["picked64", "bias"], ["biased"]),
        ],
        [vi("x", F, [4, 6])],
        [vi("picked", F, [2]), vi("sliced2", F, [4, 5]), vi("biased", I64, [2])],
        [
            const("starts", [1, 2]),
            const("ends", [3, 5]),
            const("axes", [0, 1]),
            const("starts2", [1]),
            const("axes0", [1]),
            const("shape", [-1]),
            const("bias", [7, 8]),
        ],
    )


def test_stored_tensors_narrowed_only_where_every_schema_allows() -> None:
    model = mixed_model()
    result = fix(model, target="int32")
    types = stored_types(result.model)
    for name in ("starts", "ends", "axes", "pick"):
        assert types[name] == I32, name
    for name in ("starts2", "axes0", "shape", "bias"):
        assert types[name] == I64, name
    assert "Reshape schema requires 'shape' to be tensor(int64)" in remains(result, "shape")
    assert "ties 'starts' to input 'xs'" in remains(result, "starts2")
    assert "output" in remains(result, "bias")
    x = np.arange(24, dtype=np.float32).reshape(4, 6)
    assert_same_outputs(model, result.model, {"x": x})
    remaining_ops = {f.data.get("op") for f in result.findings if f.rule == "JR511"}
    assert {"Shape", "Add", "Cast"} <= remaining_ops


def test_ort_java_target_leaves_stored_tensors() -> None:
    result = fix(mixed_model())
    assert all(t == I64 for t in stored_types(result.model).values())
    assert not any(f.rule in ("JR510", "JR511") for f in result.findings)


def test_out_of_range_stored_value_is_refused_naming_it_unless_kept() -> None:
    model = make_model(
        [
            helper.make_node("Gather", ["x", "idx"], ["g"], axis=0),
            helper.make_node("Cast", ["hash"], ["hf"], to=F),
        ],
        [vi("x", F, [3])],
        [vi("g", F, [2]), vi("hf", F, [3])],
        [const("idx", [0, 2]), const("hash", [1, 2**40, 3])],
    )
    with pytest.raises(NarrowingError) as caught:
        fix(model, target="int32")
    assert (caught.value.tensor, caught.value.index, caught.value.value) == ("hash", 1, 2**40)
    kept = fix(model, target="int32", keep=["hash"])
    assert stored_types(kept.model) == {"idx": I32, "hash": I64}
    assert "--keep" in remains(kept, "hash")
    assert_same_outputs(model, kept.model, {"x": np.array([1, 2, 3], dtype=np.float32)})


def test_stored_tensor_read_by_a_subgraph_is_checked_at_its_use() -> None:
    then_g = helper.make_graph(
        [helper.make_node("Gather", ["x", "idx"], ["t"], axis=0)], "then", [], [vi("t", F, [1])]
    )
    else_g = helper.make_graph(
        [helper.make_node("Gather", ["x", "idx2"], ["e"], axis=0)], "else", [], [vi("e", F, [1])]
    )
    model = make_model(
        [
            helper.make_node("If", ["c"], ["y"], then_branch=then_g, else_branch=else_g),
            helper.make_node("Reshape", ["x", "idx2"], ["r"]),
        ],
        [vi("x", F, [3]), vi("c", TensorProto.BOOL, [])],
        [vi("y", F, [1]), vi("r", F, [3])],
        [const("idx", [2]), const("idx2", [-1])],
    )
    result = fix(model, target="int32")
    assert stored_types(result.model) == {"idx": I32, "idx2": I64}  # idx2 also feeds Reshape
    for c in (True, False):
        feeds = {"x": np.array([1, 2, 3], dtype=np.float32), "c": np.array(c)}
        assert_same_outputs(model, result.model, feeds)


def test_op_from_another_domain_has_no_schema_so_its_inputs_stay() -> None:
    """com.microsoft ops run in onnxruntime but onnx.defs has no schema for them."""
    model = make_model(
        [
            helper.make_node("Range", ["start", "limit"], ["r"], domain="com.microsoft"),
            helper.make_node("Gather", ["x", "idx"], ["g"], axis=0),
            helper.make_node("Gelu", ["g"], ["y"], domain="com.microsoft"),
            helper.make_node("ArgMax", ["y"], ["best"], axis=0, keepdims=0),
        ],
        [vi("x", F, [3])],
        [vi("r", I64, [None]), vi("best", I64, [])],
        [const("start", 2), const("limit", 6), const("idx", [0, 2])],
        extra_opsets=[("com.microsoft", 1)],
    )
    result = fix(model, target="int32")
    assert stored_types(result.model) == {"start": I64, "limit": I64, "idx": I32}
    assert "com.microsoft::Range has no schema" in remains(result, "start")
    # Gelu's output shape is unknown to ONNX shape inference: no proof for ArgMax's index.
    assert elem_of(result.model, "best") == I64
    assert any(f.rule == "JR501" and f.location.tensor == "best" for f in result.findings)
    out = assert_same_outputs(model, result.model, {"x": np.array([-1, 0.5, 3], dtype=np.float32)})
    assert out["r"].tolist() == [2, 3, 4, 5]  # type: ignore[union-attr]


def elem_of(model: onnx.ModelProto, output: str) -> int:
    return next(o.type.tensor_type.elem_type for o in model.graph.output if o.name == output)
