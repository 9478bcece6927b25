"""A SavedModel is a directory: write it next to its destination, then rename it into place."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from jvmready.errors import JvmreadyError
from jvmready.tensorflow.savedmodel import is_savedmodel


def refuse_unsafe_output(src: Path, dst: Path) -> None:
    """Refuse an output that is, contains or lies inside the input, or is not ours to replace."""
    s, d = src.resolve(), dst.resolve()
    if d == s or s.is_relative_to(d) or d.is_relative_to(s):
        raise JvmreadyError(
            f"{dst}: refusing to write over or inside the input SavedModel {src}; choose another -o"
        )
    if dst.exists() and not dst.is_dir():
        raise JvmreadyError(f"{dst}: exists and is not a directory; choose another -o")
    if dst.is_dir() and any(dst.iterdir()) and not is_savedmodel(dst):
        raise JvmreadyError(
            f"{dst}: exists and is not a SavedModel; refusing to replace it; choose another -o"
        )


@contextlib.contextmanager
def atomic_directory(dst: Path) -> Iterator[Path]:
    """Yield an empty temporary directory next to ``dst``; it becomes ``dst`` only on success.

    A previous SavedModel at ``dst`` is moved aside first and removed after the rename, so a
    failure at any point leaves either the old or the new directory, never a mix.
    """
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dst.name}.", dir=dst.parent))
    try:
        yield tmp
        if dst.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dst.name}.old.", dir=dst.parent))
            os.replace(dst, old / dst.name)
            os.replace(tmp, dst)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, dst)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
