"""``export``: a scikit-learn model to ONNX for Java, proven against the model's own predictions.

skl2onnx converts; the opsets and IR version are the ones the pinned ONNX Runtime (Python and
Java) runs; ZipMap is off by default, so probabilities come out as a float tensor
(``float[][]`` in Java) instead of ``OnnxMap<Long, Float>``. Integer widths follow ``fix``'s
rules (``io="int32"``): the label output becomes int32 when the class labels stored in the model
prove it lossless. The exported file is then run with ONNX Runtime on sample inputs, compared
with ``predict``/``predict_proba``/``transform``, and checked like any other model.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from jvmready.check import check as check_api
from jvmready.errors import InputFileError, JvmreadyError
from jvmready.fileio import atomic_output, refuse_same_file
from jvmready.findings import Finding
from jvmready.fix import fix as fix_api
from jvmready.report import Change
from jvmready.weights.pickle_scan import scan
from jvmready.weights.sklearn_model import (
    PICKLE_SUFFIXES,
    SKOPS_SUFFIX,
    load_skops,
    load_trusted,
)

#: Opsets the pinned onnxruntime 1.23 runs in Python and Java.
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}
#: The highest IR version ONNX Runtime 1.23 accepts.
MAX_IR_VERSION = 10
#: Probabilities/scores may differ by float32 rounding only.
TOLERANCE = 1e-5
DEFAULT_SAMPLES = 256
INPUT_NAME = "input"


@dataclass(frozen=True)
class Parity:
    """How one ONNX output compared with the scikit-learn method it reproduces."""

    output: str
    method: str
    samples: int
    mismatches: int
    max_abs_diff: float | None
    exact: bool

    @property
    def passed(self) -> bool:
        return self.mismatches == 0

    def to_dict(self) -> dict[str, Any]:
        return {**vars(self), "passed": self.passed}


@dataclass(frozen=True)
class ExportReport:
    """What ``export`` wrote and the evidence that it predicts like the original."""

    source: str
    output: str
    model_type: str
    zipmap: bool
    opsets: dict[str, int]
    inputs: tuple[tuple[str, str], ...]
    outputs: tuple[tuple[str, str], ...]
    parity: tuple[Parity, ...]
    changes: tuple[Change, ...] = ()
    findings: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return bool(self.parity) and all(p.passed for p in self.parity)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "output": self.output,
            "model_type": self.model_type,
            "zipmap": self.zipmap,
            "opsets": self.opsets,
            "inputs": [{"name": n, "type": t} for n, t in self.inputs],
            "outputs": [{"name": n, "type": t} for n, t in self.outputs],
            "parity": [p.to_dict() for p in self.parity],
            "changes": [c.to_dict() for c in self.changes],
            "findings": [f.to_dict() for f in self.findings],
            "passed": self.passed,
            "notes": list(self.notes),
        }


def load_model(path: Path, *, trust: bool) -> Any:
    """A scikit-learn model from ``.pkl``/``.joblib`` (only with ``trust``) or ``.skops``."""
    if not path.exists():
        raise InputFileError(path, "no such file or directory")
    if path.suffix.lower() == SKOPS_SUFFIX:
        return load_skops(path, trust)
    if path.suffix.lower() not in PICKLE_SUFFIXES:
        raise InputFileError(
            path, "not a scikit-learn model file (.pkl, .pickle, .joblib or .skops)"
        )
    if not trust:
        result = scan(path)
        raise JvmreadyError(
            f"{path}: a pickle is code and is not loaded without --trust; static scan: "
            f"{result.summary()}"
        )
    return load_trusted(path)[0]


def export(
    path: Path,
    out: Path,
    *,
    trust: bool = False,
    zipmap: bool = False,
    io: str = "int32",
    samples: npt.NDArray[Any] | None = None,
) -> ExportReport:
    """Convert the scikit-learn model in ``path`` to ONNX at ``out`` and prove it."""
    refuse_same_file(path, out)
    model = load_model(path, trust=trust)
    return export_onnx(model, out, zipmap=zipmap, io=io, samples=samples, source=str(path))


def export_onnx(
    model: Any,
    out: Path,
    *,
    zipmap: bool = False,
    io: str = "int32",
    samples: npt.NDArray[Any] | None = None,
    source: str = "<model>",
) -> ExportReport:
    """Convert a fitted estimator with skl2onnx, write it atomically, and compare ONNX Runtime's
    results with the estimator's own on ``samples`` (or generated inputs).

    ``io="int32"`` narrows int64 interface tensors where ``fix`` proves it lossless (the label
    output, from the class labels stored in the model); ``io="int64"`` keeps skl2onnx's types.
    """
    if io not in ("int32", "int64"):
        raise JvmreadyError(f"io must be int32 or int64, not {io!r}")
    onnx = importlib.import_module("onnx")
    skl2onnx = importlib.import_module("skl2onnx")
    types = importlib.import_module("skl2onnx.common.data_types")
    base = importlib.import_module("sklearn.base")
    n_features = getattr(model, "n_features_in_", None)
    if not isinstance(n_features, int):
        raise JvmreadyError(f"{source}: not a fitted scikit-learn estimator (no n_features_in_)")
    classifier = bool(base.is_classifier(model))
    options = {id(model): {"zipmap": zipmap}} if classifier else None
    try:
        proto = skl2onnx.convert_sklearn(
            model,
            initial_types=[(INPUT_NAME, types.FloatTensorType([None, n_features]))],
            target_opset=TARGET_OPSET,
            options=options,
        )
    except Exception as e:  # skl2onnx raises many kinds for unsupported models/options
        raise JvmreadyError(
            f"{source}: skl2onnx cannot convert {type(model).__name__}: {type(e).__name__}: {e}"
        ) from None
    proto.ir_version = min(proto.ir_version, MAX_IR_VERSION)
    changes: tuple[Change, ...] = ()
    if io == "int32":
        fixed = fix_api(proto, io="int32")
        proto, changes = fixed.model, fixed.changes
    onnx.checker.check_model(proto)
    with atomic_output(out, suffix=".onnx") as tmp:
        onnx.save_model(proto, str(tmp))
    x = _samples(model, n_features, samples)
    parity = prove(model, out, x, zipmap=zipmap and classifier)
    checked = check_api(out)
    return ExportReport(
        source=source,
        output=str(out),
        model_type=type(model).__name__,
        zipmap=zipmap and classifier,
        opsets={(o.domain or "ai.onnx"): o.version for o in proto.opset_import},
        inputs=tuple((i.name, _type_string(i)) for i in proto.graph.input),
        outputs=tuple((o.name, _type_string(o)) for o in proto.graph.output),
        parity=parity,
        changes=changes,
        findings=checked.findings,
        notes=_notes(model, classifier, zipmap, changes),
    )


def _notes(
    model: Any, classifier: bool, zipmap: bool, changes: tuple[Change, ...]
) -> tuple[str, ...]:
    notes = []
    labels = getattr(model, "classes_", None)
    if classifier and isinstance(labels, np.ndarray) and labels.dtype.kind in "iu":
        lo, hi = int(labels.min()), int(labels.max())
        if any(c.kind == "output-narrowed" for c in changes):
            notes.append(f"labels are tensor(int32) (Java int[]): classes {lo}..{hi} fit int32")
        else:
            notes.append(f"labels are tensor(int64) (Java long[]); classes {lo}..{hi}")
    if classifier and zipmap:
        notes.append("ZipMap on: probabilities are a sequence of maps (Java OnnxMap)")
    return tuple(notes)


def _type_string(value_info: Any) -> str:
    from jvmready.onnx.graphs import type_string

    return str(type_string(value_info.type))


def _samples(
    model: Any, n_features: int, given: npt.NDArray[Any] | None
) -> npt.NDArray[np.float32]:
    """float32 inputs (what the ONNX model takes); sklearn gets the very same values."""
    if given is not None:
        x = np.asarray(given)
        if x.ndim != 2 or x.shape[1] != n_features:
            raise JvmreadyError(f"samples have shape {x.shape}; the model takes [n, {n_features}]")
        return x.astype(np.float32)
    rng = np.random.default_rng(0)
    scale = _feature_scale(model, n_features)
    return (rng.normal(size=(DEFAULT_SAMPLES, n_features)) * scale).astype(np.float32)


def _feature_scale(model: Any, n_features: int) -> npt.NDArray[np.float64]:
    # Trees split on thresholds near the training data; spread samples over those values.
    thresholds: list[float] = []
    for est in [model, *getattr(model, "estimators_", [])][:50]:
        tree = getattr(est, "tree_", None)
        if tree is not None:
            thresholds += [abs(float(t)) for t in tree.threshold if t != -2]
    return np.full(n_features, max(thresholds, default=1.0) + 1.0)


def prove(
    model: Any, onnx_path: Path, x: npt.NDArray[np.float32], *, zipmap: bool
) -> tuple[Parity, ...]:
    """Run ONNX Runtime on ``x`` and compare with the estimator's own methods."""
    ort = importlib.import_module("onnxruntime")
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    results = dict(zip(names, session.run(None, {INPUT_NAME: x}), strict=True))
    x64 = x.astype(np.float64)
    checks: list[Parity] = []
    if hasattr(model, "predict"):
        expected = np.asarray(model.predict(x64))
        name = names[0]
        checks.append(
            _compare(
                name,
                "predict",
                expected,
                np.asarray(results[name]),
                exact=expected.dtype.kind not in "fc",
            )
        )
    if hasattr(model, "predict_proba") and len(names) > 1:
        expected = np.asarray(model.predict_proba(x64))
        got = results[names[1]]
        if zipmap:
            got = np.array([[row[c] for c in model.classes_] for row in got])
        checks.append(_compare(names[1], "predict_proba", expected, np.asarray(got), exact=False))
    elif hasattr(model, "transform") and not hasattr(model, "predict"):
        expected = np.asarray(model.transform(x64))
        checks.append(
            _compare(names[0], "transform", expected, np.asarray(results[names[0]]), exact=False)
        )
    return tuple(checks)


def _compare(
    output: str, method: str, expected: npt.NDArray[Any], got: npt.NDArray[Any], *, exact: bool
) -> Parity:
    n = int(expected.shape[0]) if expected.ndim else 1
    if expected.ndim == 2 and expected.shape[1] == 1 and got.ndim == 1:
        expected = expected.reshape(-1)
    if got.ndim == 2 and got.shape[1] == 1 and expected.ndim == 1:
        got = got.reshape(-1)
    if expected.shape != got.shape:
        return Parity(output, method, n, n, None, exact)
    if exact:
        bad = expected != got
        return Parity(output, method, n, int(np.any(bad.reshape(n, -1), axis=1).sum()), None, True)
    diff = np.abs(expected.astype(np.float64) - got.astype(np.float64))
    bad = diff > TOLERANCE + TOLERANCE * np.abs(expected)
    mismatches = int(np.any(bad.reshape(n, -1), axis=1).sum())
    return Parity(output, method, n, mismatches, float(diff.max()) if diff.size else 0.0, False)
