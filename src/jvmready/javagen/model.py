"""A frozen description of the Java facade for one ONNX model, built from its declared inputs and
outputs: everything the templates need, decided (and refused) here rather than in Jinja."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import onnx
from onnx import TensorProto

from jvmready.errors import InputFileError, JvmreadyError
from jvmready.javagen.identifiers import (
    RECORD_COMPONENT_RESERVED,
    assign_identifiers,
    check_class_name,
    check_package,
)
from jvmready.onnx.graphs import shape_of, type_string
from jvmready.onnx.load import load_model
from jvmready.onnx.signature import tensor_java_type
from jvmready.report import Dim

#: Metadata key under which ``verify --embed`` stores replayable samples.
SAMPLES_KEY = "jvmready.samples"

#: Element types the facade handles, and the ``Result`` accessor that reads each back.
#: ``intsExact`` on an int32 output cannot fail; it is the int-typed accessor.
_ACCESSORS: dict[int, str] = {
    TensorProto.FLOAT: "floats",
    TensorProto.DOUBLE: "doubles",
    TensorProto.INT32: "intsExact",
    TensorProto.INT64: "longs",
    TensorProto.BOOL: "booleans",
}

#: ZipMap's output (``seq(map(K, tensor(float)))``): key type -> (Java type, accessor).
_ZIPMAPS: dict[int, tuple[str, str]] = {
    TensorProto.INT64: ("List<Map<Long, Float>>", "zipMap"),
    TensorProto.STRING: ("List<Map<String, Float>>", "zipMapStrings"),
}

#: Simple type names the generated file uses; the class may not take one of them.
USED_TYPE_NAMES = frozenset(
    {
        "ModelRunner",
        "Result",
        "SelfCheckReport",
        "IoSpec",
        "NestedArrays",
        "Prediction",
        "IOException",
        "Path",
        "List",
        "Map",
        "LinkedHashMap",
        "Object",
        "String",
        "Override",
        "AutoCloseable",
        "Integer",
    }
)


@dataclass(frozen=True)
class FacadeValue:
    """One model input (a ``predict`` parameter) or output (a ``Prediction`` component)."""

    name: str  # as the model spells it
    java_name: str  # a valid Java identifier
    onnx_type: str  # "tensor(float)", "seq(map(int64,tensor(float)))"
    kind: str  # "tensor" or "zipmap"
    element: str  # ONNX element type: "float"; for a ZipMap the map's value type
    java_type: str  # "float[][]", "long", "List<Map<Long, Float>>"
    accessor: str  # the Result method reading it back: "floats", "zipMap"
    dims: tuple[Dim, ...]  # ints, symbolic names, None for unnamed dynamic; () for a ZipMap
    key_type: str = ""  # a ZipMap's key type: "int64" or "string"
    rank_declared: bool = True  # False when the rank comes from shape inference only

    @property
    def rank(self) -> int:
        return len(self.dims)

    @property
    def shape_text(self) -> str:
        """``[batch, 4]``, ``?`` for an unnamed dynamic dimension."""
        return "[" + ", ".join("?" if d is None else str(d) for d in self.dims) + "]"

    @property
    def dynamic_dims(self) -> tuple[str, ...]:
        """Descriptions of the dimensions a caller chooses: ``batch (dim 0)``."""
        return tuple(
            f"{'unnamed' if d is None else d} (dim {i})"
            for i, d in enumerate(self.dims)
            if not isinstance(d, int)
        )


@dataclass(frozen=True)
class Facade:
    """Everything a generated facade class states about its model."""

    package: str
    class_name: str
    model_file: str  # the file name it was generated from
    model_name: str  # graph name
    producer: str  # "skl2onnx 1.20"
    doc: str  # the model's doc string, possibly empty
    sha256: str
    jvmready_version: str
    inputs: tuple[FacadeValue, ...]
    outputs: tuple[FacadeValue, ...]
    has_samples: bool

    @property
    def uses_nested_arrays(self) -> bool:
        return any(o.kind == "tensor" and o.rank > 1 for o in self.outputs)

    @property
    def uses_lists(self) -> bool:
        return any(o.kind == "zipmap" for o in self.outputs)


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def describe_model(path: str | os.PathLike[str], package: str, class_name: str) -> Facade:
    """Load ``path`` and decide the facade; raise one-line errors for what Java cannot type."""
    from jvmready import __version__

    p = Path(path)
    check_package(package)
    check_class_name(class_name, taken=USED_TYPE_NAMES)
    loaded = load_model(p)
    model = loaded.model
    graph = model.graph
    initializers = {t.name for t in graph.initializer}
    inputs = [v for v in graph.input if v.name not in initializers]
    if not inputs:
        raise InputFileError(p, "the model declares no inputs; there is nothing to predict from")
    if not graph.output:
        raise InputFileError(p, "the model declares no outputs")
    # Shape inference copies the model: run it only when an output needs a rank from it.
    unshaped = any(shape_of(v.type) is None for v in graph.output)
    inferred = _inferred_types(model) if unshaped else {}
    try:
        in_names = assign_identifiers([v.name for v in inputs], "input")
        out_names = assign_identifiers(
            [v.name for v in graph.output], "output", reserved=RECORD_COMPONENT_RESERVED
        )
    except JvmreadyError as e:
        raise InputFileError(p, str(e)) from None
    producer = " ".join(s for s in (model.producer_name, model.producer_version) if s)
    in_values = tuple(
        _value(p, v, ident, "input", inferred) for v, ident in zip(inputs, in_names, strict=True)
    )
    out_values = tuple(
        _value(p, v, ident, "output", inferred)
        for v, ident in zip(graph.output, out_names, strict=True)
    )
    for what, values in (("inputs", in_values), ("outputs", out_values)):
        if _parameter_slots(values) > MAX_PARAMETER_SLOTS:
            raise InputFileError(
                p,
                f"the model has {len(values)} {what}: more than a Java method or record can take "
                f"(at most {MAX_PARAMETER_SLOTS} parameter slots; long and double scalars take 2)",
            )
    return Facade(
        package=package,
        class_name=class_name,
        model_file=p.name,
        model_name=graph.name,
        producer=producer,
        doc=model.doc_string or graph.doc_string,
        sha256=sha256_file(p),
        jvmready_version=__version__,
        inputs=in_values,
        outputs=out_values,
        has_samples=any(e.key == SAMPLES_KEY for e in model.metadata_props),
    )


#: JVM limit on a method's parameters, counted in slots with ``this`` (JVMS 4.3.3).
MAX_PARAMETER_SLOTS = 254


def _parameter_slots(values: tuple[FacadeValue, ...]) -> int:
    return sum(2 if v.java_type in ("long", "double") else 1 for v in values)


def _inferred_types(model: onnx.ModelProto) -> dict[str, onnx.TypeProto]:
    """Output types from shape inference, to give a rank to outputs declared without a shape."""
    try:
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=False)
    except Exception:  # inference is only a fallback; the declared types still stand
        return {}
    return {v.name: v.type for v in (*inferred.graph.output, *inferred.graph.value_info)}


def _value(
    path: Path,
    v: onnx.ValueInfoProto,
    ident: str,
    direction: str,
    inferred: dict[str, onnx.TypeProto],
) -> FacadeValue:
    tp = v.type
    onnx_type = type_string(tp)
    which = tp.WhichOneof("value")
    where = f"{direction} {v.name!r}"
    if which == "tensor_type":
        elem = tp.tensor_type.elem_type
        accessor = _ACCESSORS.get(elem)
        if accessor is None:
            raise InputFileError(
                path,
                f"{where} is {onnx_type}, which the generated facade does not support "
                "(supported: tensors of float, double, int32, int64, bool, and ZipMap outputs)",
            )
        dims = shape_of(tp)
        rank_declared = dims is not None
        if dims is None and direction == "output" and v.name in inferred:
            dims = shape_of(inferred[v.name])
        if dims is None:
            raise InputFileError(
                path,
                f"{where} ({onnx_type}) declares no shape, so its Java array rank is unknown; "
                "give it a shape in the model",
            )
        # As an input type, a scalar maps to the primitive rather than the boxed class.
        java = tensor_java_type(elem, dims, "input").primary
        return FacadeValue(
            name=v.name,
            java_name=ident,
            onnx_type=onnx_type,
            kind="tensor",
            element=onnx_type[len("tensor(") : -1],
            java_type=java,
            accessor=accessor,
            dims=dims,
            rank_declared=rank_declared,
        )
    if which == "sequence_type" and direction == "output":
        inner = tp.sequence_type.elem_type
        if inner.WhichOneof("value") == "map_type":
            mt = inner.map_type
            value = mt.value_type
            zipmap = _ZIPMAPS.get(mt.key_type)
            if (
                zipmap is not None
                and value.WhichOneof("value") == "tensor_type"
                and value.tensor_type.elem_type == TensorProto.FLOAT
            ):
                return FacadeValue(
                    name=v.name,
                    java_name=ident,
                    onnx_type=onnx_type,
                    kind="zipmap",
                    element="float",
                    java_type=zipmap[0],
                    accessor=zipmap[1],
                    dims=(),
                    key_type="int64" if mt.key_type == TensorProto.INT64 else "string",
                )
    raise InputFileError(
        path,
        f"{where} is {onnx_type}, which the generated facade does not support "
        "(supported: tensors of float, double, int32, int64, bool, and ZipMap outputs)",
    )
