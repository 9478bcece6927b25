"""``.npy`` files: header read with numpy's own reader, data memory-mapped, never unpickled."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np
from numpy.lib import format as npformat

from jvmready.errors import InputFileError
from jvmready.formats import register
from jvmready.weights.arrays import NamedArray, PlannedArray, check_declared_size, map_array
from jvmready.weights.container import ArrayContainerFormat, Container

#: numpy's own limit; a longer header is refused rather than parsed.
MAX_HEADER_SIZE = 10_000


def read_header(f: IO[bytes], what: Path | str) -> tuple[np.dtype, tuple[int, ...], bool]:
    """Parse an npy header from ``f`` (left at the data), refusing anything unsafe or odd."""
    try:
        version = npformat.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = npformat.read_array_header_1_0(f, MAX_HEADER_SIZE)
        elif version in ((2, 0), (3, 0)):
            # 3.0 differs from 2.0 only in allowing utf-8 field names, which the reader accepts.
            shape, fortran, dtype = npformat.read_array_header_2_0(f, MAX_HEADER_SIZE)
        else:
            raise ValueError(f"unsupported npy version {version}")
    except (ValueError, SyntaxError, TypeError, EOFError) as e:
        raise InputFileError(what, f"not a valid .npy header ({_short(e)})") from None
    if dtype.hasobject:
        raise InputFileError(
            what, "array of Python objects: loading it would unpickle code; refused"
        )
    return dtype, tuple(shape), bool(fortran)


def _short(e: BaseException) -> str:
    return str(e).splitlines()[0][:200] if str(e) else type(e).__name__


def map_npy(path: Path, name: str = "array") -> NamedArray:
    """Memory-map one ``.npy`` file after checking its header against its size."""
    size = path.stat().st_size
    with path.open("rb") as f:
        dtype, shape, fortran = read_header(f, path)
        offset = f.tell()
    check_declared_size(path, name, dtype, shape, size - offset)
    return NamedArray(name, map_array(path, offset, dtype, shape, fortran))


def write_npy(dst: Path, planned: PlannedArray) -> None:
    """Write one planned array as ``.npy`` via a memory-map, keeping its memory order."""
    dtype, shape = planned.dtype, planned.shape
    if int(np.prod(shape, dtype=object)) == 0 or dtype.itemsize == 0:
        # numpy cannot memory-map zero bytes; an empty array has no data to stream anyway.
        with dst.open("wb") as f:
            np.save(f, np.empty(shape, dtype=dtype, order="F" if planned.fortran else "C"))
        return
    out = npformat.open_memmap(
        dst, mode="w+", dtype=dtype, shape=shape, fortran_order=planned.fortran
    )
    try:
        planned.fill(out)
        out.flush()
    finally:
        del out


class NpyFormat(ArrayContainerFormat):
    name = "npy"
    suffixes = (".npy",)

    @contextlib.contextmanager
    def open(self, path: Path) -> Iterator[Container]:
        yield Container((map_npy(path, path.stem),))

    def write(self, dst: Path, plan: list[PlannedArray], source: Container) -> None:
        (only,) = plan
        write_npy(dst, only)


register(NpyFormat())
