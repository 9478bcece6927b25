"""``jvmready verify --java`` throughput on the demo's model (scikit-learn pipeline, two inputs,
ZipMap output), after ``jvmready fix --drop-zipmap`` as the demo does."""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from measure import Measured, measure
from rich.console import Console

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class VerifyThroughput:
    """``samples`` verified end to end in ``run`` (one CLI process), with the Java side's own
    timings from the report."""

    samples: int
    run: Measured
    java_timings: dict[str, float]
    python_timings: dict[str, float]
    passed: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "samples": self.samples,
            "run": self.run.to_dict(),
            "java_timings": self.java_timings,
            "python_timings": self.python_timings,
            "passed": self.passed,
        }


def demo_models(directory: Path) -> tuple[Path, Path]:
    """Train and export the demo's model, then fix it; return (original, fixed)."""
    from jvmready.demo import DemoContext, train_and_export

    ctx = DemoContext(workdir=directory, console=Console(file=io.StringIO()))
    train_and_export(ctx)
    assert ctx.model is not None
    fixed = directory / "demo.fixed.onnx"
    measure(
        "fix demo",
        [str(BIN / "jvmready"), "fix", str(ctx.model), "-o", str(fixed), "--drop-zipmap"],
    )
    return ctx.model, fixed


def verify_throughput(original: Path, fixed: Path, samples: int) -> VerifyThroughput:
    """Run ``jvmready verify ORIGINAL FIXED --java --samples N --json`` once, measured."""
    argv = [
        str(BIN / "jvmready"),
        "verify",
        str(original),
        str(fixed),
        "--java",
        "--samples",
        str(samples),
        "--json",
    ]
    run = measure("verify --java", argv)
    report = json.loads(run.output[run.output.index("{") :])
    java: dict[str, float] = {}
    python: dict[str, float] = {}
    for r in report.get("runs", []):
        if r.get("backend") == "java":
            java = {k: float(v) for k, v in r.get("timings", {}).items()}
        elif r.get("role") == "candidate" or not python:
            python = {k: float(v) for k, v in r.get("timings", {}).items()}
    if not java:
        raise RuntimeError("verify --java reported no Java run: " + run.output[-500:])
    if int(report.get("samples", -1)) != samples:
        raise RuntimeError(f"verify --java compared {report.get('samples')} samples, not {samples}")
    return VerifyThroughput(samples, run, java, python, bool(report.get("passed")))
