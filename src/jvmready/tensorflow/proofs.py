"""What a SavedModel's graph proves about the range of its int64 outputs.

The signature function is frozen (variables become constants, nested functions inlined) and each
int64 output traced back through identities to the op that made it. An op proves a range only
when its semantics bound it: ``ArgMax``/``ArgMin`` over an axis of known size ``n`` give
``[0, n-1]``; a ``Cast`` from a type of at most 32 bits keeps that type's range. Anything else is
no proof, and ``fix`` keeps the output int64 unless told otherwise.
"""

from __future__ import annotations

from typing import Any

from jvmready.narrowing import INT32_MAX, INT32_MIN
from jvmready.onnx.rules import OutputProof

#: Ops that pass their input through unchanged.
_PASS_THROUGH = frozenset({"Identity", "IdentityN", "StopGradient", "Snapshot", "PreventGradient"})
_INDEX_OF_EXTREMUM = frozenset({"ArgMax", "ArgMin"})
#: Integer ranges of the dtypes a Cast to int64 may come from and still fit int32.
_NARROW_RANGES: dict[str, tuple[int, int]] = {
    "bool": (0, 1),
    "int8": (-(2**7), 2**7 - 1),
    "uint8": (0, 2**8 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "uint16": (0, 2**16 - 1),
    "int32": (INT32_MIN, INT32_MAX),
}
_MAX_DEPTH = 64


def signature_proofs(function: Any) -> dict[str, OutputProof]:
    """A proof (or the reason there is none) for each int64 output of a loaded signature."""
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2,
    )

    names = sorted(function.structured_outputs)  # flattening a dict orders it by key
    wide = [n for n in names if function.structured_outputs[n].dtype.name == "int64"]
    if not wide:
        return {}
    try:
        frozen = convert_variables_to_constants_v2(function)
    except Exception as e:  # freezing fails on e.g. hash tables; then nothing is proven
        why = f"graph analysis unavailable ({_short(e)})"
        return {n: OutputProof(None, None, why) for n in wide}
    outputs = dict(zip(names, frozen.outputs, strict=True))
    return {n: prove(outputs[n]) for n in wide}


def prove(tensor: Any, depth: int = 0) -> OutputProof:
    """The range ``tensor``'s producer guarantees, following pass-through ops."""
    op = tensor.op
    if op.type in _PASS_THROUGH and depth < _MAX_DEPTH:
        index = tensor.value_index if op.type == "IdentityN" else 0
        return prove(op.inputs[index], depth + 1)
    if op.type in _INDEX_OF_EXTREMUM:
        return _prove_arg_extremum(op)
    if op.type == "Cast":
        source = op.inputs[0].dtype.name
        if source in _NARROW_RANGES:
            lo, hi = _NARROW_RANGES[source]
            return OutputProof(lo, hi, f"Cast {op.name} from {source}", fits_int32=True)
        return OutputProof(None, None, f"Cast {op.name} from {source}, which may not fit int32")
    return OutputProof(None, None, f"made by {op.type} {op.name}, which bounds nothing")


def _prove_arg_extremum(op: Any) -> OutputProof:
    from tensorflow import get_static_value

    axis = get_static_value(op.inputs[1])
    shape = op.inputs[0].shape
    if axis is None or shape.rank is None:
        return OutputProof(None, None, f"{op.type} {op.name} over an axis not known statically")
    dim = shape[int(axis)]
    if dim is None:
        return OutputProof(None, None, f"{op.type} {op.name} over an axis of unknown size")
    hi = max(int(dim) - 1, 0)
    why = f"{op.type} {op.name} over an axis of size {dim}"
    return OutputProof(0, hi, why, fits_int32=hi <= INT32_MAX)


def _short(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0][:200] if text else type(e).__name__
