"""Dtype names and the raw little-endian tensor bytes the three bundle encodings share."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt

from jvmready.errors import InputFileError, JvmreadyError
from jvmready.narrowing import narrow_checked

#: Schema dtype name -> little-endian NumPy dtype. BFLOAT16 exists in the schemas (Java reads
#: it) but NumPy has no such type, so Python neither writes nor reads it.
DTYPES: dict[str, np.dtype[np.generic]] = {
    "BOOL": np.dtype("?"),
    "INT8": np.dtype("i1"),
    "UINT8": np.dtype("u1"),
    "INT16": np.dtype("<i2"),
    "UINT16": np.dtype("<u2"),
    "INT32": np.dtype("<i4"),
    "UINT32": np.dtype("<u4"),
    "INT64": np.dtype("<i8"),
    "UINT64": np.dtype("<u8"),
    "FLOAT16": np.dtype("<f2"),
    "FLOAT32": np.dtype("<f4"),
    "FLOAT64": np.dtype("<f8"),
}

#: Item size of every schema dtype, BFLOAT16 included.
ITEM_SIZES: dict[str, int] = {**{k: v.itemsize for k, v in DTYPES.items()}, "BFLOAT16": 2}

#: A protobuf message (and an Avro block, which Java reads into one byte[]) must stay below this.
SINGLE_MESSAGE_LIMIT = 2**31 - 1


@dataclass(frozen=True)
class NamedArray:
    """A tensor about to be written: its name, its values (possibly memory-mapped) and whether
    it is to be narrowed from int64 to int32 on the way (range-checked, never wrapped)."""

    name: str
    array: npt.NDArray[np.generic]
    narrow: bool = False

    @property
    def dtype_name(self) -> str:
        return "INT32" if self.narrow else dtype_name(self.array.dtype, self.name)

    @property
    def nbytes(self) -> int:
        return int(self.array.size) * ITEM_SIZES[self.dtype_name]

    def values(self) -> npt.NDArray[np.generic]:
        """The values as stored: narrowed through :func:`narrow_checked` when asked."""
        if not self.narrow:
            return self.array
        return narrow_checked(cast("npt.NDArray[np.integer]", self.array), self.name)


def dtype_name(dtype: np.dtype[np.generic], tensor: str) -> str:
    """The schema name of a NumPy dtype; refuses types a bundle cannot carry."""
    little = dtype.newbyteorder("<")
    for name, candidate in DTYPES.items():
        if little == candidate:
            return name
    raise JvmreadyError(
        f"tensor {tensor!r}: dtype {dtype} cannot go in a bundle (numeric and bool tensors only)"
    )


def little_endian_bytes(tensor: NamedArray) -> bytes:
    """The tensor's bytes in C order, little-endian, narrowed if planned: what encodings store."""
    target = DTYPES[tensor.dtype_name]
    return np.asarray(tensor.values(), dtype=target, order="C").tobytes(order="C")


def decode_tensor(
    where: object, name: str, dtype: str, shape: Sequence[int], data: bytes
) -> npt.NDArray[np.generic]:
    """Check a stored tensor's dtype, shape and byte count, then view its bytes as an array."""
    if dtype not in ITEM_SIZES:
        raise InputFileError(where, f"tensor {name!r}: unknown dtype {dtype}")
    if dtype not in DTYPES:
        raise InputFileError(where, f"tensor {name!r}: dtype {dtype} has no NumPy equivalent")
    dims = [int(d) for d in shape]
    if any(d < 0 for d in dims):
        raise InputFileError(where, f"tensor {name!r}: negative dimension in shape {dims}")
    need = math.prod(dims) * ITEM_SIZES[dtype]  # Python ints: no overflow on lying shapes
    if len(data) != need:
        raise InputFileError(
            where,
            f"tensor {name!r}: data has {len(data)} bytes, {dtype} shape {dims} needs {need}",
        )
    return np.frombuffer(data, dtype=DTYPES[dtype]).reshape(dims)


def message_size_bound(tensors: Sequence[NamedArray], manifest_json: str) -> int:
    """An upper bound on the size of a one-message (protobuf/Avro) bundle, from shapes only."""
    total = 64 + 2 * len(manifest_json.encode())
    for t in tensors:
        total += t.nbytes + len(t.name.encode()) + 11 * t.array.ndim + 48
    return total


def check_single_message_size(size: int, out: object, fmt: str) -> None:
    """Refuse, before writing, a bundle its encoding cannot hold in one message."""
    if size > SINGLE_MESSAGE_LIMIT:
        raise JvmreadyError(
            f"{out}: a {fmt} bundle of these tensors needs about {size} bytes, over the 2 GiB "
            f"a single {fmt} message can hold; use --format safetensors"
        )
