"""The small model the per-call benchmarks run: ``ids`` int64 [1, 8] and ``x`` float [1, 16] in,
``y`` float [1, 4] out (embedding lookup, mean, add, matmul)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def write_small_model(path: Path) -> Path:
    rng = np.random.default_rng(1)
    emb = numpy_helper.from_array(rng.standard_normal((64, 16)).astype(np.float32), "emb")
    w = numpy_helper.from_array(rng.standard_normal((16, 4)).astype(np.float32), "w")
    nodes = [
        helper.make_node("Gather", ["emb", "ids"], ["e"], axis=0),
        helper.make_node("ReduceMean", ["e"], ["m"], axes=[1], keepdims=0),
        helper.make_node("Add", ["m", "x"], ["h"]),
        helper.make_node("MatMul", ["h", "w"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "small",
        [
            helper.make_tensor_value_info("ids", TensorProto.INT64, [1, 8]),
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
        initializer=[emb, w],
    )
    model = helper.make_model(graph, ir_version=10, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save_model(model, path)
    return path
