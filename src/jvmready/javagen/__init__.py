"""``javagen``: a typed Java facade (one source file) for an ONNX model, on jvmready-onnxruntime."""

from __future__ import annotations

import os
from pathlib import Path

from jvmready.errors import JvmreadyError
from jvmready.fileio import atomic_output
from jvmready.javagen.generate import render
from jvmready.javagen.model import Facade, FacadeValue, describe_model

__all__ = ["Facade", "FacadeValue", "describe_model", "javagen", "render"]


def javagen(
    model_path: str | os.PathLike[str],
    package: str,
    class_name: str,
    out_dir: str | os.PathLike[str],
    *,
    force: bool = False,
) -> Path:
    """Write ``OUT_DIR/<package dirs>/<class_name>.java`` for the model; return its path.

    The file is written atomically; an existing one is refused unless ``force``.
    """
    facade = describe_model(model_path, package, class_name)
    source = render(facade)
    dst = Path(out_dir).joinpath(*package.split("."), f"{class_name}.java")
    if dst.exists() and not force:
        raise JvmreadyError(f"{dst}: already exists; pass --force to overwrite it")
    if dst.exists() and not dst.is_file():
        raise JvmreadyError(f"{dst}: exists and is not a file")
    with atomic_output(dst, suffix=".java.tmp") as tmp:
        tmp.write_text(source, encoding="ascii")
    return dst
