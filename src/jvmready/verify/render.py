"""The human rendering of a :class:`VerifyReport`: versions and timings, one table per backend,
then the first mismatch of each failing output in words."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from jvmready.verify import VerifyReport


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.3g}"


def _value(v: object) -> str:
    item = getattr(v, "item", None)
    return repr(item() if callable(item) else v)


def render_report(report: VerifyReport, out: Console) -> None:
    """Print the versions that ran and one table per candidate backend."""
    out.print(f"original:  {report.original}", markup=False)
    out.print(f"candidate: {report.candidate}", markup=False)
    out.print(
        f"inputs:    {report.inputs}, {report.samples} sample(s); "
        f"rtol {report.rtol:g}, atol {report.atol:g}",
        markup=False,
    )
    for run in report.runs:
        where = f"{run.role} on {run.backend}: "
        if run.error:
            out.print(f"{where}FAILED: {run.error}", markup=False)
            continue
        times = ", ".join(f"{k[:-2]} {v:.3f}s" for k, v in run.timings.items())
        out.print(f"{where}{run.version} ({times})", markup=False)
    if report.timings:
        own = ", ".join(f"{k[:-2]} {v:.3f}s" for k, v in report.timings.items())
        out.print(f"verify itself: {own}", markup=False)
    details: list[str] = []
    for backend in dict.fromkeys(c.backend for c in report.comparisons):
        table = Table(title=f"{backend} vs reference", title_justify="left")
        table.add_column("output", overflow="fold")
        for col in ("kind", "n", "bad", "max abs", "max rel", "first bad"):
            table.add_column(col, no_wrap=True)
        table.add_column("", no_wrap=True, min_width=4)
        for c in (c for c in report.comparisons if c.backend == backend):
            first = "-"
            if c.problem:
                first = "see below"
                details.append(f"{backend} {c.name}: {c.problem}")
            elif c.first is not None:
                f = c.first
                first = f"s{f.sample} {f.where}"
                details.append(
                    f"{backend} {c.name}: first mismatch at sample {f.sample}, index {f.where} "
                    f"(flat {f.index}): expected {_value(f.expected)}, got {_value(f.actual)}"
                )
            table.add_row(
                c.name,
                c.kind,
                str(c.compared),
                str(c.mismatches),
                _fmt(c.max_abs),
                _fmt(c.max_rel),
                first,
                "ok" if c.passed else "FAIL",
            )
        out.print(table)
    for line in details:
        out.print(line, markup=False)
    out.print("parity" if report.passed else "MISMATCH", markup=False)
