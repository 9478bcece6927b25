"""The cross-language bundle vectors, read back by Python: the same values and refusals Java sees."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from jvmready import read_bundle
from jvmready.errors import InputFileError
from tests.helpers import REPO


@pytest.fixture(scope="module")
def vectors(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("vectors")
    subprocess.run(
        [sys.executable, str(REPO / "tests" / "vectors" / "make_bundles.py"), str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out / "bundles"


def _value(text: str, dtype: str) -> float | int:
    return float(text) if dtype.startswith("FLOAT") else int(text)


def test_every_bundle_holds_exactly_the_expected_values(vectors: Path) -> None:
    expected = json.loads((vectors / "expected.json").read_text())
    assert len(expected["bundles"]) == 6
    for file, want in expected["bundles"].items():
        got = read_bundle(vectors / file)
        assert got.format.upper() == want["format"], file
        assert got.manifest.to_dict() == want["manifest"], file
        assert list(got.tensors) == list(want["tensors"]) or set(got.tensors) == set(
            want["tensors"]
        )
        for name, spec in want["tensors"].items():
            array = got.tensors[name]
            assert list(array.shape) == spec["shape"], (file, name)
            values = [_value(v, spec["dtype"]) for v in spec["values"]]
            flat = array.reshape(-1).tolist()
            if spec["dtype"].startswith("FLOAT"):
                np.testing.assert_array_equal(np.array(flat), np.array(values), err_msg=name)
                assert np.signbit(flat).tolist() == np.signbit(values).tolist(), name
            else:
                assert [int(v) for v in flat] == values, (file, name)


def test_every_corrupt_file_is_refused_in_one_line(vectors: Path) -> None:
    expected = json.loads((vectors / "expected.json").read_text())["corrupt"]
    assert len(expected) >= 15
    for file, text in expected.items():
        with pytest.raises(InputFileError) as e:
            read_bundle(vectors / file)
        message = str(e.value)
        assert file in message and text in message, message
        assert "\n" not in message, message


def test_edge_bundles_are_identical_across_encodings(vectors: Path) -> None:
    loaded = [read_bundle(vectors / f"edge.{ext}") for ext in ("safetensors", "pb", "avro")]
    names = set(loaded[0].tensors)
    for other in loaded[1:]:
        assert set(other.tensors) == names
        assert other.manifest == loaded[0].manifest
        for name in names:
            a, b = loaded[0].tensors[name], other.tensors[name]
            assert a.dtype == b.dtype and a.shape == b.shape
            assert a.tobytes() == b.tobytes(), name
