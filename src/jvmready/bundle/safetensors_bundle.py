"""safetensors bundles: the default. Manifest in the header metadata; Java maps it zero-copy."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from jvmready.bundle.codec import NamedArray
from jvmready.bundle.manifest import MANIFEST_KEY, Manifest
from jvmready.errors import InputFileError
from jvmready.weights import arrays as weight_arrays
from jvmready.weights.arrays import PlannedArray
from jvmready.weights.safetensors_file import open_tensors, write_tensors

NAME = "safetensors"
SUFFIXES = (".safetensors",)


def sniff(head: bytes) -> bool:
    """An 8-byte little-endian header length followed by a JSON object."""
    return len(head) >= 9 and head[8:9] == b"{" and int.from_bytes(head[:8], "little") > 1


def size_bound(tensors: Sequence[NamedArray], manifest: Manifest) -> int | None:
    """No single-message limit: safetensors holds anything the file system does."""
    return None


def write(path: Path, tensors: Sequence[NamedArray], manifest: Manifest) -> None:
    """Stream each tensor into its slot of the file (narrowing chunk by chunk when planned), so
    no tensor is held whole in memory: the project's safetensors writer does the layout."""
    plan = [PlannedArray(weight_arrays.NamedArray(t.name, t.array), t.narrow) for t in tensors]
    write_tensors(path, plan, {MANIFEST_KEY: manifest.to_json()})


def read(path: Path) -> tuple[Manifest, dict[str, npt.NDArray[np.generic]]]:
    """Validated header, memory-mapped tensors (the project's safetensors reader)."""
    container = open_tensors(path)
    meta = container.meta.get("metadata") or {}
    if MANIFEST_KEY not in meta:
        raise InputFileError(
            path, f"safetensors file has no {MANIFEST_KEY} metadata: not a jvmready bundle"
        )
    manifest = Manifest.from_json(meta[MANIFEST_KEY], path)
    arrays: dict[str, npt.NDArray[np.generic]] = {}
    for item in container.arrays:
        if item.tag is not None:
            raise InputFileError(
                path, f"tensor {item.name!r}: dtype {item.tag} has no NumPy equivalent"
            )
        arrays[item.name] = item.array
    return manifest, arrays
