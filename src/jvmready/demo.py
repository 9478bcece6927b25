"""``jvmready demo``: the whole pipeline on a model made on the spot, explained as it goes.

The demo is a list of :class:`DemoStep` sharing one :class:`DemoContext` (working directory,
model paths, reports). Each later stage of the pipeline (fix, verify, javagen) adds a step
function and appends it to :data:`STEPS`; steps read what earlier ones left in the context.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from rich.console import Console
from rich.panel import Panel
from rich.rule import Rule as RichRule
from rich.text import Text

from jvmready.javagen.demo import javagen_step
from jvmready.report import CheckReport
from jvmready.verify.demo import fix_step, verify_step

DEFAULT_WORKDIR = Path("jvmready-demo")
MODEL_NAME = "diabetes_progression.onnx"


@dataclass
class DemoContext:
    """What the demo steps share. Mutable on purpose: each step adds what it produced."""

    workdir: Path
    console: Console
    model: Path | None = None  # the model as exported by skl2onnx
    samples: Path | None = None  # .npz of sample inputs (for verify) by input name
    reports: dict[str, CheckReport] = field(default_factory=dict)
    artifacts: dict[str, Path] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoStep:
    """One stage of the walk-through."""

    name: str
    title: str
    run: Callable[[DemoContext], None]


# --- step 1: train and export --------------------------------------------------------------------


def _dataset() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Diabetes (bundled with scikit-learn, raw units): integer categorical columns ``sex``
    (1/2) and ``age_group`` (decade bucket), eight numeric measurements, and a binary target
    (disease progression above the median)."""
    from sklearn.datasets import load_diabetes

    data = load_diabetes(scaled=False)
    x = data.data
    age_group = np.digitize(x[:, 0], [30, 40, 50, 60])  # 0..4
    cat = np.column_stack([x[:, 1], age_group]).astype(np.int64)
    num = x[:, 2:].astype(np.float32)
    y = (data.target > np.median(data.target)).astype(np.int64)
    return cat, num, y


def train_and_export(ctx: DemoContext) -> None:
    """Train a OneHotEncoder + LogisticRegression pipeline and export it as users do."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType, Int64TensorType
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    cat, num, y = _dataset()
    n_cat, n_num = cat.shape[1], num.shape[1]
    pre = ColumnTransformer(
        [
            ("categories", OneHotEncoder(handle_unknown="ignore"), list(range(n_cat))),
            ("measurements", StandardScaler(), list(range(n_cat, n_cat + n_num))),
        ]
    )
    pipe = Pipeline([("pre", pre), ("clf", LogisticRegression(max_iter=1000))])
    pipe.fit(np.hstack([cat, num]), y)
    # Two inputs, as a DataFrame with integer and float columns would give; ZipMap kept, as
    # skl2onnx does by default.
    onx = convert_sklearn(
        pipe,
        initial_types=[
            ("categories", Int64TensorType([None, n_cat])),
            ("measurements", FloatTensorType([None, n_num])),
        ],
        target_opset={"": 17, "ai.onnx.ml": 3},
    )
    ctx.workdir.mkdir(parents=True, exist_ok=True)
    ctx.model = ctx.workdir / MODEL_NAME
    ctx.model.write_bytes(onx.SerializeToString())
    ctx.samples = ctx.workdir / "samples.npz"
    np.savez(ctx.samples, categories=cat[:16], measurements=num[:16])
    ctx.facts["accuracy"] = float(pipe.score(np.hstack([cat, num]), y))
    ctx.console.print(
        Text.assemble(
            "Trained a scikit-learn pipeline on the diabetes dataset bundled with scikit-learn:\n"
            "  OneHotEncoder on integer columns ",
            ("sex, age_group", "bold"),
            " (int64) + StandardScaler on 8 measurements (float)\n"
            "  -> LogisticRegression: is disease progression above the median? "
            f"(training accuracy {ctx.facts['accuracy']:.2f})\n"
            "Exported with skl2onnx, defaults kept (ZipMap on): ",
            (str(ctx.model), "bold"),
        )
    )


# --- step 2: check ------------------------------------------------------------------------------


def check_step(ctx: DemoContext) -> None:
    """Run ``jvmready check`` and explain each kind of finding."""
    from jvmready.check import check
    from jvmready.findings import Severity
    from jvmready.onnx.rules import rule_by_id
    from jvmready.render import json as json_render
    from jvmready.render import sarif as sarif_render
    from jvmready.render.table import findings_table, signature_table, summary_line

    if ctx.model is None:
        raise RuntimeError("the demo's check step needs the train step before it")
    report = check(ctx.model, "ort-java")
    ctx.reports["check"] = report
    out = ctx.workdir / "check.json"
    out.write_text(json_render.dumps(report, "error"), encoding="utf-8")
    sarif = ctx.workdir / "check.sarif"
    sarif.write_text(sarif_render.dumps([report]), encoding="utf-8")
    ctx.artifacts.update({"check.json": out, "check.sarif": sarif})

    console = ctx.console
    console.print(f"$ jvmready check {ctx.model}")
    console.print(signature_table(report))
    console.print(findings_table(report))
    console.print(summary_line(report))
    console.print()
    console.print(Text("What the errors mean for Java code:", style="bold"))
    seen: set[str] = set()
    for f in report.findings:
        if f.severity < Severity.ERROR or f.rule in seen:
            continue
        seen.add(f.rule)
        r = rule_by_id(f.rule)
        names = ", ".join(
            g.location.tensor or "" for g in report.findings if g.rule == f.rule
        ).strip(", ")
        console.print(
            Panel(
                Text.assemble((f"{names}\n", "bold"), r.why, "\n", ("Remedy: ", "bold"), r.remedy),
                title=f"{r.id} {r.title}",
                title_align="left",
                border_style="red",
            ),
            soft_wrap=False,
        )
    infos = sorted({f.rule for f in report.findings if f.severity == Severity.INFO})
    if infos:
        console.print(
            f"Info findings ({', '.join(infos)}) describe int64 inside the graph: ONNX Runtime "
            "handles those itself; they matter only for --target int32."
        )
    console.print(
        "Folk fix to avoid: casting to int in Python (astype(np.int32)) or Java ((int) x) "
        f"wraps silently: {2**31 + 5} becomes {_wrapped_int32(2**31 + 5)}."
    )
    console.print(f"Written: {out} (--json) and {sarif} (--sarif, for code scanning)")


def _wrapped_int32(value: int) -> int:
    """What a C-style cast to int32 makes of ``value`` (shown, never used on data)."""
    return (value + 2**31) % 2**32 - 2**31


#: The walk-through, in order. Later stages append their steps (fix, verify, javagen).
STEPS: list[DemoStep] = [
    DemoStep("train", "Train a model and export it to ONNX", train_and_export),
    DemoStep("check", "Check it for the Java side", check_step),
    DemoStep("fix", "Fix it: int32 at the interface, no ZipMap", fix_step),
    DemoStep("verify", "Verify it in Python and in ONNX Runtime Java", verify_step),
    DemoStep("javagen", "Generate a typed Java facade and call it", javagen_step),
]


def run_demo(
    workdir: Path = DEFAULT_WORKDIR,
    console: Console | None = None,
    steps: Sequence[DemoStep] | None = None,
    until: str | None = None,
) -> DemoContext:
    """Run the demo steps in order in ``workdir`` (stopping after the step named ``until``,
    if given); returns the shared context."""
    todo = list(STEPS if steps is None else steps)
    if until is not None:
        names = [s.name for s in todo]
        if until not in names:
            from jvmready.errors import JvmreadyError

            raise JvmreadyError(f"unknown demo step {until!r}; steps: {', '.join(names)}")
        todo = todo[: names.index(until) + 1]
    ctx = DemoContext(workdir=workdir, console=console or Console())
    for n, step in enumerate(todo, 1):
        ctx.console.print(RichRule(f"Step {n}/{len(todo)}: {step.title}", align="left"))
        step.run(ctx)
    return ctx
