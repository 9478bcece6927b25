"""``jvmready demo``: train, export and check a model end to end, explaining each step."""

from __future__ import annotations

from pathlib import Path

import typer

from jvmready.cli.app import app, out
from jvmready.demo import DEFAULT_WORKDIR, run_demo


@app.command()
def demo(
    workdir: Path = typer.Option(
        DEFAULT_WORKDIR, "--workdir", "-w", help="Where the demo writes its model and reports."
    ),
    until: str | None = typer.Option(
        None, "--until", help="Stop after this step (train, check, ...)."
    ),
) -> None:
    """Walk through jvmready on a scikit-learn model trained on the spot."""
    ctx = run_demo(workdir, out, until=until)
    out.print(f"\nDemo artifacts are in {ctx.workdir}/")
