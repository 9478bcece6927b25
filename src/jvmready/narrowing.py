"""Range-checked integer narrowing: the one place where int64 becomes int32.

Every narrowing in the project goes through :func:`narrow_checked` (or :func:`int32_range`
to plan one), so that no value is ever wrapped, clamped or truncated silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from jvmready.errors import NarrowingError

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1

#: Elements scanned per step: bounds the temporary memory of a scan to a few MB.
CHUNK_ELEMENTS = 1 << 20


@dataclass(frozen=True)
class IntRange:
    """Observed minimum and maximum of an integer tensor (``None`` when it is empty)."""

    min: int | None
    max: int | None
    count: int

    @property
    def fits_int32(self) -> bool:
        return self.min is None or (
            self.max is not None and self.min >= INT32_MIN and self.max <= INT32_MAX
        )


def _chunks(
    flat: npt.NDArray[np.integer], step: int
) -> Iterator[tuple[int, npt.NDArray[np.integer]]]:
    for start in range(0, flat.size, step):
        yield start, flat[start : start + step]


def _flat(array: npt.NDArray[np.integer]) -> npt.NDArray[np.integer]:
    # reshape(-1) on a memmap keeps it a view; order="C" gives the flat index users expect.
    return (
        np.asarray(array).reshape(-1, order="C")
        if array.flags.c_contiguous
        else array.ravel(order="C")
    )


def int_range(array: npt.NDArray[np.integer], chunk: int = CHUNK_ELEMENTS) -> IntRange:
    """Min and max of an integer array, scanned in chunks so memory-mapped arrays stay on disk."""
    flat = _flat(array)
    lo: int | None = None
    hi: int | None = None
    for _, part in _chunks(flat, chunk):
        if part.size == 0:
            continue
        pmin, pmax = int(part.min()), int(part.max())
        lo = pmin if lo is None else min(lo, pmin)
        hi = pmax if hi is None else max(hi, pmax)
    return IntRange(lo, hi, int(flat.size))


def first_out_of_int32(
    array: npt.NDArray[np.integer], chunk: int = CHUNK_ELEMENTS
) -> tuple[int, int] | None:
    """The flat index and value of the first element outside int32, or ``None``."""
    flat = _flat(array)
    for start, part in _chunks(flat, chunk):
        bad = np.flatnonzero((part < INT32_MIN) | (part > INT32_MAX))
        if bad.size:
            i = int(bad[0])
            return start + i, int(part[i])
    return None


def narrow_checked(
    array: npt.NDArray[np.integer],
    name: str,
    out: npt.NDArray[np.int32] | None = None,
    chunk: int = CHUNK_ELEMENTS,
) -> npt.NDArray[np.int32]:
    """Convert an integer array to int32, refusing (with name, flat index, value) if any value
    does not fit. Works chunk by chunk, writing into ``out`` (which may be a memmap) when given.
    """
    src = np.asarray(array)
    if src.dtype.kind not in "iub":
        raise TypeError(f"tensor {name!r}: cannot narrow dtype {src.dtype} to int32")
    if out is None:
        out = np.empty(src.shape, dtype=np.int32)
    elif out.shape != src.shape or out.dtype != np.int32:
        raise ValueError(f"tensor {name!r}: output buffer has shape {out.shape} {out.dtype}")
    flat_in = _flat(src)
    flat_out = out.reshape(-1)
    for start, part in _chunks(flat_in, chunk):
        bad = np.flatnonzero((part < INT32_MIN) | (part > INT32_MAX))
        if bad.size:
            i = int(bad[0])
            raise NarrowingError(name, start + i, int(part[i]))
        flat_out[start : start + part.size] = part  # in range: the assignment cannot wrap
    return out
