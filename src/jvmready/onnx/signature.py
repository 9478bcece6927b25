"""What Java code passes to, or gets back from, an ONNX model on ONNX Runtime Java.

Maps an ONNX ``TypeProto`` to a :class:`~jvmready.report.JavaType`: the idiomatic Java type,
the alternatives that also work, and the trap to avoid (a Long key looked up with an Integer,
a ``long[][]`` cast to ``int[][]``...).
"""

from __future__ import annotations

from dataclasses import dataclass

import onnx
from onnx import TensorProto

from jvmready.onnx.graphs import shape_of, type_string
from jvmready.report import IOSpec, JavaType


@dataclass(frozen=True)
class _Elem:
    """How ORT Java represents one ONNX element type."""

    primitive: str  # element of a Java array: "long"
    boxed: str  # what a scalar or a map value comes back as: "Long"
    buffer: str | None  # the java.nio buffer: "LongBuffer"
    java_type: str | None = None  # OnnxJavaType needed with a buffer (uint8, bool, fp16)
    note: str = ""


_ELEMS: dict[int, _Elem] = {
    TensorProto.FLOAT: _Elem("float", "Float", "FloatBuffer"),
    TensorProto.DOUBLE: _Elem("double", "Double", "DoubleBuffer"),
    TensorProto.INT8: _Elem("byte", "Byte", "ByteBuffer"),
    TensorProto.UINT8: _Elem(
        "byte",
        "Byte",
        "ByteBuffer",
        "OnnxJavaType.UINT8",
        "uint8 arrives in signed Java bytes: read values with (b & 0xFF)",
    ),
    TensorProto.INT16: _Elem("short", "Short", "ShortBuffer"),
    TensorProto.INT32: _Elem("int", "Integer", "IntBuffer"),
    TensorProto.INT64: _Elem("long", "Long", "LongBuffer"),
    TensorProto.BOOL: _Elem("boolean", "Boolean", "ByteBuffer", "OnnxJavaType.BOOL"),
    TensorProto.STRING: _Elem("String", "String", None),
    TensorProto.FLOAT16: _Elem(
        "float",
        "Float",
        "ShortBuffer",
        "OnnxJavaType.FLOAT16",
        "float16: inputs are built from fp16 bits in a ShortBuffer; getValue() on an output "
        "returns float arrays (converted), getShortBuffer() the raw bits",
    ),
    TensorProto.BFLOAT16: _Elem(
        "float",
        "Float",
        "ShortBuffer",
        "OnnxJavaType.BFLOAT16",
        "bfloat16: inputs are built from bf16 bits in a ShortBuffer; getValue() on an output "
        "returns float arrays (converted)",
    ),
}

#: ONNX element types ONNX Runtime Java has no Java type for.
UNSUPPORTED_ELEMS = frozenset(
    t for t in onnx.TensorProto.DataType.values() if t not in _ELEMS and t != TensorProto.UNDEFINED
)


def _array(base: str, rank: int) -> str:
    return base + "[]" * rank


def _jvm_descriptor(letter: str, rank: int) -> str:
    return "[" * rank + letter


def tensor_java_type(
    elem_type: int, shape: tuple[int | str | None, ...] | None, direction: str
) -> JavaType:
    """The Java type for a tensor of ``elem_type`` and ``shape`` passed in (``direction``
    ``"input"``) or read back (``"output"``)."""
    name = type_string_of_elem(elem_type)
    elem = _ELEMS.get(elem_type)
    if elem is None:
        return JavaType(
            primary="(no Java type)",
            note=f"ONNX Runtime Java has no Java type for tensor({name}); "
            "change the model's interface to a supported type",
        )
    rank = None if shape is None else len(shape)
    shape_arg = "long[] shape"
    if rank is None:
        primary = f"{elem.buffer} + long[] shape" if elem.buffer else f"{elem.primitive}[] + shape"
    elif rank == 0:
        primary = elem.primitive if direction == "input" else elem.boxed
    else:
        primary = _array(elem.primitive, rank)
    alternatives: list[str] = []
    notes: list[str] = []
    if direction == "input":
        if elem.buffer is not None:
            extra = f", {elem.java_type}" if elem.java_type else ""
            alternatives.append(f"OnnxTensor.createTensor(env, {elem.buffer}, {shape_arg}{extra})")
        if elem_type in (TensorProto.FLOAT16, TensorProto.BFLOAT16):
            primary = f"ShortBuffer + long[] shape ({name} bits)"
            alternatives = [
                f"OnnxTensor.createTensor(env, ShortBuffer, long[] shape, {elem.java_type})"
            ]
        if elem_type == TensorProto.INT64:
            notes.append(
                "pass long values: an int array or IntBuffer is rejected with 'Unexpected input "
                "data type. Actual: (tensor(int32)) , expected: (tensor(int64))'"
            )
        elif elem_type == TensorProto.INT32:
            notes.append("pass int values: a long array or LongBuffer is rejected")
    else:
        getter = f"get{elem.buffer}()" if elem.buffer else None
        if getter is not None:
            alternatives.append(f"OnnxTensor.{getter} + getInfo().getShape()")
        if rank is not None and rank > 0:
            notes.append(f"({primary}) result.get(i).getValue()")
        if elem_type == TensorProto.INT64:
            r = rank or 1
            notes.append(
                f"casting it to {_array('int', r)} throws ClassCastException: "
                f"{_jvm_descriptor('J', r)} cannot be cast to {_jvm_descriptor('I', r)}"
            )
    if elem.note:
        notes.append(elem.note)
    return JavaType(primary=primary, alternatives=tuple(alternatives), note="; ".join(notes))


def type_string_of_elem(elem_type: int) -> str:
    """``int64`` for ``TensorProto.INT64``: the spelling inside ``tensor(...)``."""
    tp = onnx.helper.make_tensor_type_proto(elem_type, None)
    return type_string(tp)[len("tensor(") : -1]


def _value_java(tp: onnx.TypeProto) -> str:
    """The Java class of a sequence element or map value."""
    which = tp.WhichOneof("value")
    if which == "tensor_type":
        elem = _ELEMS.get(tp.tensor_type.elem_type)
        return elem.boxed if elem else "(unsupported)"
    if which == "map_type":
        return _map_java(tp.map_type)
    if which == "sequence_type":
        return f"OnnxSequence of {_value_java(tp.sequence_type.elem_type)}"
    return "OnnxValue"


def _map_java(mt: onnx.TypeProto.Map) -> str:
    key = _ELEMS.get(mt.key_type)
    return f"OnnxMap<{key.boxed if key else '?'},{_value_java(mt.value_type)}>"


def java_type(tp: onnx.TypeProto, direction: str) -> JavaType:
    """The Java type for any ONNX value type (tensor, sequence, map, optional, sparse)."""
    which = tp.WhichOneof("value")
    if which == "tensor_type":
        return tensor_java_type(tp.tensor_type.elem_type, shape_of(tp), direction)
    if which == "sequence_type":
        inner = tp.sequence_type.elem_type
        if inner.WhichOneof("value") == "map_type":
            mt = inner.map_type
            key = _ELEMS.get(mt.key_type)
            key_name = key.boxed if key else "?"
            value = _value_java(mt.value_type)
            note = (
                "((OnnxSequence) result.get(i)).getValue() is a List<? extends OnnxValue> with "
                f"one OnnxMap per row; ((OnnxMap) row).getValue() is a Map<{key_name},{value}>"
            )
            if mt.key_type == TensorProto.INT64:
                note += (
                    "; the keys are Long, so map.get(1) (an Integer) finds nothing: use map.get(1L)"
                )
            return JavaType(
                primary=f"OnnxSequence of {_map_java(mt)}",
                alternatives=(
                    "jvmready fix --drop-zipmap: a float[][] tensor of probabilities instead",
                ),
                note=note,
            )
        return JavaType(
            primary=f"OnnxSequence of {_value_java(inner)}",
            note="((OnnxSequence) result.get(i)).getValue() is a List<? extends OnnxValue>",
        )
    if which == "map_type":
        return JavaType(
            primary=_map_java(tp.map_type),
            note="((OnnxMap) result.get(i)).getValue() is a java.util.Map",
        )
    if which == "optional_type":
        inner_java = java_type(tp.optional_type.elem_type, direction)
        return JavaType(
            primary=f"{inner_java.primary} (optional)",
            alternatives=inner_java.alternatives,
            note="optional value: the result may hold no value",
        )
    if which == "sparse_tensor_type":
        return JavaType(
            primary="OnnxSparseTensor",
            note="sparse tensor: values, indices and dense shape as separate buffers",
        )
    return JavaType(primary="(unknown)", note="the model does not declare this value's type")


def io_specs(model: onnx.ModelProto) -> tuple[tuple[IOSpec, ...], tuple[IOSpec, ...]]:
    """The model's graph inputs (minus initializers, which old IR versions list as inputs) and
    outputs, each with its Java type."""
    graph = model.graph
    initializers = {t.name for t in graph.initializer}
    inputs = tuple(
        IOSpec(v.name, "input", type_string(v.type), shape_of(v.type), java_type(v.type, "input"))
        for v in graph.input
        if v.name not in initializers
    )
    outputs = tuple(
        IOSpec(v.name, "output", type_string(v.type), shape_of(v.type), java_type(v.type, "output"))
        for v in graph.output
    )
    return inputs, outputs
