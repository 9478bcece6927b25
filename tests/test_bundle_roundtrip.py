"""bundle -> read_bundle in all three encodings: exact values, manifest, narrowing, refusals."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import save_file

from jvmready import bundle, read_bundle
from jvmready.bundle import FORMATS, Manifest
from jvmready.errors import InputFileError, JvmreadyError, NarrowingError
from tests.helpers import make_model

FORMAT_NAMES = list(FORMATS)
EXT = {"safetensors": ".safetensors", "protobuf": ".pb", "avro": ".avro"}


def edge_arrays() -> dict[str, npt.NDArray[np.generic]]:
    return {
        "i32": np.array([-(2**31), -1, 0, 2**31 - 1], dtype=np.int32),
        "i64": np.array([[2**31 + 5, -(2**31) - 1], [2**63 - 1, -(2**63)]], dtype=np.int64),
        "scalar": np.array(-7, dtype=np.int64),
        "empty": np.zeros((0, 4), dtype=np.float32),
        "f32": np.array([np.nan, np.inf, -np.inf, -0.0, 1e-45], dtype=np.float32),
        "f64": np.array([5e-324, -1.5e308], dtype=np.float64),
        "u64": np.array([2**64 - 1, 0], dtype=np.uint64),
        "f16": np.array([65504, -0.0], dtype=np.float16),
        "b": np.array([[True, False]]),
        "big_endian": np.array([1, 2**40], dtype=">i8"),
        "fortran": np.asfortranarray(np.arange(6, dtype=np.int64).reshape(2, 3) - 2**40),
    }


def same(a: npt.NDArray[np.generic], b: npt.NDArray[np.generic]) -> bool:
    """Equal shape, dtype (ignoring byte order) and bytes: NaN payloads and -0.0 included."""
    little = a.dtype.newbyteorder("<")
    return (
        a.shape == b.shape
        and little == b.dtype.newbyteorder("<")
        and np.ascontiguousarray(a, dtype=little).tobytes()
        == np.ascontiguousarray(b, dtype=little).tobytes()
    )


@pytest.fixture
def npz(tmp_path: Path) -> Path:
    path = tmp_path / "model.npz"
    np.savez(path, **edge_arrays())  # type: ignore[arg-type]
    return path


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_round_trip_is_exact_with_manifest(npz: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out{EXT[fmt]}"
    report = bundle(
        npz,
        out,
        format=fmt,
        model_name="iris",
        class_labels=["setosa", "versicolor", "virginica ✓"],
        feature_names=["sepal length"],
        roles={"i64": "ids"},
    )
    assert report.format == fmt and report.size == out.stat().st_size > 0
    assert {t.name: t.dtype for t in report.tensors}["big_endian"] == "INT64"
    loaded = read_bundle(out)
    assert loaded.format == fmt
    assert loaded.manifest == Manifest(
        model_name="iris",
        roles={"i64": "ids"},
        class_labels=("setosa", "versicolor", "virginica ✓"),
        feature_names=("sepal length",),
        producers=report.manifest.producers,
    )
    assert loaded.manifest.producers["numpy"] == np.__version__
    expected = edge_arrays()
    assert set(loaded.tensors) == set(expected)
    for name, array in expected.items():
        assert same(array, loaded.tensors[name]), name


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_narrow_turns_fitting_int64_into_int32_and_keeps_named(tmp_path: Path, fmt: str) -> None:
    src = tmp_path / "w.npz"
    ids = np.asfortranarray([[0, 2**31 - 1], [-(2**31), 5]])
    np.savez(src, ids=ids, big=np.array([2**40]), f=np.ones(2))
    out = tmp_path / f"n{EXT[fmt]}"
    report = bundle(src, out, format=fmt, narrow=True, keep=["big"])
    narrowed = {t.name: t.narrowed for t in report.tensors}
    assert narrowed == {"ids": True, "big": False, "f": False}
    tensors = read_bundle(out).tensors
    assert tensors["ids"].dtype == np.int32
    assert tensors["ids"].tolist() == [[0, 2**31 - 1], [-(2**31), 5]]
    assert tensors["big"].dtype == np.int64 and tensors["big"].tolist() == [2**40]


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_narrow_refuses_a_value_that_does_not_fit_and_writes_nothing(
    tmp_path: Path, fmt: str
) -> None:
    src = tmp_path / "w.npz"
    np.savez(src, ids=np.array([[1, 2], [2**31, 3]]))
    out = tmp_path / f"n{EXT[fmt]}"
    with pytest.raises(NarrowingError) as e:
        bundle(src, out, format=fmt, narrow=True)
    assert (e.value.tensor, e.value.index, e.value.value) == ("ids", 2, 2**31)
    assert "--keep ids" in str(e.value)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]  # no temporary file left behind


def test_existing_output_survives_a_refused_bundle(tmp_path: Path) -> None:
    src = tmp_path / "w.npy"
    np.save(src, np.array([2**33]))
    out = tmp_path / "o.pb"
    out.write_bytes(b"precious")
    with pytest.raises(NarrowingError):
        bundle(src, out, format="protobuf", narrow=True)
    assert out.read_bytes() == b"precious"


@pytest.mark.parametrize(
    "source",
    ["npy", "safetensors", "onnx"],
)
def test_sources_other_than_npz(tmp_path: Path, source: str) -> None:
    ids = np.array([[3, 2**35]], dtype=np.int64)
    w = np.array([0.5, -0.0], dtype=np.float32)
    if source == "npy":
        src = tmp_path / "ids.npy"
        np.save(src, ids)
        want = {"ids": ids}
    elif source == "safetensors":
        src = tmp_path / "m.safetensors"
        save_file({"ids": ids, "w": w}, str(src))
        want = {"ids": ids, "w": w}
    else:
        src = tmp_path / "m.onnx"
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])
        model = make_model(
            [helper.make_node("Add", ["x", "w"], ["y"])],
            [x],
            [y],
            [numpy_helper.from_array(w, "w"), numpy_helper.from_array(ids, "ids")],
        )
        src.write_bytes(model.SerializeToString())
        want = {"w": w, "ids": ids}
    out = tmp_path / "out.avro"
    bundle(src, out, format="avro")
    got = read_bundle(out)
    assert got.manifest.model_name == src.stem
    assert set(got.tensors) == set(want)
    for name, array in want.items():
        assert same(array, got.tensors[name]), name


def test_refusals_are_one_line_and_name_the_problem(npz: Path, tmp_path: Path) -> None:
    with pytest.raises(JvmreadyError, match="refusing to overwrite the input"):
        bundle(npz, npz)
    with pytest.raises(JvmreadyError, match="unknown bundle format 'json'"):
        bundle(npz, tmp_path / "o.json", format="json")
    with pytest.raises(JvmreadyError, match=r"--keep names 'nope', not a tensor"):
        bundle(npz, tmp_path / "o.pb", format="protobuf", narrow=True, keep=["nope"])
    with pytest.raises(JvmreadyError, match=r"--role names 'ghost'"):
        bundle(npz, tmp_path / "o.pb", roles={"ghost": "weights"})
    with pytest.raises(InputFileError, match="no such file"):
        bundle(tmp_path / "missing.npz", tmp_path / "o.pb")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(InputFileError, match=r"cannot bundle \.txt files"):
        bundle(text, tmp_path / "o.pb")
    complex_src = tmp_path / "c.npy"
    np.save(complex_src, np.array([1 + 2j]))
    with pytest.raises(JvmreadyError, match="tensor 'c': dtype complex128 cannot go in a bundle"):
        bundle(complex_src, tmp_path / "o.pb", format="protobuf")
    assert not (tmp_path / "o.pb").exists()


def test_read_refuses_plain_safetensors_and_unknown_files(tmp_path: Path) -> None:
    plain = tmp_path / "plain.safetensors"
    save_file({"x": np.zeros(2, np.float32)}, str(plain))
    with pytest.raises(InputFileError, match=r"no jvmready\.manifest metadata"):
        read_bundle(plain)
    junk = tmp_path / "junk.dat"
    junk.write_bytes(b"\x00" * 40)
    with pytest.raises(InputFileError, match="not a jvmready bundle"):
        read_bundle(junk)


@settings(max_examples=25, deadline=None)
@given(
    array=hnp.arrays(
        dtype=st.sampled_from([np.int64, np.int32, np.uint16, np.float32, np.float64]),
        shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
    ),
    fmt=st.sampled_from(FORMAT_NAMES),
)
def test_any_array_round_trips_bit_exactly(
    tmp_path_factory: pytest.TempPathFactory, array: npt.NDArray[np.generic], fmt: str
) -> None:
    d = tmp_path_factory.mktemp("prop")
    np.save(d / "a.npy", array)
    bundle(d / "a.npy", d / f"a{EXT[fmt]}", format=fmt)
    assert same(array, read_bundle(d / f"a{EXT[fmt]}").tensors["a"])


@settings(max_examples=25, deadline=None)
@given(
    values=hnp.arrays(
        dtype=np.int64,
        shape=st.integers(1, 20),
        elements=st.integers(-(2**31) - 3, 2**31 + 2),
    ),
    fmt=st.sampled_from(FORMAT_NAMES),
)
def test_narrowing_is_exact_or_refused_at_the_first_misfit(
    tmp_path_factory: pytest.TempPathFactory, values: npt.NDArray[np.int64], fmt: str
) -> None:
    d = tmp_path_factory.mktemp("narrow")
    np.save(d / "v.npy", values)
    out = d / f"v{EXT[fmt]}"
    misfits = np.flatnonzero((values < -(2**31)) | (values > 2**31 - 1))
    if misfits.size:
        with pytest.raises(NarrowingError) as e:
            bundle(d / "v.npy", out, format=fmt, narrow=True)
        assert e.value.index == int(misfits[0]) and e.value.value == int(values[misfits[0]])
        assert not out.exists()
    else:
        bundle(d / "v.npy", out, format=fmt, narrow=True)
        got = read_bundle(out).tensors["v"]
        assert got.dtype == np.int32 and got.tolist() == values.tolist()


def test_missing_generated_protobuf_code_is_one_line_pointing_to_make(
    npz: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "jvmready.bundle._generated", None)  # as if make never ran
    monkeypatch.delitem(sys.modules, "jvmready.bundle._generated.bundle_pb2", raising=False)
    with pytest.raises(JvmreadyError, match="protobuf bundle support is not built: run make"):
        bundle(npz, tmp_path / "o.pb", format="protobuf")
    assert not (tmp_path / "o.pb").exists()
