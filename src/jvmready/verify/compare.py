"""Compare one backend's outputs with the reference's, output by output (Polygraphy's comparator).

Integers compare exactly by value (an int32 output equals the int64 reference value), floats
with ``|candidate - reference| <= atol + rtol * |reference|``, strings and bools exactly,
sequences of maps element by element and key by key (a ZipMap dropped by ``fix`` compares
its probability matrix against the maps' values in key order).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

#: Per output name, one value per sample: an array, or (for seq(map)) a list of dicts.
Outputs = Mapping[str, Sequence[Any]]


@dataclass(frozen=True)
class Mismatch:
    """The first element that differs: sample number, flat index within the sample, values."""

    sample: int
    index: int
    where: str  # readable position: "[1, 0]" for a tensor, "[2]{key 1}" for a seq(map)
    expected: Any
    actual: Any

    def to_dict(self) -> dict[str, Any]:
        return {
            "sample": self.sample,
            "index": self.index,
            "where": self.where,
            "expected": _plain(self.expected),
            "actual": _plain(self.actual),
        }


@dataclass(frozen=True)
class OutputComparison:
    """How one output of one backend compares with the reference, over every sample."""

    name: str
    backend: str
    kind: str  # "integer" | "float" | "bool" | "string" | "seq(map)"
    compared: int  # elements compared
    mismatches: int
    max_abs: float | None  # None when nothing numeric was compared
    max_rel: float | None
    first: Mismatch | None
    problem: str = ""  # a structural difference (missing output, shape, keys), if any

    @property
    def passed(self) -> bool:
        return not self.problem and self.mismatches == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "backend": self.backend,
            "kind": self.kind,
            "passed": self.passed,
            "compared": self.compared,
            "mismatches": self.mismatches,
            "max_abs": self.max_abs,
            "max_rel": self.max_rel,
            "first_mismatch": None if self.first is None else self.first.to_dict(),
            "problem": self.problem,
        }


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


def compare(
    reference: Outputs, candidate: Outputs, *, rtol: float, atol: float, backend: str
) -> tuple[OutputComparison, ...]:
    """Compare every reference output with the candidate's output of the same name."""
    return tuple(
        _compare_one(name, ref, candidate.get(name), rtol=rtol, atol=atol, backend=backend)
        for name, ref in reference.items()
    )


def _structural(
    name: str, backend: str, kind: str, problem: str, sample: int = -1
) -> OutputComparison:
    where = f" (sample {sample})" if sample >= 0 else ""
    return OutputComparison(name, backend, kind, 0, 1, None, None, None, problem + where)


def _compare_one(
    name: str,
    ref: Sequence[Any],
    cand: Sequence[Any] | None,
    *,
    rtol: float,
    atol: float,
    backend: str,
) -> OutputComparison:
    kind = _kind(ref[0]) if len(ref) else "float"
    if cand is None:
        return _structural(name, backend, kind, "the candidate has no output of this name")
    if len(cand) != len(ref):
        return _structural(name, backend, kind, f"{len(cand)} samples, expected {len(ref)}")
    if kind == "seq(map)":
        return _compare_maps(name, ref, cand, rtol=rtol, atol=atol, backend=backend)
    r = _stack(ref)
    c = _stack(cand) if all(isinstance(v, np.ndarray) for v in cand) else None
    if r is None or c is None:
        return _compare_ragged(name, ref, cand, rtol=rtol, atol=atol, backend=backend, kind=kind)
    if r.shape != c.shape:
        return _structural(
            name, backend, kind, f"shape {list(c.shape[1:])}, expected {list(r.shape[1:])}"
        )
    return _compare_arrays(name, r, c, rtol=rtol, atol=atol, backend=backend, kind=kind)


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "seq(map)" if value and isinstance(value[0], dict) else "seq"
    a = np.asarray(value)
    if a.dtype.kind == "b":
        return "bool"
    if a.dtype.kind in "iu":
        return "integer"
    if a.dtype.kind in "USO":
        return "string"
    return "float"


def _stack(values: Sequence[Any]) -> npt.NDArray[Any] | None:
    if isinstance(values, np.ndarray):
        return values
    arrays = [np.asarray(v) for v in values]
    if not arrays or any(a.shape != arrays[0].shape for a in arrays):
        return None
    return np.stack(arrays)


def _compare_ragged(
    name: str,
    ref: Sequence[Any],
    cand: Sequence[Any],
    *,
    rtol: float,
    atol: float,
    backend: str,
    kind: str,
) -> OutputComparison:
    """Outputs whose shape changes from sample to sample: compared sample by sample."""
    parts = []
    for s, (rv, cv) in enumerate(zip(ref, cand, strict=True)):
        ra, ca = np.asarray(rv), np.asarray(cv)
        if ra.shape != ca.shape:
            return _structural(
                name, backend, kind, f"shape {list(ca.shape)}, expected {list(ra.shape)}", s
            )
        part = _compare_arrays(
            name, ra[np.newaxis], ca[np.newaxis], rtol=rtol, atol=atol, backend=backend, kind=kind
        )
        if part.first is not None:
            first = part.first
            part = replace(part, first=replace(first, sample=s))
        parts.append(part)
    return _merge(name, backend, kind, parts)


def _merge(name: str, backend: str, kind: str, parts: list[OutputComparison]) -> OutputComparison:
    def top(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return max(present) if present else None

    return OutputComparison(
        name,
        backend,
        kind,
        sum(p.compared for p in parts),
        sum(p.mismatches for p in parts),
        top([p.max_abs for p in parts]),
        top([p.max_rel for p in parts]),
        next((p.first for p in parts if p.first is not None), None),
    )


def _compare_arrays(
    name: str,
    r: npt.NDArray[Any],
    c: npt.NDArray[Any],
    *,
    rtol: float,
    atol: float,
    backend: str,
    kind: str,
    where: Any = None,
) -> OutputComparison:
    """Compare stacked arrays ``[samples, ...]`` of equal shape."""
    per_sample = int(np.prod(r.shape[1:], dtype=np.int64))
    rf, cf = r.reshape(-1), c.reshape(-1)
    max_abs: float | None = None
    max_rel: float | None = None
    if kind in ("integer", "bool"):
        if c.dtype.kind not in "iub":
            bad = _unequal_values(rf, cf)
        elif rf.dtype == np.uint64 or cf.dtype == np.uint64:
            bad = rf.astype(object) != cf.astype(object)  # beyond int64: compare Python ints
        else:
            bad = rf.astype(np.int64) != cf.astype(np.int64)
        if kind == "integer" and cf.dtype.kind in "iub" and rf.size:
            diff = np.abs(rf.astype(np.float64) - cf.astype(np.float64))
            max_abs = float(diff.max())
    elif kind == "string":
        bad = rf.astype(str) != cf.astype(str)
    else:
        if cf.dtype.kind not in "iufb":
            bad = np.ones(rf.shape, dtype=bool)
        else:
            r64, c64 = rf.astype(np.float64), cf.astype(np.float64)
            with np.errstate(invalid="ignore", over="ignore"):
                close = np.isclose(c64, r64, rtol=rtol, atol=atol, equal_nan=True)
                diff = np.abs(c64 - r64)
                finite = np.isfinite(diff)
                if finite.any():
                    max_abs = float(diff[finite].max())
                    nz = finite & (r64 != 0)
                    max_rel = float((diff[nz] / np.abs(r64[nz])).max()) if nz.any() else 0.0
            bad = ~close
    bad_idx = np.flatnonzero(bad)
    first = None
    if bad_idx.size:
        i = int(bad_idx[0])
        sample, index = divmod(i, per_sample) if per_sample else (0, 0)
        label = where(sample, index) if where is not None else _multi_index(index, r.shape[1:])
        first = Mismatch(sample, index, label, rf[i], cf[i])
    return OutputComparison(
        name, backend, kind, int(rf.size), int(bad_idx.size), max_abs, max_rel, first
    )


def _unequal_values(rf: npt.NDArray[Any], cf: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    # An integer reference against a float candidate: equal only when the values are equal.
    with np.errstate(invalid="ignore"):
        result: npt.NDArray[np.bool_] = rf.astype(np.float64) != cf.astype(np.float64)
    return result


def _multi_index(index: int, shape: tuple[int, ...]) -> str:
    if not shape:
        return "[]"
    return "[" + ", ".join(str(int(i)) for i in np.unravel_index(index, shape)) + "]"


def _compare_maps(
    name: str,
    ref: Sequence[Any],
    cand: Sequence[Any],
    *,
    rtol: float,
    atol: float,
    backend: str,
) -> OutputComparison:
    """seq(map): same length, same keys, values within tolerance. A candidate tensor ``[n, k]``
    (ZipMap dropped) is compared against the maps' values in the reference's key order."""
    kind = "seq(map)"
    first_keys = list(ref[0][0].keys()) if ref[0] else []
    rows, crows = [], []
    for s, (rv, cv) in enumerate(zip(ref, cand, strict=True)):
        keys = list(rv[0].keys()) if rv else first_keys
        if any(list(m.keys()) != keys for m in rv):
            return _structural(name, backend, kind, "maps with different keys", s)
        if keys != first_keys:
            return _compare_ragged_maps(name, ref, cand, rtol=rtol, atol=atol, backend=backend)
        rows.append([[m[k] for k in keys] for m in rv])
        if isinstance(cv, np.ndarray):
            if cv.shape != (len(rv), len(keys)):
                return _structural(
                    name,
                    backend,
                    kind,
                    f"shape {list(cv.shape)}, expected {[len(rv), len(keys)]}",
                    s,
                )
            crows.append(cv)
            continue
        if len(cv) != len(rv):
            return _structural(name, backend, kind, f"{len(cv)} maps, expected {len(rv)}", s)
        row = []
        for j, m in enumerate(cv):
            if set(m.keys()) != set(keys):
                return _structural(
                    name, backend, kind, f"map {j} has keys {sorted(m)}, expected {sorted(keys)}", s
                )
            row.append([m[k] for k in keys])
        crows.append(np.asarray(row, dtype=np.float64).reshape(len(rv), len(keys)))
    r = np.asarray(rows, dtype=np.float64).reshape(len(ref), -1, len(first_keys))
    c = np.stack(crows).astype(np.float64) if crows else r
    k = len(first_keys)

    def where(sample: int, index: int) -> str:
        j, col = divmod(index, k) if k else (0, 0)
        return f"[{j}]{{key {first_keys[col]!r}}}" if k else "[]"

    result = _compare_arrays(
        name, r, c, rtol=rtol, atol=atol, backend=backend, kind="float", where=where
    )
    return replace(result, kind=kind)


def _compare_ragged_maps(
    name: str,
    ref: Sequence[Any],
    cand: Sequence[Any],
    *,
    rtol: float,
    atol: float,
    backend: str,
) -> OutputComparison:
    """Maps whose key sets differ between samples: compared one sample at a time."""
    parts = []
    for s, (rv, cv) in enumerate(zip(ref, cand, strict=True)):
        part = _compare_maps(name, [rv], [cv], rtol=rtol, atol=atol, backend=backend)
        if part.problem:
            return _structural(name, backend, "seq(map)", part.problem, s)
        if part.first is not None:
            part = replace(part, first=replace(part.first, sample=s))
        parts.append(part)
    return _merge(name, backend, "seq(map)", parts)
