"""Write the models and data the Spark scoring tests run, with Python onnxruntime's outputs.

Usage: ``python tests/vectors/make_spark.py OUTDIR`` writes ``OUTDIR/spark/``:

- ``ids.onnx``: ``ids`` int32 ``[batch]`` -> ``doubled`` int32 ``[batch]`` (ids + ids), ``wide``
  int64 ``[batch]`` (ids * 3, computed in int64) and ``pair`` int64 ``[batch, 2]``;
- ``ids.jsonl``: one row per line, the input ``ids`` and the expected outputs;
- ``iris.onnx``: scikit-learn LogisticRegression on iris via skl2onnx, ``features`` float
  ``[batch, 4]`` -> ``output_label`` int64, ``output_probability`` (ZipMap,
  ``seq(map(int64, float))``);
- ``rows.onnx``: two rank-2 inputs, ``x`` int32 ``[batch, 3]`` and ``v`` float ``[batch, 3]`` ->
  ``total`` int64 ``[batch]`` (the row sum of ``x`` in int64) and ``scaled`` float ``[batch, 3]``
  (``v * 2``);
- ``rows.jsonl``: ``x``, ``v`` and the expected ``total`` and ``scaled``;
- ``iris.jsonl``: ``features`` (float32 values written exactly), the expected ``label`` and the
  expected ``probabilities`` ordered by class (0, 1, 2).

Spark reads the JSON lines itself, so the Java and Python Spark tests need no other reader.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.helpers import IR_VERSION, make_model  # noqa: E402


def ids_model() -> onnx.ModelProto:
    """Integer outputs of both widths and a rank-2 tensor output from an int32 input."""
    return make_model(
        [
            helper.make_node("Add", ["ids", "ids"], ["doubled"]),
            helper.make_node("Cast", ["ids"], ["ids64"], to=TensorProto.INT64),
            helper.make_node("Mul", ["ids64", "three"], ["wide"]),
            helper.make_node("Unsqueeze", ["wide", "axis1"], ["col"]),
            helper.make_node("Concat", ["col", "col"], ["pair"], axis=1),
        ],
        [helper.make_tensor_value_info("ids", TensorProto.INT32, ["batch"])],
        [
            helper.make_tensor_value_info("doubled", TensorProto.INT32, ["batch"]),
            helper.make_tensor_value_info("wide", TensorProto.INT64, ["batch"]),
            helper.make_tensor_value_info("pair", TensorProto.INT64, ["batch", 2]),
        ],
        [
            helper.make_tensor("three", TensorProto.INT64, [], [3]),
            helper.make_tensor("axis1", TensorProto.INT64, [1], [1]),
        ],
        name="spark_ids",
    )


def rows_model() -> onnx.ModelProto:
    """Two rank-2 inputs (an int32 one and a float one) scored together."""
    return make_model(
        [
            helper.make_node("Cast", ["x"], ["x64"], to=TensorProto.INT64),
            helper.make_node("ReduceSum", ["x64", "axis1"], ["total"], keepdims=0),
            helper.make_node("Mul", ["v", "two"], ["scaled"]),
        ],
        [
            helper.make_tensor_value_info("x", TensorProto.INT32, ["batch", 3]),
            helper.make_tensor_value_info("v", TensorProto.FLOAT, ["batch", 3]),
        ],
        [
            helper.make_tensor_value_info("total", TensorProto.INT64, ["batch"]),
            helper.make_tensor_value_info("scaled", TensorProto.FLOAT, ["batch", 3]),
        ],
        [
            helper.make_tensor("axis1", TensorProto.INT64, [1], [1]),
            helper.make_tensor("two", TensorProto.FLOAT, [], [2.0]),
        ],
        name="spark_rows",
    )


def iris_model() -> tuple[onnx.ModelProto, np.ndarray]:
    from skl2onnx import to_onnx
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    x, y = load_iris(return_X_y=True)
    x = x.astype(np.float32)
    clf = LogisticRegression(max_iter=500).fit(x, y)
    model = to_onnx(clf, x[:1], target_opset={"": 17, "ai.onnx.ml": 3})
    model.graph.input[0].name = "features"
    for node in model.graph.node:
        node.input[:] = ["features" if i == "X" else i for i in node.input]
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model, x


def _session(model: onnx.ModelProto) -> ort.InferenceSession:
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def _write_lines(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def main(out: Path) -> None:
    spark = out / "spark"
    spark.mkdir(parents=True, exist_ok=True)

    ids = ids_model()
    (spark / "ids.onnx").write_bytes(ids.SerializeToString())
    values = np.array([0, 1, -7, 1000, 2**30 - 1, -(2**30), 123456, 5, 2**29, -1], np.int32)
    doubled, wide, pair = _session(ids).run(None, {"ids": values})
    _write_lines(
        spark / "ids.jsonl",
        [
            {"ids": int(v), "doubled": int(d), "wide": int(w), "pair": [int(p) for p in pr]}
            for v, d, w, pr in zip(values, doubled, wide, pair, strict=True)
        ],
    )

    rows = rows_model()
    (spark / "rows.onnx").write_bytes(rows.SerializeToString())
    rng = np.random.default_rng(3)
    xs = rng.integers(-(2**31), 2**31, size=(23, 3), dtype=np.int64).astype(np.int32)
    vs = rng.standard_normal((23, 3)).astype(np.float32)
    total, scaled = _session(rows).run(None, {"x": xs, "v": vs})
    _write_lines(
        spark / "rows.jsonl",
        [
            {
                "x": [int(a) for a in xr],
                "v": [float(a) for a in vr],
                "total": int(t),
                "scaled": [float(a) for a in sr],
            }
            for xr, vr, t, sr in zip(xs, vs, total, scaled, strict=True)
        ],
    )

    iris, x = iris_model()
    (spark / "iris.onnx").write_bytes(iris.SerializeToString())
    labels, probabilities = _session(iris).run(None, {"features": x})
    _write_lines(
        spark / "iris.jsonl",
        [
            {
                # float32 -> Python float is exact, and JSON round-trips a double exactly
                "features": [float(f) for f in row],
                "label": int(label),
                "probabilities": [float(np.float32(p[k])) for k in sorted(p)],
            }
            for row, label, p in zip(x, labels, probabilities, strict=True)
        ],
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_spark.py OUTDIR")
    main(Path(sys.argv[1]))
