"""``fix`` on hand-built ONNX models: names kept, values unchanged, refusals clear."""

from __future__ import annotations

import json

import numpy as np
import onnx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

from jvmready import FixResult, NarrowingError, fix
from jvmready.errors import JvmreadyError
from jvmready.onnx.fix import METADATA_KEY
from tests.fixtools import assert_same_outputs
from tests.helpers import make_model

I64, I32, F, B = TensorProto.INT64, TensorProto.INT32, TensorProto.FLOAT, TensorProto.BOOL


def vi(name: str, elem: int, shape: list[int | str | None]) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, elem, shape)


def const(name: str, values: object, dtype: type = np.int64) -> onnx.TensorProto:
    return numpy_helper.from_array(np.array(values, dtype=dtype), name)


def elem(model: onnx.ModelProto, name: str, where: str) -> int:
    values = model.graph.input if where == "input" else model.graph.output
    return next(v.type.tensor_type.elem_type for v in values if v.name == name)


def rules(result: FixResult) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in result.findings:
        found.setdefault(f.rule, []).append(f.location.tensor or "")
    return found


def subgraph_model() -> onnx.ModelProto:
    """An int64 input read in the main graph, in both If branches and in a Loop body."""
    then_g = helper.make_graph(
        [helper.make_node("Mul", ["ids", "two"], ["t"])], "then", [], [vi("t", I64, ["n"])]
    )
    else_g = helper.make_graph(
        [helper.make_node("Neg", ["ids"], ["e"])], "else", [], [vi("e", I64, ["n"])]
    )
    body = helper.make_graph(
        [
            helper.make_node("Identity", ["cond_in"], ["cond_out"]),
            helper.make_node("Add", ["acc_in", "ids"], ["acc_out"]),
        ],
        "body",
        [vi("iter", I64, []), vi("cond_in", B, []), vi("acc_in", I64, ["n"])],
        [vi("cond_out", B, []), vi("acc_out", I64, ["n"])],
    )
    return make_model(
        [
            helper.make_node("Add", ["ids", "two"], ["plus"]),
            helper.make_node("If", ["flag"], ["branch"], then_branch=then_g, else_branch=else_g),
            helper.make_node("Loop", ["trips", "", "zeros"], ["looped"], body=body),
        ],
        [vi("ids", I64, ["n"]), vi("flag", B, []), vi("zeros", I64, ["n"])],
        [vi("plus", I64, ["n"]), vi("branch", I64, ["n"]), vi("looped", I64, ["n"])],
        [const("two", 2), const("trips", 3)],
    )


@pytest.mark.parametrize("flag", [True, False])
def test_int64_input_becomes_int32_and_feeds_subgraphs(flag: bool) -> None:
    model = subgraph_model()
    result = fix(model)
    assert elem(result.model, "ids", "input") == I32
    assert elem(result.model, "zeros", "input") == I32
    assert [i.name for i in result.model.graph.input] == ["ids", "flag", "zeros"]
    assert [o.name for o in result.model.graph.output] == ["plus", "branch", "looped"]
    feeds = {
        "ids": np.array([5, -7, 2**31 - 1, -(2**31)], dtype=np.int64),
        "flag": np.array(flag),
        "zeros": np.array([0, 1, 2, 3], dtype=np.int64),
    }
    assert_same_outputs(model, result.model, feeds)
    assert {c.name for c in result.changes if c.kind == "input-narrowed"} == {"ids", "zeros"}
    # Arithmetic on an int32 value may leave int32: no proof, so the outputs stay int64.
    assert all(elem(result.model, o, "output") == I64 for o in ("plus", "branch", "looped"))
    assert set(rules(result)["JR501"]) == {"plus", "branch", "looped"}


def test_subgraph_that_shadows_the_input_name_keeps_its_own_value() -> None:
    body = helper.make_graph(
        [
            helper.make_node("Identity", ["cond_in"], ["cond_out"]),
            helper.make_node("Add", ["ids", "one"], ["next"]),  # "ids" is the body's own input
        ],
        "body",
        [vi("iter", I64, []), vi("cond_in", B, []), vi("ids", I64, [1])],
        [vi("cond_out", B, []), vi("next", I64, [1])],
    )
    model = make_model(
        [
            helper.make_node("ArgMax", ["x"], ["start"], axis=0, keepdims=1),
            helper.make_node("Loop", ["ids", "", "start"], ["out"], body=body),
        ],
        [vi("ids", I64, []), vi("x", F, [4])],
        [vi("out", I64, [1])],
        [const("one", [1])],
    )
    result = fix(model)
    body_out = result.model.graph.node[-1].attribute[0].g
    assert list(body_out.node[1].input) == ["ids", "one"]  # untouched: shadowed
    feeds = {"ids": np.array(3, dtype=np.int64), "x": np.array([0, 9, 1, 2], dtype=np.float32)}
    assert_same_outputs(model, result.model, feeds)


def test_argmax_output_is_narrowed_with_its_name_kept() -> None:
    model = make_model(
        [
            helper.make_node("ArgMax", ["x"], ["cls"], axis=1, keepdims=0),
            helper.make_node("Add", ["cls", "offset"], ["shifted"]),
        ],
        [vi("x", F, ["n", 5])],
        [vi("cls", I64, ["n"]), vi("shifted", I64, ["n"])],
        [const("offset", 100)],
    )
    result = fix(model)
    assert elem(result.model, "cls", "output") == I32
    assert elem(result.model, "shifted", "output") == I32  # [100, 104]
    detail = {c.name: c.detail for c in result.changes}
    assert "[0, 4]" in detail["cls"] and "[100, 104]" in detail["shifted"]
    x = np.random.default_rng(0).standard_normal((6, 5)).astype(np.float32)
    out = assert_same_outputs(model, result.model, {"x": x})
    assert out["cls"].dtype == np.int32  # type: ignore[union-attr]


def test_unprovable_output_stays_int64_unless_forced() -> None:
    model = make_model(
        [helper.make_node("Mul", ["a", "a"], ["sq"])],
        [vi("a", I64, [2])],
        [vi("sq", I64, [2])],
    )
    safe = fix(model)
    # a is int32 now, but a*a can reach 2**62: no proof.
    assert elem(safe.model, "sq", "output") == I64
    assert "JR501" in rules(safe)
    forced = fix(model, unsafe_narrow_outputs=True)
    assert elem(forced.model, "sq", "output") == I32
    assert [c.kind for c in forced.changes] == ["input-narrowed", "output-forced"]
    warning = next(f for f in forced.findings if f.rule == "JR503")
    assert "UNSAFE" in warning.message and "wrap" in warning.message
    assert_same_outputs(model, forced.model, {"a": np.array([3, -40000], dtype=np.int64)})


def label_model(labels: list[int]) -> onnx.ModelProto:
    return make_model(
        [
            helper.make_node("ArgMax", ["scores"], ["best"], axis=1, keepdims=0),
            helper.make_node("Gather", ["labels", "best"], ["label"], axis=0),
        ],
        [vi("scores", F, ["n", len(labels)])],
        [vi("label", I64, ["n"])],
        [const("labels", labels)],
    )


def test_labels_that_fit_are_proven_through_gather() -> None:
    model = label_model([10, 20, 2**31 - 1])
    result = fix(model)
    assert elem(result.model, "label", "output") == I32
    scores = np.eye(3, dtype=np.float32)
    out = assert_same_outputs(model, result.model, {"scores": scores})
    assert out["label"].tolist() == [10, 20, 2**31 - 1]  # type: ignore[union-attr]


def test_label_that_does_not_fit_keeps_int64_and_refuses_to_force() -> None:
    big = 2**31 + 5
    model = label_model([10, 20, big])
    result = fix(model)
    assert elem(result.model, "label", "output") == I64
    finding = next(f for f in result.findings if f.rule == "JR502")
    assert str(big) in finding.message and "labels" in finding.message
    assert finding.data == {"value": big, "index": 2, "source": "labels"}
    assert_same_outputs(model, result.model, {"scores": np.eye(3, dtype=np.float32)})
    with pytest.raises(NarrowingError) as caught:
        fix(model, unsafe_narrow_outputs=True)
    assert (caught.value.tensor, caught.value.index, caught.value.value) == ("labels", 2, big)
    assert isinstance(caught.value, ValueError)


def test_keep_leaves_named_inputs_and_outputs_alone() -> None:
    model = make_model(
        [
            helper.make_node("Identity", ["user_id"], ["echo"]),
            helper.make_node("ArgMax", ["x"], ["cls"], axis=0, keepdims=0),
            helper.make_node("Add", ["tokens", "cls"], ["moved"]),
        ],
        [vi("user_id", I64, [1]), vi("tokens", I64, []), vi("x", F, [3])],
        [vi("echo", I64, [1]), vi("cls", I64, []), vi("moved", I64, [])],
    )
    result = fix(model, keep=["user_id", "cls"])
    assert elem(result.model, "user_id", "input") == I64
    assert elem(result.model, "tokens", "input") == I32
    assert elem(result.model, "cls", "output") == I64
    assert set(rules(result)["JR504"]) == {"user_id", "cls"}
    feeds = {
        "user_id": np.array([2**40 + 1], dtype=np.int64),
        "tokens": np.array(7, dtype=np.int64),
        "x": np.array([1, 5, 2], dtype=np.float32),
    }
    assert_same_outputs(model, result.model, feeds)
    with pytest.raises(JvmreadyError, match="no_such"):
        fix(model, keep=["no_such"])


def test_input_passed_straight_to_an_output() -> None:
    model = make_model(
        [helper.make_node("Cast", ["ids"], ["f"], to=F)],
        [vi("ids", I64, [2])],
        [vi("ids", I64, [2]), vi("f", F, [2])],
    )
    result = fix(model)
    assert elem(result.model, "ids", "input") == I32 and elem(result.model, "ids", "output") == I32
    assert_same_outputs(model, result.model, {"ids": np.array([1, -2], dtype=np.int64)})


def test_metadata_doc_strings_and_opsets_are_kept() -> None:
    model = label_model([1, 2])
    model.doc_string = "my model"
    model.graph.doc_string = "my graph"
    model.producer_name, model.producer_version = "trainer", "9.9"
    helper.set_model_props(model, {"author": "me"})
    result = fix(model)
    m = result.model
    assert (m.doc_string, m.graph.doc_string, m.producer_name, m.producer_version) == (
        "my model",
        "my graph",
        "trainer",
        "9.9",
    )
    assert m.ir_version == model.ir_version
    assert [(o.domain, o.version) for o in m.opset_import] == [
        (o.domain, o.version) for o in model.opset_import
    ]
    props = {p.key: p.value for p in m.metadata_props}
    assert props["author"] == "me"
    summary = json.loads(props[METADATA_KEY])
    assert summary["io"] == "int32" and summary["target"] == "ort-java"
    assert [c["kind"] for c in summary["changes"]] == ["output-narrowed"]
    assert summary["changes"][0]["name"] == "label"


def test_fix_does_not_modify_the_callers_model() -> None:
    model = subgraph_model()
    before = model.SerializeToString()
    fix(model, target="int32")
    assert model.SerializeToString() == before


def test_fixing_twice_changes_nothing_more() -> None:
    once = fix(subgraph_model()).model
    twice = fix(once)
    assert twice.changes == ()
    assert twice.model.metadata_props == once.metadata_props  # the first run's record stays
    assert [(i.name, i.type.tensor_type.elem_type) for i in twice.model.graph.input] == [
        (i.name, i.type.tensor_type.elem_type) for i in once.graph.input
    ]


def test_io_int64_leaves_the_interface() -> None:
    result = fix(subgraph_model(), io="int64")
    assert result.changes == ()
    assert elem(result.model, "ids", "input") == I64
    with pytest.raises(JvmreadyError, match="--io"):
        fix(subgraph_model(), io="int16")


@pytest.mark.parametrize("opset", [11, 13, 17, 21])
def test_opset_versions(opset: int) -> None:
    """Unsqueeze's axes moved from an attribute (<13) to an input (>=13)."""
    if opset < 13:
        unsq = helper.make_node("Unsqueeze", ["picked"], ["u"], axes=[0])
        inits = [const("idx", [1, 0])]
    else:
        unsq = helper.make_node("Unsqueeze", ["picked", "axes"], ["u"])
        inits = [const("idx", [1, 0]), const("axes", [0])]
    model = make_model(
        [
            helper.make_node("Gather", ["ids", "idx"], ["picked"], axis=0),
            unsq,
            helper.make_node("Shape", ["u"], ["shape"]),
        ],
        [vi("ids", I64, [3])],
        [vi("u", I64, [1, 2]), vi("shape", I64, [2])],
        inits,
        opset=opset,
    )
    result = fix(model, target="int32")
    assert elem(result.model, "ids", "input") == I32
    assert elem(result.model, "shape", "output") == I32  # Shape of known dims [1, 2]
    assert elem(result.model, "u", "output") == I32  # values of an int32 input, selected
    assert_same_outputs(model, result.model, {"ids": np.array([4, -5, 6], dtype=np.int64)})
    narrowed = {c.name for c in result.changes if c.kind == "initializer-narrowed"}
    assert "idx" in narrowed  # Gather's Tind allows int32
    if opset >= 13:
        assert "axes" not in narrowed  # Unsqueeze's axes must be int64
        assert any("axes" in f.message and "tensor(int64)" in f.message for f in result.findings)


label_values = st.lists(
    st.one_of(st.integers(-(2**31), 2**31 - 1), st.integers(-(2**63), 2**63 - 1)),
    min_size=1,
    max_size=6,
)


@settings(max_examples=30, deadline=None)
@given(label_values)
def test_property_output_narrowed_iff_every_label_fits(labels: list[int]) -> None:
    model = label_model(labels)
    fits = all(-(2**31) <= v < 2**31 for v in labels)
    result = fix(model)
    assert elem(result.model, "label", "output") == (I32 if fits else I64)
    scores = np.eye(len(labels), dtype=np.float32)
    out = assert_same_outputs(model, result.model, {"scores": scores})
    assert out["label"].tolist() == labels  # type: ignore[union-attr]
    if not fits:
        first = next(i for i, v in enumerate(labels) if not -(2**31) <= v < 2**31)
        with pytest.raises(NarrowingError) as caught:
            fix(model, unsafe_narrow_outputs=True)
        assert (caught.value.index, caught.value.value) == (first, labels[first])


@settings(max_examples=30, deadline=None)
@given(label_values)
def test_property_stored_tensor_narrowed_exactly_or_refused(values: list[int]) -> None:
    model = make_model(
        [helper.make_node("Cast", ["stored"], ["as_double"], to=TensorProto.DOUBLE)],
        [],
        [vi("as_double", TensorProto.DOUBLE, [len(values)])],
        [const("stored", values)],
    )
    bad = [(i, v) for i, v in enumerate(values) if not -(2**31) <= v < 2**31]
    if bad:
        with pytest.raises(NarrowingError) as caught:
            fix(model, target="int32")
        assert (caught.value.tensor, caught.value.index, caught.value.value) == ("stored", *bad[0])
        return
    result = fix(model, target="int32")
    stored = result.model.graph.initializer[0]
    assert stored.data_type == I32
    assert numpy_helper.to_array(stored).tolist() == values
    assert_same_outputs(model, result.model, {})
