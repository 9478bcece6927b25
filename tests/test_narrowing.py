"""Property tests: narrowing never changes a value and always refuses what does not fit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from jvmready.errors import NarrowingError
from jvmready.narrowing import (
    INT32_MAX,
    INT32_MIN,
    first_out_of_int32,
    int_range,
    narrow_checked,
)

INT64 = st.integers(-(2**63), 2**63 - 1)
FITTING = st.integers(INT32_MIN, INT32_MAX)
OUTSIDE = st.one_of(st.integers(-(2**63), INT32_MIN - 1), st.integers(INT32_MAX + 1, 2**63 - 1))

int64_arrays = hnp.arrays(
    np.int64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=6), elements=INT64
)
fitting_arrays = hnp.arrays(
    np.int64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=6), elements=FITTING
)


@given(fitting_arrays, st.integers(1, 7))
def test_narrowing_in_range_keeps_every_value(values: np.ndarray, chunk: int) -> None:
    narrowed = narrow_checked(values, "t", chunk=chunk)
    assert narrowed.dtype == np.int32
    assert narrowed.shape == values.shape
    assert np.array_equal(narrowed.astype(np.int64), values)


@given(int64_arrays, st.integers(1, 7))
def test_narrowing_refuses_first_out_of_range_value(values: np.ndarray, chunk: int) -> None:
    flat = values.reshape(-1)
    outside = np.flatnonzero((flat < INT32_MIN) | (flat > INT32_MAX))
    if outside.size == 0:
        assert np.array_equal(narrow_checked(values, "t", chunk=chunk), values)
        assert first_out_of_int32(values, chunk=chunk) is None
        return
    with pytest.raises(NarrowingError) as caught:
        narrow_checked(values, "weights", chunk=chunk)
    first = int(outside[0])
    assert caught.value.tensor == "weights"
    assert caught.value.index == first
    assert caught.value.value == int(flat[first])
    assert str(flat[first]) in str(caught.value) and "weights" in str(caught.value)
    assert first_out_of_int32(values, chunk=chunk) == (first, int(flat[first]))


@given(fitting_arrays, OUTSIDE, st.data())
def test_one_bad_value_anywhere_is_found(values: np.ndarray, bad: int, data: st.DataObject) -> None:
    if values.size == 0:
        return
    index = data.draw(st.integers(0, values.size - 1))
    planted = values.copy().reshape(-1)
    planted[index] = bad
    with pytest.raises(NarrowingError) as caught:
        narrow_checked(planted.reshape(values.shape), "p", chunk=3)
    assert (caught.value.index, caught.value.value) == (index, bad)


@given(int64_arrays, st.integers(1, 5))
def test_int_range_matches_numpy(values: np.ndarray, chunk: int) -> None:
    r = int_range(values, chunk=chunk)
    assert r.count == values.size
    if values.size == 0:
        assert (r.min, r.max, r.fits_int32) == (None, None, True)
    else:
        assert (r.min, r.max) == (int(values.min()), int(values.max()))
        assert r.fits_int32 == (r.min >= INT32_MIN and r.max <= INT32_MAX)


@settings(max_examples=25)
@given(fitting_arrays)
def test_narrowing_non_contiguous_views_uses_c_order(values: np.ndarray) -> None:
    view = values.T  # a transposed view is not C-contiguous when it has 2+ dims
    assert np.array_equal(narrow_checked(view, "v"), view)


def test_narrowing_writes_into_a_memmap(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "out.bin"
    values = np.arange(-5, 10_000, dtype=np.int64)
    out = np.memmap(path, dtype=np.int32, mode="w+", shape=values.shape)
    narrow_checked(values, "m", out=out, chunk=1000)
    out.flush()
    assert np.array_equal(np.fromfile(path, dtype=np.int32), values)


def test_extremes_are_exact() -> None:
    ok = np.array([INT32_MIN, INT32_MAX], dtype=np.int64)
    assert narrow_checked(ok, "e").tolist() == [INT32_MIN, INT32_MAX]
    with pytest.raises(NarrowingError, match=r"value 2147483653 at flat index 1"):
        narrow_checked(np.array([0, 2**31 + 5], dtype=np.int64), "e")
