"""``check`` for SavedModels: the signatures as TF Java sees them, and what breaks there.

Same rule ids and meanings as the ONNX rules (``docs/rules.md``): JR101 int64 input, JR102 int64
output (with the range proof ``fix`` relies on), JR104 a dtype TF Java cannot represent, JR110 an
int64 variable (the SavedModel's stored tensors) with its min and max.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jvmready.findings import Finding, Location, Severity
from jvmready.onnx.rules import OutputProof
from jvmready.report import CheckReport, IOSpec, TensorSummary
from jvmready.targets import Target
from jvmready.tensorflow.javatypes import java_type, tf_java_class
from jvmready.tensorflow.savedmodel import (
    SERVE_TAG,
    SavedModelInfo,
    SignatureSpec,
    TensorSpecInfo,
    read_savedmodel,
    tf,
)

FORMAT = "tensorflow-savedmodel"
TF_JAVA_ERROR = "Expects arg[0] to be int64 but int32 is provided"


def io_name(info: SavedModelInfo, sig: SignatureSpec, spec: TensorSpecInfo) -> str:
    """The name a report (and ``--keep``) uses: the key, prefixed by the signature when several."""
    return spec.name if len(info.signatures) == 1 else f"{sig.key}:{spec.name}"


def load_savedmodel(path: Path) -> Any:
    """``tf.saved_model.load`` with a one-line error naming the directory."""
    from jvmready.errors import InputFileError

    try:
        return tf().saved_model.load(str(path))
    except Exception as e:  # TF raises many types for a damaged model; all are bad input
        text = str(e).strip().splitlines()
        problem = text[0][:200] if text else type(e).__name__
        raise InputFileError(path, f"cannot load SavedModel ({problem})") from None


def output_proofs(path: Path, info: SavedModelInfo) -> dict[tuple[str, str], OutputProof]:
    """Range proofs of every int64 output, keyed by (signature, output); loads the model."""
    if not any(o.dtype == "int64" for s in info.signatures for o in s.outputs):
        return {}
    from jvmready.tensorflow.proofs import signature_proofs

    loaded = load_savedmodel(path)
    proofs: dict[tuple[str, str], OutputProof] = {}
    for sig in info.signatures:
        for name, proof in signature_proofs(loaded.signatures[sig.key]).items():
            proofs[(sig.key, name)] = proof
    return proofs


def check_savedmodel(path: Path, target: Target) -> CheckReport:
    """Check the SavedModel directory ``path`` for TF Java under ``target``."""
    info = read_savedmodel(path)
    proofs = output_proofs(path, info)
    inputs, outputs = [], []
    findings: list[Finding] = []
    for sig in info.signatures:
        for spec in sig.inputs:
            inputs.append(_iospec(info, sig, spec, "input"))
        for spec in sig.outputs:
            outputs.append(_iospec(info, sig, spec, "output"))
        findings += _interface_findings(path, info, sig, proofs)
    tensors = []
    for v in info.variables:
        if v.dtype != "int64" or v.range is None:
            continue
        loc = Location(file=str(path), graph="variables", tensor=v.name)
        tensors.append(TensorSummary(v.name, v.dtype, v.shape, v.range, loc))
        findings.append(_variable_finding(target, tensors[-1]))
    findings.sort(key=lambda f: (-f.severity, f.rule, str(f.location)))
    return CheckReport(
        path=str(path),
        format=FORMAT,
        target=target.name,
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        tensors=tuple(tensors),
        findings=tuple(findings),
        extra={
            "tags": list(info.tags),
            "signatures": [s.key for s in info.signatures],
            "tf_java_load": f'SavedModelBundle.load("{path}", "{SERVE_TAG}")',
        },
    )


def _iospec(info: SavedModelInfo, sig: SignatureSpec, spec: TensorSpecInfo, d: str) -> IOSpec:
    return IOSpec(io_name(info, sig, spec), d, spec.dtype, spec.shape, java_type(spec.dtype, d))


def _interface_findings(
    path: Path,
    info: SavedModelInfo,
    sig: SignatureSpec,
    proofs: dict[tuple[str, str], OutputProof],
) -> Iterator[Finding]:
    for direction, specs in (("input", sig.inputs), ("output", sig.outputs)):
        for spec in specs:
            name = io_name(info, sig, spec)
            loc = Location(file=str(path), graph=sig.key, tensor=spec.name)
            data: dict[str, Any] = {"type": spec.dtype, "signature": sig.key}
            if tf_java_class(spec.dtype) is None:
                yield Finding(
                    "JR104",
                    Severity.ERROR,
                    f"{direction} {name!r} is {spec.dtype}, which TF Java has no tensor class for",
                    loc,
                    "change the signature's type in Python (cast at the edge of the model)",
                    data,
                )
            elif spec.dtype == "int64" and direction == "input":
                yield Finding(
                    "JR101",
                    Severity.ERROR,
                    f"input {name!r} is int64: TF Java must feed a TInt64 (long[]); a TInt32 "
                    f"fails with '{TF_JAVA_ERROR}', without naming the input",
                    loc,
                    "jvmready fix makes it int32 (cast back to int64 inside the model); ids, "
                    f"hashes or timestamps that may exceed int32 must stay int64 (--keep {name}). "
                    "Without fix, feed TInt64.tensorOf(Shape.of(...), DataBuffers.of(long[])).",
                    {**data, "java": "TInt64"},
                )
            elif spec.dtype == "int64":
                yield _output_finding(name, loc, data, proofs.get((sig.key, spec.name)))


def _output_finding(
    name: str, loc: Location, data: dict[str, Any], proof: OutputProof | None
) -> Finding:
    if proof is not None and proof.fits_int32:
        outlook = (
            f"; its values are provably in [{proof.lo}, {proof.hi}] ({proof.why}), so "
            "jvmready fix can make it int32 safely"
        )
        remedy = f"jvmready fix makes it int32 (proven to fit); --keep {name} leaves it int64"
    else:
        why = proof.why if proof is not None else "no range analysis"
        outlook = f"; no proof its values fit int32 ({why})"
        remedy = (
            "jvmready fix keeps it int64 without a proof (--unsafe-narrow-outputs narrows it "
            "with a run-time range check); in Java read it as TInt64 with getLong(...)"
        )
    return Finding(
        "JR102",
        Severity.ERROR,
        f"output {name!r} is int64: TF Java returns a TInt64, and Java code written for int "
        "either fails to cast it or wraps values beyond int32" + outlook,
        loc,
        remedy,
        {**data, "java": "TInt64", "proof": None if proof is None else vars(proof)},
    )


def _variable_finding(target: Target, t: TensorSummary) -> Finding:
    r = t.range
    fits = r is None or r.fits_int32
    span = "empty" if r is None or r.min is None else f"min {r.min}, max {r.max}"
    if fits:
        severity = Severity.WARNING if target.internals_matter else Severity.INFO
        message = f"variable {t.name!r} is int64 {list(t.shape)} ({span}): fits int32"
    else:
        severity = Severity.ERROR if target.internals_matter else Severity.INFO
        message = f"variable {t.name!r} is int64 {list(t.shape)} ({span}): does NOT fit int32"
    return Finding(
        "JR110",
        severity,
        message,
        t.location,
        "TensorFlow computes with it as int64, so TF Java is unaffected; jvmready fix leaves "
        "variables untouched (inputs it meets must stay int64 when it does not fit: --keep)",
        {
            "min": None if r is None else r.min,
            "max": None if r is None else r.max,
            "count": 0 if r is None else r.count,
            "fits_int32": fits,
            "shape": list(t.shape),
        },
    )
