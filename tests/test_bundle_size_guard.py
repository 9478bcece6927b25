"""Protobuf and Avro bundles over 2 GiB are refused before anything is written or read."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from jvmready import bundle
from jvmready.bundle.codec import (
    SINGLE_MESSAGE_LIMIT,
    NamedArray,
    check_single_message_size,
    message_size_bound,
)
from jvmready.errors import JvmreadyError


def test_size_guard_limit_and_message() -> None:
    check_single_message_size(SINGLE_MESSAGE_LIMIT, "out.pb", "protobuf")  # at the limit: fine
    with pytest.raises(JvmreadyError, match="use --format safetensors") as e:
        check_single_message_size(SINGLE_MESSAGE_LIMIT + 1, "out.pb", "protobuf")
    assert str(e.value).startswith("out.pb: a protobuf bundle")


def test_size_bound_counts_data_names_and_manifest() -> None:
    arrays = [NamedArray("w", np.zeros((3, 5), np.float32)), NamedArray("ids", np.zeros(7))]
    bound = message_size_bound(arrays, '{"model_name":"m"}')
    assert bound >= 3 * 5 * 4 + 7 * 8 + len("w") + len("ids")
    assert bound < 3 * 5 * 4 + 7 * 8 + 1000  # an upper bound, not a wild guess


@pytest.fixture
def sparse_npy(tmp_path: Path) -> Path:
    """A 2 GiB + 8 byte int64 .npy whose data was never written (a sparse file)."""
    path = tmp_path / "huge.npy"
    mm = np.lib.format.open_memmap(path, mode="w+", dtype=np.int64, shape=(2**28 + 1,))
    del mm
    if os.stat(path).st_blocks * 512 > 64 * 2**20:
        pytest.skip("file system does not keep sparse files sparse")
    return path


@pytest.mark.parametrize("fmt", ["protobuf", "avro"])
def test_over_2gib_single_message_bundle_is_refused_before_writing(
    sparse_npy: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / "huge.out"
    with pytest.raises(JvmreadyError, match="over the 2 GiB") as e:
        bundle(sparse_npy, out, format=fmt)
    assert "use --format safetensors" in str(e.value)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["huge.npy"]
