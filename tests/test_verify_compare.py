"""The comparator: exact integers by value, float tolerances, seq(map) element by element."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from jvmready.verify.compare import compare


def one(ref: object, cand: object, rtol: float = 1e-5, atol: float = 1e-6):  # type: ignore[no-untyped-def]
    (result,) = compare({"y": ref}, {"y": cand}, rtol=rtol, atol=atol, backend="test")  # type: ignore[dict-item]
    return result


def test_int32_output_equals_int64_reference_by_value() -> None:
    ref = [np.array([1, 2, 2**31 - 1], dtype=np.int64)] * 3
    cand = [np.array([1, 2, 2**31 - 1], dtype=np.int32)] * 3
    r = one(ref, cand)
    assert r.passed and r.kind == "integer" and r.compared == 9 and r.max_abs == 0.0


def test_integer_mismatch_names_sample_and_flat_index() -> None:
    ref = [np.arange(6, dtype=np.int64).reshape(2, 3) for _ in range(4)]
    cand = [a.astype(np.int32) for a in ref]
    cand[2] = cand[2].copy()
    cand[2][1, 0] = -7
    r = one(ref, cand)
    assert not r.passed and r.mismatches == 1
    assert r.first is not None
    assert (r.first.sample, r.first.index, r.first.where) == (2, 3, "[1, 0]")
    assert (int(r.first.expected), int(r.first.actual)) == (3, -7)


def test_wrapped_value_is_a_mismatch() -> None:
    big = 2**31 + 5
    wrapped = np.array([big], dtype=np.int64).astype(np.int32)  # the folk fix: -2147483643
    r = one([np.array([big], dtype=np.int64)], [wrapped])
    assert not r.passed and r.first is not None and int(r.first.actual) == -2147483643


def test_float_tolerance_and_error_statistics() -> None:
    ref = [np.array([1.0, 100.0], dtype=np.float32)]
    assert one(ref, [np.array([1.0 + 1e-7, 100.0005], dtype=np.float32)]).passed
    r = one(ref, [np.array([1.0, 100.1], dtype=np.float32)])
    assert not r.passed and r.first is not None and r.first.index == 1
    assert r.max_abs is not None and abs(r.max_abs - 0.1) < 1e-3
    assert r.max_rel is not None and abs(r.max_rel - 1e-3) < 1e-5


def test_nan_equals_nan_and_shape_difference_is_a_problem() -> None:
    assert one([np.array([np.nan, 1.0])], [np.array([np.nan, 1.0])]).passed
    r = one([np.zeros((2, 3))], [np.zeros((3, 2))])
    assert not r.passed and "shape [3, 2], expected [2, 3]" in r.problem


def test_missing_output_is_reported() -> None:
    (r,) = compare({"y": [np.zeros(2)]}, {}, rtol=0, atol=0, backend="java")
    assert not r.passed and "no output" in r.problem and r.backend == "java"


def test_seq_map_compares_key_by_key() -> None:
    ref = [[{0: 0.5, 1: 0.25, 2: 0.25}, {0: 0.1, 1: 0.8, 2: 0.1}]]
    reordered = [[{2: 0.25, 0: 0.5, 1: 0.25}, {1: 0.8, 0: 0.1, 2: 0.1}]]
    assert one(ref, reordered).passed
    off = [[{0: 0.5, 1: 0.25, 2: 0.25}, {0: 0.1, 1: 0.7, 2: 0.2}]]
    r = one(ref, off)
    assert not r.passed and r.kind == "seq(map)" and r.first is not None
    assert (r.first.sample, r.first.index, r.first.where) == (0, 4, "[1]{key 1}")
    r = one(ref, [[{0: 0.5, 1: 0.25, 3: 0.25}, {0: 0.1, 1: 0.8, 2: 0.1}]])
    assert not r.passed and "keys" in r.problem


def test_seq_map_against_probability_matrix() -> None:
    ref = [[{0: 0.5, 1: 0.25, 2: 0.25}, {0: 0.1, 1: 0.8, 2: 0.1}]]
    matrix = [np.array([[0.5, 0.25, 0.25], [0.1, 0.8, 0.1]], dtype=np.float32)]
    assert one(ref, matrix).passed
    swapped = [np.array([[0.25, 0.5, 0.25], [0.1, 0.8, 0.1]], dtype=np.float32)]
    r = one(ref, swapped)
    assert not r.passed and r.first is not None and r.first.where == "[0]{key 0}"


def test_ragged_outputs_compare_sample_by_sample() -> None:
    ref = [np.arange(2), np.arange(3)]
    r = one(ref, [np.arange(2), np.array([0, 1, 9])])
    assert not r.passed and r.first is not None
    assert (r.first.sample, r.first.index) == (1, 2)
    assert "sample 1" in one(ref, [np.arange(2), np.arange(4)]).problem


@given(st.lists(st.integers(-(2**31), 2**31 - 1), min_size=1, max_size=20))
def test_any_int32_representable_value_matches(values: list[int]) -> None:
    ref = [np.array(values, dtype=np.int64)]
    assert one(ref, [ref[0].astype(np.int32)]).passed
