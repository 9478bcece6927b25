"""Check an ONNX model for what breaks, or silently corrupts, on the Java side.

Works on the model's structure: external data stays on disk, shape inference runs on the proto
without it, and only int64 tensors are ever read (memory-mapped, scanned in blocks) to learn
their ranges. Float weights are never touched.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import onnx
from google.protobuf.message import Message
from onnx import TensorProto

from jvmready import progress
from jvmready.findings import Location
from jvmready.narrowing import IntRange, int_range
from jvmready.onnx.graphs import iter_graphs, node_label
from jvmready.onnx.load import LoadedModel
from jvmready.onnx.rules import Inference, OutputProof, RuleContext, StoredInt64, run_rules
from jvmready.onnx.signature import io_specs
from jvmready.onnx.tensors import element_count, tensor_array
from jvmready.report import CheckReport, IOSpec, TensorSummary
from jvmready.targets import Target, get_target

#: Scans smaller than this finish in a blink: no progress bar for them.
PROGRESS_MIN_BYTES = 64 << 20
#: Elements per progress step (and per int_range call): 8 Mi int64 = 64 MiB.
SCAN_BLOCK = 8 << 20
#: Embedded non-integer tensors larger than this are left out of the copy given to shape
#: inference (their dims and type are all it needs).
_STRIP_BYTES = 1 << 16


def check_model(loaded: LoadedModel, target: Target | str = "ort-java") -> CheckReport:
    """Check ``loaded`` for ``target``: the Java signature, stored int64 ranges, and findings."""
    tgt = get_target(target) if isinstance(target, str) else target
    model = loaded.model
    inputs, outputs = io_specs(model)
    stored = tuple(_scan_int64(loaded))
    inference = infer_types(model)
    ctx = RuleContext(
        model=model,
        target=tgt,
        file=str(loaded.path) if loaded.path is not None else None,
        inputs=inputs,
        outputs=outputs,
        stored=stored,
        inference=inference,
        output_proofs=output_proofs(loaded, inference, outputs),
    )
    findings = run_rules(ctx)
    opsets = {(o.domain or "ai.onnx"): o.version for o in model.opset_import}
    return CheckReport(
        path=loaded.label,
        format="onnx",
        target=tgt.name,
        inputs=inputs,
        outputs=outputs,
        tensors=tuple(s.summary for s in stored),
        findings=tuple(findings),
        extra={
            "ir_version": model.ir_version,
            "opsets": opsets,
            "producer": f"{model.producer_name} {model.producer_version}".strip(),
            "shape_inference": "failed" if ctx.inference.error else "ok",
            "int64_bytes_scanned": sum(
                8 * (s.summary.range.count if s.summary.range else 0) for s in stored
            ),
        },
    )


# --- shape inference ---------------------------------------------------------------------------


def _structure_only(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy for shape inference: declared output types and value_info dropped (so what comes
    back is inferred, not echoed), big embedded non-integer initializers reduced to dims."""
    copy = onnx.ModelProto()
    _copy_fields(model, copy, skip="graph")
    _copy_fields(model.graph, copy.graph, skip="initializer")
    saved = model.graph.initializer
    for t in saved:
        lean = copy.graph.initializer.add()
        if t.data_type in (TensorProto.INT64, TensorProto.INT32) or t.ByteSize() <= _STRIP_BYTES:
            lean.CopyFrom(t)
        else:
            lean.name, lean.data_type = t.name, t.data_type
            lean.dims.extend(t.dims)
            # Marked external so no one mistakes it for a tensor with data.
            lean.data_location = TensorProto.EXTERNAL
            entry = lean.external_data.add()
            entry.key, entry.value = "location", "jvmready-not-loaded"
    del copy.graph.value_info[:]
    for o in copy.graph.output:
        o.ClearField("type")
    return copy


def _copy_fields(src: Message, dst: Message, skip: str) -> None:
    """Copy every set field of ``src`` into ``dst`` except ``skip`` (which may be huge)."""
    for fd, value in src.ListFields():
        if fd.name == skip:
            continue
        target = getattr(dst, fd.name)
        if fd.is_repeated:
            target.extend(value)
        elif fd.message_type is not None:
            target.CopyFrom(value)
        else:
            setattr(dst, fd.name, value)


def infer_types(model: onnx.ModelProto) -> Inference:
    """Types of every value in every (sub)graph, as ONNX shape inference sees them."""
    lean = _structure_only(model)
    try:
        inferred = onnx.shape_inference.infer_shapes(lean, check_type=False, strict_mode=False)
    except Exception as e:  # onnx raises assorted C++-born errors; report, don't crash
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        return Inference(types={}, error=first)
    types: dict[str, dict[str, onnx.TypeProto]] = {}
    for path, g in iter_graphs(inferred.graph):
        table: dict[str, onnx.TypeProto] = {}
        for t in g.initializer:
            table[t.name] = onnx.helper.make_tensor_type_proto(t.data_type, list(t.dims))
        for v in (*g.input, *g.value_info, *g.output):
            if v.type.WhichOneof("value") is not None:
                table[v.name] = v.type
        types[path] = table
    return Inference(types=types)


# --- what fix can prove about int64 outputs ------------------------------------------------------


def output_proofs(
    loaded: LoadedModel, inference: Inference, outputs: tuple[IOSpec, ...]
) -> dict[str, OutputProof]:
    """For each int64 graph output, what the interval analysis ``fix`` relies on proves."""
    names = [o.name for o in outputs if o.type == "tensor(int64)"]
    if not names:
        return {}
    from jvmready.onnx import ranges as rng

    # Global names, the main graph's taking precedence over shadowing subgraph values.
    types: dict[str, onnx.TypeProto] = {}
    for table in reversed(list(inference.types.values())):
        types.update(table)
    try:
        found = rng.analyze(loaded.model.graph, loaded, types, rng.opset_versions(loaded.model))
    except Exception as e:  # best effort: an analysis failure must not hide the other findings
        return {n: OutputProof(None, None, f"range analysis failed: {e}") for n in names}
    proofs: dict[str, OutputProof] = {}
    for name in names:
        iv = found.get(name)
        if iv is None:
            proofs[name] = OutputProof(None, None, "nothing bounds its values")
            continue
        w = iv.witness
        proofs[name] = OutputProof(
            iv.lo,
            iv.hi,
            iv.why,
            fits_int32=iv.fits_int32,
            witness=None
            if w is None
            else f"{w.value} (stored in {w.tensor!r} at flat index {w.index})",
        )
    return proofs


# --- range scan --------------------------------------------------------------------------------


def _stored_int64(
    graph: onnx.GraphProto,
) -> list[tuple[str, str | None, str, onnx.TensorProto]]:
    """(graph path, node label, kind, tensor) for every stored int64 tensor, in all subgraphs."""
    found: list[tuple[str, str | None, str, onnx.TensorProto]] = []
    for path, g in iter_graphs(graph):
        for t in g.initializer:
            if t.data_type == TensorProto.INT64:
                found.append((path, None, "initializer", t))
        for s in g.sparse_initializer:
            for t in (s.values, s.indices):
                if t.data_type == TensorProto.INT64:
                    found.append((path, None, "initializer", t))
        for i, node in enumerate(g.node):
            for attr in node.attribute:
                tensors: list[onnx.TensorProto] = []
                if attr.type == onnx.AttributeProto.TENSOR:
                    tensors = [attr.t]
                elif attr.type == onnx.AttributeProto.TENSORS:
                    tensors = list(attr.tensors)
                elif attr.type == onnx.AttributeProto.SPARSE_TENSOR:
                    tensors = [attr.sparse_tensor.values, attr.sparse_tensor.indices]
                for t in tensors:
                    if t.data_type == TensorProto.INT64:
                        if not t.name:
                            named = onnx.TensorProto()
                            named.CopyFrom(t)
                            named.name = node.output[0] if node.output else node_label(node, i)
                            t = named
                        found.append((path, node_label(node, i), "constant", t))
    return found


def _scan_int64(loaded: LoadedModel) -> list[StoredInt64]:
    """Range of every stored int64 tensor; reads nothing else. Reports progress when big."""
    todo = _stored_int64(loaded.model.graph)
    total = sum(8 * element_count(t) for *_, t in todo)
    sink = progress.current() if total >= PROGRESS_MIN_BYTES else None
    if sink is not None:
        sink.start("scanning int64 tensors", total)
    file = str(loaded.path) if loaded.path is not None else None
    out: list[StoredInt64] = []
    try:
        for path, label, kind, t in todo:
            rng = _range_in_blocks(loaded, t, sink)
            summary = TensorSummary(
                name=t.name,
                dtype="int64",
                shape=tuple(int(d) for d in t.dims),
                range=rng,
                location=Location(file=file, graph=path, node=label, tensor=t.name),
            )
            out.append(StoredInt64(summary, kind))
    finally:
        if sink is not None:
            sink.finish()
    return out


def _range_in_blocks(
    loaded: LoadedModel, tensor: onnx.TensorProto, sink: progress.ProgressSink | None
) -> IntRange:
    advance = None if sink is None else (lambda n: sink.advance(8 * n))
    values: npt.NDArray[np.integer] = tensor_array(loaded, tensor)  # type: ignore[assignment]
    return int_range(values, SCAN_BLOCK, on_chunk=advance)
