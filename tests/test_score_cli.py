"""``jvmready score`` without pyspark (the main venv): one line saying how to get it, exit 2.

The scoring itself is tested in tests/spark (``make test-integration``, in .venv-spark)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from onnx import TensorProto as T
from onnx import helper

from tests.helpers import make_model, run_cli


@pytest.fixture
def model(tmp_path: Path) -> Path:
    m = make_model(
        [helper.make_node("Identity", ["ids"], ["out"])],
        [helper.make_tensor_value_info("ids", T.INT32, ["batch"])],
        [helper.make_tensor_value_info("out", T.INT32, ["batch"])],
    )
    path = tmp_path / "ids.onnx"
    path.write_bytes(m.SerializeToString())
    return path


@pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is not None, reason="pyspark is installed here"
)
def test_score_without_pyspark_says_how_to_get_it(model: Path, tmp_path: Path) -> None:
    data = tmp_path / "ids.jsonl"
    data.write_text('{"ids": 1}\n')
    out = tmp_path / "out.parquet"
    proc = run_cli("score", model, "--input", data, "--output", out)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "needs pyspark" in lines[0] and "jvmready[spark]" in lines[0]
    assert not out.exists()


def test_score_rejects_a_malformed_column_mapping(model: Path, tmp_path: Path) -> None:
    proc = run_cli(
        "score", model, "-i", tmp_path / "d.jsonl", "-o", tmp_path / "o", "--input-column", "ids"
    )
    assert proc.returncode == 2
    assert "--input-column takes NAME=COLUMN, not 'ids'" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is not None, reason="pyspark is installed here"
)
def test_verify_spark_without_pyspark_says_how_to_get_it(model: Path) -> None:
    proc = run_cli("verify", model, "--spark")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "needs pyspark" in lines[0] and "jvmready[spark]" in lines[0]
