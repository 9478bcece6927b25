"""``jvmready score MODEL --input DATA --output OUT``: score a model over data with Spark."""

from __future__ import annotations

from pathlib import Path

import typer

from jvmready.cli.app import EXIT_FINDINGS, app, err, out
from jvmready.errors import JvmreadyError


def _pairs(entries: list[str], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for entry in entries:
        name, sep, column = entry.partition("=")
        if not sep or not name or not column:
            raise JvmreadyError(f"{option} takes NAME=COLUMN, not {entry!r}")
        pairs[name] = column
    return pairs


@app.command()
def score(
    model: Path = typer.Argument(..., help="The ONNX model."),
    data: Path = typer.Option(
        ..., "--input", "-i", help="The data: parquet (file or directory), .jsonl/.json or .csv."
    ),
    output: Path = typer.Option(
        ..., "--output", "-o", help="Where to write: .jsonl/.json as JSON lines, else parquet."
    ),
    master: str = typer.Option("local[2]", "--master", help="Spark master URL."),
    batch: int = typer.Option(256, "--batch", help="Rows per ONNX Runtime run, per partition."),
    input_column: list[str] = typer.Option(
        [], "--input-column", help="Feed model input NAME from COLUMN: NAME=COLUMN (repeatable)."
    ),
    output_column: list[str] = typer.Option(
        [], "--output-column", help="Write model output NAME to COLUMN: NAME=COLUMN (repeatable)."
    ),
    pass_nulls: bool = typer.Option(
        False, "--pass-nulls", help="Rows with a null input get null outputs instead of failing."
    ),
) -> None:
    """Score MODEL over DATA in Spark (the JVM transformer: integer widths checked), write OUTPUT.

    Needs pyspark (pip install 'jvmready[spark]') and the Spark module (make spark-java)."""
    from jvmready.spark.score import ScoreOptions, ScoringRefused
    from jvmready.spark.score import score as score_api

    options = ScoreOptions(
        master=master,
        batch_size=batch,
        input_columns=_pairs(input_column, "--input-column"),
        output_columns=_pairs(output_column, "--output-column"),
        pass_nulls=pass_nulls,
    )
    try:
        summary = score_api(model, data, output, options)
    except ScoringRefused as e:  # a value that does not fit: refused, like fix's NarrowingError
        err.print(f"jvmready: refused: {e}", markup=False)
        raise typer.Exit(EXIT_FINDINGS) from None
    out.print(
        f"scored {summary.rows} row(s) with {summary.model}: added "
        f"{', '.join(summary.columns) or 'no columns'}; wrote {summary.output} ({summary.format})",
        markup=False,
    )
