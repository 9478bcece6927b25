"""``jvmready fix IN -o OUT``: write a copy of a model that Java can feed and read with int32."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from jvmready.cli.app import EXIT_FINDINGS, app, err, fail, out
from jvmready.cli.fleet import fix_tree_command
from jvmready.fix import fix_file
from jvmready.fleet import is_tree
from jvmready.formats import FileFixReport, FixOptions, for_path
from jvmready.targets import TARGETS

IO_CHOICES = ("int32", "int64")


def report_document(report: FileFixReport) -> dict[str, object]:
    """The ``--json`` document of a fix (described in docs/fix.md)."""
    from jvmready import __version__

    return {
        "schema_version": 1,
        "tool": {"name": "jvmready", "version": __version__},
        "source": report.source,
        "output": report.output,
        "format": report.format,
        "changes": [c.to_dict() for c in report.changes],
        "findings": [f.to_dict() for f in report.findings],
    }


def print_fix_report(report: FileFixReport) -> None:
    """One line per change, then one per finding, then where the result went."""
    if not report.changes:
        out.print("no changes needed", markup=False)
    for c in report.changes:
        line = f"{c.kind}: {c.name!r} {c.before} -> {c.after}"
        out.print(line + (f" ({c.detail})" if c.detail else ""), markup=False)
    for f in report.findings:
        remedy = f"; {f.remedy}" if f.remedy else ""
        out.print(f"{f.severity} {f.rule}: {f.message}{remedy}", markup=False)
    out.print(f"wrote {report.output}", markup=False)


@app.command()
def fix(
    model: Path = typer.Argument(..., help="The model to fix (.onnx); never modified."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the fixed model."),
    io: str = typer.Option(
        "int32", "--io", help="Integer type Java uses at the interface: int32 (or int64: leave it)."
    ),
    target: str = typer.Option(
        "ort-java",
        "--target",
        "-t",
        help=f"Java runtime profile: {', '.join(TARGETS)} (int32 also narrows stored tensors).",
    ),
    drop_zipmap: bool = typer.Option(
        False, "--drop-zipmap", help="Return scikit-learn's ZipMap output as a plain tensor."
    ),
    unsafe_narrow_outputs: bool = typer.Option(
        False,
        "--unsafe-narrow-outputs",
        help="Narrow int64 outputs even without a range proof (values outside int32 would wrap).",
    ),
    keep: list[str] = typer.Option(
        [], "--keep", help="An input, output or stored tensor to leave as it is (repeatable)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print what changed as JSON on stdout."),
    embed_samples: int = typer.Option(
        0,
        "--embed-samples",
        help="Verify the result on N generated samples and store them in it (for selfCheck()).",
    ),
    jobs: int | None = typer.Option(
        None, "--jobs", "-j", help="For a directory tree: parallel workers (default: cores)."
    ),
    trust: bool = typer.Option(
        False, "--trust", help="Load pickled models (they are code); without it they are refused."
    ),
) -> None:
    """Write a fixed copy of MODEL: int32 at the interface, values and names unchanged."""
    if io not in IO_CHOICES:
        raise fail(f"--io must be one of {', '.join(IO_CHOICES)}, not {io!r}")
    if target not in TARGETS:
        raise fail(f"unknown target {target!r}; known targets: {', '.join(TARGETS)}")
    options = FixOptions(
        io=io,
        target=target,
        keep=frozenset(keep),
        drop_zipmap=drop_zipmap,
        unsafe_narrow_outputs=unsafe_narrow_outputs,
        trust=trust,
    )
    if embed_samples < 0:
        raise fail(f"--embed-samples must be >= 0, not {embed_samples}")
    if is_tree(model):  # a directory no format claims: fix every model under it (docs/fleet.md)
        if embed_samples:
            raise fail("--embed-samples applies to one model, not a directory tree")
        raise typer.Exit(fix_tree_command(model, output, options, jobs, as_json=as_json))
    if embed_samples and for_path(model).name != "onnx":
        raise fail(f"--embed-samples applies to ONNX models; {model} is {for_path(model).name}")
    report = fix_file(model, output, options)
    if embed_samples:
        from jvmready.verify.samples import embed_verified

        verified = embed_verified(model, output, embed_samples)
        if not verified.passed:
            bad = next(c for c in verified.comparisons if not c.passed)
            raise fail(
                f"{output} does not match {model} (output {bad.name!r}); no samples embedded; "
                f"run `jvmready verify {model} {output}` for details",
                EXIT_FINDINGS,
            )
        err.print(f"embedded {verified.samples} verified sample(s) in {output}", markup=False)
    if as_json:
        typer.echo(json.dumps(report_document(report), indent=2))
    else:
        print_fix_report(report)
    if unsafe_narrow_outputs and any(c.kind == "output-forced" for c in report.changes):
        err.print(
            "jvmready: WARNING: outputs were narrowed without proof; values outside int32 "
            "will wrap at run time",
            markup=False,
        )
