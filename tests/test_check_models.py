"""``check`` on real scikit-learn models exported with skl2onnx, run with onnxruntime."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from skl2onnx import convert_sklearn, to_onnx
from skl2onnx.common.data_types import FloatTensorType, Int64TensorType
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from jvmready import Severity, check
from jvmready.report import CheckReport

OPSETS = {"": 17, "ai.onnx.ml": 3}
BIG = 2**31


def _save(model: onnx.ModelProto, path: Path) -> Path:
    path.write_bytes(model.SerializeToString())
    return path


def _by_rule(report: CheckReport, rule: str) -> list:  # type: ignore[type-arg]
    return [f for f in report.findings if f.rule == rule]


@pytest.fixture(scope="module")
def iris() -> tuple[np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    x, y = load_iris(return_X_y=True)
    return x.astype(np.float32), y.astype(np.int64)


def test_logistic_regression_signature_and_findings(tmp_path: Path, iris) -> None:  # type: ignore[no-untyped-def]
    x, y = iris
    onx = to_onnx(LogisticRegression(max_iter=500).fit(x, y), x[:1], target_opset=OPSETS)
    report = check(_save(onx, tmp_path / "lr.onnx"))

    assert report.format == "onnx" and report.target == "ort-java"
    (inp,) = report.inputs
    assert inp.type == "tensor(float)" and inp.java.primary == "float[][]"
    label, proba = report.outputs
    assert label.type == "tensor(int64)" and label.java.primary == "long[]"
    assert "ClassCastException: [J cannot be cast to [I" in label.java.note
    assert proba.type == "seq(map(int64,tensor(float)))"
    assert proba.java.primary == "OnnxSequence of OnnxMap<Long,Float>"
    assert "map.get(1L)" in proba.java.note

    (jr102,) = _by_rule(report, "JR102")
    assert jr102.severity is Severity.ERROR and jr102.location.tensor == label.name
    assert "jvmready fix" in jr102.remedy and "--keep output_label" in jr102.remedy
    # The same range analysis fix uses proves the labels fit: fix will narrow it safely.
    assert jr102.data["proof"]["fits_int32"] is True
    assert (jr102.data["proof"]["lo"], jr102.data["proof"]["hi"]) == (0, 2)
    assert "provably in [0, 2]" in jr102.message
    (jr103,) = _by_rule(report, "JR103")
    assert jr103.severity is Severity.ERROR and "--drop-zipmap" in jr103.remedy
    assert not _by_rule(report, "JR101")  # float input
    # The classifier's label output is int64 by its schema: a fact for ORT, an error for int32.
    (schema,) = [f for f in _by_rule(report, "JR120") if f.data["op_type"] == "LinearClassifier"]
    assert schema.severity is Severity.INFO
    strict = check(tmp_path / "lr.onnx", "int32")
    assert any(
        f.rule == "JR120"
        and f.severity is Severity.ERROR
        and f.data["op_type"] == "LinearClassifier"
        for f in strict.findings
    )


def test_random_forest_without_zipmap(tmp_path: Path, iris) -> None:  # type: ignore[no-untyped-def]
    x, y = iris
    rf = RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0).fit(x, y)
    onx = to_onnx(rf, x[:1], target_opset=OPSETS, options={"zipmap": False})
    report = check(_save(onx, tmp_path / "rf.onnx"))

    label, proba = report.outputs
    assert proba.type == "tensor(float)" and proba.java.primary == "float[][]"
    assert not _by_rule(report, "JR103")
    assert [f.location.tensor for f in _by_rule(report, "JR102")] == [label.name]
    # Tree ensembles keep their labels in attributes; small labels are no finding of their own.
    assert not _by_rule(report, "JR113")


def _onehot_pipeline(categories: np.ndarray, labels: np.ndarray) -> onnx.ModelProto:  # type: ignore[type-arg]
    pipe = Pipeline(
        [("onehot", OneHotEncoder(handle_unknown="ignore")), ("lr", LogisticRegression())]
    ).fit(categories, labels)
    return convert_sklearn(
        pipe,
        initial_types=[("cat", Int64TensorType([None, categories.shape[1]]))],
        target_opset=OPSETS,
    )


def test_onehot_pipeline_on_integer_columns(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    cats = rng.integers(0, 5, size=(60, 2)).astype(np.int64)
    labels = (cats[:, 0] > 2).astype(np.int64)
    report = check(_save(_onehot_pipeline(cats, labels), tmp_path / "oh.onnx"))

    (inp,) = report.inputs
    assert inp.name == "cat" and inp.shape == (None, 2) and inp.java.primary == "long[][]"
    assert "Unexpected input data type" in inp.java.note
    (jr101,) = _by_rule(report, "JR101")
    assert jr101.severity is Severity.ERROR
    assert "jvmready fix" in jr101.remedy and "--keep cat" in jr101.remedy
    assert "must stay int64" in jr101.remedy
    assert "beyond int32" not in jr101.message  # small categories: nothing forces int64
    assert not _by_rule(report, "JR113")


def test_categories_and_labels_beyond_int32(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    values = np.array([7, BIG + 5, 3 * 10**12, -(BIG + 9)], dtype=np.int64)
    cats = values[rng.integers(0, 4, size=(80, 1))]
    label_values = np.array([BIG + 7, 3], dtype=np.int64)
    labels = label_values[(cats[:, 0] > 10).astype(int)]
    path = _save(_onehot_pipeline(cats, labels), tmp_path / "big.onnx")

    # The model really produces a label beyond int32: the finding is about real values.
    sess = ort.InferenceSession(str(path))
    got = sess.run(None, {"cat": np.array([[7], [BIG + 5]], dtype=np.int64)})[0]
    assert got.tolist() == [BIG + 7, 3]

    report = check(path)
    wide = _by_rule(report, "JR113")
    by_attr = {(f.data["op_type"], f.data["attribute"]): f for f in wide}
    onehot = by_attr[("OneHotEncoder", "cats_int64s")]
    assert onehot.data["max"] == 3 * 10**12 and onehot.data["min"] == -(BIG + 9)
    assert onehot.severity is Severity.WARNING and "cat" in onehot.data["related"]
    assert "--keep cat" in onehot.remedy
    classifier = by_attr[("LinearClassifier", "classlabels_ints")]
    assert classifier.data["max"] == BIG + 7
    assert "output_label" in classifier.data["related"]
    # The interface findings say why these must stay int64.
    (jr101,) = _by_rule(report, "JR101")
    assert "beyond int32" in jr101.message and "must stay int64" in jr101.message
    (jr102,) = _by_rule(report, "JR102")
    assert "beyond int32" in jr102.message and "must stay int64" in jr102.message
    assert jr102.data["proof"]["witness"].startswith(str(BIG + 7))
    assert str(BIG + 7) in " ".join(jr102.data["wide"])

    strict = check(path, "int32")
    assert {f.severity for f in strict.findings if f.rule == "JR113"} == {Severity.ERROR}


def test_check_accepts_a_model_proto(iris) -> None:  # type: ignore[no-untyped-def]
    x, y = iris
    onx = to_onnx(LogisticRegression(max_iter=500).fit(x, y), x[:1], target_opset=OPSETS)
    report = check(onx)
    assert report.path == "<model>"
    assert {f.rule for f in report.findings} >= {"JR102", "JR103"}
    assert all(f.location.file is None for f in report.findings)


def test_float_only_model_is_clean(tmp_path: Path) -> None:
    from sklearn.linear_model import LinearRegression

    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    onx = to_onnx(LinearRegression().fit(x, x.sum(axis=1)), x[:1], target_opset=OPSETS)
    report = check(_save(onx, tmp_path / "reg.onnx"))
    assert report.worst is None or report.worst < Severity.WARNING
    assert [o.java.primary for o in report.outputs] == ["float[][]"]


def test_float_input_model_declared_with_float_tensor_type(tmp_path: Path) -> None:
    x = np.eye(3, dtype=np.float32)
    onx = convert_sklearn(
        LogisticRegression().fit(x, [0, 1, 2]),
        initial_types=[("x", FloatTensorType([None, 3]))],
        target_opset=OPSETS,
        options={"zipmap": False},
    )
    report = check(_save(onx, tmp_path / "lr3.onnx"), "int32")
    assert report.target == "int32"
    assert {f.rule for f in report.findings if f.severity is Severity.ERROR} >= {"JR102", "JR120"}
