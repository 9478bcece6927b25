"""The value types every format, rule and renderer shares: findings and reports."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so that ``max()`` gives the worst."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Location:
    """Where a finding is: the file, the (sub)graph path, the node and the tensor, as known."""

    file: str | None = None
    graph: str | None = None  # e.g. "main" or "main/If_0.then_branch"
    node: str | None = None
    tensor: str | None = None

    def __str__(self) -> str:
        parts = [p for p in (self.graph, self.node and f"node {self.node}", self.tensor) if p]
        return " > ".join(parts) if parts else (self.file or "")


@dataclass(frozen=True)
class Finding:
    """One integer-width problem (or fact) at the Python→Java boundary.

    ``rule`` is a stable id (``JR101``...) documented in ``docs/rules.md``; tools may key on it.
    ``data`` carries machine-readable details (min/max, dtype...) for ``--json``.
    """

    rule: str
    severity: Severity
    message: str
    location: Location
    remedy: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        loc = {k: v for k, v in vars(self.location).items() if v is not None}
        return {
            "rule": self.rule,
            "severity": str(self.severity),
            "message": self.message,
            "location": loc,
            "remedy": self.remedy,
            "data": self.data,
        }


def worst(findings: Iterable[Finding]) -> Severity | None:
    """The highest severity among ``findings``, or ``None`` when there are none."""
    return max((f.severity for f in findings), default=None)
