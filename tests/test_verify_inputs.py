"""Inputs for verify: generated within the ranges the graph accepts, or read from an .npz and
converted (range-checked) to what each model declares."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from hypothesis import given
from hypothesis import strategies as st
from onnx import TensorProto, helper

from jvmready.errors import InputFileError, JvmreadyError
from jvmready.verify.inputs import (
    DYNAMIC_DIM,
    SampleSet,
    convert_for,
    generate_inputs,
    int_hints,
    load_inputs,
)
from tests.helpers import make_model
from tests.verify_models import TABLE_ROWS, classifier_model, gather_model


def test_gather_indices_are_bounded_by_the_table() -> None:
    model = gather_model()
    hint = int_hints(model)["ids"]
    assert hint.high == TABLE_ROWS and "table" in hint.source
    samples = generate_inputs(model, 200, seed=3)
    ids = samples.arrays["ids"]
    assert ids.dtype == np.int64 and ids.shape == (200, DYNAMIC_DIM)
    assert ids.min() >= 0 and ids.max() == TABLE_ROWS - 1
    session = ort.InferenceSession(model.SerializeToString())
    for s in list(samples)[:5]:
        session.run(None, s)  # every generated sample is accepted


def test_cast_before_gather_is_followed() -> None:
    model = make_model(
        [
            helper.make_node("Cast", ["ids"], ["ids64"], to=TensorProto.INT64),
            helper.make_node("Gather", ["table", "ids64"], ["y"], axis=1),
        ],
        [helper.make_tensor_value_info("ids", TensorProto.INT32, [2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 2])],
        [helper.make_tensor("table", TensorProto.FLOAT, [3, 11], [0.5] * 33)],
    )
    assert int_hints(model)["ids"].high == 11
    arr = generate_inputs(model, 50).arrays["ids"]
    assert arr.dtype == np.int32 and arr.shape == (50, 2) and arr.max() < 11


def test_category_inputs_are_drawn_from_the_encoder() -> None:
    cats = [3, 17, 42]
    model = make_model(
        [helper.make_node("OneHotEncoder", ["c"], ["y"], domain="ai.onnx.ml", cats_int64s=cats)],
        [helper.make_tensor_value_info("c", TensorProto.INT64, ["n", 1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 1, 3])],
        ml_opset=3,
    )
    hint = int_hints(model)["c"]
    assert hint.categories == tuple(cats)
    values = set(generate_inputs(model, 100, seed=1).arrays["c"].reshape(-1).tolist())
    assert values == set(cats)


def test_float_inputs_get_dtype_and_dynamic_shape() -> None:
    samples = generate_inputs(classifier_model(), 4, seed=0)
    x = samples.arrays["X"]
    assert x.dtype == np.float32 and x.shape == (4, DYNAMIC_DIM, 4)
    assert samples.count == 4 and "seed 0" in samples.source
    again = generate_inputs(classifier_model(), 4, seed=0).arrays["X"]
    np.testing.assert_array_equal(x, again)


def test_load_inputs_converts_per_model_and_refuses_what_does_not_fit(tmp_path: Path) -> None:
    model = gather_model()
    int32_model = onnx.ModelProto()
    int32_model.CopyFrom(model)
    int32_model.graph.input[0].type.tensor_type.elem_type = TensorProto.INT32
    npz = tmp_path / "in.npz"
    np.savez(npz, ids=np.array([0, 2, 5], dtype=np.int64))
    samples = load_inputs(npz, model)
    assert samples.count == 1 and samples.arrays["ids"].dtype == np.int64
    narrowed = convert_for(samples, int32_model, str(npz), "fixed.onnx")
    assert narrowed.arrays["ids"].dtype == np.int32
    assert narrowed.arrays["ids"].tolist() == [[0, 2, 5]]

    big = tmp_path / "big.npz"
    np.savez(big, ids=np.array([1, 2**31 + 5], dtype=np.int64))
    wide = load_inputs(big, model)
    with pytest.raises(InputFileError) as e:
        convert_for(wide, int32_model, str(big), "fixed.onnx")
    assert "'ids'" in str(e.value) and "2147483653" in str(e.value)
    assert "flat index 1" in str(e.value) and "fixed.onnx" in str(e.value)


def test_load_inputs_stacked_samples_and_file_errors(tmp_path: Path) -> None:
    model = gather_model()
    stacked = tmp_path / "stacked.npz"
    np.savez(stacked, ids=np.array([[0, 1], [2, 3], [4, 5]], dtype=np.int32))
    s = load_inputs(stacked, model)
    assert s.count == 3 and s.arrays["ids"].dtype == np.int64  # widened to what the model declares
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, other=np.zeros(2))
    with pytest.raises(InputFileError, match="no array for input"):
        load_inputs(wrong, model)
    floats = tmp_path / "floats.npz"
    np.savez(floats, ids=np.zeros(3))
    with pytest.raises(InputFileError, match="float64"):
        load_inputs(floats, model)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(InputFileError, match=r"junk\.npz"):
        load_inputs(junk, model)
    with pytest.raises(JvmreadyError, match="at least 1"):
        generate_inputs(model, 0)


@given(
    st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=30),
)
def test_conversion_to_int32_is_exact_or_names_the_first_misfit(values: list[int]) -> None:
    model = gather_model()
    int32_model = onnx.ModelProto()
    int32_model.CopyFrom(model)
    int32_model.graph.input[0].type.tensor_type.elem_type = TensorProto.INT32
    arr = np.array([values], dtype=np.int64)
    samples = SampleSet({"ids": arr}, 1, "prop.npz")
    misfits = [i for i, v in enumerate(values) if not -(2**31) <= v < 2**31]
    if not misfits:
        out = convert_for(samples, int32_model, "prop.npz", "fixed")
        assert out.arrays["ids"].dtype == np.int32 and out.arrays["ids"].tolist() == [values]
    else:
        with pytest.raises(InputFileError) as e:
            convert_for(samples, int32_model, "prop.npz", "fixed")
        i = misfits[0]
        assert f"value {values[i]} at flat index {i} does not fit int32" in str(e.value)


def test_columns_picked_by_constant_gather_get_their_own_categories() -> None:
    # The shape scikit-learn's ColumnTransformer exports: Gather(X, [j], axis=1) per column,
    # then an encoder with that column's categories.
    nodes, outs = [], []
    for j, cats in enumerate(([1, 2], [10, 20, 30])):
        nodes += [
            helper.make_node("Gather", ["x", f"col{j}"], [f"c{j}"], axis=1),
            helper.make_node(
                "OneHotEncoder", [f"c{j}"], [f"h{j}"], domain="ai.onnx.ml", cats_int64s=cats
            ),
        ]
        outs.append(f"h{j}")
    nodes.append(helper.make_node("Concat", outs, ["y"], axis=-1))
    model = make_model(
        nodes,
        [helper.make_tensor_value_info("x", TensorProto.INT64, ["n", 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 1, 5])],
        [helper.make_tensor(f"col{j}", TensorProto.INT64, [1], [j]) for j in range(2)],
        ml_opset=3,
    )
    x = generate_inputs(model, 100, seed=5).arrays["x"]
    assert x.shape == (100, DYNAMIC_DIM, 2)
    assert set(x[..., 0].reshape(-1).tolist()) == {1, 2}
    assert set(x[..., 1].reshape(-1).tolist()) == {10, 20, 30}
