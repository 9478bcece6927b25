"""Write jvmready bundles in all three encodings, plus corrupt ones, for the Java reader tests.

Usage: ``python tests/vectors/make_bundles.py OUTDIR`` writes ``OUTDIR/bundles/``:

- ``edge.safetensors``, ``edge.pb``, ``edge.avro``: the same edge-value tensors (int32 min/max,
  int64 beyond int32, empty, 0-d, float32 specials...) and manifest, written by ``bundle``;
- ``narrowed.<ext>``: ``bundle --narrow`` of int64 tensors that fit int32 (now INT32);
- corrupt files (truncated, size mismatch, unknown dtype, bad magic, newer format...);
- ``expected.json``: the manifest, every tensor's dtype/shape/values (as decimal strings, floats
  in Java's spelling) and, per corrupt file, the text its refusal must contain.

Java and Python tests both read these files and assert exact values and exact failures.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import fastavro
import numpy as np
import numpy.typing as npt

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))

from jvmready.bundle import bundle  # noqa: E402
from jvmready.bundle._generated import bundle_pb2  # noqa: E402

EXTENSIONS = {"safetensors": "safetensors", "protobuf": "pb", "avro": "avro"}
LABELS = ["cat", "dog", "naïve ✓"]
FEATURES = ["sepal length (cm)", "petal width (cm)"]
ROLES = {"i64_wide": "ids", "f32_special": "weights"}


def edge_arrays() -> dict[str, npt.NDArray[np.generic]]:
    """Values at and beyond every width boundary a Java reader can get wrong."""
    return {
        "i32_edges": np.array([-(2**31), -1, 0, 1, 2**31 - 1], dtype=np.int32),
        "i64_wide": np.array([[2**31 + 5, -(2**31) - 1], [2**63 - 1, -(2**63)]], dtype=np.int64),
        "i64_small": np.array([[1, 2, 3], [4, -5, 2**31 - 1]], dtype=np.int64),
        "scalar": np.array(42, dtype=np.int64),
        "empty": np.zeros((0, 3), dtype=np.float32),
        "f32_special": np.array(
            [np.nan, np.inf, -np.inf, -0.0, 1e-45, 3.4028235e38, 0.1], dtype=np.float32
        ),
        "f64": np.array([0.1, -2.5e300, 5e-324], dtype=np.float64),
        "u8": np.array([0, 255], dtype=np.uint8),
        "i8": np.array([-128, 127], dtype=np.int8),
        "i16": np.array([-32768, 32767], dtype=np.int16),
        "flags": np.array([True, False, True]),
    }


def _java_value(x: object) -> str:
    if isinstance(x, float | np.floating):
        f = float(x)
        if np.isnan(f):
            return "NaN"
        if np.isinf(f):
            return "Infinity" if f > 0 else "-Infinity"
        return repr(f)
    return str(int(str(x) == "True") if isinstance(x, bool | np.bool_) else x)


def describe(a: npt.NDArray[np.generic], dtype: str) -> dict[str, object]:
    return {
        "dtype": dtype,
        "shape": list(a.shape),
        "values": [_java_value(v) for v in a.reshape(-1).tolist()],
    }


def _pb_bundle(**tensor: object) -> bytes:
    message = bundle_pb2.Bundle(magic="jvmready.bundle")
    message.manifest.format_version = 1
    message.manifest.model_name = "corrupt"
    message.tensors.add(**tensor)
    return message.SerializeToString()


def _avro_bundle(path: Path, schema_path: Path, **tensor: object) -> None:
    schema = fastavro.parse_schema(json.loads(schema_path.read_text()))
    manifest = {
        "format_version": 1,
        "model_name": "corrupt",
        "roles": {},
        "class_labels": [],
        "feature_names": [],
        "producers": {},
    }
    with path.open("wb") as f:
        fastavro.writer(f, schema, [{"manifest": manifest, "tensors": [tensor]}])


def _safetensors_raw(header: dict[str, object], data: bytes) -> bytes:
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text + data


def _zigzag(n: int) -> bytes:
    """Avro's long encoding, to plant a lying length in an otherwise valid file."""
    n = (n << 1) ^ (n >> 63)
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _replace_varint(data: bytes, at: int, value: bytes) -> bytes:
    end = at
    while data[end] & 0x80:
        end += 1
    return data[:at] + value + data[end + 1 :]


def write_lying_lengths(out: Path) -> dict[str, str]:
    """Valid files with one length made huge: readers must refuse without allocating it."""
    avro = (out / "edge.avro").read_bytes()
    schema_len_at = avro.index(b"avro.schema") + len(b"avro.schema")
    (out / "lying_header.avro").write_bytes(_replace_varint(avro, schema_len_at, _zigzag(2**30)))
    block_at = avro.index(avro[-16:]) + 16 + 1  # after the header's sync marker and the count
    (out / "lying_block.avro").write_bytes(_replace_varint(avro, block_at, _zigzag(2**31 - 2)))
    message = bundle_pb2.Bundle(magic="jvmready.bundle")
    message.manifest.format_version = 1
    message.tensors.add(name="t", dtype=bundle_pb2.INT8, shape=[1], data=b"\x01")
    pb = message.SerializeToString()
    # The last field is data (field 4, length 1): claim 2**30 bytes instead.
    (out / "lying_length.pb").write_bytes(pb[:-2] + bytes([0x80, 0x80, 0x80, 0x80, 0x04]) + b"\x01")
    return {
        "lying_header.avro": "not a valid Avro bundle",
        "lying_block.avro": "not a valid Avro bundle",
        "lying_length.pb": "not a valid protobuf bundle",
    }


def write_corrupt(out: Path) -> dict[str, str]:
    """Corrupt bundles, and the text each refusal must contain (Python and Java alike)."""
    expect: dict[str, str] = {}
    schema_path = REPO / "src" / "jvmready" / "schemas" / "bundle.avsc"
    for ext in EXTENSIONS.values():
        whole = (out / f"edge.{ext}").read_bytes()
        (out / f"truncated.{ext}").write_bytes(whole[: len(whole) // 2])
    expect["truncated.pb"] = "not a valid protobuf bundle"
    expect["truncated.avro"] = "not a valid Avro bundle"
    header_length = int.from_bytes((out / "edge.safetensors").read_bytes()[:8], "little")
    expect["truncated.safetensors"] = f"header length {header_length}"

    mismatch = "tensor 'bad': data has 12 bytes, INT64 shape [2, 2] needs 32"
    (out / "size_mismatch.pb").write_bytes(
        _pb_bundle(name="bad", dtype=bundle_pb2.INT64, shape=[2, 2], data=b"\0" * 12)
    )
    expect["size_mismatch.pb"] = mismatch
    _avro_bundle(
        out / "size_mismatch.avro",
        schema_path,
        name="bad",
        dtype="INT64",
        shape=[2, 2],
        data=b"\0" * 12,
    )
    expect["size_mismatch.avro"] = mismatch
    meta = {"__metadata__": {"jvmready.manifest": json.dumps({"format_version": 1})}}
    (out / "size_mismatch.safetensors").write_bytes(
        _safetensors_raw(
            {**meta, "bad": {"dtype": "I64", "shape": [2, 2], "data_offsets": [0, 12]}},
            b"\0" * 12,
        )
    )
    expect["size_mismatch.safetensors"] = "tensor 'bad'"

    (out / "overflow_shape.pb").write_bytes(
        _pb_bundle(name="bad", dtype=bundle_pb2.INT64, shape=[2**40, 2**40], data=b"\0" * 8)
    )
    expect["overflow_shape.pb"] = "tensor 'bad': data has 8 bytes, INT64 shape"
    (out / "negative_shape.pb").write_bytes(
        _pb_bundle(name="bad", dtype=bundle_pb2.INT64, shape=[-1], data=b"")
    )
    expect["negative_shape.pb"] = "tensor 'bad': negative dimension in shape [-1]"
    (out / "unknown_dtype.pb").write_bytes(
        _pb_bundle(name="bad", dtype=99, shape=[1], data=b"\0" * 8)
    )
    expect["unknown_dtype.pb"] = "tensor 'bad': unknown dtype 99"
    (out / "unknown_dtype.safetensors").write_bytes(
        _safetensors_raw(
            {**meta, "bad": {"dtype": "I128", "shape": [1], "data_offsets": [0, 16]}}, b"\0" * 16
        )
    )
    expect["unknown_dtype.safetensors"] = "tensor 'bad': unknown dtype"

    bad_magic = bundle_pb2.Bundle(magic="nope")
    bad_magic.manifest.format_version = 1
    (out / "bad_magic.pb").write_bytes(bad_magic.SerializeToString())
    expect["bad_magic.pb"] = "not a jvmready protobuf bundle"
    newer = bundle_pb2.Bundle(magic="jvmready.bundle")
    newer.manifest.format_version = 99
    (out / "newer_version.pb").write_bytes(newer.SerializeToString())
    expect["newer_version.pb"] = "bundle format version 99 is newer"
    (out / "not_a_bundle.bin").write_bytes(b"\x00\x01hello, not a bundle at all\n")
    expect["not_a_bundle.bin"] = "not a jvmready bundle"
    (out / "no_manifest.safetensors").write_bytes(
        _safetensors_raw({"x": {"dtype": "I32", "shape": [1], "data_offsets": [0, 4]}}, b"\1\0\0\0")
    )
    expect["no_manifest.safetensors"] = "no jvmready.manifest metadata"
    other = {"type": "record", "name": "Other", "fields": [{"name": "x", "type": "int"}]}
    with (out / "wrong_schema.avro").open("wb") as f:
        fastavro.writer(f, fastavro.parse_schema(other), [{"x": 1}])
    expect["wrong_schema.avro"] = "not a jvmready Avro bundle (its schema is Other)"
    expect.update(write_lying_lengths(out))
    return expect


def main(outdir: Path) -> None:
    out = outdir / "bundles"
    out.mkdir(parents=True, exist_ok=True)
    arrays = edge_arrays()
    src = out / "edge_source.npz"
    np.savez(src, **arrays)  # type: ignore[arg-type]
    small = out / "small_source.npz"
    np.savez(small, ids=np.array([[0, 7], [2**31 - 1, -(2**31)]]), w=np.ones(2, np.float32))
    bundles: dict[str, dict[str, object]] = {}
    for fmt, ext in EXTENSIONS.items():
        report = bundle(
            src,
            out / f"edge.{ext}",
            format=fmt,
            model_name="edge-model",
            class_labels=LABELS,
            feature_names=FEATURES,
            roles=ROLES,
        )
        dtypes = {t.name: t.dtype for t in report.tensors}
        bundles[f"edge.{ext}"] = {
            "format": fmt.upper(),
            "manifest": report.manifest.to_dict(),
            "tensors": {k: describe(v, dtypes[k]) for k, v in arrays.items()},
        }
        report = bundle(small, out / f"narrowed.{ext}", format=fmt, narrow=True, keep=["w"])
        with np.load(small) as z:
            bundles[f"narrowed.{ext}"] = {
                "format": fmt.upper(),
                "manifest": report.manifest.to_dict(),
                "tensors": {t.name: describe(z[t.name], t.dtype) for t in report.tensors},
            }
    corrupt = write_corrupt(out)
    expected = {"bundles": bundles, "corrupt": corrupt}
    (out / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False))
    print(f"wrote {len(bundles)} bundles and {len(corrupt)} corrupt files to {out}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_bundles.py OUTDIR")
    main(Path(sys.argv[1]))
