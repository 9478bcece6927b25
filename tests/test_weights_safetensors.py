"""``.safetensors`` check/fix: metadata kept, header validation, refusals, raw dtypes."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

from jvmready.errors import InputFileError, NarrowingError
from jvmready.formats import FixOptions
from jvmready.targets import get_target
from jvmready.weights.safetensors_file import SafetensorsFormat, read_header
from tests.helpers import run_cli

FMT = SafetensorsFormat()
TENSORS = {
    "ids": np.arange(10, dtype=np.int64).reshape(2, 5),
    "w": np.ones((3, 3), np.float32),
    "s": np.array(5, dtype=np.int64),
    "e": np.zeros((0,), np.int64),
    "u": np.array([3, 2**31 - 1], np.uint64),
    "h": np.ones(4, np.float16),
}


def _raw(header: dict[str, object], data: bytes) -> bytes:
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + data


def test_fix_keeps_metadata_and_values(tmp_path: Path) -> None:
    src, dst = tmp_path / "m.safetensors", tmp_path / "o.safetensors"
    save_file(TENSORS, str(src), metadata={"format": "pt", "note": "x"})
    report = FMT.fix_file(src, dst, FixOptions())
    assert {c.name for c in report.changes} == {"ids", "s", "e", "u"}
    out = load_file(str(dst))  # the reference reader accepts what we wrote
    for name, a in TENSORS.items():
        assert np.array_equal(out[name], a)
        assert out[name].dtype == (a.dtype if a.dtype.kind == "f" else np.int32)
    with safe_open(str(dst), "np") as f:
        assert f.metadata() == {"format": "pt", "note": "x"}


def test_check_reports_range_and_metadata(tmp_path: Path) -> None:
    p = tmp_path / "m.safetensors"
    save_file({"big": np.array([-(2**40), 1], np.int64)}, str(p), metadata={"k": "v"})
    report = FMT.check(p, get_target("int32"))
    (t,) = report.tensors
    assert (t.range.min, t.range.max, t.range.fits_int32) == (-(2**40), 1, False)
    assert report.extra == {"metadata": {"k": "v"}}
    with pytest.raises(NarrowingError) as e:
        FMT.fix_file(p, tmp_path / "o.safetensors", FixOptions())
    assert (e.value.tensor, e.value.index, e.value.value) == ("big", 0, -(2**40))


def test_raw_dtypes_are_copied_byte_exact(tmp_path: Path) -> None:
    src, dst = tmp_path / "bf.safetensors", tmp_path / "o.safetensors"
    header = {
        "b": {"dtype": "BF16", "shape": [2, 2], "data_offsets": [0, 8]},
        "i": {"dtype": "I64", "shape": [1], "data_offsets": [8, 16]},
    }
    src.write_bytes(_raw(header, bytes(range(8)) + struct.pack("<q", -7)))
    FMT.fix_file(src, dst, FixOptions())
    start, entries, _ = read_header(dst)
    assert entries["b"] == {"dtype": "BF16", "shape": [2, 2], "data_offsets": [0, 8]}
    assert entries["i"] == {"dtype": "I32", "shape": [1], "data_offsets": [8, 12]}
    assert dst.read_bytes()[start:] == bytes(range(8)) + struct.pack("<i", -7)


@pytest.mark.parametrize(
    "content, problem",
    [
        (struct.pack("<Q", 2**62) + b"{}", "header length"),
        (b"\x01\x02", "shorter than"),
        (_raw({"a": {"dtype": "I64", "shape": [4], "data_offsets": [0, 32]}}, b"\0" * 8), "cover"),
        (
            _raw({"a": {"dtype": "I64", "shape": [4], "data_offsets": [0, 8]}}, b"\0" * 8),
            "needs 32",
        ),
        (_raw({"a": {"dtype": "Q9", "shape": [1], "data_offsets": [0, 8]}}, b"\0" * 8), "dtype"),
        (
            _raw(
                {
                    "a": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]},
                    "b": {"dtype": "I64", "shape": [1], "data_offsets": [4, 12]},
                },
                b"\0" * 12,
            ),
            "overlap",
        ),
        (struct.pack("<Q", 4) + b"nope", "not JSON"),
    ],
    ids=["huge-length", "short", "past-end", "size-mismatch", "dtype", "overlap", "not-json"],
)
def test_corrupt_headers_are_one_line(tmp_path: Path, content: bytes, problem: str) -> None:
    p = tmp_path / "bad.safetensors"
    p.write_bytes(content)
    with pytest.raises(InputFileError, match=problem):
        FMT.check(p, get_target("ort-java"))


def test_cli_corrupt_exit_2(tmp_path: Path) -> None:
    p = tmp_path / "bad.safetensors"
    p.write_bytes(struct.pack("<Q", 2**62) + b"{}")
    r = run_cli("check", p)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "bad.safetensors" in r.stderr


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_property_garbage_is_refused_in_one_line(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "g.safetensors"
        p.write_bytes(struct.pack("<Q", len(data)) + data)
        try:
            report = FMT.check(p, get_target("ort-java"))
        except InputFileError as e:
            assert "g.safetensors: invalid safetensors header" in str(e)
        else:
            assert report.format == "safetensors"
