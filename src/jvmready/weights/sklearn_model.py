"""scikit-learn models in ``.pkl``/``.joblib`` (pickles: code) and ``.skops`` (safe format).

Without ``--trust`` a pickle is only scanned statically (:mod:`jvmready.weights.pickle_scan`):
the report says what loading it would import. With ``--trust`` (and a scan that found nothing
that runs code) it is loaded and the integer widths of its fitted attributes are reported.
``.skops`` files are loaded by skops when every type in them is one skops trusts by default.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from jvmready.errors import InputFileError, JvmreadyError
from jvmready.fileio import atomic_output, refuse_same_file
from jvmready.findings import Finding, Location, Severity
from jvmready.formats import CheckOptions, FileFixReport, FixOptions, register
from jvmready.report import CheckReport
from jvmready.targets import Target
from jvmready.weights.arrays import RULE_DOES_NOT_FIT, NamedArray, check_arrays
from jvmready.weights.pickle_scan import ScanResult, scan

PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib")
SKOPS_SUFFIX = ".skops"
#: How deep to look inside nested estimators (pipelines of ensembles of trees...).
MAX_DEPTH = 8
#: Tree node arrays are reported for the first few trees only; the rest share their dtypes.
MAX_TREES = 3
_TREE_ARRAYS = ("children_left", "children_right", "feature", "n_node_samples")


def scan_findings(path: Path, result: ScanResult) -> list[Finding]:
    """What the static scan means for the user, one finding per import that matters."""
    loc = Location(file=str(path))
    findings = [
        Finding(
            "JR401",
            Severity.ERROR,
            f"loading {path.name} would import {g} (runs code); it is not a plain model",
            loc,
            remedy="do not load this file; re-export the model from its source",
            data={"import": str(g), "calls": [c for c in result.calls if c.startswith(str(g))]},
        )
        for g in result.unsafe
    ]
    findings += [
        Finding(
            "JR402",
            Severity.WARNING,
            f"loading {path.name} would import {g}, outside scikit-learn/numpy/scipy",
            loc,
            remedy="load it only if you trust its source and have that package (--trust)",
            data={"import": str(g)},
        )
        for g in result.unknown
    ]
    findings.append(
        Finding(
            "JR400",
            Severity.INFO,
            f"{path.name} is a pickle (code): scanned, not loaded; {result.summary()}",
            loc,
            remedy="pass --trust to load it and check its fitted integer arrays, "
            "or save it with skops (.skops) instead",
            data={"imports": [str(g) for g in result.imports]},
        )
    )
    return findings


def scan_extra(result: ScanResult) -> dict[str, Any]:
    return {
        "loaded": False,
        "imports": [str(g) for g in result.imports],
        "unsafe_imports": [str(g) for g in result.unsafe],
        "unknown_imports": [str(g) for g in result.unknown],
        "calls": list(result.calls[:50]),
        "compression": result.compression,
        "fickling": result.fickling,
    }


def load_trusted(path: Path) -> tuple[Any, ScanResult | None]:
    """Load a model the user trusts; still refuses a file whose scan found code execution."""
    if path.suffix.lower() == SKOPS_SUFFIX:
        return load_skops(path, trust=True), None
    result = scan(path)
    if result.dangerous:
        raise JvmreadyError(f"{path}: refusing to load even with --trust: {result.summary()}")
    joblib = importlib.import_module("joblib")
    try:
        return joblib.load(path), result
    except (ModuleNotFoundError, AttributeError) as e:
        raise InputFileError(path, f"cannot load the model here: {e}") from None
    except Exception as e:  # unpickling a user file can fail in any library's code
        raise InputFileError(path, f"loading failed: {type(e).__name__}: {e}") from None


def load_skops(path: Path, trust: bool) -> Any:
    """Load a ``.skops`` file: always when every type is trusted by skops, else only with
    ``--trust`` (then the untrusted types are named in the error without it)."""
    sio = importlib.import_module("skops.io")
    untrusted = skops_untrusted(path)
    if untrusted and not trust:
        raise JvmreadyError(
            f"{path}: contains types skops does not trust ({', '.join(untrusted)}); "
            "pass --trust to load it"
        )
    return sio.load(path, trusted=untrusted)


def skops_untrusted(path: Path) -> list[str]:
    """The types in a ``.skops`` file that skops would not load by default (read, not run)."""
    sio = importlib.import_module("skops.io")
    try:
        return list(sio.get_untrusted_types(file=path))
    except Exception as e:  # a broken zip/JSON schema: skops raises many kinds
        raise InputFileError(path, f"not a valid .skops file: {e}") from None


def fitted_arrays(model: Any, prefix: str = "", depth: int = 0) -> Iterator[NamedArray]:
    """Integer arrays among a fitted estimator's attributes (``classes_``, ``categories_``,
    tree node arrays...), named by their path (``steps.clf.classes_``)."""
    if depth > MAX_DEPTH:
        return
    if isinstance(model, np.ndarray):
        if model.dtype.kind in "iu":
            yield NamedArray(prefix or "array", model)
        elif model.dtype.kind == "O" and model.ndim == 1 and model.size <= 10_000:
            for i, item in enumerate(model):
                yield from fitted_arrays(item, f"{prefix}[{i}]", depth + 1)
        return
    if isinstance(model, (list, tuple)):
        limit = MAX_TREES if prefix.endswith("estimators_") else 10_000
        for i, item in enumerate(model[:limit]):
            yield from fitted_arrays(item, f"{prefix}[{i}]", depth + 1)
        return
    if type(model).__name__ == "Tree" and type(model).__module__.startswith("sklearn.tree"):
        for attr in _TREE_ARRAYS:
            yield NamedArray(f"{prefix}.{attr}", np.asarray(getattr(model, attr)))
        return
    if not hasattr(model, "get_params"):
        return
    if hasattr(model, "steps") and isinstance(model.steps, list):  # Pipeline: name the steps
        for step, est in model.steps:
            yield from fitted_arrays(est, _join(prefix, f"steps.{step}"), depth + 1)
    for attr, value in vars(model).items():
        if attr.endswith("_") and not attr.startswith("_"):
            yield from fitted_arrays(value, _join(prefix, attr), depth + 1)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def model_report(path: Path, model: Any, target: Target, extra: dict[str, Any]) -> CheckReport:
    """The integer widths of a loaded model's fitted arrays, as a regular check report."""
    report = check_arrays(path, "sklearn", fitted_arrays(model), target, extra)
    info = Finding(
        "JR403",
        Severity.INFO,
        f"{type(model).__name__} loaded; export it with `jvmready export {path.name} --trust "
        "-o MODEL.onnx` for Java (ONNX Runtime)",
        Location(file=str(path)),
    )
    labels = getattr(model, "classes_", None)
    # Java never reads these arrays directly (it runs the exported ONNX model), so their widths
    # are facts for the report, not problems: only values beyond int32 are worth a line.
    findings = [
        Finding(f.rule, Severity.INFO, f.message, f.location, f.remedy, f.data)
        for f in report.findings
        if f.rule == RULE_DOES_NOT_FIT
    ]
    if isinstance(labels, np.ndarray) and labels.dtype.kind in "iu":
        findings.append(
            Finding(
                "JR404",
                Severity.INFO,
                f"class labels are {labels.dtype.name}: the exported ONNX label output is "
                "tensor(int64), read in Java as long[]",
                Location(file=str(path), tensor="classes_"),
                data={"dtype": labels.dtype.name},
            )
        )
    return CheckReport(
        path=report.path,
        format=report.format,
        target=report.target,
        tensors=report.tensors,
        findings=(*findings, info),
        extra=report.extra,
    )


class SklearnModelFormat:
    """Pickled (``.pkl``/``.joblib``) and skops (``.skops``) scikit-learn models."""

    name = "sklearn"

    def claims(self, path: Path) -> bool:
        return path.suffix.lower() in (*PICKLE_SUFFIXES, SKOPS_SUFFIX)

    def check(
        self, path: Path, target: Target, options: CheckOptions = CheckOptions()
    ) -> CheckReport:
        if path.suffix.lower() == SKOPS_SUFFIX:
            untrusted = skops_untrusted(path)
            if untrusted and not options.trust:
                return self._untrusted_skops(path, target, untrusted)
            model = load_skops(path, options.trust)
            return model_report(path, model, target, {"loaded": True, "format": "skops"})
        if not options.trust:
            result = scan(path)
            return CheckReport(
                path=str(path),
                format=self.name,
                target=target.name,
                findings=tuple(scan_findings(path, result)),
                extra=scan_extra(result),
            )
        model, scanned = load_trusted(path)
        extra = {**(scan_extra(scanned) if scanned else {}), "loaded": True}
        return model_report(path, model, target, extra)

    def _untrusted_skops(self, path: Path, target: Target, untrusted: list[str]) -> CheckReport:
        loc = Location(file=str(path))
        findings = [
            Finding(
                "JR402",
                Severity.WARNING,
                f"{path.name} holds {t}, a type skops does not trust by default",
                loc,
                remedy="pass --trust to load it if you trust its source",
                data={"type": t},
            )
            for t in untrusted
        ]
        return CheckReport(
            path=str(path),
            format=self.name,
            target=target.name,
            findings=tuple(findings),
            extra={"loaded": False, "format": "skops", "untrusted_types": untrusted},
        )

    def fix_file(self, path: Path, out: Path, options: FixOptions) -> FileFixReport:
        """Re-save a trusted model in skops' safe format (``-o MODEL.skops``), so nobody has to
        unpickle it again. Fitted arrays are kept as they are: scikit-learn's own code needs
        them at their fitted widths (use ``jvmready export`` for Java)."""
        if out.suffix.lower() != SKOPS_SUFFIX:
            raise JvmreadyError(
                f"{out}: fix writes scikit-learn models in skops' safe format; use -o NAME.skops "
                f"(or `jvmready export {path.name} --trust -o NAME.onnx` for Java)"
            )
        if not options.trust and path.suffix.lower() != SKOPS_SUFFIX:
            result = scan(path)
            raise JvmreadyError(
                f"{path}: a pickle is code and is not loaded without --trust; {result.summary()}"
            )
        refuse_same_file(path, out)
        model = (
            load_skops(path, options.trust)
            if path.suffix.lower() == SKOPS_SUFFIX
            else (load_trusted(path)[0])
        )
        sio = importlib.import_module("skops.io")
        with atomic_output(out, suffix=SKOPS_SUFFIX) as tmp:
            sio.dump(model, tmp)
        untrusted = sio.get_untrusted_types(file=out)
        findings: tuple[Finding, ...] = ()
        if untrusted:
            findings = (
                Finding(
                    "JR405",
                    Severity.WARNING,
                    f"{out.name} holds types skops does not trust by default: "
                    + ", ".join(untrusted),
                    Location(file=str(out)),
                ),
            )
        return FileFixReport(str(path), str(out), self.name, (), findings)


register(SklearnModelFormat())
