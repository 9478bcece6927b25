"""The bundle encodings as plug-ins: each module provides the same small protocol."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from jvmready.bundle import avro_bundle, protobuf_bundle, safetensors_bundle
from jvmready.bundle.codec import NamedArray
from jvmready.bundle.manifest import Manifest
from jvmready.errors import InputFileError, JvmreadyError


class BundleFormat(Protocol):
    """What a bundle encoding provides (implemented by a module)."""

    NAME: str
    SUFFIXES: tuple[str, ...]

    def sniff(self, head: bytes) -> bool: ...

    def size_bound(self, tensors: Sequence[NamedArray], manifest: Manifest) -> int | None: ...

    def write(self, path: Path, tensors: Sequence[NamedArray], manifest: Manifest) -> None: ...

    def read(self, path: Path) -> tuple[Manifest, dict[str, npt.NDArray[np.generic]]]: ...


FORMATS: dict[str, BundleFormat] = {
    m.NAME: m for m in (safetensors_bundle, protobuf_bundle, avro_bundle)
}


def get_format(name: str) -> BundleFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise JvmreadyError(
            f"unknown bundle format {name!r}; choose one of {', '.join(FORMATS)}"
        ) from None


def detect_format(path: Path) -> BundleFormat:
    """The encoding of a bundle file, from its first bytes, else its extension."""
    if not path.is_file():
        raise InputFileError(path, "no such file" if not path.exists() else "not a file")
    with path.open("rb") as f:
        head = f.read(32)
    for fmt in FORMATS.values():
        if fmt.sniff(head):
            return fmt
    for fmt in FORMATS.values():
        if path.suffix.lower() in fmt.SUFFIXES:
            return fmt
    raise InputFileError(path, "not a jvmready bundle (neither safetensors, protobuf nor Avro)")
