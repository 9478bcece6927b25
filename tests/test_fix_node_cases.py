"""``fix`` on every ONNX node test case with int64 at its interface (operators, opsets, subgraphs
none of us wrote): the fixed model passes onnx.checker, onnxruntime runs it, outputs identical."""

from __future__ import annotations

import warnings

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from jvmready import NarrowingError, fix
from jvmready.narrowing import narrow_checked
from tests.helpers import IR_VERSION

pytestmark = pytest.mark.slow


def int64_at_interface(model: onnx.ModelProto) -> bool:
    values = (*model.graph.input, *model.graph.output)
    return any(v.type.tensor_type.elem_type == onnx.TensorProto.INT64 for v in values)


def typed(sess: ort.InferenceSession, feeds: dict[str, object]) -> dict[str, object]:
    """Tensor feeds as the fixed model wants them (int64 -> int32 only via narrow_checked)."""
    out = dict(feeds)
    for i in sess.get_inputs():
        value = feeds[i.name]
        if i.type == "tensor(int32)" and isinstance(value, np.ndarray) and value.dtype == np.int64:
            out[i.name] = narrow_checked(value, i.name)
    return out


def same(a: object, b: object) -> bool:
    if not isinstance(a, np.ndarray):
        return str(a) == str(b)
    if not isinstance(b, np.ndarray) or a.shape != b.shape:
        return False
    if a.dtype.kind in "iu":
        return bool(a.astype(object).tolist() == b.astype(object).tolist())
    equal_nan = a.dtype.kind in "fc"
    return a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=equal_nan))


@pytest.mark.parametrize("target", ["ort-java", "int32"])
def test_every_node_case_with_int64_at_the_interface(target: str) -> None:
    from onnx.backend.test.case import node as node_cases

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = node_cases.collect_testcases(None)
    ort.set_default_logger_severity(4)
    failures: list[str] = []
    fixed_count = 0
    for case in cases:
        model = case.model
        if not int64_at_interface(model) or not case.data_sets:
            continue
        model.ir_version = min(model.ir_version, IR_VERSION)
        inputs, _expected = case.data_sets[0]
        feeds = dict(zip((i.name for i in model.graph.input), inputs, strict=False))
        try:
            original = ort.InferenceSession(model.SerializeToString())
            want = original.run(None, feeds)
        except Exception:  # operators or opsets this onnxruntime does not run
            continue
        try:
            result = fix(model, target=target)
        except NarrowingError:
            continue  # a stored value outside int32: refusing is the right answer
        try:
            fixed = ort.InferenceSession(result.model.SerializeToString())
            got = fixed.run(None, typed(fixed, feeds))
        except Exception as e:
            failures.append(f"{case.name}: onnxruntime rejects the fixed model: {e}")
            continue
        if not all(same(a, b) for a, b in zip(want, got, strict=True)):
            failures.append(f"{case.name}: outputs differ")
        fixed_count += bool(result.changes)
    assert failures == []
    assert fixed_count > 100  # the sweep really rewrote models
