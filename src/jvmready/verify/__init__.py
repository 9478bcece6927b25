"""``verify``: run the original model as the reference, the candidate (a fixed model, or the
original itself) on other backends, and compare every output (Polygraphy's runner/comparator
design, across the Python/JVM line).

Format-neutral: each model is a :class:`~jvmready.verify.subjects.Subject` (ONNX, TensorFlow
SavedModel) that makes its inputs and provides its runners; this module only orchestrates.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

import onnx

from jvmready.errors import JvmreadyError
from jvmready.verify.compare import OutputComparison, compare
from jvmready.verify.inputs import SampleSet
from jvmready.verify.runners import RunFailed, RunResult
from jvmready.verify.subjects import Subject, open_subject

#: Defaults: the same runtime on both sides should agree far closer than this; a model rewritten
#: by ``fix`` computes its floats exactly as before.
DEFAULT_RTOL = 1e-5
DEFAULT_ATOL = 1e-6
DEFAULT_SAMPLES = 8

ModelArg = str | os.PathLike[str] | onnx.ModelProto


@dataclass(frozen=True)
class BackendRun:
    """One backend that ran the candidate (or the reference), with its version and timings."""

    role: str  # "reference" | "candidate"
    backend: str
    version: str
    timings: dict[str, float]
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "backend": self.backend,
            "version": self.version,
            "timings": self.timings,
            "error": self.error,
        }


@dataclass(frozen=True)
class Evidence:
    """What was compared: the inputs (as the candidate takes them) and the reference outputs.
    ``samples.embed`` stores these inside the candidate."""

    inputs: SampleSet
    expected: dict[str, Any]


@dataclass(frozen=True)
class VerifyReport:
    """Everything ``verify`` found; ``passed`` means every output of every backend matched."""

    original: str
    candidate: str
    format: str  # the candidate's, e.g. "onnx" or "tensorflow-savedmodel"
    inputs: str
    samples: int
    rtol: float
    atol: float
    runs: tuple[BackendRun, ...]
    comparisons: tuple[OutputComparison, ...]
    timings: dict[str, float] = field(default_factory=dict)  # this side's own work, seconds
    evidence: Evidence | None = field(default=None, repr=False, compare=False)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.comparisons) and not any(r.error for r in self.runs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "original": self.original,
            "candidate": self.candidate,
            "format": self.format,
            "inputs": self.inputs,
            "samples": self.samples,
            "rtol": self.rtol,
            "atol": self.atol,
            "runs": [r.to_dict() for r in self.runs],
            "outputs": [c.to_dict() for c in self.comparisons],
            "timings": self.timings,
        }


def _subject(model: ModelArg, default_label: str, signature: str | None) -> Subject:
    if isinstance(model, onnx.ModelProto):
        from jvmready.verify.onnx_subject import OnnxSubject

        if signature is not None:
            raise JvmreadyError("--signature picks a TensorFlow SavedModel signature, not ONNX's")
        return OnnxSubject.from_proto(model, default_label)
    return open_subject(model, signature)


def verify(
    original: ModelArg,
    candidate: ModelArg | None = None,
    *,
    java: bool = False,
    python: bool = True,
    spark: bool = False,
    inputs: str | os.PathLike[str] | SampleSet | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
    signature: str | None = None,
) -> VerifyReport:
    """Run ``original`` in its own Python runtime as the reference, ``candidate`` (default: the
    original) in that runtime and, with ``java``, in its Java runtime; compare every output.

    ONNX models run in onnxruntime (Python), ONNX Runtime Java and, with ``spark``, Spark's
    ``OnnxTransformer`` (needs ``jvmready[spark]``). TensorFlow SavedModels (directories) run
    ``signature`` (default ``serving_default``) in Python TensorFlow and TensorFlow Java (needs
    ``jvmready[tensorflow]``); ``spark`` refuses them.

    Inputs come from ``inputs`` (an ``.npz`` keyed by input name, converted and range-checked
    for each model) or are generated from the original's signature (``samples`` sets, ``seed``).
    Raises :class:`~jvmready.errors.JvmreadyError` for unusable files, for generated inputs the
    original rejects, and when Java is wanted but missing.
    """
    if rtol < 0 or atol < 0:
        raise ValueError("rtol and atol must be >= 0")
    started = time.perf_counter()
    ref = _subject(original, "<original>", signature)
    cand = ref if candidate is None else _subject(candidate, "<candidate>", signature)
    if cand.format != ref.format:  # outputs would pair up by name alone: nothing proves that
        raise JvmreadyError(
            f"{cand.label}: verify compares models of one format; the original is {ref.format}, "
            f"this is {cand.format}"
        )
    runners = cand.candidate_runners(python=python, java=java, spark=spark)
    if isinstance(inputs, SampleSet):
        base = ref.convert(inputs, inputs.source)
    elif inputs is not None:
        base = ref.load_inputs(inputs)
    else:
        base = ref.generate_inputs(samples, seed)
    generated = inputs is None
    # Converted before anything runs: a value the candidate cannot take is refused up front.
    cand_inputs = cand.convert(base, base.source)
    inputs_s = time.perf_counter() - started

    try:
        reference = ref.reference_runner().run(base)
    except RunFailed as e:
        if generated:
            raise RunFailed(
                f"{e}; the generated inputs do not suit this model: pass real ones with "
                "--inputs FILE.npz"
            ) from None
        raise

    runs = [BackendRun("reference", reference.backend, reference.version, reference.timings)]
    comparisons: list[OutputComparison] = []
    compare_s = 0.0
    for runner in runners:
        try:
            result: RunResult = runner.run(cand_inputs)
        except RunFailed as e:
            runs.append(BackendRun("candidate", runner.backend, "", {}, str(e)))
            continue
        runs.append(BackendRun("candidate", result.backend, result.version, result.timings))
        t0 = time.perf_counter()
        comparisons.extend(
            compare(reference.outputs, result.outputs, rtol=rtol, atol=atol, backend=runner.backend)
        )
        compare_s += time.perf_counter() - t0
    return VerifyReport(
        original=ref.label,
        candidate=cand.label,
        format=cand.format,
        inputs=base.source,
        samples=base.count,
        rtol=rtol,
        atol=atol,
        runs=tuple(runs),
        comparisons=tuple(comparisons),
        timings={
            "load_and_inputs_s": inputs_s,
            "compare_s": compare_s,
            "total_s": time.perf_counter() - started,
        },
        evidence=Evidence(cand_inputs, dict(reference.outputs)),
    )


__all__ = [
    "DEFAULT_ATOL",
    "DEFAULT_RTOL",
    "DEFAULT_SAMPLES",
    "BackendRun",
    "Evidence",
    "OutputComparison",
    "VerifyReport",
    "verify",
]
