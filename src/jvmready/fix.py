"""The public ``fix`` API: rewrite a model so Java code can use int32 at its interface."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import onnx

from jvmready.formats import FileFixReport, FixOptions, for_path
from jvmready.onnx.fix import FixResult, fix_model
from jvmready.onnx.load import load_model

__all__ = ["FixResult", "fix", "fix_file"]


def fix(
    model: onnx.ModelProto | str | os.PathLike[str],
    *,
    io: str = "int32",
    target: str = "ort-java",
    drop_zipmap: bool = False,
    keep: Iterable[str] = (),
    unsafe_narrow_outputs: bool = False,
) -> FixResult:
    """Return a fixed copy of an ONNX model (a proto or a path); the input is never modified.

    ``io="int32"`` turns int64 graph inputs into int32 (always lossless) and int64 outputs into
    int32 where a range proof shows every value fits; ``target="int32"`` also narrows int64
    initializers and Constants wherever op schemas allow. Names in ``keep`` stay as they are.
    Raises :class:`jvmready.NarrowingError` naming the tensor, flat index and value when a
    stored value that must be narrowed does not fit int32.
    """
    options = FixOptions(
        io=io,
        target=target,
        keep=frozenset(keep),
        drop_zipmap=drop_zipmap,
        unsafe_narrow_outputs=unsafe_narrow_outputs,
    )
    source = model if isinstance(model, onnx.ModelProto) else load_model(model)
    return fix_model(source, options)


def fix_file(
    path: str | os.PathLike[str], out: str | os.PathLike[str], options: FixOptions
) -> FileFixReport:
    """Write a fixed copy of the artifact at ``path`` to ``out``, by the format that claims it."""
    src, dst = Path(path), Path(out)
    return for_path(src).fix_file(src, dst, options)
