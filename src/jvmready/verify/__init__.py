"""``verify``: run the original model as the reference, the candidate (a fixed model, or the
original itself) on other backends, and compare every output (Polygraphy's runner/comparator
design, across the Python/JVM line).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

import onnx

from jvmready.onnx.load import load_model
from jvmready.verify.compare import OutputComparison, compare
from jvmready.verify.inputs import SampleSet, convert_for, generate_inputs, load_inputs
from jvmready.verify.runners import (
    ModelSource,
    OrtJavaRunner,
    OrtPythonRunner,
    RunFailed,
    Runner,
    RunResult,
)

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
            "inputs": self.inputs,
            "samples": self.samples,
            "rtol": self.rtol,
            "atol": self.atol,
            "runs": [r.to_dict() for r in self.runs],
            "outputs": [c.to_dict() for c in self.comparisons],
            "timings": self.timings,
        }


def _source(model: ModelArg, default_label: str) -> ModelSource:
    if isinstance(model, onnx.ModelProto):
        return ModelSource(model, None, default_label)
    loaded = load_model(model)
    return ModelSource(loaded.model, loaded.path, str(loaded.path))


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
) -> VerifyReport:
    """Run ``original`` in onnxruntime (Python) as the reference, ``candidate`` (default: the
    original) in onnxruntime (Python) and, with ``java``, in ONNX Runtime Java; compare.
    With ``spark``, also score it with Spark's ``OnnxTransformer`` (needs ``jvmready[spark]``).

    Inputs come from ``inputs`` (an ``.npz`` keyed by input name, converted and range-checked
    for each model) or are generated from the original's signature (``samples`` sets, ``seed``).
    Raises :class:`~jvmready.errors.JvmreadyError` for unusable files, for generated inputs the
    original rejects, and when Java is wanted but missing.
    """
    if rtol < 0 or atol < 0:
        raise ValueError("rtol and atol must be >= 0")
    started = time.perf_counter()
    ref_src = _source(original, "<original>")
    cand_src = ref_src if candidate is None else _source(candidate, "<candidate>")
    if isinstance(inputs, SampleSet):
        base = convert_for(inputs, ref_src.model, inputs.source, ref_src.label)
    elif inputs is not None:
        base = load_inputs(inputs, ref_src.model)
    else:
        base = generate_inputs(ref_src.model, samples, seed)
    generated = inputs is None
    inputs_s = time.perf_counter() - started

    try:
        reference = OrtPythonRunner(ref_src).run(base)
    except RunFailed as e:
        if generated:
            raise RunFailed(
                f"{e}; the generated inputs do not suit this model: pass real ones with "
                "--inputs FILE.npz"
            ) from None
        raise
    cand_inputs = convert_for(base, cand_src.model, base.source, cand_src.label)

    runners: list[Runner] = []
    if python:
        runners.append(OrtPythonRunner(cand_src))
    if java:
        runners.append(OrtJavaRunner(cand_src))
    if spark:
        from jvmready.spark.runner import SparkRunner  # pyspark is optional

        runners.append(SparkRunner(cand_src))
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
        original=ref_src.label,
        candidate=cand_src.label,
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
