"""``jvmready export MODEL.pkl -o MODEL.onnx``: scikit-learn to ONNX, proven on samples."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from jvmready.cli.app import EXIT_FINDINGS, EXIT_OK, app, out
from jvmready.export import ExportReport
from jvmready.export import export as export_api
from jvmready.weights.npy import map_npy


@app.command()
def export(
    model: Path = typer.Argument(..., help="A scikit-learn model: .pkl, .joblib or .skops."),
    output: Path = typer.Option(..., "--output", "-o", help="The ONNX file to write."),
    trust: bool = typer.Option(
        False, "--trust", help="Load the pickle (it is code: only for files you trust)."
    ),
    zipmap: bool = typer.Option(
        False, "--zipmap", help="Keep skl2onnx's ZipMap (probabilities as Java OnnxMap)."
    ),
    io: str = typer.Option(
        "int32",
        "--io",
        help="int32: narrow int64 inputs/outputs where proven lossless (labels); int64: keep.",
    ),
    samples: Path | None = typer.Option(
        None, "--samples", help="Inputs to prove parity on (.npy, [n, features])."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON on stdout."),
) -> None:
    """Convert a scikit-learn MODEL to ONNX for Java and prove it predicts the same."""
    x = None if samples is None else map_npy(samples, "samples").array
    report = export_api(model, output, trust=trust, zipmap=zipmap, io=io, samples=x)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        _print(report)
    raise typer.Exit(EXIT_OK if report.passed else EXIT_FINDINGS)


def _print(report: ExportReport) -> None:
    out.print(f"{report.source} ({report.model_type}) -> {report.output}", markup=False)
    opsets = ", ".join(f"{d} {v}" for d, v in sorted(report.opsets.items()))
    out.print(f"  opsets: {opsets}; ZipMap {'on' if report.zipmap else 'off'}", markup=False)
    for name, type_ in report.inputs:
        out.print(f"  input  {name}: {type_}", markup=False)
    for name, type_ in report.outputs:
        out.print(f"  output {name}: {type_}", markup=False)
    for p in report.parity:
        how = "exact" if p.exact else f"max |diff| {p.max_abs_diff:.3g}"
        verdict = "ok" if p.passed else f"MISMATCH on {p.mismatches} samples"
        out.print(
            f"  {p.output} vs {p.method}: {p.samples} samples, {how}: {verdict}", markup=False
        )
    for c in report.changes:
        out.print(f"  {c.kind}: {c.name} {c.before} -> {c.after} ({c.detail})", markup=False)
    for f in report.findings:
        out.print(f"  {f.severity} {f.rule}: {f.message}", markup=False)
    for note in report.notes:
        out.print(f"  note: {note}", markup=False)
