"""Interval analysis: a closed range [lo, hi] that contains every value an integer tensor can hold.

``fix`` narrows an int64 graph output to int32 only when this analysis proves the output fits.
It is a single forward pass over the (topologically ordered) nodes; a value with no interval is
*unknown* (top), and unknown is never treated as a proof. Sources of facts:

- stored tensors: initializers and ``Constant`` nodes (their observed min and max);
- element types: a value typed int32, int16, uint8, bool... cannot leave that type's range
  (so an int32 graph input, widened by a ``Cast``, stays provably int32);
- a small table of *semantic* facts about index-producing ops (ArgMax/ArgMin/TopK indices are
  below the size of a known axis, Shape/Size of fully known shapes, NonZero coordinates) and
  ``ai.onnx.ml`` label attributes (a classifier's label is one of its ``classlabels_*``);
- propagation through ops that only *select or rearrange* values of some inputs (the output's
  values are a subset of theirs: Reshape, Gather, Concat, Slice, Where...), through ``Cast`` when
  the cast cannot wrap, through ``If`` (hull of both branches), and plain interval arithmetic for
  Add/Sub/Mul/Neg/Abs/Clip that gives up when int64 could overflow.

An interval may carry a :class:`Witness`: a stored value outside int32 that can reach the value
unchanged. That is the difference between "no proof it fits" and "proof it does not fit".
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
from onnx import AttributeProto, TensorProto, helper

from jvmready.narrowing import INT32_MAX, INT32_MIN, first_out_of_int32, int_range
from jvmready.onnx.graphs import node_label
from jvmready.onnx.load import LoadedModel
from jvmready.onnx.tensors import tensor_array

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

ML_DOMAIN = "ai.onnx.ml"


@dataclass(frozen=True)
class Witness:
    """A stored value that does not fit int32 and can flow, unchanged, into a value."""

    tensor: str
    index: int
    value: int


@dataclass(frozen=True)
class Interval:
    """Every run-time value lies in ``[lo, hi]``; ``why`` says where the bound comes from."""

    lo: int
    hi: int
    why: str = ""
    witness: Witness | None = None

    @property
    def fits_int32(self) -> bool:
        return self.lo >= INT32_MIN and self.hi <= INT32_MAX

    def hull(self, other: Interval) -> Interval:
        return Interval(
            min(self.lo, other.lo),
            max(self.hi, other.hi),
            self.why if self.why == other.why else f"{self.why}; {other.why}",
            self.witness or other.witness,
        )


Ranges = dict[str, Interval]
Types = dict[str, onnx.TypeProto]


def hull_all(intervals: Iterable[Interval]) -> Interval | None:
    result: Interval | None = None
    for iv in intervals:
        result = iv if result is None else result.hull(iv)
    return result


def dtype_bounds(elem_type: int) -> tuple[int, int] | None:
    """The representable range of an integer (or bool) element type; ``None`` otherwise."""
    if elem_type == TensorProto.BOOL:
        return 0, 1
    try:
        dtype = np.dtype(helper.tensor_dtype_to_np_dtype(elem_type))
    except (KeyError, TypeError, ValueError):
        return None
    if dtype.kind not in "iu":
        return None
    info = np.iinfo(dtype)
    return int(info.min), int(info.max)


def _type_interval(elem_type: int, why: str) -> Interval | None:
    """The interval an element type alone proves; int64/uint64 prove nothing useful."""
    if elem_type in (TensorProto.INT64, TensorProto.UINT64):
        return None
    bounds = dtype_bounds(elem_type)
    return None if bounds is None else Interval(bounds[0], bounds[1], why)


def elem_type_of(types: Types, name: str) -> int | None:
    tp = types.get(name)
    if tp is None or tp.WhichOneof("value") != "tensor_type":
        return None
    return int(tp.tensor_type.elem_type) or None


def opset_versions(model: onnx.ModelProto) -> dict[str, int]:
    """Imported opset version per domain (``""`` for the default ONNX domain)."""
    return {("" if o.domain == "ai.onnx" else o.domain): int(o.version) for o in model.opset_import}


def infer_types(model: onnx.ModelProto) -> Types:
    """Types (with shapes where known) of every value in every graph, by ONNX shape inference.

    Names are global here; a subgraph value that shadows an outer one overwrites it, which only
    costs precision, never soundness, for the uses in this package.
    """
    inferred = model
    for data_prop in (True, False):
        try:
            inferred = onnx.shape_inference.infer_shapes(
                model, check_type=False, strict_mode=False, data_prop=data_prop
            )
            break
        except Exception:  # inference is best effort: fall back to the declared types
            continue
    types: Types = {}
    from jvmready.onnx.graphs import iter_graphs

    for _path, g in iter_graphs(inferred.graph):
        for vi in (*g.input, *g.value_info, *g.output):
            if vi.type.WhichOneof("value") is not None:
                types[vi.name] = vi.type
        for t in g.initializer:
            types[t.name] = helper.make_tensor_type_proto(t.data_type, list(t.dims))
    return types


# --- sources -------------------------------------------------------------------------------------


def stored_interval(values: npt.NDArray[Any], name: str) -> Interval | None:
    """Interval of a stored integer tensor, with a witness when some value does not fit int32."""
    if values.dtype.kind not in "iub":
        return None
    if values.dtype.kind == "b":
        values = values.astype(np.uint8)
    r = int_range(values)
    if r.min is None or r.max is None:
        return None  # empty: contributes no values; leave unknown rather than invent a bound
    witness = None
    if not r.fits_int32:
        bad = first_out_of_int32(values)
        if bad is not None:
            witness = Witness(name, bad[0], bad[1])
    return Interval(r.min, r.max, f"stored values of {name!r}", witness)


def _constant_interval(loaded: LoadedModel, node: onnx.NodeProto, label: str) -> Interval | None:
    for attr in node.attribute:
        if attr.name == "value" and attr.type == AttributeProto.TENSOR:
            return stored_interval(tensor_array(loaded, attr.t), f"{label}.value")
        if attr.name == "value_int":
            return stored_interval(np.array([attr.i], dtype=np.int64), f"{label}.value_int")
        if attr.name == "value_ints":
            return stored_interval(np.array(attr.ints, dtype=np.int64), f"{label}.value_ints")
    return None


# --- semantic facts about index-producing ops ------------------------------------------------------

Fact = Callable[[onnx.NodeProto, Types, Ranges], Sequence[Interval | None]]


def _attr_int(node: onnx.NodeProto, name: str, default: int) -> int:
    for a in node.attribute:
        if a.name == name:
            return int(a.i)
    return default


def _dims(types: Types, name: str) -> list[int | None] | None:
    tp = types.get(name)
    if (
        tp is None
        or tp.WhichOneof("value") != "tensor_type"
        or not tp.tensor_type.HasField("shape")
    ):
        return None
    return [
        int(d.dim_value) if d.WhichOneof("value") == "dim_value" else None
        for d in tp.tensor_type.shape.dim
    ]


def _axis_size(types: Types, name: str, axis: int) -> int | None:
    dims = _dims(types, name)
    if not dims or not -len(dims) <= axis < len(dims):
        return None
    return dims[axis]


def _index_below(size: int | None, what: str) -> Interval | None:
    if size is None:
        return None
    return Interval(0, max(size - 1, 0), what)


def _arg_reduce(node: onnx.NodeProto, types: Types, _r: Ranges) -> Sequence[Interval | None]:
    axis = _attr_int(node, "axis", 0)
    size = _axis_size(types, node.input[0], axis)
    return [_index_below(size, f"{node.op_type} index over an axis of size {size}")]


def _topk(node: onnx.NodeProto, types: Types, ranges: Ranges) -> Sequence[Interval | None]:
    axis = _attr_int(node, "axis", -1)
    size = _axis_size(types, node.input[0], axis)
    return [
        ranges.get(node.input[0]),
        _index_below(size, f"TopK index over an axis of size {size}"),
    ]


def _shape(node: onnx.NodeProto, types: Types, _r: Ranges) -> Sequence[Interval | None]:
    dims = _dims(types, node.input[0])
    if dims is None or any(d is None for d in dims):
        return [None]
    known = [d for d in dims if d is not None]
    return [Interval(min(known, default=0), max(known, default=0), "Shape of known dims")]


def _size(node: onnx.NodeProto, types: Types, _r: Ranges) -> Sequence[Interval | None]:
    dims = _dims(types, node.input[0])
    if dims is None or any(d is None for d in dims):
        return [None]
    n = 1
    for d in dims:
        n *= d or 0
    return [Interval(n, n, "Size of known dims")]


def _nonzero(node: onnx.NodeProto, types: Types, _r: Ranges) -> Sequence[Interval | None]:
    dims = _dims(types, node.input[0])
    if not dims or any(d is None for d in dims):
        return [None]
    return [_index_below(max(d or 0 for d in dims), "NonZero coordinate of known dims")]


#: Facts that no schema states: what an index-producing op's outputs can be.
FACTS: dict[tuple[str, str], Fact] = {
    ("", "ArgMax"): _arg_reduce,
    ("", "ArgMin"): _arg_reduce,
    ("", "TopK"): _topk,
    ("", "Shape"): _shape,
    ("", "Size"): _size,
    ("", "NonZero"): _nonzero,
}

#: ``ai.onnx.ml`` attributes listing every integer an op can output (classifier labels, encoder
#: values). Paired with the attribute holding the value used for unknown keys, if any.
LABEL_ATTRIBUTES: dict[str, str | None] = {
    "classlabels_ints": None,
    "classlabels_int64s": None,
    "values_int64s": "default_int64",
    "cats_int64s": "default_int64",
}


def _label_interval(node: onnx.NodeProto, label: str) -> Interval | None:
    attrs = {a.name: a for a in node.attribute}
    for name, default_attr in LABEL_ATTRIBUTES.items():
        if name not in attrs:
            continue
        values = list(attrs[name].ints)
        if default_attr is not None:
            values.append(int(attrs[default_attr].i) if default_attr in attrs else -1)
        if values:
            return stored_interval(np.array(values, dtype=np.int64), f"{label}.{name}")
    return None


# --- generic propagation ---------------------------------------------------------------------------

#: Default-domain ops whose outputs hold only values taken from some of their inputs (``None``:
#: all inputs). They move, select or repeat values and never compute new ones, so the hull of those
#: inputs' intervals bounds every output.
VALUE_SOURCES: dict[str, tuple[int, ...] | None] = {
    "Identity": (0,),
    "Reshape": (0,),
    "Squeeze": (0,),
    "Unsqueeze": (0,),
    "Flatten": (0,),
    "Transpose": (0,),
    "Expand": (0,),
    "Tile": (0,),
    "Slice": (0,),
    "Split": (0,),
    "Gather": (0,),
    "GatherElements": (0,),
    "GatherND": (0,),
    "Compress": (0,),
    "DepthToSpace": (0,),
    "SpaceToDepth": (0,),
    "ReduceMax": (0,),
    "ReduceMin": (0,),
    "Unique": (0,),
    "Concat": None,
    "Max": None,
    "Min": None,
    "Where": (1, 2),
}


def _checked(lo: int, hi: int, why: str) -> Interval | None:
    """An arithmetic result, or unknown when int64 arithmetic could have wrapped."""
    if lo < INT64_MIN or hi > INT64_MAX:
        return None
    return Interval(lo, hi, why)


def _arithmetic(op: str, args: list[Interval]) -> Interval | None:
    why = f"{op} of bounded values"
    if op == "Neg" and len(args) == 1:
        return _checked(-args[0].hi, -args[0].lo, why)
    if op == "Abs" and len(args) == 1:
        a = args[0]
        lo = 0 if a.lo <= 0 <= a.hi else min(abs(a.lo), abs(a.hi))
        return _checked(lo, max(abs(a.lo), abs(a.hi)), why)
    if len(args) != 2:
        return None
    a, b = args
    if op == "Add":
        return _checked(a.lo + b.lo, a.hi + b.hi, why)
    if op == "Sub":
        return _checked(a.lo - b.hi, a.hi - b.lo, why)
    if op == "Mul":
        products = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi]
        return _checked(min(products), max(products), why)
    return None


def _cast(node: onnx.NodeProto, ranges: Ranges, types: Types, to: int) -> Interval | None:
    bounds = dtype_bounds(to)
    src = ranges.get(node.input[0])
    if src is None and elem_type_of(types, node.input[0]) == TensorProto.BOOL:
        src = Interval(0, 1, "bool")
    if bounds is not None and src is not None and bounds[0] <= src.lo and src.hi <= bounds[1]:
        return src  # the cast cannot wrap: values pass unchanged
    return _type_interval(to, f"Cast to {helper.tensor_dtype_to_string(to)}")


def _default_domain_op(
    node: onnx.NodeProto, ranges: Ranges, types: Types
) -> Sequence[Interval | None] | None:
    op = node.op_type
    if op == "Cast":
        return [_cast(node, ranges, types, _attr_int(node, "to", 0))]
    if op == "CastLike" and len(node.input) > 1:
        target = elem_type_of(types, node.input[1])
        return [_cast(node, ranges, types, target)] if target else None
    if op in VALUE_SOURCES:
        slots = VALUE_SOURCES[op]
        names = [n for i, n in enumerate(node.input) if n and (slots is None or i in slots)]
        parts = [ranges.get(n) for n in names]
        if not parts or any(p is None for p in parts):
            return None
        hull = hull_all(p for p in parts if p is not None)
        return [hull] * len(node.output)
    if op in ("Add", "Sub", "Mul", "Neg", "Abs"):
        args = [ranges.get(n) for n in node.input]
        if any(a is None for a in args):
            return None
        return [_arithmetic(op, [a for a in args if a is not None])]
    if op == "Clip" and len(node.input) == 3 and node.input[1] and node.input[2]:
        lo, hi = ranges.get(node.input[1]), ranges.get(node.input[2])
        if lo is not None and hi is not None:
            return [Interval(lo.lo, hi.hi, "Clip to bounded limits")]
    return None


def analyze(
    graph: onnx.GraphProto,
    loaded: LoadedModel,
    types: Types,
    opsets: dict[str, int],
    outer: Ranges | None = None,
) -> Ranges:
    """Intervals for the values of ``graph`` (and those visible from ``outer`` scopes).

    ``loaded`` reads stored tensors (external data stays memory-mapped and is scanned in chunks).
    """
    ranges: Ranges = dict(outer or {})
    for vi in graph.input:
        ranges.pop(vi.name, None)  # a subgraph input shadows an outer value
        et = elem_type_of(types, vi.name)
        iv = _type_interval(et, f"type of input {vi.name!r}") if et else None
        if iv is not None:
            ranges[vi.name] = iv
    for t in graph.initializer:
        is_int = dtype_bounds(t.data_type) is not None
        iv = stored_interval(tensor_array(loaded, t), t.name) if is_int else None
        if iv is not None:
            ranges[t.name] = iv
        else:
            ranges.pop(t.name, None)
    for i, node in enumerate(graph.node):
        label = node_label(node, i)
        results = _node_intervals(node, label, loaded, ranges, types, opsets)
        for j, name in enumerate(node.output):
            if not name:
                continue
            iv = results[j] if j < len(results) else None
            et = elem_type_of(types, name)
            if iv is None and et is not None:
                iv = _type_interval(et, f"type of {name!r}")
            if iv is None:
                ranges.pop(name, None)
            else:
                ranges[name] = iv
    return ranges


def _node_intervals(
    node: onnx.NodeProto,
    label: str,
    loaded: LoadedModel,
    ranges: Ranges,
    types: Types,
    opsets: dict[str, int],
) -> Sequence[Interval | None]:
    domain = "" if node.domain == "ai.onnx" else node.domain
    if domain == "" and node.op_type == "Constant":
        return [_constant_interval(loaded, node, label)]
    fact = FACTS.get((domain, node.op_type))
    if fact is not None:
        return fact(node, types, ranges)
    if domain == ML_DOMAIN:
        labels = _label_interval(node, label)
        if labels is None:
            return []
        # Only integer-typed outputs hold labels (classifiers' scores are float).
        return [
            labels if elem_type_of(types, n) in (TensorProto.INT64, TensorProto.INT32) else None
            for n in node.output
        ]
    if domain != "":
        return []
    if node.op_type == "If":
        return _if_intervals(node, loaded, ranges, types, opsets)
    return _default_domain_op(node, ranges, types) or []


def _if_intervals(
    node: onnx.NodeProto, loaded: LoadedModel, ranges: Ranges, types: Types, opsets: dict[str, int]
) -> Sequence[Interval | None]:
    branches = [a.g for a in node.attribute if a.type == AttributeProto.GRAPH]
    per_branch: list[list[Interval | None]] = []
    for g in branches:
        inner = ranges
        with contextlib.suppress(Exception):  # a branch we cannot analyse proves nothing
            inner = analyze(g, loaded, types, opsets, ranges)
        per_branch.append([inner.get(o.name) for o in g.output])
    results: list[Interval | None] = []
    for j in range(len(node.output)):
        parts = [b[j] if j < len(b) else None for b in per_branch]
        if len(parts) != 2 or any(p is None for p in parts):
            results.append(None)
        else:
            results.append(hull_all(p for p in parts if p is not None))
    return results
