"""scikit-learn models: --trust gating, fitted integer widths, skops, and ONNX export parity."""

from __future__ import annotations

import pickle
from pathlib import Path

import joblib
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from jvmready.errors import JvmreadyError
from jvmready.export import export, export_onnx
from jvmready.formats import CheckOptions, FixOptions
from jvmready.targets import get_target
from jvmready.weights.sklearn_model import SklearnModelFormat
from tests.helpers import run_cli

X, Y = load_iris(return_X_y=True)
FMT = SklearnModelFormat()


@pytest.fixture(scope="module")
def forest_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("m") / "forest.joblib"
    joblib.dump(RandomForestClassifier(n_estimators=4, random_state=0).fit(X, Y), p)
    return p


def test_check_without_trust_does_not_load(forest_file: Path) -> None:
    report = FMT.check(forest_file, get_target("ort-java"))
    assert report.extra["loaded"] is False
    assert "sklearn.ensemble._forest.RandomForestClassifier" in report.extra["imports"]
    assert [f.rule for f in report.findings] == ["JR400"]
    assert report.tensors == ()


def test_check_with_trust_reports_fitted_widths(forest_file: Path) -> None:
    report = FMT.check(forest_file, get_target("ort-java"), CheckOptions(trust=True))
    tensors = {t.name: t for t in report.tensors}
    classes = tensors["classes_"]
    assert (classes.dtype, classes.range.min, classes.range.max) == ("int64", 0, 2)
    left = tensors["estimators_[0].tree_.children_left"]
    assert left.dtype == "int64" and left.range.min == -1 and left.range.fits_int32
    assert "JR404" in {f.rule for f in report.findings}


def test_fix_writes_skops_and_needs_trust(forest_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "forest.skops"
    with pytest.raises(JvmreadyError, match="--trust"):
        FMT.fix_file(forest_file, out, FixOptions())
    assert not out.exists()
    FMT.fix_file(forest_file, out, FixOptions(trust=True))
    import skops.io

    model = skops.io.load(out, trusted=skops.io.get_untrusted_types(file=out))
    assert np.array_equal(model.predict(X), joblib.load(forest_file).predict(X))


@pytest.mark.parametrize(
    "model",
    [
        LogisticRegression(max_iter=1000),
        RandomForestClassifier(n_estimators=5, random_state=0),
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
    ],
    ids=["logreg", "forest", "pipeline"],
)
def test_export_parity_with_sklearn(tmp_path: Path, model: object) -> None:
    fitted = model.fit(X, Y)  # type: ignore[attr-defined]
    out = tmp_path / "m.onnx"
    report = export_onnx(fitted, out, samples=X)
    assert report.passed and not report.zipmap
    # Labels 0..2 are stored in the model, so fix's rules prove int32 lossless for them.
    assert list(report.outputs) == [("label", "tensor(int32)"), ("probabilities", "tensor(float)")]
    assert [(c.kind, c.name) for c in report.changes] == [("output-narrowed", "label")]
    assert not [f for f in report.findings if f.severity.name == "ERROR"]
    proto = onnx.load(str(out))
    assert proto.ir_version <= 10
    # Independently of the report: ONNX Runtime against scikit-learn on the iris rows.
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    x32 = X.astype(np.float32)
    label, proba = session.run(None, {"input": x32})
    expected = fitted.predict(x32.astype(np.float64))
    assert label.dtype == np.int32 and np.array_equal(label, expected)
    assert np.allclose(proba, fitted.predict_proba(x32.astype(np.float64)), atol=1e-5)


def test_export_keeps_int64_when_asked(tmp_path: Path) -> None:
    model = LogisticRegression(max_iter=1000).fit(X, Y + 2**40)  # labels beyond int32
    report = export_onnx(model, tmp_path / "wide.onnx", samples=X)
    assert report.passed and report.changes == ()
    assert report.outputs[0] == ("label", "tensor(int64)")
    assert "JR102" in {f.rule for f in report.findings}
    session = ort.InferenceSession(str(tmp_path / "wide.onnx"), providers=["CPUExecutionProvider"])
    label = session.run(None, {"input": X.astype(np.float32)})[0]
    assert label.dtype == np.int64 and label.min() == 2**40
    report = export_onnx(
        LogisticRegression(max_iter=1000).fit(X, Y), tmp_path / "k.onnx", io="int64"
    )
    assert report.outputs[0] == ("label", "tensor(int64)") and report.passed


def test_export_regressor(tmp_path: Path) -> None:
    model = LinearRegression().fit(X[:, :3], X[:, 3])
    report = export_onnx(model, tmp_path / "r.onnx", samples=X[:, :3])
    assert report.passed
    (parity,) = report.parity
    assert parity.method == "predict" and parity.max_abs_diff is not None


def test_export_needs_trust_for_pickles(tmp_path: Path) -> None:
    p = tmp_path / "m.pkl"
    p.write_bytes(pickle.dumps(LogisticRegression(max_iter=1000).fit(X, Y)))
    out = tmp_path / "m.onnx"
    with pytest.raises(JvmreadyError, match="--trust"):
        export(p, out)
    assert not out.exists()
    r = run_cli("export", p, "-o", out)
    assert r.returncode == 2
    assert "--trust" in r.stderr and "sklearn" in r.stderr and r.stderr.count("\n") == 1


def test_cli_export_with_trust_and_zipmap(tmp_path: Path) -> None:
    p = tmp_path / "m.pkl"
    p.write_bytes(pickle.dumps(LogisticRegression(max_iter=1000).fit(X, Y)))
    samples = tmp_path / "x.npy"
    np.save(samples, X)
    out = tmp_path / "m.onnx"
    r = run_cli("export", p, "-o", out, "--trust", "--samples", samples, "--json")
    assert r.returncode == 0, r.stderr
    import json

    doc = json.loads(r.stdout)
    assert doc["passed"] and [p["samples"] for p in doc["parity"]] == [150, 150]
    r = run_cli("export", p, "-o", tmp_path / "z.onnx", "--trust", "--zipmap")
    assert r.returncode == 0, r.stderr
    assert "seq(map(int64,tensor(float)))" in r.stdout
