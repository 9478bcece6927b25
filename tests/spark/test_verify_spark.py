"""``verify(..., spark=True)`` / ``jvmready verify --spark``: the model scored by Spark's
OnnxTransformer matches Python onnxruntime, ZipMap and rank-2 outputs included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from jvmready.verify import verify


def test_verify_spark_matches_python_onnxruntime_on_a_zipmap_model(
    vectors: Path, tmp_path: Path, spark: Any
) -> None:
    lines = (vectors / "iris.jsonl").read_text().splitlines()
    features = np.array([json.loads(line)["features"] for line in lines], np.float32)
    inputs = tmp_path / "inputs.npz"
    np.savez(inputs, features=features[::5].reshape(3, 10, 4))  # 3 samples of 10 rows
    report = verify(vectors / "iris.onnx", spark=True, inputs=inputs).to_dict()
    spark_runs = [r for r in report["runs"] if r["backend"] == "spark"]
    assert len(spark_runs) == 1 and not spark_runs[0].get("error"), report["runs"]
    assert "Spark 4.0" in spark_runs[0]["version"]
    outputs = {c["name"]: c for c in report["outputs"] if c["backend"] == "spark"}
    assert set(outputs) == {"output_label", "output_probability"}
    assert all(c["passed"] and c["compared"] > 0 for c in outputs.values()), outputs
    assert outputs["output_label"]["kind"] == "integer"
    assert outputs["output_probability"]["kind"] == "seq(map)"
    assert report["passed"] is True and report["samples"] == 3


def test_verify_spark_on_int32_and_rank2_outputs(vectors: Path, tmp_path: Path, spark: Any) -> None:
    inputs = tmp_path / "ids.npz"
    np.savez(inputs, ids=np.array([[1, -7, 2**30 - 1], [0, 5, -(2**30)]], np.int32))
    report = verify(vectors / "ids.onnx", spark=True, inputs=inputs).to_dict()
    outputs = {c["name"]: c for c in report["outputs"] if c["backend"] == "spark"}
    assert set(outputs) == {"doubled", "wide", "pair"}
    assert all(c["passed"] and c["compared"] > 0 for c in outputs.values()), outputs
    assert report["passed"] is True
