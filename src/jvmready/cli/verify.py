"""``jvmready verify``: prove the candidate computes what the original computes, in Python and
in Java, and optionally store the proof inside the model."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from jvmready.cli.app import EXIT_FINDINGS, EXIT_OK, app, err, out
from jvmready.errors import JvmreadyError
from jvmready.fileio import refuse_same_file
from jvmready.verify import DEFAULT_ATOL, DEFAULT_RTOL, DEFAULT_SAMPLES
from jvmready.verify import verify as run_verify
from jvmready.verify.render import render_report
from jvmready.verify.samples import require_embeddable, save_with_samples


@app.command()
def verify(
    original: Path = typer.Argument(
        ..., help="The model as trained (.onnx file or SavedModel directory): the reference."
    ),
    candidate: Path | None = typer.Argument(
        None, help="The model to check against it (e.g. the output of fix); default: ORIGINAL."
    ),
    java: bool = typer.Option(
        False, "--java", help="Also run CANDIDATE in Java (ONNX Runtime Java / TensorFlow Java)."
    ),
    spark: bool = typer.Option(
        False, "--spark", help="Also score CANDIDATE with Spark (needs jvmready[spark])."
    ),
    inputs: Path | None = typer.Option(
        None, "--inputs", help=".npz keyed by input name (optionally stacked samples)."
    ),
    samples: int = typer.Option(DEFAULT_SAMPLES, "--samples", help="Input sets to generate."),
    seed: int = typer.Option(0, "--seed", help="Seed for generated inputs."),
    signature: str | None = typer.Option(
        None, "--signature", help="SavedModel signature to run (default: serving_default)."
    ),
    rtol: float = typer.Option(DEFAULT_RTOL, "--rtol", help="Relative tolerance for floats."),
    atol: float = typer.Option(DEFAULT_ATOL, "--atol", help="Absolute tolerance for floats."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    embed: bool = typer.Option(
        False, "--embed", help="On parity, write CANDIDATE with the samples inside to -o."
    ),
    output: Path | None = typer.Option(None, "-o", "--output", help="Where --embed writes."),
) -> None:
    """Run ORIGINAL (reference) and CANDIDATE on the same inputs and compare every output.

    Exit 0 on parity, 1 on any mismatch, 2 on usage or file errors.
    """
    if embed and output is None:
        raise JvmreadyError("--embed needs -o OUT (the copy of CANDIDATE to write)")
    if output is not None and not embed:
        raise JvmreadyError("-o is only used with --embed")
    if samples < 1:
        raise JvmreadyError(f"--samples must be at least 1, not {samples}")
    if rtol < 0 or atol < 0:
        raise JvmreadyError("--rtol and --atol must be >= 0")
    if embed:
        require_embeddable(candidate or original)
    report = run_verify(
        original,
        candidate,
        java=java,
        spark=spark,
        inputs=inputs,
        samples=samples,
        seed=seed,
        rtol=rtol,
        atol=atol,
        signature=signature,
    )
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        render_report(report, out)
    if not report.passed:
        raise typer.Exit(EXIT_FINDINGS)
    if embed and output is not None:
        src = candidate or original
        refuse_same_file(src, output)
        count = save_with_samples(src, report, output)
        err.print(f"wrote {output} with {count} embedded sample(s)", markup=False)
    raise typer.Exit(EXIT_OK)
