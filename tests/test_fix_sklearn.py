"""``fix`` on real scikit-learn models converted by skl2onnx, run in onnxruntime before and after."""

from __future__ import annotations

import json

import numpy as np
import onnx
import pytest
from onnx import TensorProto
from skl2onnx import to_onnx
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.svm import SVC

from jvmready import NarrowingError, fix
from jvmready.onnx.fix import ZIPMAP_METADATA_PREFIX
from tests.fixtools import assert_same_outputs, run
from tests.helpers import IR_VERSION

OPSETS = {"": 17, "ai.onnx.ml": 3}
I64, I32, F = TensorProto.INT64, TensorProto.INT32, TensorProto.FLOAT


def convert(model: object, sample: np.ndarray, **options: object) -> onnx.ModelProto:
    onx = to_onnx(model, sample, target_opset=OPSETS, options=options or None)
    onx.ir_version = IR_VERSION
    return onx


def iris(labels: list[int]) -> tuple[np.ndarray, np.ndarray]:
    x, y = load_iris(return_X_y=True)
    return x.astype(np.float32), np.array(labels, dtype=np.int64)[y]


def outputs(model: onnx.ModelProto) -> dict[str, str]:
    from jvmready.onnx.graphs import type_string

    return {o.name: type_string(o.type) for o in model.graph.output}


def test_logistic_regression_label_narrowed_and_zipmap_dropped() -> None:
    x, y = iris([3, 7, 9])
    onx = convert(LogisticRegression(max_iter=500).fit(x, y), x[:1])
    assert outputs(onx)["output_probability"] == "seq(map(int64,tensor(float)))"
    result = fix(onx, drop_zipmap=True)
    assert outputs(result.model) == {
        "output_label": "tensor(int32)",
        "output_probability": "tensor(float)",
    }
    props = {p.key: p.value for p in result.model.metadata_props}
    labels = json.loads(props[ZIPMAP_METADATA_PREFIX + "output_probability"])["labels"]
    assert labels == [3, 7, 9]
    before, after = run(onx, {"X": x}), run(result.model, {"X": x})
    assert after["output_label"].tolist() == before["output_label"].tolist()  # type: ignore[union-attr]
    # Column j of the plain tensor is the probability of labels[j], exactly as ZipMap had it.
    zipped = before["output_probability"]
    plain = after["output_probability"]
    assert isinstance(zipped, list) and isinstance(plain, np.ndarray)
    for row, mapping in zip(plain, zipped, strict=True):
        assert [mapping[label] for label in labels] == row.tolist()


def test_zipmap_kept_without_the_flag_is_reported() -> None:
    x, y = iris([0, 1, 2])
    onx = convert(LogisticRegression(max_iter=500).fit(x, y), x[:1])
    result = fix(onx)
    assert outputs(result.model)["output_probability"] == "seq(map(int64,tensor(float)))"
    assert any(f.rule == "JR505" for f in result.findings)
    assert_same_outputs(onx, result.model, {"X": x})


def test_random_forest_labels_from_the_tree_ensemble() -> None:
    x, y = iris([10, 20, 30])
    onx = convert(RandomForestClassifier(n_estimators=5, random_state=0).fit(x, y), x[:1])
    result = fix(onx, drop_zipmap=True)
    assert outputs(result.model)["output_label"] == "tensor(int32)"
    change = next(c for c in result.changes if c.name == "output_label")
    assert "[10, 30]" in change.detail and "classlabels" in change.detail
    assert_same_outputs(onx, result.model, {"X": x})


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_svc_without_zipmap() -> None:
    x, y = iris([1, 2, 3])
    onx = convert(SVC().fit(x, y), x[:1], zipmap=False)
    result = fix(onx)
    assert outputs(result.model)["label"] == "tensor(int32)"
    assert_same_outputs(onx, result.model, {"X": x})


def test_one_hot_encoder_pipeline_on_int64_columns() -> None:
    rng = np.random.default_rng(0)
    cats = rng.integers(0, 5, size=(80, 2)).astype(np.int64)
    y = (cats[:, 0] > 2).astype(np.int64)
    pipe = Pipeline(
        [
            ("enc", ColumnTransformer([("oh", OneHotEncoder(), [0, 1])])),
            ("clf", LogisticRegression()),
        ]
    ).fit(cats, y)
    onx = convert(pipe, cats[:1], zipmap=False)
    assert onx.graph.input[0].type.tensor_type.elem_type == I64
    result = fix(onx)
    assert result.model.graph.input[0].type.tensor_type.elem_type == I32
    assert outputs(result.model)["label"] == "tensor(int32)"
    assert_same_outputs(onx, result.model, {onx.graph.input[0].name: cats})


def test_class_labels_beyond_int32_stay_int64_and_are_never_wrapped() -> None:
    big = [1, 2**31 + 5, 2**40]
    x, y = iris(big)
    onx = convert(LogisticRegression(max_iter=500).fit(x, y), x[:1], zipmap=False)
    result = fix(onx)
    assert outputs(result.model)["label"] == "tensor(int64)"
    finding = next(f for f in result.findings if f.rule == "JR502")
    assert str(2**31 + 5) in finding.message and finding.location.tensor == "label"
    got = assert_same_outputs(onx, result.model, {"X": x})
    assert set(got["label"].tolist()) <= set(big)  # type: ignore[union-attr]
    with pytest.raises(NarrowingError) as caught:
        fix(onx, unsafe_narrow_outputs=True)
    assert caught.value.value == 2**31 + 5 and caught.value.index == 1
    assert "classlabels" in caught.value.tensor
    kept = fix(onx, unsafe_narrow_outputs=True, keep=["label"])
    assert outputs(kept.model)["label"] == "tensor(int64)"


def test_int32_target_on_a_tree_ensemble() -> None:
    x, y = iris([0, 1, 2])
    onx = convert(RandomForestClassifier(n_estimators=3, random_state=0).fit(x, y), x[:1])
    result = fix(onx, target="int32", drop_zipmap=True)
    assert_same_outputs(onx, result.model, {"X": x})
    assert outputs(result.model)["output_label"] == "tensor(int32)"
