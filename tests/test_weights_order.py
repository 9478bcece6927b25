"""Arrays copied or narrowed between C and Fortran order keep every value; refusals name the
C-order flat index whatever the memory order."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from jvmready.errors import NarrowingError
from jvmready.narrowing import narrow_checked
from jvmready.weights.arrays import copy_blocks

shapes = hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=7)


@given(shape=shapes, src_order=st.sampled_from("CF"), out_order=st.sampled_from("CF"))
def test_copy_and_narrow_keep_values_in_any_order(
    shape: tuple[int, ...], src_order: str, out_order: str
) -> None:
    src = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape).copy(order=src_order)
    copied = np.zeros(shape, dtype=np.int64, order=out_order)
    copy_blocks(src, copied, chunk=5)
    narrowed = np.zeros(shape, dtype=np.int32, order=out_order)
    narrow_checked(src, "t", out=narrowed, chunk=5)
    assert np.array_equal(copied, src)
    assert np.array_equal(narrowed, src)


@pytest.mark.parametrize("src_order", "CF")
@pytest.mark.parametrize("out_order", "CF")
def test_refusal_names_the_c_order_index(src_order: str, out_order: str) -> None:
    src = np.arange(24, dtype=np.int64).reshape(4, 6).copy(order=src_order)
    src[2, 3] = 2**31 + 5
    with pytest.raises(NarrowingError) as e:
        narrow_checked(src, "table", out=np.zeros((4, 6), dtype=np.int32, order=out_order), chunk=5)
    assert (e.value.tensor, e.value.index, e.value.value) == ("table", 2 * 6 + 3, 2**31 + 5)
