"""The plug-in shape shared by every array-container format: open, then check or fix.

A format module supplies ``open`` (memory-mapped arrays + its own metadata) and ``write`` (the
planned arrays into a temporary file); checking, planning, ``--keep`` and never overwriting the
input are done once, here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jvmready.fileio import atomic_output, refuse_same_file
from jvmready.findings import Finding, Location, Severity
from jvmready.formats import CheckOptions, FileFixReport, FixOptions
from jvmready.report import CheckReport
from jvmready.targets import Target
from jvmready.weights.arrays import (
    NamedArray,
    PlannedArray,
    changes_of,
    check_arrays,
    kept_findings,
    plan_fix,
)


@dataclass(frozen=True)
class Container:
    """The arrays of one open file, and what its writer needs to reproduce the rest."""

    arrays: tuple[NamedArray, ...]
    meta: dict[str, Any] = field(default_factory=dict)


class ArrayContainerFormat(ABC):
    """A file of named arrays (npy, npz, safetensors, a torch state_dict)."""

    name: str
    suffixes: tuple[str, ...]

    def claims(self, path: Path) -> bool:
        return path.suffix.lower() in self.suffixes

    @abstractmethod
    def open(self, path: Path) -> AbstractContextManager[Container]:
        """The file's arrays, validated and memory-mapped; resources freed on exit."""

    @abstractmethod
    def write(self, dst: Path, plan: list[PlannedArray], source: Container) -> None:
        """Write ``plan`` to ``dst`` (a temporary file the caller renames into place)."""

    def check(
        self, path: Path, target: Target, options: CheckOptions = CheckOptions()
    ) -> CheckReport:
        with self.open(path) as c:
            return check_arrays(path, self.name, c.arrays, target, _public(c.meta))

    def fix_file(self, path: Path, out: Path, options: FixOptions) -> FileFixReport:
        refuse_same_file(path, out)
        with self.open(path) as c:
            plan = plan_fix(c.arrays, options.keep)
            with atomic_output(out, suffix=path.suffix) as tmp:
                self.write(tmp, plan, c)
        findings = kept_findings(path, plan) + _unknown_keeps(path, c.arrays, options.keep)
        return FileFixReport(str(path), str(out), self.name, changes_of(plan), findings)


def _public(meta: dict[str, Any]) -> dict[str, Any]:
    """Metadata worth showing in a report (keys starting with ``_`` are the writer's own)."""
    return {k: v for k, v in meta.items() if not k.startswith("_")}


def _unknown_keeps(
    path: Path, arrays: tuple[NamedArray, ...], keep: frozenset[str]
) -> tuple[Finding, ...]:
    names = {a.name for a in arrays}
    return tuple(
        Finding(
            "JR303",
            Severity.WARNING,
            f"--keep {name}: no array of that name in {path.name}",
            Location(file=str(path)),
        )
        for name in sorted(keep - names)
    )
