"""``jvmready version``: this package's version and the versions of what it runs on."""

from __future__ import annotations

import importlib.metadata as md

from jvmready.cli.app import app, out


@app.command()
def version() -> None:
    """Print jvmready's version and those of the libraries it uses."""
    for dist in ("jvmready", "onnx", "onnxruntime", "numpy", "safetensors", "skl2onnx"):
        try:
            out.print(f"{dist} {md.version(dist)}", markup=False)
        except md.PackageNotFoundError:
            out.print(f"{dist} (not installed)", markup=False)
