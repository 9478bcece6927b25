"""``jvmready javagen MODEL --package P --class C -o DIR``: a typed Java facade for a model."""

from __future__ import annotations

from pathlib import Path

import typer

from jvmready.cli.app import app, out
from jvmready.javagen import javagen as javagen_api


@app.command()
def javagen(
    model: Path = typer.Argument(..., help="The model file (.onnx)."),
    package: str = typer.Option(..., "--package", "-p", help="Java package, e.g. com.acme.models."),
    class_name: str = typer.Option(
        ..., "--class", "-c", help="Java class name, e.g. IrisClassifier."
    ),
    out_dir: Path = typer.Option(
        ..., "--out", "-o", help="Source root; the file goes to OUT/<package dirs>/<class>.java."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing file."),
) -> None:
    """Generate one Java source file giving MODEL a typed predict(...) on jvmready-onnxruntime."""
    path = javagen_api(model, package, class_name, out_dir, force=force)
    out.print(f"wrote {path}", markup=False)
