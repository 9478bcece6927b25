"""``.safetensors`` files: header validated before any data is touched, data memory-mapped.

The format (8-byte little-endian header length, a JSON header, then the tensors' bytes) is small
enough to read and write here, which lets ``fix`` stream tensors of any size into the output.
``__metadata__`` is kept.
"""

from __future__ import annotations

import contextlib
import json
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from jvmready.errors import InputFileError
from jvmready.formats import register
from jvmready.weights.arrays import NamedArray, PlannedArray, map_array
from jvmready.weights.container import ArrayContainerFormat, Container

#: The reference implementation's bound on the JSON header.
MAX_HEADER_BYTES = 100_000_000

#: safetensors dtype → numpy dtype (little-endian); the rest are copied as raw bytes.
NUMPY_DTYPES: dict[str, str] = {
    "BOOL": "|b1",
    "U8": "|u1",
    "I8": "|i1",
    "U16": "<u2",
    "I16": "<i2",
    "U32": "<u4",
    "I32": "<i4",
    "U64": "<u8",
    "I64": "<i8",
    "F16": "<f2",
    "F32": "<f4",
    "F64": "<f8",
}
#: Byte sizes of dtypes numpy cannot represent.
RAW_DTYPES: dict[str, int] = {
    "BF16": 2,
    "F8_E4M3": 1,
    "F8_E5M2": 1,
    "F8_E8M0": 1,
    "C64": 8,
    "C128": 16,
}
_SPELLING = {np.dtype(v): k for k, v in NUMPY_DTYPES.items()}


def _fail(path: Path, problem: str) -> InputFileError:
    return InputFileError(path, f"invalid safetensors header: {problem}")


def read_header(path: Path) -> tuple[int, dict[str, Any], dict[str, str] | None]:
    """The data start offset, tensor entries and ``__metadata__``, fully validated."""
    size = path.stat().st_size
    with path.open("rb") as f:
        prefix = f.read(8)
        if len(prefix) != 8:
            raise _fail(path, "file shorter than the 8-byte length prefix")
        (n,) = struct.unpack("<Q", prefix)
        if n > MAX_HEADER_BYTES or n > size - 8:
            raise _fail(path, f"declared header length {n} exceeds the file or the limit")
        raw = f.read(n)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _fail(path, f"header is not JSON ({e})") from None
    if not isinstance(header, dict):
        raise _fail(path, "header is not a JSON object")
    meta = header.pop("__metadata__", None)
    if meta is not None and not (
        isinstance(meta, dict) and all(isinstance(v, str) for v in meta.values())
    ):
        raise _fail(path, "__metadata__ must map strings to strings")
    data_len = size - 8 - n
    end = 0
    for name, entry in sorted(header.items(), key=lambda kv: _begin(path, kv)):
        dtype, shape, (begin, stop) = _entry(path, name, entry)
        if begin != end:
            raise _fail(path, f"tensor {name!r} starts at {begin}, expected {end} (gap/overlap)")
        count = 1
        for d in shape:
            count *= d
        if stop - begin != count * _itemsize(dtype):
            raise _fail(
                path,
                f"tensor {name!r}: {dtype}{shape} needs {count * _itemsize(dtype)} bytes, "
                f"offsets give {stop - begin}",
            )
        end = stop
    if end != data_len:
        raise _fail(path, f"tensors cover {end} bytes but the file holds {data_len}")
    return 8 + n, header, meta


def _begin(path: Path, kv: tuple[str, Any]) -> int:
    return _entry(path, kv[0], kv[1])[2][0]


def _entry(path: Path, name: str, entry: Any) -> tuple[str, list[int], tuple[int, int]]:
    if not isinstance(entry, dict):
        raise _fail(path, f"tensor {name!r} is not an object")
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype not in NUMPY_DTYPES and dtype not in RAW_DTYPES:
        raise _fail(path, f"tensor {name!r}: unknown dtype {dtype!r}")
    if not isinstance(shape, list) or not all(_nat(d) for d in shape):
        raise _fail(path, f"tensor {name!r}: invalid shape {shape!r}")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(_nat(o) for o in offsets)):
        raise _fail(path, f"tensor {name!r}: invalid data_offsets {offsets!r}")
    if offsets[1] < offsets[0]:
        raise _fail(path, f"tensor {name!r}: data_offsets end before they begin")
    return dtype, shape, (offsets[0], offsets[1])


def _nat(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def _itemsize(dtype: str) -> int:
    return np.dtype(NUMPY_DTYPES[dtype]).itemsize if dtype in NUMPY_DTYPES else RAW_DTYPES[dtype]


def open_tensors(path: Path) -> Container:
    """Validate the header, then memory-map every tensor in file order."""
    start, header, meta = read_header(path)
    arrays: list[NamedArray] = []
    for name, entry in sorted(header.items(), key=lambda kv: int(kv[1]["data_offsets"][0])):
        dtype, shape, (begin, _) = _entry(path, name, entry)
        if dtype in NUMPY_DTYPES:
            arr = map_array(path, start + begin, np.dtype(NUMPY_DTYPES[dtype]), tuple(shape))
            arrays.append(NamedArray(name, arr))
        else:
            # Same-sized opaque items: the shape survives and copying stays byte-exact.
            raw = map_array(path, start + begin, np.dtype(f"V{RAW_DTYPES[dtype]}"), tuple(shape))
            arrays.append(NamedArray(name, raw, tag=dtype))
    return Container(tuple(arrays), {"metadata": meta} if meta is not None else {})


def spelling(planned: PlannedArray) -> tuple[str, list[int]]:
    """The safetensors dtype and shape an output tensor is written with."""
    src = planned.source
    if src.tag is not None:
        return src.tag, list(src.array.shape)
    return _SPELLING[planned.dtype.newbyteorder("<")], list(planned.shape)


def write_tensors(dst: Path, plan: list[PlannedArray], metadata: dict[str, str] | None) -> None:
    """Write the format by its spec: header (space-padded to 8 bytes), then each tensor
    streamed into a memory-map of its slot, so no tensor is ever held whole in memory."""
    header: dict[str, Any] = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    offset = 0
    for p in plan:
        nbytes = int(np.prod(p.shape, dtype=object)) * p.dtype.itemsize
        dtype, shape = spelling(p)
        header[p.name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    start = 8 + len(raw)
    with dst.open("wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        f.truncate(start + offset)
    for p in plan:
        begin = header[p.name]["data_offsets"][0]
        nbytes = header[p.name]["data_offsets"][1] - begin
        if nbytes == 0:
            continue
        out = np.memmap(
            dst,
            dtype=p.dtype.newbyteorder("<"),
            mode="r+",
            offset=start + begin,
            shape=p.shape or (1,),
        )
        p.fill(out.reshape(()) if p.shape == () else out)
        out.flush()
        del out


class SafetensorsFormat(ArrayContainerFormat):
    name = "safetensors"
    suffixes = (".safetensors",)

    @contextlib.contextmanager
    def open(self, path: Path) -> Iterator[Container]:
        yield open_tensors(path)

    def write(self, dst: Path, plan: list[PlannedArray], source: Container) -> None:
        write_tensors(dst, plan, source.meta.get("metadata"))


register(SafetensorsFormat())
