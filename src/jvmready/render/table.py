"""Readable rich tables: the Java signature, the findings, and the stored int64 ranges."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from jvmready.findings import Severity
from jvmready.report import CheckReport, Dim

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _shape(shape: tuple[Dim, ...] | None) -> str:
    if shape is None:
        return "-"
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def signature_table(report: CheckReport) -> Table:
    """Every input and output: ONNX type and shape, and the Java type to pass or expect."""
    table = Table(title="Java signature (ONNX Runtime Java)", box=box.SIMPLE_HEAD, expand=False)
    table.add_column("", no_wrap=True)
    table.add_column("name", no_wrap=True, style="bold")
    table.add_column("ONNX type")
    table.add_column("shape", no_wrap=True)
    table.add_column("Java type", style="green")
    table.add_column("also / watch out")
    for spec in (*report.inputs, *report.outputs):
        extra = "\n".join((*spec.java.alternatives, spec.java.note)).strip()
        table.add_row(
            "in" if spec.direction == "input" else "out",
            spec.name,
            spec.type,
            _shape(spec.shape),
            spec.java.primary,
            Text(extra, style="dim"),
        )
    return table


def findings_table(report: CheckReport) -> Table:
    """Findings, worst first, each with its rule id, location and remedy."""
    table = Table(title=f"Findings (target {report.target})", box=box.SIMPLE_HEAD)
    table.add_column("severity", no_wrap=True)
    table.add_column("rule", no_wrap=True)
    table.add_column("where")
    table.add_column("what")
    table.add_column("remedy")
    for f in report.findings:
        table.add_row(
            Text(str(f.severity), style=_STYLE[f.severity]),
            f.rule,
            str(f.location),
            f.message,
            Text(f.remedy, style="dim"),
        )
    return table


def tensors_table(report: CheckReport, limit: int = 20) -> Table:
    """Stored int64 tensors and whether their values fit int32 (those that do not come first)."""
    table = Table(title="Stored int64 tensors", box=box.SIMPLE_HEAD)
    for col in ("name", "where", "shape", "min", "max", "fits int32"):
        table.add_column(col)
    rows = sorted(report.tensors, key=lambda t: (t.range is None or t.range.fits_int32, t.name))
    for t in rows[:limit]:
        r = t.range
        fits = r is None or r.fits_int32
        table.add_row(
            t.name,
            str(t.location.graph or "") + (f" / {t.location.node}" if t.location.node else ""),
            _shape(t.shape),
            "-" if r is None or r.min is None else str(r.min),
            "-" if r is None or r.max is None else str(r.max),
            Text("yes" if fits else "NO", style="green" if fits else "bold red"),
        )
    if len(rows) > limit:
        table.caption = f"{len(rows) - limit} more in --json"
    return table


def summary_line(report: CheckReport) -> Text:
    counts = {s: sum(1 for f in report.findings if f.severity == s) for s in Severity}
    text = Text(f"{report.path}: ")
    if not report.findings:
        return text.append("no findings", style="green")
    parts = [
        (f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}", _STYLE[s])
        for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if counts[s]
    ]
    for i, (label, style) in enumerate(parts):
        text.append(", " if i else "").append(label, style=style)
    return text.append(f" (target {report.target})")


def report_renderable(report: CheckReport) -> RenderableType:
    """The whole check report for a terminal."""
    parts: list[RenderableType] = [signature_table(report)]
    if report.tensors:
        parts.append(tensors_table(report))
    if report.findings:
        parts.append(findings_table(report))
    parts.append(summary_line(report))
    return Group(*parts)


def print_report(report: CheckReport, console: Console) -> None:
    console.print(report_renderable(report))
