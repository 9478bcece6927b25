"""The demo's fix and verify steps: fix the example model, show its Java signature after, then
prove it computes what the original computes in Python and in ONNX Runtime Java, and replay the
samples it now carries with the Java ``selfCheck()``."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

from rich.text import Text

from jvmready.errors import JvmreadyError
from jvmready.verify import VerifyReport, verify
from jvmready.verify.render import render_report

if TYPE_CHECKING:  # jvmready.demo imports this module to list its steps
    from jvmready.demo import DemoContext

#: Samples ``fix --embed-samples`` stores in the demo's fixed model.
EMBEDDED_SAMPLES = 32
SELF_CHECK_MAIN = "io.jvmready.onnxruntime.SelfCheck"


def fix_step(ctx: DemoContext) -> None:
    """``jvmready fix --drop-zipmap --embed-samples N``, then the Java signature after."""
    from jvmready.check import check
    from jvmready.fix import fix_file
    from jvmready.formats import FixOptions
    from jvmready.render.table import signature_table
    from jvmready.verify.samples import embed_verified

    if ctx.model is None:
        raise RuntimeError("the demo's fix step needs the train step before it")
    fixed = ctx.workdir / ctx.model.name.replace(".onnx", ".fixed.onnx")
    console = ctx.console
    console.print(
        f"$ jvmready fix {ctx.model} -o {fixed} --drop-zipmap --embed-samples {EMBEDDED_SAMPLES}"
    )
    report = fix_file(ctx.model, fixed, FixOptions(drop_zipmap=True))
    for c in report.changes:
        console.print(f"  {c.kind}: {c.name!r} {c.before} -> {c.after}", markup=False)
    verified = embed_verified(ctx.model, fixed, EMBEDDED_SAMPLES)
    if verified.passed:
        console.print(
            f"  embedded {verified.samples} verified samples (inputs generated from the "
            "signature; each categorical column drawn from its OneHotEncoder's categories)"
        )
    else:
        console.print("  the fixed model does NOT match the original: no samples embedded")
    ctx.artifacts["fixed"] = fixed
    after = check(fixed, "ort-java")
    ctx.reports["check-fixed"] = after
    console.print(Text("Java signature after the fix:", style="bold"))
    console.print(signature_table(after))


def verify_step(ctx: DemoContext) -> None:
    """``jvmready verify ORIGINAL FIXED --java --inputs samples.npz``, then ``selfCheck()``."""
    fixed = ctx.artifacts.get("fixed")
    if ctx.model is None or fixed is None:
        raise RuntimeError("the demo's verify step needs the fix step before it")
    console = ctx.console
    inputs = f" --inputs {ctx.samples}" if ctx.samples is not None else ""
    console.print(f"$ jvmready verify {ctx.model} {fixed} --java{inputs}")
    java = True
    try:
        report: VerifyReport = verify(ctx.model, fixed, java=True, inputs=ctx.samples)
    except JvmreadyError as e:
        console.print(f"Java is not available ({e}); verifying in Python only", markup=False)
        java = False
        report = verify(ctx.model, fixed, inputs=ctx.samples)
    render_report(report, console)
    ctx.facts["verify_passed"] = report.passed
    if not java:
        return
    from jvmready.java import java_command

    console.print()
    console.print(
        "A service can replay the samples the model carries at start-up:\n"
        "  try (ModelRunner runner = ModelRunner.open(path)) { runner.selfCheck(); ... }"
    )
    console.print(f"$ java -cp ... {SELF_CHECK_MAIN} {fixed}")
    done = subprocess.run(
        java_command(SELF_CHECK_MAIN, [str(fixed)]), capture_output=True, text=True, check=False
    )
    console.print((done.stdout or done.stderr).strip(), markup=False)
