"""Write the ONNX models the Java adapter tests run, with inputs and Python onnxruntime's outputs.

Usage: ``python tests/vectors/make_models.py OUTDIR`` writes ``OUTDIR/models/``:

- ``<name>.onnx``: the model;
- ``<name>.inputs.npz``: one entry per model input;
- ``<name>.expected.npz``: every output as Python onnxruntime computes it, encoded like the Java
  command-line runner writes it (a tensor output ``y`` as entry ``y``; a sequence-of-maps output
  ``p`` as ``p.keys`` (int64) and ``p.values`` (float32), shape ``[n, k]``);
- ``<name>.expected.<entry>.txt``: string entries (labels, string map keys), one value a line in
  C order, since the npz holds numbers only.

Java tests compare exactly against the expected files, so both languages run the same models.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.helpers import IR_VERSION, make_model  # noqa: E402

INT64 = TensorProto.INT64
INT32 = TensorProto.INT32
FLOAT = TensorProto.FLOAT
DOUBLE = TensorProto.DOUBLE


def _affine_int(dtype: int, name: str) -> onnx.ModelProto:
    """``y = ids * 3 + 2`` and ``s = sum(ids, axis=1)`` over ``ids [batch, 3]`` of ``dtype``."""
    nodes = [
        helper.make_node("Mul", ["ids", "three"], ["m"]),
        helper.make_node("Add", ["m", "two"], ["y"]),
        helper.make_node("ReduceSum", ["ids", "axes"], ["s"], keepdims=0),
    ]
    inits = [
        helper.make_tensor("three", dtype, [], [3]),
        helper.make_tensor("two", dtype, [], [2]),
        helper.make_tensor("axes", INT64, [1], [1]),
    ]
    return make_model(
        nodes,
        [helper.make_tensor_value_info("ids", dtype, ["batch", 3])],
        [
            helper.make_tensor_value_info("y", dtype, ["batch", 3]),
            helper.make_tensor_value_info("s", dtype, ["batch"]),
        ],
        inits,
        name=name,
    )


def _float_model(dtype: int, name: str) -> onnx.ModelProto:
    """``y = x * 0.5 + 1`` and ``m = max(x, axis=1)`` over ``x [batch, 4]`` of ``dtype``."""
    np_type = helper.tensor_dtype_to_np_dtype(dtype)
    nodes = [
        helper.make_node("Mul", ["x", "half"], ["h"]),
        helper.make_node("Add", ["h", "one"], ["y"]),
        helper.make_node("ReduceMax", ["x"], ["m"], axes=[1], keepdims=0),
    ]
    inits = [
        numpy_helper.from_array(np.array(0.5, dtype=np_type), "half"),
        numpy_helper.from_array(np.array(1.0, dtype=np_type), "one"),
    ]
    return make_model(
        nodes,
        [helper.make_tensor_value_info("x", dtype, ["batch", 4])],
        [
            helper.make_tensor_value_info("y", dtype, ["batch", 4]),
            helper.make_tensor_value_info("m", dtype, ["batch"]),
        ],
        inits,
        name=name,
    )


def _multi_input() -> onnx.ModelProto:
    """Three inputs with dynamic dims: ``a`` int64 [batch, n], ``b`` float [batch, n], ``idx`` [k]."""
    nodes = [
        helper.make_node("Gather", ["b", "idx"], ["gathered"], axis=1),
        helper.make_node("Add", ["a", "one"], ["a_plus"]),
        helper.make_node("Shape", ["a"], ["a_shape"]),
    ]
    return make_model(
        nodes,
        [
            helper.make_tensor_value_info("a", INT64, ["batch", "n"]),
            helper.make_tensor_value_info("b", FLOAT, ["batch", "n"]),
            helper.make_tensor_value_info("idx", INT64, ["k"]),
        ],
        [
            helper.make_tensor_value_info("gathered", FLOAT, ["batch", "k"]),
            helper.make_tensor_value_info("a_plus", INT64, ["batch", "n"]),
            helper.make_tensor_value_info("a_shape", INT64, [2]),
        ],
        [helper.make_tensor("one", INT64, [], [1])],
        name="multi_input",
    )


def _logreg(string_labels: bool) -> tuple[onnx.ModelProto, np.ndarray]:
    """scikit-learn LogisticRegression on iris, converted by skl2onnx with its ZipMap output."""
    from skl2onnx import to_onnx
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    x, y = load_iris(return_X_y=True)
    x = x.astype(np.float32)
    labels = np.array(["setosa", "versicolor", "virginica"])[y] if string_labels else y
    clf = LogisticRegression(max_iter=500).fit(x, labels)
    model = to_onnx(clf, x[:1], target_opset={"": 17, "ai.onnx.ml": 3})
    model.ir_version = IR_VERSION
    model.metadata_props.add(key="jvmready.test", value="logreg")
    onnx.checker.check_model(model, full_check=True)
    return model, x[::10].copy()


def _plain(array: np.ndarray) -> np.ndarray:
    """Strings as fixed-width unicode (``<U``), never pickled object arrays."""
    return array.astype(str) if array.dtype == object else array


def _encode_outputs(sess: ort.InferenceSession, outputs: list[object]) -> dict[str, np.ndarray]:
    """Outputs as the Java runner writes them: maps split into sorted ``.keys`` / ``.values``."""
    encoded: dict[str, np.ndarray] = {}
    for meta, value in zip(sess.get_outputs(), outputs, strict=True):
        if isinstance(value, list):  # sequence of maps (ZipMap)
            keys = [sorted(m) for m in value]
            encoded[f"{meta.name}.keys"] = _plain(np.array(keys))
            encoded[f"{meta.name}.values"] = np.array(
                [[m[k] for k in ks] for m, ks in zip(value, keys, strict=True)], dtype=np.float32
            )
        else:
            encoded[meta.name] = _plain(np.asarray(value))
    return encoded


def _write(outdir: Path, name: str, model: onnx.ModelProto, inputs: dict[str, np.ndarray]) -> None:
    path = outdir / f"{name}.onnx"
    path.write_bytes(model.SerializeToString())
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    outputs = sess.run(None, inputs)
    np.savez(outdir / f"{name}.inputs.npz", **inputs)  # type: ignore[arg-type]
    expected = _encode_outputs(sess, outputs)
    numeric = {k: v for k, v in expected.items() if v.dtype.kind != "U"}
    np.savez(outdir / f"{name}.expected.npz", **numeric)  # type: ignore[arg-type]
    for key, v in expected.items():
        if v.dtype.kind == "U":  # the Java npz reader takes numbers only: strings one per line
            text = "".join(f"{s}\n" for s in v.ravel().tolist())
            (outdir / f"{name}.expected.{key}.txt").write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: make_models.py OUTDIR", file=sys.stderr)
        return 2
    outdir = Path(argv[1]) / "models"
    outdir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261125)

    ids = np.array([[1, -2, 3], [2**40, 5, -(2**35)], [0, 7, 8]], dtype=np.int64)
    builders: list[tuple[str, Callable[[], onnx.ModelProto], dict[str, np.ndarray]]] = [
        ("int64_model", lambda: _affine_int(INT64, "int64_model"), {"ids": ids}),
        (
            "int32_model",
            lambda: _affine_int(INT32, "int32_model"),
            {"ids": np.array([[1, -2, 3], [2**30, 5, -(2**29)], [0, 7, 8]], dtype=np.int32)},
        ),
        (
            "float_model",
            lambda: _float_model(FLOAT, "float_model"),
            {"x": rng.standard_normal((5, 4)).astype(np.float32)},
        ),
        (
            "double_model",
            lambda: _float_model(DOUBLE, "double_model"),
            {"x": rng.standard_normal((5, 4))},
        ),
        (
            "multi_input",
            _multi_input,
            {
                "a": rng.integers(-(2**40), 2**40, size=(2, 5), dtype=np.int64),
                "b": rng.standard_normal((2, 5)).astype(np.float32),
                "idx": np.array([4, 0, 2], dtype=np.int64),
            },
        ),
    ]
    for name, build, inputs in builders:
        _write(outdir, name, build(), inputs)
    for name, string_labels in (("logreg", False), ("logreg_strings", True)):
        model, x = _logreg(string_labels)
        _write(outdir, name, model, {model.graph.input[0].name: x})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
