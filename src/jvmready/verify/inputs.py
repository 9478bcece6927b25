"""Inputs for ``verify``: generated from a model's signature, or read from an ``.npz``.

A :class:`SampleSet` holds every input stacked along a leading sample axis, so one set feeds
the original and the fixed model (each converted to the types it declares) and the JVM (one
stacked file, one process). The signature is a tuple of :class:`InputSpec`, whatever the
format: :func:`draw_inputs`, :func:`read_npz` and :func:`convert_to` work on it; the ONNX
functions (:func:`generate_inputs`, :func:`load_inputs`, :func:`convert_for`) add what an ONNX
graph says about the values it accepts.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnx
from onnx import helper, numpy_helper

from jvmready.errors import InputFileError, JvmreadyError, NarrowingError
from jvmready.narrowing import int_range, narrow_checked
from jvmready.onnx.graphs import shape_of, type_string

#: Size given to every dynamic dimension (one size per symbolic name).
DYNAMIC_DIM = 3
#: Integer inputs the graph says nothing about are drawn from ``[0, DEFAULT_INT_HIGH)``:
#: small non-negative values are what ids, counts and indices look like.
DEFAULT_INT_HIGH = 10
#: Ops that pass their first input's values through unchanged, followed to find a bound.
_VALUE_PRESERVING = frozenset({"Cast", "Identity", "Reshape", "Squeeze", "Unsqueeze", "Flatten"})
#: Attributes that list the categories an ``ai.onnx.ml`` operator knows, by input element kind.
_CATEGORY_ATTRS = {
    "OneHotEncoder": ("cats_int64s", "cats_strings"),
    "CategoryMapper": ("cats_int64s", "cats_strings"),
    "LabelEncoder": ("keys_int64s", "keys_strings"),
}


@dataclass(frozen=True)
class InputSpec:
    """One input a caller feeds, in any format: its name, the NumPy dtype it takes (``str_``
    for strings), its shape (``None`` when unranked; a ``str`` or ``None`` dimension is
    dynamic) and its type as the format spells it, for messages (``tensor(int64)``)."""

    name: str
    dtype: np.dtype[np.generic]
    shape: tuple[int | str | None, ...] | None
    type: str


def onnx_input_spec(
    name: str, elem_type: int, shape: tuple[int | str | None, ...] | None
) -> InputSpec:
    """The :class:`InputSpec` of an ONNX tensor input of element type ``elem_type``."""
    if elem_type == onnx.TensorProto.STRING:
        dtype = np.dtype(np.str_)
    else:
        dtype = np.dtype(helper.tensor_dtype_to_np_dtype(elem_type))
    type_name = f"tensor({onnx.TensorProto.DataType.Name(elem_type).lower()})"
    return InputSpec(name, dtype, shape, type_name)


@dataclass(frozen=True)
class IntHint:
    """What the graph says about the values an integer (or string) input may take."""

    categories: tuple[int | str, ...] = ()
    high: int | None = None  # exclusive bound, e.g. a Gather table's size
    columns: tuple[tuple[int, int, IntHint], ...] = ()  # (axis, index, hint) per picked column
    source: str = ""


@dataclass(frozen=True)
class SampleSet:
    """Input arrays keyed by input name, each with a leading sample axis of length ``count``."""

    arrays: Mapping[str, npt.NDArray[np.generic]]
    count: int
    source: str  # "generated (seed 0)" or the npz path

    def sample(self, i: int) -> dict[str, npt.NDArray[np.generic]]:
        """The inputs of sample ``i``, without the sample axis."""
        return {name: a[i] for name, a in self.arrays.items()}

    def __iter__(self) -> Iterator[dict[str, npt.NDArray[np.generic]]]:
        return (self.sample(i) for i in range(self.count))


def input_specs(model: onnx.ModelProto, label: str = "<model>") -> tuple[InputSpec, ...]:
    """The inputs a caller must feed (graph inputs that are not initializers)."""
    init = {t.name for t in model.graph.initializer}
    specs = []
    for vi in model.graph.input:
        if vi.name in init:
            continue
        if vi.type.WhichOneof("value") != "tensor_type":
            raise JvmreadyError(
                f"{label}: input {vi.name!r} is {type_string(vi.type)}; verify feeds tensors only"
            )
        specs.append(onnx_input_spec(vi.name, vi.type.tensor_type.elem_type, shape_of(vi.type)))
    return tuple(specs)


def _inferred_shapes(model: onnx.ModelProto) -> dict[str, tuple[int | str | None, ...] | None]:
    try:
        inferred = onnx.shape_inference.infer_shapes(model)
    except Exception:  # inference is a hint here; a model it cannot handle just gets no hints
        inferred = model
    g = inferred.graph
    return {vi.name: shape_of(vi.type) for vi in [*g.value_info, *g.input, *g.output]}


def int_hints(model: onnx.ModelProto) -> dict[str, IntHint]:
    """Per graph input, the values the graph accepts, read from the operators consuming it.

    Gather indices are bounded by the size of the table they index (an initializer's or an
    inferred shape); ``ai.onnx.ml`` encoders give the categories they know. Value-preserving
    ops (Cast, Reshape...) are followed, so an input cast before its Gather still gets a bound;
    a Gather that picks one column with a constant index (how scikit-learn's ColumnTransformer
    exports) gives that column its own hint.
    """
    return _HintFinder(model).find()


class _HintFinder:
    def __init__(self, model: onnx.ModelProto) -> None:
        self.model = model
        self.consumers: dict[str, list[tuple[onnx.NodeProto, int]]] = {}
        for node in model.graph.node:
            for pos, name in enumerate(node.input):
                self.consumers.setdefault(name, []).append((node, pos))
        self.inits = {t.name: t for t in model.graph.initializer}
        self._shapes: dict[str, tuple[int | str | None, ...] | None] | None = None

    def find(self) -> dict[str, IntHint]:
        hints = {}
        for vi in self.model.graph.input:
            hint = self.hint_for(vi.name)
            if hint is not None:
                hints[vi.name] = hint
        return hints

    def shape(self, name: str) -> tuple[int | str | None, ...] | None:
        if name in self.inits:
            return tuple(self.inits[name].dims)
        if self._shapes is None:
            self._shapes = _inferred_shapes(self.model)
        return self._shapes.get(name)

    def hint_for(self, start: str, depth: int = 0) -> IntHint | None:
        frontier, seen = [start], {start}
        columns: list[tuple[int, int, IntHint]] = []
        while frontier:
            tensor = frontier.pop()
            for node, pos in self.consumers.get(tensor, []):
                hint = self._direct(node, pos)
                if hint is not None:
                    return hint
                column = self._column(node, pos)
                if column is not None and depth < 4:
                    sub = self.hint_for(node.output[0], depth + 1)
                    if sub is not None and not sub.columns:
                        columns.append((*column, sub))
                elif node.op_type in _VALUE_PRESERVING and pos == 0:
                    for out in node.output:
                        if out not in seen:
                            seen.add(out)
                            frontier.append(out)
        if columns:
            return IntHint(columns=tuple(columns), source="per-column hints")
        return None

    def _direct(self, node: onnx.NodeProto, pos: int) -> IntHint | None:
        if node.op_type in _CATEGORY_ATTRS and node.domain == "ai.onnx.ml":
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            for key in _CATEGORY_ATTRS[node.op_type]:
                values = attrs.get(key)
                if values:
                    cats = tuple(v.decode() if isinstance(v, bytes) else int(v) for v in values)
                    return IntHint(categories=cats, source=f"{node.op_type}.{key}")
        elif node.op_type == "Gather" and node.domain in ("", "ai.onnx") and pos == 1:
            axis = next((a.i for a in node.attribute if a.name == "axis"), 0)
            table = self.shape(node.input[0])
            if table is not None and -len(table) <= axis < len(table):
                size = table[axis]
                if isinstance(size, int) and size > 0:
                    return IntHint(high=size, source=f"Gather table {node.input[0]!r}")
        return None

    def _column(self, node: onnx.NodeProto, pos: int) -> tuple[int, int] | None:
        """(axis, index) when ``node`` is a Gather picking one constant index of its data."""
        if node.op_type != "Gather" or node.domain not in ("", "ai.onnx") or pos != 0:
            return None
        index = self.inits.get(node.input[1])
        if index is None:
            return None
        values = numpy_helper.to_array(index).reshape(-1)
        if values.size != 1:
            return None
        axis = next((a.i for a in node.attribute if a.name == "axis"), 0)
        return int(axis), int(values[0])


def _concrete_shape(spec: InputSpec, sizes: dict[str, int]) -> tuple[int, ...]:
    if spec.shape is None:
        return (DYNAMIC_DIM,)
    dims = []
    for d in spec.shape:
        if isinstance(d, int) and d > 0:
            dims.append(d)
        elif isinstance(d, str) and d:
            dims.append(sizes.setdefault(d, DYNAMIC_DIM))
        else:
            dims.append(DYNAMIC_DIM)
    return tuple(dims)


def generate_inputs(model: onnx.ModelProto, count: int, seed: int = 0) -> SampleSet:
    """``count`` input sets of the declared dtypes and shapes, values the graph accepts."""
    return draw_inputs(input_specs(model), count, seed, int_hints(model))


def draw_inputs(
    specs: Sequence[InputSpec],
    count: int,
    seed: int = 0,
    hints: Mapping[str, IntHint] | None = None,
) -> SampleSet:
    """``count`` input sets of the declared dtypes and shapes: integers from ``hints`` (else
    small non-negative values, what ids and indices look like), floats standard normal."""
    if count < 1:
        raise JvmreadyError(f"--samples must be at least 1, not {count}")
    rng = np.random.default_rng(seed)
    hints = hints or {}
    sizes: dict[str, int] = {}
    arrays: dict[str, npt.NDArray[np.generic]] = {}
    for spec in specs:
        shape = (count, *_concrete_shape(spec, sizes))
        hint = hints.get(spec.name, IntHint())
        try:
            a = _draw(hint, spec.dtype, shape, rng)
        except ValueError:
            raise JvmreadyError(
                f"input {spec.name!r}: cannot generate {spec.type}; use --inputs"
            ) from None
        for axis, index, sub in hint.columns:
            ax = axis + 1 if axis >= 0 else axis  # the sample axis comes first
            if not -a.ndim < ax < a.ndim or not -a.shape[ax] <= index < a.shape[ax]:
                continue
            where: list[slice | int] = [slice(None)] * a.ndim
            where[ax] = index
            a[tuple(where)] = _draw(sub, spec.dtype, a[tuple(where)].shape, rng)
        arrays[spec.name] = a
    return SampleSet(arrays, count, f"generated (seed {seed})")


def _draw(
    hint: IntHint, dtype: np.dtype[np.generic], shape: tuple[int, ...], rng: np.random.Generator
) -> npt.NDArray[np.generic]:
    cats = np.array(hint.categories)
    if cats.size and dtype.kind in "iu" and cats.dtype.kind in "iu":
        info = np.iinfo(dtype.type)  # type: ignore[type-var]
        cats = cats[(cats >= info.min) & (cats <= info.max)]  # the input cannot carry the rest
    if cats.size:
        picked = cats[rng.integers(0, len(cats), size=shape)]
        return picked.astype(str) if dtype.kind == "U" else picked.astype(dtype)
    if dtype.kind == "U":
        return np.array([f"s{i}" for i in range(5)])[rng.integers(0, 5, size=shape)]
    if dtype.kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype.kind in "iu":
        high = hint.high if hint.high is not None else DEFAULT_INT_HIGH
        high = min(high, int(np.iinfo(dtype.type).max) + 1)  # type: ignore[type-var]
        return rng.integers(0, high, size=shape).astype(dtype)
    if dtype.kind in "fc":
        return rng.standard_normal(size=shape).astype(dtype)
    raise ValueError(dtype)


def load_inputs(path: str | os.PathLike[str], model: onnx.ModelProto) -> SampleSet:
    """Read an ``.npz`` keyed by input name for the ONNX ``model`` (see :func:`read_npz`)."""
    return read_npz(path, input_specs(model), "the model")


def read_npz(
    path: str | os.PathLike[str], specs: Sequence[InputSpec], model_label: str
) -> SampleSet:
    """Read an ``.npz`` keyed by input name: one input set, or many stacked on a leading axis.

    An array with one more dimension than the input's declared rank is taken as stacked
    samples. Arrays are converted to the declared types (range-checked).
    """
    p = Path(path)
    if not p.is_file():
        raise InputFileError(p, "no such file" if not p.exists() else "not a file")
    try:
        with np.load(p, allow_pickle=False) as npz:
            raw = {k: npz[k] for k in npz.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as e:
        raise InputFileError(p, f"not a readable .npz file ({e})") from None
    missing = [s.name for s in specs if s.name not in raw]
    if missing:
        raise InputFileError(p, f"no array for input(s) {', '.join(map(repr, missing))}")
    extra = sorted(set(raw) - {s.name for s in specs})
    if extra:
        raise InputFileError(p, f"array(s) {', '.join(map(repr, extra))} are not model inputs")
    stacked: dict[str, npt.NDArray[np.generic]] = {}
    for s in specs:
        a = raw[s.name]
        rank = None if s.shape is None else len(s.shape)
        stacked[s.name] = a if rank is not None and a.ndim == rank + 1 else a[np.newaxis, ...]
    counts = {a.shape[0] for a in stacked.values()}
    if len(counts) != 1:
        raise InputFileError(p, f"inputs have different sample counts {sorted(counts)}")
    samples = SampleSet(stacked, counts.pop(), str(p))
    return convert_to(samples, specs, str(p), model_label)


def convert_for(
    samples: SampleSet, model: onnx.ModelProto, source: str, model_label: str
) -> SampleSet:
    """The same samples in the types ``model`` declares; refuses any value that would change."""
    return convert_to(samples, input_specs(model, model_label), source, model_label)


def convert_to(
    samples: SampleSet, specs: Sequence[InputSpec], source: str, model_label: str
) -> SampleSet:
    """The same samples in the types ``specs`` declare; refuses any value that would change
    (integers are range-checked with :func:`~jvmready.narrowing.narrow_checked`, never wrapped).
    """
    out = {}
    for spec in specs:
        if spec.name not in samples.arrays:
            raise JvmreadyError(f"{model_label} has input {spec.name!r}, which {source} lacks")
        out[spec.name] = _convert(samples.arrays[spec.name], spec, source, model_label)
    return SampleSet(out, samples.count, samples.source)


def _convert(
    a: npt.NDArray[np.generic], spec: InputSpec, source: str, model_label: str
) -> npt.NDArray[np.generic]:
    want = spec.dtype
    if spec.shape is not None:
        dims = a.shape[1:]
        if len(dims) != len(spec.shape) or any(
            isinstance(d, int) and d > 0 and d != n for d, n in zip(spec.shape, dims, strict=True)
        ):
            raise InputFileError(
                source,
                f"input {spec.name!r} has shape {list(dims)}, {model_label} declares "
                f"{[d if d else '?' for d in spec.shape]}",
            )
    have = a.dtype
    if have == want:
        return a
    if want.kind == "U" or have.kind in "USO":
        if want.kind == "U" and have.kind == "U":
            return a
        raise InputFileError(
            source, f"input {spec.name!r} is {have}, {model_label} declares {spec.type}"
        )
    if want.kind in "iu" and have.kind in "iub":
        if want == np.int32:
            try:
                return narrow_checked(a, spec.name)  # type: ignore[arg-type]
            except NarrowingError as e:
                raise InputFileError(
                    source,
                    f"input {spec.name!r}: value {e.value} at flat index {e.index} does not fit "
                    f"int32, which {model_label} declares",
                ) from None
        info = np.iinfo(want.type)  # type: ignore[type-var]
        ints: npt.NDArray[np.integer] = a.astype(np.int64) if a.dtype.kind == "b" else a  # type: ignore[assignment]
        r = int_range(ints)
        if r.min is not None and r.max is not None and (r.min < info.min or r.max > info.max):
            flat = ints.reshape(-1)
            i = int(np.flatnonzero((flat < info.min) | (flat > info.max))[0])
            raise InputFileError(
                source,
                f"input {spec.name!r}: value {int(flat[i])} at flat index {i} does not fit "
                f"{want}, which {model_label} declares",
            )
        return a.astype(want)
    if want.kind == "f" and have.kind in "iub":
        converted = a.astype(want)
        back = converted.astype(have)
        if not np.array_equal(back, a):
            i = int(np.flatnonzero(back.reshape(-1) != a.reshape(-1))[0])
            raise InputFileError(
                source,
                f"input {spec.name!r}: value {a.reshape(-1)[i]} at flat index {i} is not exact "
                f"as {want}, which {model_label} declares",
            )
        return converted
    if want.kind == "f" and have.kind == "f":
        return a.astype(want)  # float precision differences are what tolerances are for
    if want.kind == "b" and have.kind == "b":
        return a
    raise InputFileError(
        source, f"input {spec.name!r} is {have}, {model_label} declares {spec.type}"
    )


__all__ = [
    "DYNAMIC_DIM",
    "InputSpec",
    "IntHint",
    "SampleSet",
    "convert_for",
    "convert_to",
    "draw_inputs",
    "generate_inputs",
    "input_specs",
    "int_hints",
    "load_inputs",
    "onnx_input_spec",
    "read_npz",
]
