"""A synthetic ONNX model of a chosen size, written by streaming (never held in memory).

Layout: ``pairs`` lookup blocks. Block ``i`` has a float32 weight matrix ``W_i`` [V, 256] and an
int64 table ``T_i`` [N] of row indices into it (values in ``[0, V)``, so they fit int32 and
``fix --target int32`` narrows them: Gather's ``indices`` accepts int32). The graph sums
``Gather(W_i, T_i)`` over all blocks plus ``Gather(W_0, ids)`` for the int64 graph input ``ids``.
About 60% of the bytes are int64 tables, 40% float weights, all in one external data file.

A second model (``small_int64.onnx``) uses the same float weights (same data file, same offsets)
with tiny inline int64 tables: ``check`` of it has no reason to read the weights at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
import onnx
from onnx import TensorProto, helper

WIDTH = 256  # columns of each float weight matrix
CHUNK = 8 << 20  # elements generated and written at a time
ALIGN = 4096
INT64_SHARE = 0.6
BLOCK_BYTES = 160 << 20  # target bytes per (table, weights) block
DATA_NAME = "large.onnx.data"
SMALL_TABLE = 1024


@dataclass(frozen=True)
class ExternalSpan:
    """Where one tensor's bytes are in the data file."""

    name: str
    data_type: int
    dims: tuple[int, ...]
    offset: int
    length: int


@dataclass(frozen=True)
class LargeModel:
    """The models written and what is in them."""

    model: Path
    small_int64_model: Path
    data: Path
    data_bytes: int
    int64_bytes: int
    float_bytes: int
    tables: tuple[ExternalSpan, ...]
    weights: tuple[ExternalSpan, ...]


def _pad(f: BinaryIO) -> int:
    pos = f.tell()
    if pos % ALIGN:
        f.write(b"\0" * (ALIGN - pos % ALIGN))
    return f.tell()


def _chunks(total: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, CHUNK):
        yield start, min(CHUNK, total - start)


def _write_floats(f: BinaryIO, rng: np.random.Generator, count: int) -> None:
    for _start, n in _chunks(count):
        f.write(rng.standard_normal(n, dtype=np.float32).astype("<f4").tobytes())


def _write_table(f: BinaryIO, rng: np.random.Generator, count: int, rows: int) -> None:
    for _start, n in _chunks(count):
        f.write(rng.integers(0, rows, size=n, dtype=np.int64).astype("<i8").tobytes())


def _external(span: ExternalSpan, location: str) -> TensorProto:
    t = TensorProto()
    t.name = span.name
    t.data_type = span.data_type
    t.dims.extend(span.dims)
    t.data_location = TensorProto.EXTERNAL
    for key, value in (
        ("location", location),
        ("offset", str(span.offset)),
        ("length", str(span.length)),
    ):
        entry = t.external_data.add()
        entry.key = key
        entry.value = value
    return t


def _graph(initializers: list[TensorProto], pairs: int, name: str) -> onnx.ModelProto:
    nodes: list[onnx.NodeProto] = []
    parts: list[str] = []
    for i in range(pairs):
        nodes.append(helper.make_node("Gather", [f"W_{i}", f"T_{i}"], [f"g_{i}"], axis=0))
        nodes.append(helper.make_node("ReduceSum", [f"g_{i}"], [f"s_{i}"], keepdims=0))
        parts.append(f"s_{i}")
    nodes.append(helper.make_node("Gather", ["W_0", "ids"], ["g_ids"], axis=0))
    nodes.append(helper.make_node("ReduceSum", ["g_ids"], ["s_ids"], keepdims=0))
    nodes.append(helper.make_node("Sum", [*parts, "s_ids"], ["y"]))
    graph = helper.make_graph(
        nodes,
        name,
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [])],
        initializer=initializers,
    )
    # IR 10 / opset 17: what the pinned onnxruntime accepts.
    return helper.make_model(graph, ir_version=10, opset_imports=[helper.make_opsetid("", 17)])


def build(directory: Path, size_bytes: int, seed: int = 0) -> LargeModel:
    """Write ``large.onnx`` (+ ``large.onnx.data``, about ``size_bytes``) and
    ``small_int64.onnx`` into ``directory``, streaming ``CHUNK`` elements at a time."""
    directory.mkdir(parents=True, exist_ok=True)
    pairs = max(1, round(size_bytes / BLOCK_BYTES))
    per_block = size_bytes / pairs
    table_len = max(1, int(per_block * INT64_SHARE) // 8)
    rows = max(1, int(per_block * (1 - INT64_SHARE)) // (4 * WIDTH))
    rng = np.random.default_rng(seed)
    data = directory / DATA_NAME
    tables: list[ExternalSpan] = []
    weights: list[ExternalSpan] = []
    with data.open("wb") as f:
        for i in range(pairs):
            start = _pad(f)
            _write_floats(f, rng, rows * WIDTH)
            weights.append(
                ExternalSpan(f"W_{i}", TensorProto.FLOAT, (rows, WIDTH), start, f.tell() - start)
            )
            start = _pad(f)
            _write_table(f, rng, table_len, rows)
            tables.append(
                ExternalSpan(f"T_{i}", TensorProto.INT64, (table_len,), start, f.tell() - start)
            )
        data_bytes = f.tell()
    model = directory / "large.onnx"
    inits = [_external(s, DATA_NAME) for s in weights + tables]
    onnx.save_model(_graph(inits, pairs, "large"), model)
    small = directory / "small_int64.onnx"
    small_tables = [
        helper.make_tensor(
            f"T_{i}",
            TensorProto.INT64,
            [SMALL_TABLE],
            (np.arange(SMALL_TABLE, dtype="<i8") % rows).tobytes(),
            raw=True,
        )
        for i in range(pairs)
    ]
    small_inits = [_external(s, DATA_NAME) for s in weights] + small_tables
    onnx.save_model(_graph(small_inits, pairs, "small_int64"), small)
    return LargeModel(
        model=model,
        small_int64_model=small,
        data=data,
        data_bytes=data_bytes,
        int64_bytes=sum(s.length for s in tables),
        float_bytes=sum(s.length for s in weights),
        tables=tuple(tables),
        weights=tuple(weights),
    )


def _external_array(model_path: Path, t: TensorProto) -> npt.NDArray[Any]:
    info = {e.key: e.value for e in t.external_data}
    dtype: dict[int, str] = {
        TensorProto.INT64: "<i8",
        TensorProto.INT32: "<i4",
        TensorProto.FLOAT: "<f4",
    }
    return np.memmap(
        model_path.parent / info["location"],
        dtype=dtype[int(t.data_type)],
        mode="r",
        offset=int(info.get("offset", "0")),
        shape=tuple(int(d) for d in t.dims),
    )


def compare_fixed(built: LargeModel, fixed: Path) -> int:
    """Check that every table in ``fixed`` is int32 holding exactly the original values and every
    weight is bit-identical, chunk by chunk; return how many tensors were compared."""
    original = {s.name: s for s in built.tables + built.weights}
    model = onnx.load(fixed, load_external_data=False)
    compared = 0
    for t in model.graph.initializer:
        span = original.get(t.name)
        if span is None:
            continue
        if t.data_location != TensorProto.EXTERNAL:
            raise AssertionError(f"{fixed}: {t.name} is no longer external data")
        want_type = TensorProto.INT32 if span.data_type == TensorProto.INT64 else span.data_type
        if t.data_type != want_type:
            raise AssertionError(f"{fixed}: {t.name} has data type {t.data_type}, not {want_type}")
        got = _external_array(fixed, t)
        src = np.memmap(
            built.data,
            dtype="<i8" if span.data_type == TensorProto.INT64 else "<f4",
            mode="r",
            offset=span.offset,
            shape=span.dims,
        )
        flat_got, flat_src = got.reshape(-1), src.reshape(-1)
        for start, n in _chunks(flat_src.size):
            a, b = flat_src[start : start + n], flat_got[start : start + n]
            if span.data_type == TensorProto.INT64:
                equal = np.array_equal(a, b.astype(np.int64))
            else:
                equal = np.array_equal(a.view("<u4"), b.view("<u4"))
            if not equal:
                raise AssertionError(f"{fixed}: {t.name} differs in elements {start}..{start + n}")
        compared += 1
    if compared != len(original):
        raise AssertionError(f"{fixed}: compared {compared} tensors, expected {len(original)}")
    return compared
