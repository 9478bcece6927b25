"""``.npy`` check/fix: orders, byte orders, 0-d, empty, refusals, lying headers."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from jvmready.errors import InputFileError, NarrowingError
from jvmready.formats import FixOptions, for_path
from jvmready.targets import get_target
from jvmready.weights.npy import NpyFormat
from tests.helpers import run_cli

FMT = NpyFormat()
INT32 = get_target("int32")


def _roundtrip(tmp_path: Path, a: np.ndarray) -> np.ndarray:
    src, dst = tmp_path / "in.npy", tmp_path / "out.npy"
    np.save(src, a)
    FMT.fix_file(src, dst, FixOptions())
    return np.load(dst)


@pytest.mark.parametrize(
    "array",
    [
        np.arange(12, dtype=np.int64).reshape(3, 4),
        np.asfortranarray(np.arange(-6, 6, dtype=np.int64).reshape(3, 4)),
        np.arange(5, dtype=">i8"),
        np.array(-7, dtype=np.int64),
        np.zeros((0, 3), dtype=np.int64),
        np.array([0, 2**31 - 1], dtype=np.uint64),
        np.array([-(2**31), 2**31 - 1], dtype=np.int64),
    ],
    ids=["c-order", "fortran", "big-endian", "0-d", "empty", "uint64", "int32-limits"],
)
def test_fix_narrows_every_layout(tmp_path: Path, array: np.ndarray) -> None:
    out = _roundtrip(tmp_path, array)
    assert out.dtype == np.int32
    assert out.shape == array.shape
    assert np.array_equal(out, array)


def test_fortran_order_is_kept(tmp_path: Path) -> None:
    a = np.asfortranarray(np.arange(6, dtype=np.int64).reshape(2, 3))
    out = _roundtrip(tmp_path, a)
    assert out.flags.f_contiguous and not out.flags.c_contiguous


def test_check_lists_range_and_fit(tmp_path: Path) -> None:
    p = tmp_path / "ids.npy"
    np.save(p, np.array([[3, -9], [2**31 + 5, 0]], dtype=np.int64))
    report = FMT.check(p, INT32)
    (t,) = report.tensors
    assert (t.name, t.dtype, t.shape) == ("ids", "int64", (2, 2))
    assert (t.range.min, t.range.max, t.range.fits_int32) == (-9, 2**31 + 5, False)
    (f,) = report.findings
    assert f.rule == "JR302" and f.severity.name == "ERROR"


def test_fix_refuses_with_name_index_value(tmp_path: Path) -> None:
    src, dst = tmp_path / "t.npy", tmp_path / "o.npy"
    np.save(src, np.array([[1, 2], [3, 2**31 + 5]], dtype=np.int64))
    with pytest.raises(NarrowingError) as e:
        FMT.fix_file(src, dst, FixOptions())
    assert (e.value.tensor, e.value.index, e.value.value) == ("t", 3, 2**31 + 5)
    assert not dst.exists()


def test_fortran_refusal_index_is_c_order(tmp_path: Path) -> None:
    src = tmp_path / "f.npy"
    a = np.asfortranarray(np.array([[1, 2**40], [3, 4]], dtype=np.int64))
    np.save(src, a)
    with pytest.raises(NarrowingError) as e:
        FMT.fix_file(src, tmp_path / "o.npy", FixOptions())
    assert (e.value.index, e.value.value) == (1, 2**40)  # C order: row 0, column 1


def test_streams_past_the_first_chunk(tmp_path: Path) -> None:
    src = tmp_path / "big.npy"
    a = np.arange(3_000_000, dtype=np.int64)
    a[2_500_001] = -(2**33)
    np.save(src, a)
    with FMT.open(src) as c:
        assert isinstance(c.arrays[0].array, np.memmap)  # mapped, not read
    with pytest.raises(NarrowingError) as e:
        FMT.fix_file(src, tmp_path / "o.npy", FixOptions())
    assert (e.value.index, e.value.value) == (2_500_001, -(2**33))


def test_keep_leaves_array_alone(tmp_path: Path) -> None:
    src, dst = tmp_path / "k.npy", tmp_path / "o.npy"
    a = np.array([2**40], dtype=np.int64)
    np.save(src, a)
    report = FMT.fix_file(src, dst, FixOptions(keep=frozenset({"k"})))
    assert report.changes == ()
    out = np.load(dst)
    assert out.dtype == np.int64 and out[0] == 2**40


def test_never_overwrites_input(tmp_path: Path) -> None:
    src = tmp_path / "x.npy"
    np.save(src, np.arange(3))
    before = src.read_bytes()
    with pytest.raises(Exception, match="refusing to overwrite"):
        FMT.fix_file(src, src, FixOptions())
    assert src.read_bytes() == before


def _npy_with_header(header: bytes, data: bytes = b"") -> bytes:
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + data


def test_lying_header_is_one_line(tmp_path: Path) -> None:
    p = tmp_path / "lie.npy"
    p.write_bytes(
        _npy_with_header(
            b"{'descr': '<i8', 'fortran_order': False, 'shape': (10000000000000,), }", b"\0" * 16
        )
    )
    with pytest.raises(InputFileError, match="declares int64"):
        FMT.check(p, INT32)
    r = run_cli("check", p)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "truncated or the header is corrupt" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(
    "content, problem",
    [
        (_npy_with_header(b"{'descr': '|O', 'fortran_order': False, 'shape': (2,), }"), "objects"),
        (_npy_with_header(b"{'descr': '<i8', 'shape': (2,), }"), "not a valid .npy header"),
        (b"\x93NUMPY\x09\x00garbage", "not a valid .npy header"),
        (b"not an npy file", "not a valid .npy header"),
    ],
    ids=["object-dtype", "missing-key", "bad-version", "no-magic"],
)
def test_bad_files_are_refused(tmp_path: Path, content: bytes, problem: str) -> None:
    p = tmp_path / "bad.npy"
    p.write_bytes(content)
    with pytest.raises(InputFileError, match=problem):
        FMT.check(p, INT32)


def test_cli_check_and_fix(tmp_path: Path) -> None:
    src, dst = tmp_path / "w.npy", tmp_path / "w32.npy"
    np.save(src, np.array([1, 2, 2**31 + 5], dtype=np.int64))
    r = run_cli("fix", src, "-o", dst)
    assert r.returncode == 1
    assert "'w'" in r.stderr and "2147483653" in r.stderr and "index 2" in r.stderr
    assert not dst.exists()
    np.save(src, np.array([1, 2, 3], dtype=np.int64))
    r = run_cli("fix", src, "-o", dst)
    assert r.returncode == 0, r.stderr
    assert np.load(dst).dtype == np.int32
    assert np.array_equal(np.load(dst), [1, 2, 3])


def test_registered_for_npy(tmp_path: Path) -> None:
    p = tmp_path / "a.npy"
    np.save(p, np.arange(2))
    assert for_path(p).name == "npy"


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(
        dtype=st.sampled_from([np.dtype("<i8"), np.dtype(">i8"), np.dtype("<u8")]),
        shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5),
        elements=st.integers(0, 2**31 - 1),
    ),
    st.booleans(),
)
def test_property_fix_preserves_values(array: np.ndarray, fortran: bool) -> None:
    import tempfile

    if fortran:
        array = np.asfortranarray(array)
    with tempfile.TemporaryDirectory() as d:
        out = _roundtrip(Path(d), array)
        assert out.dtype == np.int32 and out.shape == array.shape
        assert np.array_equal(out, array)
