"""Write the cross-language vectors that the Java core library (``io.jvmready``) must read.

Usage: ``python tests/vectors/make_vectors.py OUTDIR`` writes ``OUTDIR/core/``: npy, npz and
safetensors files written by numpy and safetensors themselves (never by our own writers), corrupt
files made by mutating good ones, and ``manifest.json``, which lists every file with its expected
tensors (dtype, shape, values as decimal text, or a SHA-256 of the little-endian C-order bytes
plus sampled values) or, for a corrupt file, the substring its error message must contain. The
Java tests iterate the manifest, so a new vector needs no Java code.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import struct
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from safetensors.numpy import save_file

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MAX = 2**63 - 1

#: numpy dtype (kind + itemsize) -> io.jvmready.DType name.
DTYPES = {
    "b1": "BOOL",
    "i1": "INT8",
    "u1": "UINT8",
    "i2": "INT16",
    "u2": "UINT16",
    "i4": "INT32",
    "u4": "UINT32",
    "i8": "INT64",
    "u8": "UINT64",
    "f2": "FLOAT16",
    "f4": "FLOAT32",
    "f8": "FLOAT64",
}

#: Elements up to which the manifest lists every value; larger tensors get a checksum and samples.
FULL_VALUES = 64

#: The sparse vector: just over 2 GiB of int64, so offsets past 2**31 are exercised.
BIG_ELEMENTS = 2**28 + 16

Array = npt.NDArray[Any]


def _text(value: Any) -> str:
    """A value as exact decimal text: ints as ints, floats as Python's shortest round-trip repr."""
    if isinstance(value, (np.floating, float)):
        return repr(float(value))
    return str(int(value))


def _first_misfit(flat: Array, lo: int, hi: int) -> dict[str, Any] | None:
    if flat.dtype.kind not in "iub" or flat.size == 0:
        return None
    bad = np.flatnonzero((flat < lo) | (flat > hi))
    if bad.size == 0:
        return None
    i = int(bad[0])
    return {"index": i, "value": str(int(flat[i]))}


def expect(name: str, array: Array, *, samples: list[int] | None = None) -> dict[str, Any]:
    """The manifest entry for one tensor, computed from the array numpy holds."""
    a = np.asarray(array)
    flat = a.ravel(order="C")
    entry: dict[str, Any] = {
        "name": name,
        "dtype": DTYPES[f"{a.dtype.kind}{a.dtype.itemsize}"],
        "shape": list(a.shape),
    }
    if samples is None and flat.size <= FULL_VALUES:
        entry["values"] = [_text(v) for v in flat]
    else:
        picks = samples or sorted({0, 1, flat.size // 2, flat.size - 2, flat.size - 1})
        entry["samples"] = [[i, _text(flat[i])] for i in picks]
    if samples is None:
        little = a.astype(a.dtype.newbyteorder("<"))
        entry["sha256"] = hashlib.sha256(little.tobytes(order="C")).hexdigest()
        entry["int32"] = _first_misfit(flat, INT32_MIN, INT32_MAX)
        entry["int64"] = _first_misfit(flat, -(2**63), INT64_MAX)
    return entry


class Vectors:
    """Collects files and their manifest entries under one directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.entries: list[dict[str, Any]] = []

    def _path(self, file: str) -> Path:
        path = self.root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def npy(self, file: str, array: Array, version: tuple[int, int] | None = None) -> None:
        path = self._path(file)
        with path.open("wb") as f:
            np.lib.format.write_array(f, np.asanyarray(array), version=version)
        stem = Path(file).name.removesuffix(".npy")
        fortran = bool(array.flags.f_contiguous and not array.flags.c_contiguous)
        self.entries.append(
            {
                "id": file,
                "kind": "npy",
                "file": file,
                "fortran": fortran,
                "tensors": [expect(stem, array)],
            }
        )

    def npz(self, file: str, arrays: dict[str, Array], *, compressed: bool) -> None:
        path = self._path(file)
        (np.savez_compressed if compressed else np.savez)(path, **arrays)  # type: ignore[arg-type]
        tensors = [expect(name, a) for name, a in arrays.items()]
        self.entries.append({"id": file, "kind": "npz", "file": file, "tensors": tensors})

    def safetensors(
        self, file: str, arrays: dict[str, Array], metadata: dict[str, str] | None = None
    ) -> None:
        path = self._path(file)
        save_file(arrays, str(path), metadata=metadata)
        order = json_header(path.read_bytes())[0]
        names = [k for k in order if k != "__metadata__"]
        tensors = [expect(name, arrays[name]) for name in names]
        self.entries.append(
            {
                "id": file,
                "kind": "safetensors",
                "file": file,
                "tensors": tensors,
                "metadata": metadata or {},
            }
        )

    def raw(self, file: str, kind: str, data: bytes, error: str) -> None:
        """A corrupt file and the substring its error message must contain."""
        self._path(file).write_bytes(data)
        self.entries.append({"id": file, "kind": kind, "file": file, "error": error})

    def add(self, entry: dict[str, Any]) -> None:
        self.entries.append(entry)


# --- helpers to mutate good files --------------------------------------------------------------


def npy_bytes(array: Array, version: tuple[int, int] | None = None) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asanyarray(array), version=version, allow_pickle=True)
    return buf.getvalue()


def npy_rewrite_header(good: bytes, old: str, new: str) -> bytes:
    """Replace text in a v1.0 npy header dict, re-padding the header to a multiple of 64."""
    (hlen,) = struct.unpack("<H", good[8:10])
    header = good[10 : 10 + hlen].decode("latin1").rstrip()
    assert old in header, (old, header)
    header = header.replace(old, new)
    total = -(-(10 + len(header) + 1) // 64) * 64
    header = header.ljust(total - 10 - 1) + "\n"
    return good[:8] + struct.pack("<H", len(header)) + header.encode("latin1") + good[10 + hlen :]


def json_header(data: bytes) -> tuple[dict[str, Any], bytes]:
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8 : 8 + n]), data[8 + n :]


def safetensors_with(header: dict[str, Any] | str, data: bytes) -> bytes:
    text = header if isinstance(header, str) else json.dumps(header, separators=(",", ":"))
    raw = text.encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + data


def zip_central_entries(data: bytes) -> list[int]:
    """Offsets of the central directory records of a (small, non-zip64-EOCD) archive."""
    eocd = data.rfind(b"PK\x05\x06")
    count, _size, offset = struct.unpack("<HII", data[eocd + 10 : eocd + 20])
    out, p = [], offset
    for _ in range(count):
        out.append(p)
        n, m, k = struct.unpack("<HHH", data[p + 28 : p + 34])
        p += 46 + n + m + k
    return out


def patch(data: bytes, offset: int, fmt: str, *values: int) -> bytes:
    new = struct.pack(fmt, *values)
    return data[:offset] + new + data[offset + len(new) :]


# --- the vectors --------------------------------------------------------------------------------


def good_npy(v: Vectors) -> None:
    v.npy("npy/int32_minmax.npy", np.array([INT32_MIN, -1, 0, 1, INT32_MAX], dtype=np.int32))
    v.npy(
        "npy/int64_beyond_int32.npy",
        np.array(
            [
                0,
                INT32_MAX,
                INT32_MAX + 1,
                INT32_MIN,
                INT32_MIN - 1,
                2**31 + 5,
                2**62,
                -(2**63),
                INT64_MAX,
            ],
            dtype=np.int64,
        ),
    )
    grid = np.arange(12, dtype=np.int64).reshape(3, 4)
    grid[2, 1] = INT32_MIN - 1
    v.npy("npy/int64_2d_misfit_at_9.npy", grid)
    fort = np.asfortranarray(np.arange(24, dtype=np.int64).reshape(2, 3, 4) - 12)
    fort[1, 2, 0] = 2**40 + 7
    v.npy("npy/int64_fortran.npy", fort)
    v.npy(
        "npy/float32_fortran.npy",
        np.asfortranarray(np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)),
    )
    for code, values in [
        (">i8", [1, -2, 2**40, -(2**63), INT64_MAX]),
        (">i4", [INT32_MIN, INT32_MAX, 7]),
        (">u2", [0, 1, 65535]),
        (">f4", [1.5, -0.0, np.inf, np.nan, 3.4028235e38]),
        (">f8", [0.1, -1e300, 5e-324]),
        (">u8", [0, 2**63, 2**64 - 1]),
    ]:
        v.npy(f"npy/bigendian_{code[1:]}.npy", np.array(values, dtype=code))
    v.npy("npy/bool.npy", np.array([[True, False, True], [False, False, True]]))
    v.npy("npy/int8.npy", np.array([-128, -1, 0, 127], dtype=np.int8))
    v.npy("npy/uint8.npy", np.array([0, 1, 128, 255], dtype=np.uint8))
    v.npy("npy/int16.npy", np.array([-32768, 0, 32767], dtype=np.int16))
    v.npy("npy/uint16.npy", np.array([0, 40000, 65535], dtype=np.uint16))
    v.npy("npy/uint32.npy", np.array([0, INT32_MAX, INT32_MAX + 1, 2**32 - 1], dtype=np.uint32))
    v.npy("npy/uint64.npy", np.array([0, INT64_MAX, 2**63, 2**64 - 1], dtype=np.uint64))
    v.npy(
        "npy/float16.npy",
        np.array(
            [0.0, -0.0, 1.0, -2.5, 65504.0, 6.1e-5, 6e-8, np.inf, -np.inf, np.nan], dtype=np.float16
        ),
    )
    v.npy("npy/float32.npy", np.array([1.0, -0.5, 1e-45, 3.4028235e38, np.nan], dtype=np.float32))
    v.npy("npy/float64.npy", np.array([0.1, 2.0**53 + 2, -1e308, 5e-324], dtype=np.float64))
    v.npy("npy/empty_1d.npy", np.zeros((0,), dtype=np.int64))
    v.npy("npy/empty_3d.npy", np.zeros((2, 0, 3), dtype=np.float32))
    v.npy("npy/scalar_int64.npy", np.array(7, dtype=np.int64))
    v.npy("npy/scalar_beyond_int32.npy", np.array(2**40, dtype=np.int64))
    v.npy("npy/scalar_float32.npy", np.array(-1.25, dtype=np.float32))
    v.npy("npy/version2.npy", np.arange(-3, 3, dtype=np.int64) * (2**33), version=(2, 0))
    v.npy("npy/version3.npy", np.array([1, 2, 3], dtype=np.int32), version=(3, 0))
    big = np.arange(100_000, dtype=np.int64) * 65_537 - 3_000_000_000
    v.npy("npy/int64_100k.npy", big)
    fbig = np.asfortranarray(np.sin(np.arange(60_000, dtype=np.float32)).reshape(300, 200))
    v.npy("npy/float32_fortran_300x200.npy", fbig)


def good_npz(v: Vectors) -> None:
    arrays = {
        "ids": np.array([1, 2**31, -(2**31) - 1, 5], dtype=np.int64),
        "mask": np.array([True, False, True]),
        "weights": np.array([[0.5, -1.5], [2.0, 1e-7]], dtype=np.float32),
        "empty": np.zeros((0, 4), dtype=np.int32),
        "scalar": np.array(3, dtype=np.int64),
        "be": np.array([1, -1, 2**40], dtype=">i8"),
    }
    v.npz("npz/stored.npz", arrays, compressed=False)
    v.npz("npz/deflated.npz", arrays, compressed=True)
    v.npz(
        "npz/deflated_200k.npz",
        {
            "seq": np.arange(200_000, dtype=np.int64) - 100_000,
            "fortran": np.asfortranarray(np.eye(50, 40)),
        },
        compressed=True,
    )
    buf = io.BytesIO()
    np.savez(buf, np.array([1, 2], dtype=np.int32), np.array([3.0]))
    path = v._path("npz/positional.npz")
    path.write_bytes(buf.getvalue())
    v.add(
        {
            "id": "npz/positional.npz",
            "kind": "npz",
            "file": "npz/positional.npz",
            "tensors": [
                expect("arr_0", np.array([1, 2], dtype=np.int32)),
                expect("arr_1", np.array([3.0])),
            ],
        }
    )


def good_safetensors(v: Vectors) -> None:
    v.safetensors(
        "safetensors/mixed.safetensors",
        {
            "ids": np.array([[1, 2**31], [-(2**31) - 1, 4]], dtype=np.int64),
            "small": np.array([INT32_MIN, INT32_MAX], dtype=np.int32),
            "w": np.array([0.25, -3.5, np.inf], dtype=np.float32),
            "h": np.array([1.0, -0.0, 65504.0], dtype=np.float16),
            "d": np.array([0.1], dtype=np.float64),
            "flags": np.array([True, False]),
            "u8": np.array([0, 255], dtype=np.uint8),
            "i8": np.array([-128, 127], dtype=np.int8),
            "u16": np.array([65535], dtype=np.uint16),
            "i16": np.array([-32768], dtype=np.int16),
            "u32": np.array([2**32 - 1], dtype=np.uint32),
            "u64": np.array([1, 2**64 - 1], dtype=np.uint64),
        },
        metadata={"format": "np", "jvmready.note": "héllo"},
    )
    v.safetensors(
        "safetensors/empty_and_scalar.safetensors",
        {"empty": np.zeros((0, 3), dtype=np.int64), "scalar": np.array(2**40, dtype=np.int64)},
    )
    # BF16: numpy has no bfloat16, so write int16 bit patterns and relabel them (a mutation).
    bits = np.array([0x3F80, 0xC020, 0x7F80, 0x0001, 0x8000], dtype=np.uint16)
    path = v._path("safetensors/bf16.safetensors")
    buf = v.root / "safetensors/.bf16_src.safetensors"
    save_file({"b": bits.view(np.int16)}, str(buf))
    header, data = json_header(buf.read_bytes())
    buf.unlink()
    header["b"]["dtype"] = "BF16"
    path.write_bytes(safetensors_with(header, data))
    values = (bits.astype(np.uint32) << 16).view(np.float32)
    entry = expect("b", values)
    entry.update(dtype="BFLOAT16", sha256=hashlib.sha256(bits.astype("<u2").tobytes()).hexdigest())
    v.add(
        {
            "id": "safetensors/bf16.safetensors",
            "kind": "safetensors",
            "file": "safetensors/bf16.safetensors",
            "tensors": [entry],
            "metadata": {},
        }
    )


def big_sparse(v: Vectors) -> None:
    """A >2 GiB npy written by numpy's open_memmap; only the touched pages take disk space."""
    path = v._path("big/sparse_2gib.npy")
    reason = None
    if shutil.disk_usage(v.root).free < 4 * 2**30:
        reason = "less than 4 GiB free"
    else:
        arr = np.lib.format.open_memmap(path, mode="w+", dtype=np.int64, shape=(BIG_ELEMENTS,))
        arr[:4] = [1, -1, 2**40, INT32_MIN]
        arr[-4:] = [2**31, -(2**40), 7, INT64_MAX]
        arr.flush()
        del arr
        if os.stat(path).st_blocks * 512 > 64 * 2**20:
            reason = "the file system does not keep sparse files sparse"
    if reason is not None:
        path.unlink(missing_ok=True)
        v.add({"id": "big/sparse_2gib.npy", "kind": "npy", "skip": reason})
        return
    picks = [
        0,
        1,
        2,
        3,
        2**27,
        BIG_ELEMENTS - 4,
        BIG_ELEMENTS - 3,
        BIG_ELEMENTS - 2,
        BIG_ELEMENTS - 1,
    ]
    arr = np.load(path, mmap_mode="r")
    entry = expect("sparse_2gib", arr, samples=picks)
    v.add(
        {
            "id": "big/sparse_2gib.npy",
            "kind": "npy",
            "file": "big/sparse_2gib.npy",
            "tensors": [entry],
        }
    )


def corrupt_npy(v: Vectors) -> None:
    good = npy_bytes(np.arange(6, dtype=np.int64))
    v.raw("bad/npy_truncated.npy", "npy", good[:-5], "data truncated")
    v.raw("bad/npy_trailing.npy", "npy", good + b"\0\0", "2 trailing bytes")
    v.raw(
        "bad/npy_header_past_eof.npy",
        "npy",
        patch(good, 8, "<H", 0xFFFF),
        "header length 65535 runs past end of file",
    )
    v2 = npy_bytes(np.arange(6, dtype=np.int64), version=(2, 0))
    v.raw(
        "bad/npy_v2_header_4g.npy",
        "npy",
        patch(v2, 8, "<I", 0xFFFFFFF0),
        "header length 4294967280 runs past end of file",
    )
    v.raw("bad/npy_empty_file.npy", "npy", b"", "not an npy file")
    v.raw("bad/npy_bad_magic.npy", "npy", b"\x94" + good[1:], "not an npy file")
    v.raw(
        "bad/npy_version_9.npy",
        "npy",
        patch(good, 6, "<B", 9),
        "unsupported npy format version 9.0",
    )
    claim = npy_rewrite_header(good, "(6,)", f"({2**59},)")
    v.raw("bad/npy_claims_2pow62_bytes.npy", "npy", claim, f"needs {2**62} bytes")
    v.raw(
        "bad/npy_shape_overflow.npy",
        "npy",
        npy_rewrite_header(good, "(6,)", f"({2**40}, {2**40})"),
        "overflows",
    )
    v.raw(
        "bad/npy_shape_mismatch.npy",
        "npy",
        npy_rewrite_header(good, "(6,)", "(2, 4)"),
        "needs 64 bytes but 48 follow",
    )
    v.raw(
        "bad/npy_extra_key.npy",
        "npy",
        npy_rewrite_header(good, "'shape'", "'extra': 1, 'shape'"),
        "unexpected key 'extra'",
    )
    v.raw(
        "bad/npy_missing_key.npy",
        "npy",
        npy_rewrite_header(good, "'fortran_order': False, ", ""),
        "missing key",
    )
    v.raw(
        "bad/npy_fortran_maybe.npy",
        "npy",
        npy_rewrite_header(good, "False", "'maybe'"),
        "expected True or False",
    )
    v.raw(
        "bad/npy_negative_dim.npy",
        "npy",
        npy_rewrite_header(good, "(6,)", "(-6,)"),
        "non-negative integer",
    )
    v.raw(
        "bad/npy_no_tuple_comma.npy",
        "npy",
        npy_rewrite_header(good, "(6,)", "(6)"),
        "trailing comma",
    )
    v.raw(
        "bad/npy_bad_byteorder.npy",
        "npy",
        npy_rewrite_header(good, "'<i8'", "'|i8'"),
        "invalid byte-order mark",
    )
    v.raw("bad/npy_complex.npy", "npy", npy_bytes(np.array([1 + 2j])), "unsupported dtype '<c16'")
    v.raw(
        "bad/npy_object.npy",
        "npy",
        npy_bytes(np.array([1, "a"], dtype=object)),
        "unsupported dtype '|O'",
    )
    rec = np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8")])
    v.raw("bad/npy_structured.npy", "npy", npy_bytes(rec), "structured")
    bools = npy_bytes(np.array([True, False, True]))
    v.raw("bad/npy_bool_byte_2.npy", "npy", bools[:-1] + b"\x02", "bool byte 2 at flat index 2")


def corrupt_safetensors(v: Vectors) -> None:
    save_file(
        {"a": np.arange(2, dtype=np.int64), "b": np.arange(3, dtype=np.int64)},
        str(v._path("bad/.st_src.safetensors")),
    )
    src = v.root / "bad/.st_src.safetensors"
    good = src.read_bytes()
    src.unlink()
    header, data = json_header(good)
    v.raw(
        "bad/st_header_2pow62.safetensors",
        "safetensors",
        patch(good, 0, "<Q", 2**62),
        f"header length {2**62} exceeds",
    )
    v.raw(
        "bad/st_header_past_eof.safetensors",
        "safetensors",
        patch(good, 0, "<Q", len(good)),
        "runs past end of file",
    )
    v.raw(
        "bad/st_tiny.safetensors", "safetensors", good[:5], "shorter than the 8-byte header length"
    )
    v.raw("bad/st_truncated.safetensors", "safetensors", good[:-4], "beyond the 36 data bytes")

    def mutated(file: str, error: str, **changes: Any) -> None:
        h = json.loads(json.dumps(header))
        for key, value in changes.items():
            name, field = key.split("__")
            h[name][field] = value
        v.raw(file, "safetensors", safetensors_with(h, data), error)

    mutated("bad/st_overlap.safetensors", "overlap", b__data_offsets=[8, 32])
    mutated("bad/st_gap.safetensors", "gap in data", a__data_offsets=[0, 8], a__shape=[1])
    mutated("bad/st_shape_mismatch.safetensors", "does not match data_offsets", b__shape=[4])
    mutated("bad/st_shape_overflow.safetensors", "overflows", b__shape=[2**40, 2**40])
    mutated("bad/st_unknown_dtype.safetensors", 'unknown dtype "Q4"', a__dtype="Q4")
    mutated("bad/st_reversed.safetensors", "reversed", a__data_offsets=[16, 0])
    mutated("bad/st_extra_field.safetensors", 'unexpected key "offset"', a__offset=3)
    mutated("bad/st_negative_dim.safetensors", "not a non-negative integer", a__shape=[-2])
    text = json.dumps(header, separators=(",", ":"))
    v.raw(
        "bad/st_bad_json.safetensors",
        "safetensors",
        safetensors_with(text[:-3], data),
        "invalid JSON header",
    )
    dup = text[:-1] + ',"a":' + json.dumps(header["a"]) + "}"
    v.raw(
        "bad/st_duplicate_key.safetensors",
        "safetensors",
        safetensors_with(dup, data),
        'duplicate key "a"',
    )
    meta = dict(header, __metadata__={"k": 1})
    v.raw(
        "bad/st_metadata_not_string.safetensors",
        "safetensors",
        safetensors_with(meta, data),
        "is not a string",
    )
    bad_utf8 = b'{"\xff":{}}'
    v.raw(
        "bad/st_not_utf8.safetensors",
        "safetensors",
        struct.pack("<Q", len(bad_utf8)) + bad_utf8 + data,
        "not valid UTF-8",
    )


def corrupt_npz(v: Vectors) -> None:
    arrays = {"a": np.arange(6, dtype=np.int64), "b": np.arange(1000, dtype=np.int64) % 7}
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    stored = buf.getvalue()
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)  # type: ignore[arg-type]
    deflated = buf.getvalue()
    v.raw(
        "bad/npz_truncated.npz",
        "npz",
        stored[: len(stored) // 2],
        "end of central directory not found",
    )
    v.raw("bad/npz_empty_file.npz", "npz", b"", "end of central directory not found")
    inner = stored.replace(b"'shape': (6,)", b"'shape': (7,)", 1)
    v.raw("bad/npz_inner_shape_lie.npz", "npz", inner, "[a.npy]: data truncated")
    cd = zip_central_entries(deflated)
    v.raw(
        "bad/npz_deflated_size_lie.npz",
        "npz",
        patch(deflated, cd[1] + 24, "<I", 0x7FFFFFF0),
        "is impossible for",
    )
    (size,) = struct.unpack("<I", deflated[cd[1] + 24 : cd[1] + 28])
    v.raw(
        "bad/npz_deflated_size_short.npz",
        "npz",
        patch(deflated, cd[1] + 24, "<I", size - 8),
        "data truncated",
    )
    (crc,) = struct.unpack("<I", deflated[cd[1] + 16 : cd[1] + 20])
    v.raw(
        "bad/npz_deflated_crc.npz",
        "npz",
        patch(deflated, cd[1] + 16, "<I", crc ^ 1),
        "CRC-32 mismatch",
    )
    data_at = stored.index(b"\x05\x00\x00\x00\x00\x00\x00\x00")  # a[5], inside entry a.npy
    v.raw(
        "bad/npz_stored_crc.npz", "npz", patch(stored, data_at, "<B", 6), "[a.npy]: CRC-32 mismatch"
    )
    scd = zip_central_entries(stored)
    v.raw("bad/npz_encrypted.npz", "npz", patch(stored, scd[0] + 8, "<H", 1), "is encrypted")
    v.raw(
        "bad/npz_offset_past_cd.npz",
        "npz",
        patch(stored, scd[1] + 42, "<I", 0x7FFFFFF0),
        "no local header",
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "not an array")
    v.raw(
        "bad/npz_not_npy_entry.npz",
        "npz",
        buf.getvalue(),
        "entry 'readme.txt' is not an .npy array",
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_BZIP2) as zf:
        zf.writestr("a.npy", npy_bytes(np.arange(3)))
    v.raw("bad/npz_bzip2.npz", "npz", buf.getvalue(), "compression method 12")


def main(outdir: Path) -> None:
    root = outdir / "core"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    v = Vectors(root)
    good_npy(v)
    good_npz(v)
    good_safetensors(v)
    big_sparse(v)
    corrupt_npy(v)
    corrupt_safetensors(v)
    corrupt_npz(v)
    manifest = {"format": 1, "vectors": v.entries}
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(v.entries)} core vectors to {root}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_vectors.py OUTDIR")
    main(Path(sys.argv[1]))
