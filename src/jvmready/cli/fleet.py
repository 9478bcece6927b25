"""Rendering of ``check DIR`` and ``fix DIR -o OUT``: a progress bar, a summary table, JSON lines.

Not a command of its own: ``check`` and ``fix`` hand a directory that no format claims (a tree,
not a SavedModel) to these functions, which call :mod:`jvmready.fleet` and render.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from jvmready import fleet
from jvmready.cli.app import err, out
from jvmready.formats import FixOptions


def check_tree_command(
    root: Path, target: str, jobs: int | None, *, as_json: bool, fail_on: str, trust: bool
) -> int:
    """Check every model under ``root``; returns the worst exit code."""
    found = fleet.discover(root)
    results = fleet.check_tree(
        root, target, jobs, fail_on=fail_on, trust=trust, models=found.models
    )
    return _render(
        _with_progress(results, len(found.models), "checking"), found, as_json, "checked"
    )


def fix_tree_command(
    root: Path, output: Path, options: FixOptions, jobs: int | None, *, as_json: bool
) -> int:
    """Write fixed copies of every model under ``root`` into ``output``; the worst exit code."""
    fleet.refuse_overlap(root, output)
    found = fleet.discover(root)
    results = fleet.fix_tree(root, output, options, jobs, models=found.models)
    return _render(_with_progress(results, len(found.models), "fixing"), found, as_json, "fixed")


def _with_progress(
    results: Iterator[fleet.FleetResult], total: int, verb: str
) -> Iterator[fleet.FleetResult]:
    """Yield the results while one bar on stderr counts files (only on a terminal)."""
    if not err.is_terminal:
        yield from results
        return
    bar = Progress(
        TextColumn(f"{verb} models"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    task = bar.add_task(verb, total=total)
    with bar:
        for r in results:
            bar.advance(task)
            yield r


def _render(
    results: Iterator[fleet.FleetResult], found: fleet.Discovery, as_json: bool, verb: str
) -> int:
    done: list[fleet.FleetResult] = []
    for r in results:
        if r.error:  # one line per bad file, as soon as it is known
            err.print(f"jvmready: {r.status}: {r.error}", markup=False)
        done.append(r)
    done.sort(key=lambda r: r.path)
    if as_json:
        for r in done:
            print(json.dumps(r.to_dict(), sort_keys=False), flush=False)
    else:
        _print_table(done, verb)
    counts = Counter(r.status for r in done)
    parts = [f"{n} {status}" for status, n in sorted(counts.items())]
    skipped = f"; {len(found.skipped)} file(s) skipped (no format claims them)"
    err.print(
        f"jvmready: {verb} {len(done)} model(s): {', '.join(parts) or 'none'}"
        + (skipped if found.skipped else ""),
        markup=False,
    )
    return fleet.worst_exit(done)


def _print_table(results: list[fleet.FleetResult], verb: str) -> None:
    table = Table(title=f"{verb} {len(results)} model(s)", title_justify="left")
    table.add_column("model")
    table.add_column("format")
    table.add_column("status")
    table.add_column("worst")
    table.add_column("findings", justify="right")
    if verb == "fixed":
        table.add_column("changes", justify="right")
    table.add_column("note")
    for r in results:
        row = [r.path, r.format or "-", r.status, r.worst or "-", str(r.findings)]
        if verb == "fixed":
            row.append(str(r.changes))
        # The full one-line error went to stderr; the table keeps the problem, not the path.
        row.append(r.error.removeprefix(f"{r.source}: "))
        table.add_row(*row)
    out.print(table)
