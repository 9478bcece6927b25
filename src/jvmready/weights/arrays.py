"""The check/fix logic every array container shares, so a format module is only read + write.

A container yields :class:`NamedArray` values whose arrays are memory-maps (or small in-memory
arrays); checking scans them in chunks and fixing streams each one into an output buffer, so
memory stays bounded whatever the file size.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from jvmready.errors import InputFileError
from jvmready.findings import Finding, Location, Severity
from jvmready.narrowing import CHUNK_ELEMENTS, c_order_blocks, int_range, narrow_checked
from jvmready.report import Change, CheckReport, TensorSummary
from jvmready.targets import Target

#: Integer dtypes wider than Java's ``int``: the ones ``fix`` narrows to int32.
WIDE_KINDS = frozenset({"int64", "uint64"})

INT64_MAX = 2**63 - 1

RULE_FITS = "JR301"
RULE_DOES_NOT_FIT = "JR302"


@dataclass(frozen=True)
class NamedArray:
    """One array in a container. ``tag`` is the container's own dtype spelling (``"BF16"``)
    when numpy has none and ``array`` then holds the raw bytes."""

    name: str
    array: np.ndarray
    tag: str | None = None

    @property
    def wide(self) -> bool:
        return self.tag is None and self.array.dtype.name in WIDE_KINDS

    def describe(self) -> str:
        dtype = self.tag or self.array.dtype.name
        return f"{dtype}{list(self.array.shape)}"


@dataclass(frozen=True)
class PlannedArray:
    """One array of the output: its dtype/shape and how to fill its buffer from the source."""

    source: NamedArray
    narrow: bool

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(np.int32) if self.narrow else self.source.array.dtype

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.source.array.shape)

    @property
    def fortran(self) -> bool:
        a = self.source.array
        return bool(a.flags.f_contiguous and not a.flags.c_contiguous)

    def fill(self, out: np.ndarray) -> None:
        """Write this array into ``out`` (same shape and order), narrowing range-checked."""
        if self.narrow:
            narrow_checked(self.source.array, self.name, out=out)
        else:
            copy_blocks(self.source.array, out)


def map_array(
    path: Path, offset: int, dtype: np.dtype, shape: tuple[int, ...], fortran: bool = False
) -> np.ndarray:
    """A read-only memory-map of ``shape``/``dtype`` at ``offset`` (empty arrays need no map)."""
    count = int(np.prod(shape, dtype=object))
    if count == 0 or dtype.itemsize == 0:
        return np.empty(shape, dtype=dtype)
    mapped: np.ndarray = np.memmap(
        path,
        dtype=dtype,
        mode="r",
        offset=offset,
        shape=shape or (1,),
        order="F" if fortran else "C",
    )
    return mapped.reshape(()) if shape == () else mapped


def check_declared_size(
    path: Path, what: str, dtype: np.dtype, shape: Sequence[int], available: int
) -> int:
    """The byte size ``shape``/``dtype`` declares, refused (one line) when the file is shorter.

    Python ints, so a lying header cannot overflow into a small number.
    """
    if any(not isinstance(d, int) or d < 0 for d in shape):
        raise InputFileError(path, f"{what}: invalid shape {list(shape)}")
    count = 1
    for d in shape:
        count *= d
    need = count * dtype.itemsize
    if need > available:
        raise InputFileError(
            path,
            f"{what}: header declares {dtype.name}{list(shape)} = {need} bytes but only "
            f"{available} bytes follow; the file is truncated or the header is corrupt",
        )
    return need


def copy_blocks(src: np.ndarray, out: np.ndarray, chunk: int = CHUNK_ELEMENTS) -> None:
    """Copy ``src`` into ``out`` (either may be a memmap, in either order) a block at a time."""
    by_rows = not (src.flags.c_contiguous and out.flags.c_contiguous)
    flat_out = None if by_rows else out.reshape(-1)
    for start, where, part in c_order_blocks(src, chunk, by_rows=by_rows):
        if flat_out is not None:
            flat_out[start : start + part.size] = part
        else:
            out[where] = part.reshape(out[where].shape)


def check_arrays(
    path: Path,
    format_name: str,
    arrays: Iterable[NamedArray],
    target: Target,
    extra: dict[str, object] | None = None,
) -> CheckReport:
    """Every int64/uint64 array with its range, and a finding saying what Java can do with it."""
    tensors: list[TensorSummary] = []
    findings: list[Finding] = []
    for item in arrays:
        if not item.wide:
            continue
        r = int_range(item.array)
        loc = Location(file=str(path), tensor=item.name)
        tensors.append(TensorSummary(item.name, item.array.dtype.name, item.array.shape, r, loc))
        shown = "empty" if r.min is None else f"min {r.min}, max {r.max}"
        data = {"dtype": item.array.dtype.name, "min": r.min, "max": r.max, "count": r.count}
        if r.fits_int32:
            findings.append(
                Finding(
                    RULE_FITS,
                    Severity.WARNING if target.internals_matter else Severity.INFO,
                    f"{item.array.dtype.name} array {item.name!r} ({shown}) "
                    "fits int32: Java's toIntArrayExact() reads it; fix stores it as int32",
                    loc,
                    remedy=f"jvmready fix {path.name} -o OUT narrows it to int32",
                    data=data,
                )
            )
        else:
            findings.append(
                Finding(
                    RULE_DOES_NOT_FIT,
                    Severity.ERROR if target.internals_matter else Severity.WARNING,
                    f"{item.array.dtype.name} array {item.name!r} ({shown}) "
                    + (
                        "does not fit int32: Java must read it with toLongArray()"
                        if r.max is None or r.max <= INT64_MAX
                        else "does not fit int32 or Java's long: no lossless Java type"
                    ),
                    loc,
                    remedy=f"keep it 64-bit (fix --keep {item.name})",
                    data=data,
                )
            )
    return CheckReport(
        path=str(path),
        format=format_name,
        target=target.name,
        tensors=tuple(tensors),
        findings=tuple(findings),
        extra=dict(extra or {}),
    )


def plan_fix(arrays: Iterable[NamedArray], keep: frozenset[str]) -> list[PlannedArray]:
    """Which arrays to narrow: every int64/uint64 one not named in ``--keep``."""
    return [PlannedArray(a, a.wide and a.name not in keep) for a in arrays]


def changes_of(plan: Iterable[PlannedArray]) -> tuple[Change, ...]:
    """The ``Change`` records for a plan that was written successfully."""
    return tuple(
        Change("array-narrowed", p.name, p.source.describe(), f"int32{list(p.shape)}")
        for p in plan
        if p.narrow
    )


def kept_findings(path: Path, plan: Iterable[PlannedArray]) -> tuple[Finding, ...]:
    """INFO findings for wide arrays left alone on request (``--keep``)."""
    return tuple(
        Finding(
            RULE_DOES_NOT_FIT,
            Severity.INFO,
            f"{p.source.describe()} array {p.name!r} kept 64-bit (--keep)",
            Location(file=str(path), tensor=p.name),
        )
        for p in plan
        if p.source.wide and not p.narrow
    )
