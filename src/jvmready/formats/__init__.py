"""Artifact formats as plug-ins: each knows how to recognise, check and fix its files.

A format registers itself here; ``check``/``fix`` pick the one that claims a path. Adding a
format means adding a module, not another ``if`` in the commands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from jvmready.errors import InputFileError
from jvmready.findings import Finding
from jvmready.report import Change, CheckReport
from jvmready.targets import Target


@dataclass(frozen=True)
class FixOptions:
    """What the user asked ``fix`` for; formats ignore what does not apply to them."""

    io: str = "int32"
    target: str = "ort-java"
    keep: frozenset[str] = frozenset()
    drop_zipmap: bool = False
    unsafe_narrow_outputs: bool = False
    #: Allow formats that are code (pickles) to be loaded; without it they are scanned statically.
    trust: bool = False


@dataclass(frozen=True)
class CheckOptions:
    """What the user asked ``check`` for beyond the target; formats ignore what does not apply."""

    #: Allow formats that are code (pickles) to be loaded; without it they are scanned statically.
    trust: bool = False


@dataclass(frozen=True)
class FileFixReport:
    """What a file-to-file fix did."""

    source: str
    output: str
    format: str
    changes: tuple[Change, ...]
    findings: tuple[Finding, ...]


class Format(Protocol):
    """A kind of artifact jvmready understands."""

    name: str

    def claims(self, path: Path) -> bool:
        """True when ``path`` looks like this format (by name or magic bytes; cheap)."""

    def check(
        self, path: Path, target: Target, options: CheckOptions = CheckOptions()
    ) -> CheckReport: ...

    def fix_file(self, path: Path, out: Path, options: FixOptions) -> FileFixReport:
        """Write a fixed copy of ``path`` to ``out`` (atomically; never touching ``path``)."""


_REGISTRY: list[Format] = []


def register(fmt: Format) -> Format:
    """Add a format; later registrations are tried first (more specific wins)."""
    _REGISTRY.insert(0, fmt)
    return fmt


def registered() -> Sequence[Format]:
    _load_builtin()
    return tuple(_REGISTRY)


def for_path(path: Path) -> Format:
    """The format that claims ``path``, or a one-line error naming the file."""
    if not path.exists():
        raise InputFileError(path, "no such file or directory")
    for fmt in registered():
        if fmt.claims(path):
            return fmt
    names = ", ".join(f.name for f in registered())
    raise InputFileError(path, f"not a format jvmready reads (known: {names})")


_loaded = False


def _load_builtin() -> None:
    # Imported lazily: each format module pulls in its own heavy dependencies.
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib

    for module in BUILTIN_FORMAT_MODULES:
        importlib.import_module(module)


#: Modules that register a format when imported. Add yours here.
BUILTIN_FORMAT_MODULES: list[str] = [
    "jvmready.onnx.format",
    "jvmready.weights.npy",
    "jvmready.weights.npz",
    "jvmready.weights.safetensors_file",
    "jvmready.weights.torch_state",
    "jvmready.weights.sklearn_model",
    "jvmready.tensorflow.format",
]
