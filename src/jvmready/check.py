"""``check``: what an artifact needs before Java code can use it, for a given Java target."""

from __future__ import annotations

import os
from pathlib import Path

import onnx

from jvmready.formats import CheckOptions, for_path
from jvmready.report import CheckReport
from jvmready.targets import get_target


def check(
    path_or_model: str | os.PathLike[str] | onnx.ModelProto,
    target: str = "ort-java",
    *,
    trust: bool = False,
    base_dir: str | os.PathLike[str] | None = None,
) -> CheckReport:
    """Check a model file (any format jvmready reads) or an in-memory ``onnx.ModelProto``.

    ``target`` is ``"ort-java"`` (ONNX Runtime Java: the interface matters) or ``"int32"`` (no
    int64 anywhere). ``trust`` allows loading formats that are code (pickles); without it they
    are only scanned statically. ``base_dir`` resolves external data of an in-memory model. Raises
    :class:`~jvmready.errors.JvmreadyError` (one line, naming the file) on unreadable input.
    """
    tgt = get_target(target)
    if isinstance(path_or_model, onnx.ModelProto):
        from jvmready.onnx.check import check_model
        from jvmready.onnx.load import from_proto

        return check_model(from_proto(path_or_model, base_dir), tgt)
    path = Path(path_or_model)
    return for_path(path).check(path, tgt, CheckOptions(trust=trust))
