"""The interval analysis behind output narrowing: sound sources, principled propagation."""

from __future__ import annotations

import numpy as np
import onnx
from hypothesis import given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

from jvmready.onnx.load import from_proto
from jvmready.onnx.ranges import Interval, Ranges, analyze, infer_types, opset_versions
from tests.helpers import make_model

I64, I32, F = TensorProto.INT64, TensorProto.INT32, TensorProto.FLOAT


def ranges_of(model: onnx.ModelProto) -> Ranges:
    return analyze(model.graph, from_proto(model), infer_types(model), opset_versions(model))


def vi(name: str, elem: int, shape: list[int | str | None] | None) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, elem, shape)


def const(name: str, values: list[int]) -> onnx.TensorProto:
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def test_argmax_index_is_below_known_axis_size() -> None:
    m = make_model(
        [helper.make_node("ArgMax", ["x"], ["i"], axis=1, keepdims=0)],
        [vi("x", F, ["n", 7])],
        [vi("i", I64, ["n"])],
    )
    iv = ranges_of(m)["i"]
    assert (iv.lo, iv.hi) == (0, 6) and iv.fits_int32 and "size 7" in iv.why


def test_argmax_over_unknown_axis_proves_nothing() -> None:
    m = make_model(
        [helper.make_node("ArgMax", ["x"], ["i"], axis=1, keepdims=0)],
        [vi("x", F, ["n", "c"])],
        [vi("i", I64, ["n"])],
    )
    assert "i" not in ranges_of(m)


def test_topk_indices_and_shape_and_size() -> None:
    m = make_model(
        [
            helper.make_node("TopK", ["x", "k"], ["v", "idx"], axis=-1),
            helper.make_node("Shape", ["x"], ["s"]),
            helper.make_node("Size", ["x"], ["z"]),
        ],
        [vi("x", F, [3, 50])],
        [vi("v", F, [3, 5]), vi("idx", I64, [3, 5]), vi("s", I64, [2]), vi("z", I64, [])],
        [const("k", [5])],
    )
    r = ranges_of(m)
    assert (r["idx"].lo, r["idx"].hi) == (0, 49)
    assert (r["s"].lo, r["s"].hi) == (3, 50)
    assert (r["z"].lo, r["z"].hi) == (150, 150)
    assert (r["k"].lo, r["k"].hi) == (5, 5)


def test_int32_input_widened_by_cast_stays_within_int32() -> None:
    m = make_model(
        [helper.make_node("Cast", ["x"], ["y"], to=I64)],
        [vi("x", I32, [4])],
        [vi("y", I64, [4])],
    )
    iv = ranges_of(m)["y"]
    assert (iv.lo, iv.hi) == (-(2**31), 2**31 - 1)


def test_selecting_ops_keep_the_hull_of_their_data_inputs() -> None:
    m = make_model(
        [
            helper.make_node("Gather", ["table", "i"], ["g"], axis=0),
            helper.make_node("Reshape", ["g", "shape"], ["r"]),
            helper.make_node("Concat", ["r", "other"], ["c"], axis=0),
            helper.make_node("Identity", ["c"], ["out"]),
        ],
        [vi("i", I64, [2])],
        [vi("out", I64, [3])],
        [const("table", [10, -4, 99]), const("shape", [2]), const("other", [1000])],
    )
    iv = ranges_of(m)["out"]
    assert (iv.lo, iv.hi) == (-4, 1000)


def test_concat_with_an_unknown_part_is_unknown() -> None:
    m = make_model(
        [helper.make_node("Concat", ["x", "other"], ["c"], axis=0)],
        [vi("x", I64, [2])],
        [vi("c", I64, [3])],
        [const("other", [1])],
    )
    assert "c" not in ranges_of(m)


def test_stored_value_outside_int32_is_a_witness() -> None:
    big = 2**31 + 5
    m = make_model(
        [helper.make_node("Gather", ["labels", "i"], ["y"], axis=0)],
        [vi("i", I64, [1])],
        [vi("y", I64, [1])],
        [const("labels", [1, 2, big])],
    )
    iv = ranges_of(m)["y"]
    assert not iv.fits_int32
    assert iv.witness is not None
    assert (iv.witness.tensor, iv.witness.index, iv.witness.value) == ("labels", 2, big)


def test_arithmetic_is_exact_interval_math_and_gives_up_on_overflow() -> None:
    m = make_model(
        [
            helper.make_node("Add", ["a", "b"], ["s"]),
            helper.make_node("Mul", ["a", "b"], ["p"]),
            helper.make_node("Neg", ["a"], ["n"]),
            helper.make_node("Mul", ["huge", "huge"], ["overflow"]),
        ],
        [],
        [vi("s", I64, [2]), vi("p", I64, [2]), vi("n", I64, [2]), vi("overflow", I64, [1])],
        [const("a", [-3, 4]), const("b", [10, 20]), const("huge", [2**40])],
    )
    r = ranges_of(m)
    assert (r["s"].lo, r["s"].hi) == (7, 24)
    assert (r["p"].lo, r["p"].hi) == (-60, 80)
    assert (r["n"].lo, r["n"].hi) == (-4, 3)
    assert "overflow" not in r


def test_narrowing_cast_of_a_wide_value_is_only_type_bounded() -> None:
    m = make_model(
        [helper.make_node("Cast", ["big"], ["y"], to=I32)],
        [],
        [vi("y", I32, [1])],
        [const("big", [2**40])],
    )
    iv = ranges_of(m)["y"]
    assert (iv.lo, iv.hi) == (-(2**31), 2**31 - 1) and iv.witness is None


def test_classifier_labels_bound_the_label_output() -> None:
    node = helper.make_node(
        "LinearClassifier",
        ["x"],
        ["label", "scores"],
        domain="ai.onnx.ml",
        classlabels_ints=[4, 17, 2],
        coefficients=[0.1] * 6,
        intercepts=[0.0] * 3,
    )
    m = make_model(
        [node], [vi("x", F, [1, 2])], [vi("label", I64, [1]), vi("scores", F, [1, 3])], ml_opset=1
    )
    r = ranges_of(m)
    assert (r["label"].lo, r["label"].hi) == (2, 17)
    assert "scores" not in r


def test_if_output_is_the_hull_of_both_branches() -> None:
    def branch(name: str, values: list[int]) -> onnx.GraphProto:
        return helper.make_graph(
            [
                helper.make_node(
                    "Constant",
                    [],
                    [name],
                    value=numpy_helper.from_array(np.array(values, dtype=np.int64)),
                )
            ],
            name,
            [],
            [vi(name, I64, [len(values)])],
        )

    m = make_model(
        [
            helper.make_node(
                "If",
                ["c"],
                ["y"],
                then_branch=branch("t", [1, 2]),
                else_branch=branch("e", [-9, 9]),
            )
        ],
        [vi("c", TensorProto.BOOL, [])],
        [vi("y", I64, [2])],
    )
    iv = ranges_of(m)["y"]
    assert (iv.lo, iv.hi) == (-9, 9)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-(2**62), 2**62), min_size=1, max_size=8), st.integers(-(2**20), 2**20))
def test_add_interval_contains_every_runtime_value(values: list[int], offset: int) -> None:
    """Soundness against onnxruntime: every computed value lies in the interval."""
    import onnxruntime as ort

    m = make_model(
        [helper.make_node("Add", ["a", "b"], ["s"])],
        [],
        [vi("s", I64, [len(values)])],
        [const("a", values), const("b", [offset])],
    )
    iv = ranges_of(m).get("s")
    real = ort.InferenceSession(m.SerializeToString()).run(None, {})[0]
    assert iv is not None
    assert all(iv.lo <= int(v) <= iv.hi for v in real)
    assert (iv.lo, iv.hi) == (min(values) + offset, max(values) + offset)


def test_interval_hull_keeps_a_witness() -> None:
    from jvmready.onnx.ranges import Witness

    w = Witness("t", 3, 2**40)
    h = Interval(0, 1, "a").hull(Interval(5, 2**40, "b", w))
    assert (h.lo, h.hi, h.witness) == (0, 2**40, w)
