"""Range-checked integer narrowing: the one place where int64 becomes int32.

Every narrowing in the project goes through :func:`narrow_checked` (or :func:`int32_range`
to plan one), so that no value is ever wrapped, clamped or truncated silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

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


def c_order_blocks(
    array: npt.NDArray[Any], chunk: int = CHUNK_ELEMENTS, *, by_rows: bool = False
) -> Iterator[tuple[int, slice | tuple[()], npt.NDArray[Any]]]:
    """Consecutive pieces of ``array`` in C (row-major) order: ``(flat start, index, piece)``.

    ``array[index]`` is the piece, so a caller can write results to the same place. A
    C-contiguous array (a memmap included) is walked as flat views of ``chunk`` elements; any
    other layout (Fortran order, strided views), or any array when ``by_rows``, as blocks of
    whole rows along axis 0, each copied to C order: memory stays bounded by the block.
    """
    a = np.asarray(array) if not isinstance(array, np.ndarray) else array
    if a.ndim == 0:
        yield 0, (), a.reshape(1)
        return
    if a.flags.c_contiguous and not by_rows:
        flat = a.reshape(-1)
        for start in range(0, flat.size, chunk):
            yield start, slice(start, start + chunk), flat[start : start + chunk]
        return
    row = int(np.prod(a.shape[1:], dtype=np.int64))
    step = max(1, chunk // max(row, 1))
    for first in range(0, a.shape[0], step):
        rows = slice(first, first + step)
        yield first * row, rows, np.ascontiguousarray(a[rows]).reshape(-1)


def int_range(
    array: npt.NDArray[np.integer],
    chunk: int = CHUNK_ELEMENTS,
    on_chunk: Callable[[int], None] | None = None,
) -> IntRange:
    """Min and max of an integer array, scanned in chunks so memory-mapped arrays stay on disk.

    ``on_chunk`` is told how many elements each chunk had (for progress bars).
    """
    a = np.asarray(array)
    if a.ndim > 1 and a.flags.f_contiguous and not a.flags.c_contiguous:
        a = a.T  # min/max ignore order: scan the contiguous transpose, no copy
    lo: int | None = None
    hi: int | None = None
    for _, _, part in c_order_blocks(a, chunk):
        if on_chunk is not None:
            on_chunk(int(part.size))
        if part.size == 0:
            continue
        pmin, pmax = int(part.min()), int(part.max())
        lo = pmin if lo is None else min(lo, pmin)
        hi = pmax if hi is None else max(hi, pmax)
    return IntRange(lo, hi, int(np.asarray(array).size))


def _first_misfit(part: npt.NDArray[Any]) -> int | None:
    # Two SIMD reductions without temporaries settle almost every block; only a block that
    # holds a misfit pays for locating it.
    if part.size == 0 or np.can_cast(part.dtype, np.int32):
        return None
    if int(part.min()) >= INT32_MIN and int(part.max()) <= INT32_MAX:
        return None
    bad = np.flatnonzero((part < INT32_MIN) | (part > INT32_MAX))
    return int(bad[0]) if bad.size else None


def first_out_of_int32(
    array: npt.NDArray[np.integer], chunk: int = CHUNK_ELEMENTS
) -> tuple[int, int] | None:
    """The C-order flat index and value of the first element outside int32, or ``None``."""
    for start, _, part in c_order_blocks(array, chunk):
        i = _first_misfit(part)
        if i is not None:
            return start + i, int(part[i])
    return None


def narrow_checked(
    array: npt.NDArray[np.integer],
    name: str,
    out: npt.NDArray[np.int32] | None = None,
    chunk: int = CHUNK_ELEMENTS,
) -> npt.NDArray[np.int32]:
    """Convert an integer array to int32, refusing (with name, C-order flat index, value) if any
    value does not fit. Works chunk by chunk, writing into ``out`` (which may be a memmap, in
    either memory order) when given.
    """
    src = np.asarray(array) if not isinstance(array, np.ndarray) else array
    if src.dtype.kind not in "iub":
        raise TypeError(f"tensor {name!r}: cannot narrow dtype {src.dtype} to int32")
    if out is None:
        out = np.empty(src.shape, dtype=np.int32)
    elif out.shape != src.shape or out.dtype != np.int32:
        raise ValueError(f"tensor {name!r}: output buffer has shape {out.shape} {out.dtype}")
    # Flat writes only when both sides are C-contiguous; otherwise write each block in place.
    flat_out = out.reshape(-1) if src.flags.c_contiguous and out.flags.c_contiguous else None
    for start, where, part in c_order_blocks(src, chunk, by_rows=flat_out is None):
        i = _first_misfit(part)
        if i is not None:
            raise NarrowingError(name, start + i, int(part[i]))
        # In range, so neither assignment can wrap.
        if flat_out is not None:
            flat_out[start : start + part.size] = part
        else:
            out[where] = part.reshape(out[where].shape)
    return out
