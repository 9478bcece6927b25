"""Named arrays from the files a bundle is made of: npy, npz, safetensors, ONNX initializers.

npy/npz/safetensors go through the project's weight readers (validated headers, memory-mapped
arrays); ONNX initializers through the ONNX loader (external data memory-mapped).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jvmready.bundle.codec import NamedArray
from jvmready.errors import InputFileError
from jvmready.weights import arrays as weight_arrays
from jvmready.weights.container import ArrayContainerFormat
from jvmready.weights.npy import NpyFormat
from jvmready.weights.npz import NpzFormat
from jvmready.weights.safetensors_file import SafetensorsFormat

_CONTAINERS: dict[str, ArrayContainerFormat] = {
    s: f for f in (NpyFormat(), NpzFormat(), SafetensorsFormat()) for s in f.suffixes
}
SUFFIXES = (*_CONTAINERS, ".onnx")


def _onnx(path: Path) -> list[NamedArray]:
    from jvmready.onnx.load import load_model
    from jvmready.onnx.tensors import tensor_array

    loaded = load_model(path)
    return [NamedArray(t.name, tensor_array(loaded, t)) for t in loaded.model.graph.initializer]


def _converted(path: Path, item: weight_arrays.NamedArray) -> NamedArray:
    if item.tag is not None:  # a dtype NumPy lacks (bfloat16...): bytes only, no values
        raise InputFileError(path, f"tensor {item.name!r}: {item.tag} tensors cannot be bundled")
    return NamedArray(item.name, item.array)


@contextmanager
def open_source(path: Path) -> Iterator[list[NamedArray]]:
    """The named arrays in ``path``, memory-mapped while the block runs; one-line errors."""
    if not path.exists():
        raise InputFileError(path, "no such file")
    if path.is_dir():
        raise InputFileError(path, "is a directory; give an .npy, .npz, .safetensors or .onnx file")
    suffix = path.suffix.lower()
    if suffix == ".onnx":
        arrays = _onnx(path)
        _refuse_duplicates(path, arrays)
        yield arrays
        return
    container = _CONTAINERS.get(suffix)
    if container is None:
        raise InputFileError(
            path,
            f"cannot bundle {suffix or 'extensionless'} files; use {', '.join(SUFFIXES)}",
        )
    with container.open(path) as opened:
        arrays = [_converted(path, a) for a in opened.arrays]
        _refuse_duplicates(path, arrays)
        yield arrays


def _refuse_duplicates(path: Path, arrays: list[NamedArray]) -> None:
    seen: set[str] = set()
    for a in arrays:
        if a.name in seen:
            raise InputFileError(path, f"tensor name {a.name!r} appears twice")
        seen.add(a.name)
