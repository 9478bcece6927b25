"""Write models that carry verification samples, for the Java ``selfCheck()`` tests.

Usage: ``python tests/vectors/make_samples.py OUTDIR`` writes ``OUTDIR/samples/``:

- ``gather_int32.onnx``: an int32-input, int32-output model (as ``fix`` makes them) whose samples
  were produced by ``verify`` against its int64 original; ``selfCheck()`` must pass.
- ``gather_tampered.onnx``: the same with one expected value changed; ``gather_tampered.json``
  says which (output, sample, flat index, expected, actual): ``selfCheck()`` must throw naming them.
- ``classifier.onnx``: a scikit-learn classifier with its ZipMap (seq(map) output) and samples.
- ``no_samples.onnx``: a model without samples (``selfCheck()`` says so).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.helpers import make_model  # noqa: E402

from jvmready.verify import verify  # noqa: E402
from jvmready.verify.inputs import SampleSet  # noqa: E402
from jvmready.verify.samples import embed, extract  # noqa: E402

RTOL, ATOL = 1e-5, 1e-6
TAMPER = {"output": "s", "sample": 2, "index": 1}


def gather_model(index_type: int, out_type: int) -> onnx.ModelProto:
    """``s = sum(table[ids], axis=1)``, ``am = argmax(table[ids])`` over ``ids [batch]``."""
    nodes = []
    ids = "ids"
    if index_type != TensorProto.INT64:
        nodes.append(helper.make_node("Cast", ["ids"], ["ids64"], to=TensorProto.INT64))
        ids = "ids64"
    nodes += [
        helper.make_node("Gather", ["table", ids], ["emb"]),
        helper.make_node("ReduceSum", ["emb", "axes"], ["s"], keepdims=0),
        helper.make_node("ArgMax", ["emb"], ["am64"], axis=1, keepdims=0),
        helper.make_node("Cast", ["am64"], ["am"], to=out_type),
    ]
    table = np.linspace(-2.0, 3.0, 7 * 4, dtype=np.float32).reshape(7, 4)
    table[:, 2] *= -1.5
    return make_model(
        nodes,
        [helper.make_tensor_value_info("ids", index_type, ["batch"])],
        [
            helper.make_tensor_value_info("s", TensorProto.FLOAT, ["batch"]),
            helper.make_tensor_value_info("am", out_type, ["batch"]),
        ],
        [
            numpy_helper.from_array(table, "table"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "axes"),
        ],
        name="gather",
    )


def classifier() -> onnx.ModelProto:
    from skl2onnx import to_onnx
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    x, y = load_iris(return_X_y=True)
    fitted = LogisticRegression(max_iter=500).fit(x, y)
    model = to_onnx(fitted, x[:1].astype(np.float32), target_opset={"": 17, "ai.onnx.ml": 3})
    model.ir_version = 10
    return model


def with_samples(
    original: onnx.ModelProto, candidate: onnx.ModelProto, count: int
) -> onnx.ModelProto:
    report = verify(original, candidate, samples=count, seed=7, rtol=RTOL, atol=ATOL)
    assert report.passed and report.evidence is not None, report.to_dict()
    return embed(candidate, report.evidence.inputs, report.evidence.expected, rtol=RTOL, atol=ATOL)


def main(outdir: Path) -> None:
    d = outdir / "samples"
    d.mkdir(parents=True, exist_ok=True)
    original = gather_model(TensorProto.INT64, TensorProto.INT64)
    fixed = gather_model(TensorProto.INT32, TensorProto.INT32)
    good = with_samples(original, fixed, 5)
    onnx.save(good, str(d / "gather_int32.onnx"))

    found = extract(good)
    assert found is not None
    expected = {k: np.array(v, copy=True) for k, v in found.expected.items()}
    s, i = TAMPER["sample"], TAMPER["index"]
    before = float(expected["s"][s].reshape(-1)[i])
    expected["s"][s].reshape(-1)[i] = before + 0.5
    tampered = embed(
        fixed,
        SampleSet(found.inputs.arrays, found.inputs.count, "tampered"),
        expected,
        rtol=RTOL,
        atol=ATOL,
    )
    onnx.save(tampered, str(d / "gather_tampered.onnx"))
    (d / "gather_tampered.json").write_text(
        json.dumps({**TAMPER, "expected": before + 0.5, "actual": before}) + "\n"
    )

    clf = classifier()
    onnx.save(with_samples(clf, clf, 4), str(d / "classifier.onnx"))
    onnx.save(fixed, str(d / "no_samples.onnx"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_samples.py OUTDIR")
    main(Path(sys.argv[1]))
