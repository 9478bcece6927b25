"""NumPy arrays as Java array literals, exactly: for examples and tests that feed a generated
facade without reading files (``new float[][] {{0x1.4p2f, ...}}``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from jvmready.errors import JvmreadyError

_ELEMENT = {
    np.dtype(np.float32): "float",
    np.dtype(np.float64): "double",
    np.dtype(np.int32): "int",
    np.dtype(np.int64): "long",
    np.dtype(np.bool_): "boolean",
}


def java_scalar_literal(value: Any, dtype: np.dtype[Any]) -> str:
    """One element as a Java literal. Floats are written in their shortest round-tripping decimal
    form (javac rounds it to the same float), hexadecimal if that ever failed to round-trip."""
    kind = _ELEMENT.get(dtype)
    if kind is None:
        raise JvmreadyError(f"no Java literal for dtype {dtype}")
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "long":
        return f"{int(value)}L"
    if kind == "int":
        return str(int(value))
    box, suffix = ("Float", "f") if kind == "float" else ("Double", "d")
    v = float(value)
    if math.isnan(v):
        return f"{box}.NaN"
    if math.isinf(v):
        return f"{box}.{'POSITIVE' if v > 0 else 'NEGATIVE'}_INFINITY"
    text = str(np.float32(v)) if kind == "float" else repr(v)
    exact = np.float32(text) == np.float32(v) if kind == "float" else float(text) == v
    return (text if exact else v.hex()) + suffix


def java_array_literal(array: npt.NDArray[Any]) -> str:
    """``new long[][] {{1L, 2L}, {3L, 4L}}``; a 0-d array gives the bare scalar literal."""
    a = np.asarray(array)
    kind = _ELEMENT.get(a.dtype)
    if kind is None:
        raise JvmreadyError(f"no Java literal for dtype {a.dtype}")
    if a.ndim == 0:
        return java_scalar_literal(a.item(), a.dtype)

    def body(x: npt.NDArray[Any]) -> str:
        if x.ndim == 1:
            return "{" + ", ".join(java_scalar_literal(v, x.dtype) for v in x.tolist()) + "}"
        return "{" + ", ".join(body(row) for row in x) + "}"

    return f"new {kind}{'[]' * a.ndim} {body(a)}"
