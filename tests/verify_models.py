"""Small models the verify tests share: built with onnx.helper and scikit-learn, run for real."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from tests.helpers import make_model

TABLE_ROWS = 7


def gather_model(table: np.ndarray | None = None) -> onnx.ModelProto:
    """``s = sum(table[ids], axis=1)`` (float) and ``am = argmax(table[ids])`` (int64) over
    ``ids: int64 [batch]``: an embedding lookup, the shape of most int64-input models."""
    if table is None:
        table = np.linspace(-2.0, 3.0, TABLE_ROWS * 4, dtype=np.float32).reshape(TABLE_ROWS, 4)
        table[:, 2] *= -1.5
    return make_model(
        [
            helper.make_node("Gather", ["table", "ids"], ["emb"]),
            helper.make_node("ReduceSum", ["emb", "axes"], ["s"], keepdims=0),
            helper.make_node("ArgMax", ["emb"], ["am"], axis=1, keepdims=0),
        ],
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch"])],
        [
            helper.make_tensor_value_info("s", TensorProto.FLOAT, ["batch"]),
            helper.make_tensor_value_info("am", TensorProto.INT64, ["batch"]),
        ],
        [
            numpy_helper.from_array(table, "table"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "axes"),
        ],
    )


def tampered_gather_model(row: int = 3, col: int = 1, delta: float = 0.25) -> onnx.ModelProto:
    """The gather model with one weight changed."""
    table = numpy_helper.to_array(gather_model().graph.initializer[0]).copy()
    table[row, col] += delta
    return gather_model(table)


def classifier_model() -> onnx.ModelProto:
    """scikit-learn LogisticRegression on iris with its ZipMap (seq(map) probabilities)."""
    from skl2onnx import to_onnx
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    x, y = load_iris(return_X_y=True)
    fitted = LogisticRegression(max_iter=500).fit(x, y)
    model = to_onnx(fitted, x[:1].astype(np.float32), target_opset={"": 17, "ai.onnx.ml": 3})
    model.ir_version = 10
    return model
