"""What ``check`` and ``fix`` return, shared by every format and every renderer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jvmready.findings import Finding, Location, Severity, worst
from jvmready.narrowing import IntRange

#: A dimension: a fixed size, a symbolic name (``"batch"``) or unknown (``None``).
Dim = int | str | None


@dataclass(frozen=True)
class JavaType:
    """How Java code passes or receives one value on a given runtime.

    ``primary`` is the idiomatic type (``long[][]``), ``alternatives`` the others that work
    (``LongBuffer + long[] shape``); ``note`` says what to watch for.
    """

    primary: str
    alternatives: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class IOSpec:
    """A model input or output as seen from the other side of the boundary."""

    name: str
    direction: str  # "input" | "output"
    type: str  # the source framework's spelling, e.g. "tensor(int64)" or "seq(map(int64,tensor(float)))"
    shape: tuple[Dim, ...] | None
    java: JavaType

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "direction": self.direction,
            "type": self.type,
            "shape": None if self.shape is None else list(self.shape),
            "java": {
                "type": self.java.primary,
                "alternatives": list(self.java.alternatives),
                "note": self.java.note,
            },
        }


@dataclass(frozen=True)
class TensorSummary:
    """A stored integer tensor (initializer, constant, array in a weights file) and its range."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    range: IntRange | None
    location: Location

    def to_dict(self) -> dict[str, Any]:
        r = self.range
        return {
            "name": self.name,
            "dtype": self.dtype,
            "shape": list(self.shape),
            "min": None if r is None else r.min,
            "max": None if r is None else r.max,
            "fits_int32": None if r is None else r.fits_int32,
            "location": {k: v for k, v in vars(self.location).items() if v is not None},
        }


@dataclass(frozen=True)
class CheckReport:
    """Everything ``check`` learned about one artifact."""

    path: str
    format: str
    target: str
    inputs: tuple[IOSpec, ...] = ()
    outputs: tuple[IOSpec, ...] = ()
    tensors: tuple[TensorSummary, ...] = ()
    findings: tuple[Finding, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def worst(self) -> Severity | None:
        return worst(self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "target": self.target,
            "inputs": [i.to_dict() for i in self.inputs],
            "outputs": [o.to_dict() for o in self.outputs],
            "tensors": [t.to_dict() for t in self.tensors],
            "findings": [f.to_dict() for f in self.findings],
            "extra": self.extra,
        }


@dataclass(frozen=True)
class Change:
    """One thing ``fix`` rewrote, for the printed summary and ``--json``."""

    kind: str  # e.g. "input-narrowed", "output-narrowed", "initializer-narrowed", "zipmap-dropped"
    name: str
    before: str
    after: str
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))
