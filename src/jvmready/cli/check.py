"""``jvmready check MODEL``: the Java signature and the integer-width findings of a model."""

from __future__ import annotations

from pathlib import Path

import typer

from jvmready.check import check as check_api
from jvmready.cli.app import EXIT_FINDINGS, EXIT_OK, app, err, fail, out
from jvmready.cli.fleet import check_tree_command
from jvmready.cli.progress import progress_on_stderr
from jvmready.fileio import atomic_output
from jvmready.findings import Severity
from jvmready.fleet import is_tree
from jvmready.render import json as json_render
from jvmready.render import sarif as sarif_render
from jvmready.render.table import print_report
from jvmready.report import CheckReport
from jvmready.targets import TARGETS

FAIL_ON = ("error", "warning", "never")


def exit_code(report: CheckReport, fail_on: str) -> int:
    """1 when a finding reaches ``fail_on`` (``error``, ``warning``), else 0; ``never`` is 0."""
    if fail_on == "never":
        return EXIT_OK
    threshold = Severity[fail_on.upper()]
    return EXIT_FINDINGS if any(f.severity >= threshold for f in report.findings) else EXIT_OK


@app.command()
def check(
    model: Path = typer.Argument(..., metavar="MODEL", help="The model file (.onnx)."),
    target: str = typer.Option(
        "ort-java",
        "--target",
        "-t",
        help=f"Java runtime profile: {', '.join(TARGETS)}.",
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print the stable JSON document (docs/check.md) on stdout."
    ),
    sarif: Path | None = typer.Option(
        None, "--sarif", help="Also write a SARIF 2.1.0 file for code scanning."
    ),
    fail_on: str = typer.Option(
        "error", "--fail-on", help="Exit 1 when a finding reaches: error, warning or never."
    ),
    trust: bool = typer.Option(
        False, "--trust", help="Load pickled models (they are code); without it they are scanned."
    ),
    jobs: int | None = typer.Option(
        None, "--jobs", "-j", help="For a directory tree: parallel workers (default: cores)."
    ),
) -> None:
    """Show the Java signature of MODEL and what breaks on the Java side, with remedies.

    MODEL may be a directory tree: every model under it is checked (docs/fleet.md)."""
    if fail_on not in FAIL_ON:
        raise fail(f"--fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    if target not in TARGETS:
        raise fail(f"unknown target {target!r}; known targets: {', '.join(TARGETS)}")
    if is_tree(model):
        if sarif is not None:
            raise fail("--sarif applies to one model, not a directory tree")
        code = check_tree_command(
            model, target, jobs, as_json=as_json, fail_on=fail_on, trust=trust
        )
        raise typer.Exit(code)
    with progress_on_stderr(enabled=not as_json):
        report = check_api(model, target, trust=trust)
    if sarif is not None:
        with atomic_output(sarif, suffix=".sarif") as tmp:
            tmp.write_text(sarif_render.dumps([report]), encoding="utf-8")
    if as_json:
        # Plain print: rich would wrap or highlight; the document must be byte-exact JSON.
        typer.echo(json_render.dumps(report, fail_on))
    else:
        print_report(report, out)
        if sarif is not None:
            err.print(f"SARIF written to {sarif}", markup=False)
    raise typer.Exit(exit_code(report, fail_on))
