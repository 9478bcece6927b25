"""``.npz`` check/fix: stored and deflated members, --keep, refusals, corrupt archives."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from jvmready.errors import InputFileError, NarrowingError
from jvmready.formats import FixOptions
from jvmready.targets import get_target
from jvmready.weights.npz import NpzFormat
from tests.helpers import run_cli

FMT = NpzFormat()
ARRAYS = {
    "ids": np.arange(10, dtype=np.int64).reshape(2, 5),
    "fortran": np.asfortranarray(np.arange(6, dtype=np.int64).reshape(2, 3)),
    "weights": np.linspace(0, 1, 7, dtype=np.float32),
    "scalar": np.array(3, dtype=np.int64),
    "wide": np.array([1, 2**33], dtype=np.int64),
}


def _save(path: Path, compressed: bool) -> None:
    (np.savez_compressed if compressed else np.savez)(path, **ARRAYS)


@pytest.mark.parametrize("compressed", [False, True], ids=["stored", "deflated"])
def test_check_lists_every_int64_array(tmp_path: Path, compressed: bool) -> None:
    p = tmp_path / "a.npz"
    _save(p, compressed)
    report = FMT.check(p, get_target("int32"))
    got = {t.name: (t.range.min, t.range.max, t.range.fits_int32) for t in report.tensors}
    assert got == {
        "ids": (0, 9, True),
        "fortran": (0, 5, True),
        "scalar": (3, 3, True),
        "wide": (1, 2**33, False),
    }
    rules = {f.location.tensor: f.rule for f in report.findings}
    assert rules == {"ids": "JR301", "fortran": "JR301", "scalar": "JR301", "wide": "JR302"}


@pytest.mark.parametrize("compressed", [False, True], ids=["stored", "deflated"])
def test_fix_refuses_then_keeps(tmp_path: Path, compressed: bool) -> None:
    src, dst = tmp_path / "a.npz", tmp_path / "b.npz"
    _save(src, compressed)
    with pytest.raises(NarrowingError) as e:
        FMT.fix_file(src, dst, FixOptions())
    assert (e.value.tensor, e.value.index, e.value.value) == ("wide", 1, 2**33)
    assert not dst.exists()

    report = FMT.fix_file(src, dst, FixOptions(keep=frozenset({"wide"})))
    assert {c.name for c in report.changes} == {"ids", "fortran", "scalar"}
    with np.load(dst) as out:
        for name, a in ARRAYS.items():
            assert np.array_equal(out[name], a)
            expected = (
                np.int64 if name == "wide" else (np.float32 if a.dtype.kind == "f" else np.int32)
            )
            assert out[name].dtype == expected
        assert out["fortran"].flags.f_contiguous
    methods = {i.compress_type for i in zipfile.ZipFile(dst).infolist()}
    assert methods == {zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED}


def test_stored_members_are_memory_mapped(tmp_path: Path) -> None:
    p = tmp_path / "a.npz"
    _save(p, compressed=False)
    with FMT.open(p) as c:
        assert all(isinstance(a.array, np.memmap) for a in c.arrays if a.array.size)


def test_lying_member_header_is_refused(tmp_path: Path) -> None:
    header = b"{'descr': '<i8', 'fortran_order': False, 'shape': (100000000000,), }"
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    member = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + b"\0" * 8
    p = tmp_path / "lie.npz"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("x.npy", member)
    with pytest.raises(InputFileError, match="header declares"):
        FMT.check(p, get_target("ort-java"))
    r = run_cli("check", p)
    assert r.returncode == 2 and "header declares" in r.stderr and "Traceback" not in r.stderr


def test_truncated_archive_is_one_line(tmp_path: Path) -> None:
    good, bad = tmp_path / "a.npz", tmp_path / "t.npz"
    _save(good, compressed=True)
    bad.write_bytes(good.read_bytes()[:200])
    with pytest.raises(InputFileError, match=r"t\.npz"):
        FMT.check(bad, get_target("ort-java"))


def test_cli_fix_keep(tmp_path: Path) -> None:
    src, dst = tmp_path / "a.npz", tmp_path / "b.npz"
    _save(src, compressed=True)
    r = run_cli("fix", src, "-o", dst, "--keep", "wide")
    assert r.returncode == 0, r.stderr
    with np.load(dst) as out:
        assert out["ids"].dtype == np.int32 and out["wide"].dtype == np.int64


@settings(max_examples=30, deadline=None)
@given(
    st.dictionaries(
        st.text(alphabet="abcdefgh_", min_size=1, max_size=6),
        hnp.arrays(
            dtype=st.sampled_from([np.dtype("<i8"), np.dtype(">i8"), np.dtype("<f4")]),
            shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
            elements=st.integers(-(2**31), 2**31 - 1),
        ),
        min_size=1,
        max_size=4,
    ),
    st.booleans(),
)
def test_property_fix_preserves_every_member(
    arrays: dict[str, np.ndarray], compressed: bool
) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        src, dst = Path(d) / "a.npz", Path(d) / "b.npz"
        (np.savez_compressed if compressed else np.savez)(src, **arrays)
        FMT.fix_file(src, dst, FixOptions())
        with np.load(dst) as out:
            assert sorted(out.files) == sorted(arrays)
            for name, a in arrays.items():
                assert np.array_equal(out[name], a)
                assert out[name].dtype == (np.float32 if a.dtype.kind == "f" else np.int32)
