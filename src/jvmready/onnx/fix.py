"""``fix`` for ONNX models: rewrite int64 at the graph interface (and inside, for ``--target int32``)
without changing a single value or any input/output name.

- int64 graph inputs become int32; a ``Cast`` back to int64 feeds every consumer, including
  consumers in If/Loop/Scan bodies that read the input from the outer scope. Always lossless.
- int64 graph outputs become int32 only when :mod:`jvmready.onnx.ranges` proves every value fits;
  the producing value is renamed and a ``Cast`` to int32 produces the original name.
- ``drop_zipmap``: scikit-learn's ZipMap output becomes the probability tensor it wraps; the class
  labels go into the model metadata.
- ``target="int32"``: int64 initializers and Constants are narrowed (range-checked) wherever every
  consuming op's schema accepts int32 for that input *and* no type constraint ties the input to a
  value that stays int64; what remains is reported with the schema's reason.

External data stays on disk: :func:`fix_file` streams each external tensor into the output's data
file (narrowing chunk by chunk), keeping the location names, and writes the model last.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

import numpy as np
import numpy.typing as npt
import onnx
from onnx import AttributeProto, TensorProto, helper

from jvmready.errors import InputFileError, JvmreadyError, NarrowingError
from jvmready.fileio import atomic_output, refuse_same_file
from jvmready.findings import Finding, Location, Severity
from jvmready.formats import FileFixReport, FixOptions
from jvmready.narrowing import CHUNK_ELEMENTS, first_out_of_int32, narrow_checked
from jvmready.onnx import ranges as rng
from jvmready.onnx.graphs import iter_all_tensors, iter_graphs, node_label, type_string
from jvmready.onnx.load import (
    LoadedModel,
    external_location,
    from_proto,
    load_model,
    resolve_external,
)
from jvmready.onnx.tensors import element_count, numpy_dtype, tensor_array
from jvmready.report import Change
from jvmready.targets import get_target

INT64 = TensorProto.INT64
INT32 = TensorProto.INT32

#: Metadata key holding a JSON summary of what ``fix`` changed (stable; documented in docs/fix.md).
METADATA_KEY = "jvmready.fix"
#: Prefix of the metadata keys holding a dropped ZipMap's class labels, one key per output.
ZIPMAP_METADATA_PREFIX = "jvmready.zipmap."

#: Stable finding ids of ``fix`` (docs/fix.md).
RULE_OUTPUT_UNPROVEN = "JR501"
RULE_OUTPUT_REFUTED = "JR502"
RULE_OUTPUT_FORCED = "JR503"
RULE_KEPT = "JR504"
RULE_ZIPMAP_KEPT = "JR505"
RULE_CHECKER_INPUT = "JR506"
RULE_STORED_REMAINS = "JR510"
RULE_VALUES_REMAIN = "JR511"

#: External tensors start at multiples of this in the data files ``fix`` writes.
EXTERNAL_ALIGNMENT = 64


@dataclass(frozen=True)
class FixResult:
    """The fixed model, what was changed and what was found (e.g. outputs left int64 and why)."""

    model: onnx.ModelProto
    findings: tuple[Finding, ...]
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class _Pending:
    """An external int64 tensor to narrow while its data is written (never loaded whole)."""

    key: tuple[str, str, int]  # (tensor name, location, offset) of the source
    source: onnx.TensorProto  # a copy of the original external reference


def _external_key(t: onnx.TensorProto) -> tuple[str, str, int]:
    location, offset, _ = external_location(t)
    return t.name, location, offset


def _is_external(t: onnx.TensorProto) -> bool:
    return t.data_location == TensorProto.EXTERNAL


# --- name bookkeeping ------------------------------------------------------------------------------


def _sub_graphs(node: onnx.NodeProto) -> Iterator[onnx.GraphProto]:
    for attr in node.attribute:
        if attr.type == AttributeProto.GRAPH:
            yield attr.g
        elif attr.type == AttributeProto.GRAPHS:
            yield from attr.graphs


def _defines(g: onnx.GraphProto, name: str) -> bool:
    """True when ``g`` declares its own ``name``, shadowing any outer value of that name."""
    return (
        any(v.name == name for v in g.input)
        or any(t.name == name for t in g.initializer)
        or any(s.values.name == name for s in g.sparse_initializer)
        or any(name in n.output for n in g.node)
    )


def _rename_uses(g: onnx.GraphProto, old: str, new: str, *, outputs: bool) -> None:
    """Make every reader of ``old`` in ``g`` (and in subgraphs that see it) read ``new``."""
    for node in g.node:
        for i, n in enumerate(node.input):
            if n == old:
                node.input[i] = new
        for sub in _sub_graphs(node):
            if not _defines(sub, old):
                _rename_uses(sub, old, new, outputs=True)
    if outputs:
        for o in g.output:
            if o.name == old:
                o.name = new


def _rename_value(g: onnx.GraphProto, old: str, new: str) -> None:
    """Rename a value of the main graph everywhere except in the graph's output list."""
    for node in g.node:
        for i, n in enumerate(node.output):
            if n == old:
                node.output[i] = new
    for t in g.initializer:
        if t.name == old:
            t.name = new
    for s in g.sparse_initializer:
        if s.values.name == old:
            s.values.name = new
    for vi in g.value_info:
        if vi.name == old:
            vi.name = new
    _rename_uses(g, old, new, outputs=False)


def _uses(g: onnx.GraphProto, name: str) -> tuple[list[tuple[onnx.NodeProto, int]], bool]:
    """Every (node, input slot) reading ``name`` from ``g``'s scope, and whether a subgraph
    returns it as one of its outputs."""
    found: list[tuple[onnx.NodeProto, int]] = []
    escapes = False
    for node in g.node:
        found += [(node, i) for i, n in enumerate(node.input) if n == name]
        for sub in _sub_graphs(node):
            if not _defines(sub, name):
                inner, esc = _uses(sub, name)
                found += inner
                escapes = escapes or esc or any(o.name == name for o in sub.output)
    return found, escapes


def _all_names(graph: onnx.GraphProto) -> set[str]:
    names: set[str] = set()
    for _path, g in iter_graphs(graph):
        names.update(v.name for v in (*g.input, *g.output, *g.value_info))
        names.update(t.name for t in g.initializer)
        for n in g.node:
            names.update(n.input)
            names.update(n.output)
            names.add(n.name)
    return names


def _set_elem_type(vi: onnx.ValueInfoProto, elem_type: int) -> None:
    vi.type.tensor_type.elem_type = elem_type


def _elem(vi: onnx.ValueInfoProto) -> int | None:
    if vi.type.WhichOneof("value") != "tensor_type":
        return None
    return int(vi.type.tensor_type.elem_type)


def _default_opset_for_ir(ir_version: int) -> int:
    """The newest default-domain opset a model of this IR version may import."""
    best = 1
    for entry in helper.VERSION_TABLE:
        ir, opset = int(entry[1]), int(entry[2])
        if ir <= ir_version:
            best = max(best, opset)
    return best


# --- the rewrite -----------------------------------------------------------------------------------


class _Fixer:
    """One fix run over a copy of the model; collects changes, findings and pending narrowings."""

    def __init__(self, loaded: LoadedModel, options: FixOptions) -> None:
        if options.io not in ("int32", "int64"):
            raise JvmreadyError(f"unknown --io {options.io!r}; use int32 or int64")
        self.target = get_target(options.target)
        self.loaded = loaded
        self.options = options
        self.model = onnx.ModelProto()
        self.model.CopyFrom(loaded.model)
        self.graph = self.model.graph
        self.names = _all_names(self.graph)
        self.changes: list[Change] = []
        self.findings: list[Finding] = []
        self.pending: list[_Pending] = []
        self._check_keep()

    # helpers
    def _fresh(self, base: str) -> str:
        name, i = base, 1
        while name in self.names:
            name, i = f"{base}_{i}", i + 1
        self.names.add(name)
        return name

    def _loc(
        self, tensor: str | None = None, graph: str = "main", node: str | None = None
    ) -> Location:
        return Location(file=self.loaded.label, graph=graph, node=node, tensor=tensor)

    def _find(
        self,
        rule: str,
        severity: Severity,
        message: str,
        loc: Location,
        remedy: str = "",
        **data: object,
    ) -> None:
        self.findings.append(Finding(rule, severity, message, loc, remedy, dict(data)))

    def _check_keep(self) -> None:
        known: set[str] = set()
        for _path, g in iter_graphs(self.graph):
            known.update(v.name for v in (*g.input, *g.output))
            known.update(t.name for t in g.initializer)
            for n in g.node:
                known.update(n.output)
        unknown = sorted(set(self.options.keep) - known)
        if unknown:
            raise JvmreadyError(
                f"{self.loaded.label}: --keep {unknown[0]!r}: no input, output or stored tensor "
                "has that name"
            )

    def _ensure_default_opset(self) -> None:
        if not any(o.domain in ("", "ai.onnx") for o in self.model.opset_import):
            self.model.opset_import.append(
                helper.make_opsetid("", _default_opset_for_ir(self.model.ir_version))
            )

    def _cast(self, src: str, dst: str, to: int) -> onnx.NodeProto:
        self._ensure_default_opset()
        return helper.make_node(
            "Cast", [src], [dst], name=self._fresh(f"jvmready_cast_{dst}"), to=to
        )

    # steps
    def run(self) -> tuple[onnx.ModelProto, list[Change], list[Finding], list[_Pending]]:
        if self.options.drop_zipmap or self._has_zipmap_output():
            self._zipmaps(rng.infer_types(self.model))
        if self.options.io == "int32":
            self._narrow_inputs()
            self._narrow_outputs()
        if self.target.internals_matter:
            self._narrow_stored()
            self._report_remaining()
        self._record_metadata()
        return self.model, self.changes, self.findings, self.pending

    def _has_zipmap_output(self) -> bool:
        outs = {o.name for o in self.graph.output}
        return any(n.op_type == "ZipMap" and n.output[0] in outs for n in self.graph.node)

    def _zipmaps(self, types: rng.Types) -> None:
        outputs = {o.name: o for o in self.graph.output}
        for i, node in enumerate(self.graph.node):
            if node.domain != rng.ML_DOMAIN or node.op_type != "ZipMap":
                continue
            name = node.output[0]
            if name not in outputs:
                continue
            out = outputs[name]
            before = type_string(out.type)
            if not self.options.drop_zipmap or name in self.options.keep:
                self._find(
                    RULE_ZIPMAP_KEPT,
                    Severity.INFO,
                    f"output {name!r} stays {before} (ZipMap); ORT Java returns it as a list of "
                    "OnnxMap",
                    self._loc(name, node=node_label(node, i)),
                    "use --drop-zipmap to return the plain probability tensor",
                )
                continue
            attrs = {a.name: a for a in node.attribute}
            if "classlabels_int64s" in attrs:
                labels: list[int] | list[str] = [int(v) for v in attrs["classlabels_int64s"].ints]
            else:
                labels = [v.decode("utf-8") for v in attrs["classlabels_strings"].strings]
            prob = types.get(node.input[0])
            node.op_type, node.domain = "Identity", ""
            del node.attribute[:]
            self._ensure_default_opset()
            if (
                prob is not None
                and prob.WhichOneof("value") == "tensor_type"
                and prob.tensor_type.HasField("shape")
            ):
                out.type.CopyFrom(prob)
            else:  # ZipMap's input is (N, C): one column per class label
                elem = prob.tensor_type.elem_type if prob is not None else TensorProto.FLOAT
                out.type.CopyFrom(helper.make_tensor_type_proto(elem, [None, len(labels)]))
            helper.set_model_props(
                self.model,
                {
                    **{p.key: p.value for p in self.model.metadata_props},
                    ZIPMAP_METADATA_PREFIX + name: json.dumps({"labels": labels}),
                },
            )
            self.changes.append(
                Change(
                    "zipmap-dropped",
                    name,
                    before,
                    type_string(out.type),
                    f"column j is the probability of class labels[j]; labels in metadata "
                    f"{ZIPMAP_METADATA_PREFIX + name!r}",
                )
            )

    def _narrow_inputs(self) -> None:
        g = self.graph
        outputs = {o.name: o for o in g.output}
        stored = {t.name for t in g.initializer}
        casts: list[onnx.NodeProto] = []
        for vi in g.input:
            if _elem(vi) != INT64:
                continue
            name = vi.name
            if name in self.options.keep:
                self._kept("input", name)
                continue
            if name in stored:
                self._find(
                    RULE_KEPT,
                    Severity.WARNING,
                    f"input {name!r} stays int64: it has a default value (an initializer)",
                    self._loc(name),
                )
                continue
            _set_elem_type(vi, INT32)
            uses, _ = _uses(g, name)
            detail = "no consumers"
            if uses:
                internal = self._fresh(f"{name}__int64")
                _rename_uses(g, name, internal, outputs=False)
                for info in g.value_info:
                    if info.name == name:
                        info.name = internal
                casts.append(self._cast(name, internal, INT64))
                detail = f"Cast to int64 {internal!r} feeds its {len(uses)} consumer(s)"
            self.changes.append(
                Change("input-narrowed", name, "tensor(int64)", "tensor(int32)", detail)
            )
            if name in outputs:  # passed straight through: the output carries the input's values
                _set_elem_type(outputs[name], INT32)
                self.changes.append(
                    Change(
                        "output-narrowed", name, "tensor(int64)", "tensor(int32)", "is the input"
                    )
                )
        if casts:
            nodes = [*casts, *g.node]
            del g.node[:]
            g.node.extend(nodes)

    def _kept(self, what: str, name: str) -> None:
        self._find(
            RULE_KEPT, Severity.INFO, f"{what} {name!r} stays int64 (--keep)", self._loc(name)
        )

    def _narrow_outputs(self) -> None:
        g = self.graph
        inputs = {v.name for v in g.input}
        producers = {o: (i, n) for i, n in enumerate(g.node) for o in n.output}
        types = rng.infer_types(self.model)
        ranges = rng.analyze(g, self.loaded, types, rng.opset_versions(self.model))
        casts: list[onnx.NodeProto] = []
        seen: set[str] = set()
        for out in g.output:
            name = out.name
            if _elem(out) != INT64 or name in inputs or name in seen:
                continue
            seen.add(name)
            if name in self.options.keep:
                self._kept("output", name)
                continue
            iv = ranges.get(name)
            where = producers.get(name)
            node = node_label(where[1], where[0]) if where else None
            if iv is not None and iv.fits_int32:
                detail = f"values in [{iv.lo}, {iv.hi}]: {iv.why}"
                kind = "output-narrowed"
            elif iv is not None and iv.witness is not None:
                w = iv.witness
                if self.options.unsafe_narrow_outputs:
                    refusal = NarrowingError(w.tensor, w.index, w.value)
                    refusal.args = (
                        f"output {name!r} cannot be narrowed: tensor {w.tensor!r} holds value "
                        f"{w.value} at flat index {w.index}, which does not fit int32 and can "
                        f"reach it; keep it int64 (--keep {name})",
                    )
                    raise refusal
                self._find(
                    RULE_OUTPUT_REFUTED,
                    Severity.WARNING,
                    f"output {name!r} stays int64: stored value {w.value} ({w.tensor!r}, flat "
                    f"index {w.index}) does not fit int32 and can reach it",
                    self._loc(name, node=node),
                    "read it as long in Java",
                    value=w.value,
                    index=w.index,
                    source=w.tensor,
                )
                continue
            else:
                why = (
                    f"values may reach [{iv.lo}, {iv.hi}] ({iv.why})"
                    if iv is not None
                    else f"no range proof for the output of {node or 'its producer'}"
                )
                if not self.options.unsafe_narrow_outputs:
                    self._find(
                        RULE_OUTPUT_UNPROVEN,
                        Severity.WARNING,
                        f"output {name!r} stays int64: {why}",
                        self._loc(name, node=node),
                        "read it as long in Java, or --unsafe-narrow-outputs if you know its values "
                        "fit int32",
                    )
                    continue
                self._find(
                    RULE_OUTPUT_FORCED,
                    Severity.WARNING,
                    f"UNSAFE: output {name!r} narrowed to int32 without proof ({why}); a value "
                    "outside int32 will wrap at run time",
                    self._loc(name, node=node),
                    "drop --unsafe-narrow-outputs unless you know its values fit int32",
                )
                detail, kind = f"forced without proof: {why}", "output-forced"
            internal = self._fresh(f"{name}__int64")
            _rename_value(g, name, internal)
            casts.append(self._cast(internal, name, INT32))
            _set_elem_type(out, INT32)
            self.changes.append(Change(kind, name, "tensor(int64)", "tensor(int32)", detail))
        g.node.extend(casts)

    # --- --target int32: stored tensors ---------------------------------------------------------

    def _schema(self, node: onnx.NodeProto) -> onnx.defs.OpSchema | None:
        domain = "" if node.domain == "ai.onnx" else node.domain
        version = rng.opset_versions(self.model).get(domain)
        if version is None:
            return None
        try:
            return onnx.defs.get_schema(node.op_type, version, domain)
        except onnx.defs.SchemaError:
            return None

    def _blocker(self, node: onnx.NodeProto, slot: int, alive: set[str]) -> str | None:
        """Why input ``slot`` of ``node`` cannot become int32 (``None`` when it can)."""
        schema = self._schema(node)
        if schema is None:
            return f"{node.domain or 'ai.onnx'}::{node.op_type} has no schema to allow int32"
        formals = list(schema.inputs)
        variadic = bool(formals) and (
            formals[-1].option == onnx.defs.OpSchema.FormalParameterOption.Variadic
        )

        def formal(i: int) -> onnx.defs.OpSchema.FormalParameter | None:
            if i < len(formals):
                return formals[i]
            return formals[-1] if variadic else None

        f = formal(slot)
        if f is None:
            return f"{node.op_type} has no input slot {slot} in its schema"
        constraints = {c.type_param_str: list(c.allowed_type_strs) for c in schema.type_constraints}
        allowed = constraints.get(f.type_str, [f.type_str])
        if "tensor(int32)" not in allowed:
            return f"the {node.op_type} schema requires {f.name!r} to be {' or '.join(allowed)}"
        if f.type_str not in constraints:
            return None
        var = f.type_str
        outs = list(schema.outputs)
        for k, name in enumerate(node.output):
            of = outs[min(k, len(outs) - 1)] if outs else None
            if name and of is not None and of.type_str == var:
                return (
                    f"{node.op_type} ties {f.name!r} to its output {of.name!r} (type {var}), "
                    "which would change type"
                )
        for j, n in enumerate(node.input):
            fj = formal(j)
            if j != slot and n and fj is not None and fj.type_str == var and n not in alive:
                return (
                    f"{node.op_type} ties {f.name!r} to input {n!r} (type {var}), which stays int64"
                )
        return None

    def _stored_int64(
        self,
    ) -> list[tuple[str, onnx.GraphProto, str, onnx.TensorProto | None, onnx.NodeProto | None]]:
        """(graph path, graph, name, tensor, Constant node) for every stored int64 tensor."""
        found: list[
            tuple[str, onnx.GraphProto, str, onnx.TensorProto | None, onnx.NodeProto | None]
        ] = []
        for path, g in iter_graphs(self.graph):
            for t in g.initializer:
                if t.data_type == INT64:
                    found.append((path, g, t.name, t, None))
            for node in g.node:
                if node.op_type != "Constant" or node.domain not in ("", "ai.onnx"):
                    continue
                for a in node.attribute:
                    if (a.name == "value" and a.t.data_type == INT64) or a.name in (
                        "value_int",
                        "value_ints",
                    ):
                        found.append(
                            (path, g, node.output[0], a.t if a.name == "value" else None, node)
                        )
        return found

    def _narrow_stored(self) -> None:
        stored = self._stored_int64()
        reasons: dict[str, str] = {}
        uses: dict[str, list[tuple[onnx.NodeProto, int]]] = {}
        for _path, g, name, _t, _node in stored:
            if name in self.options.keep:
                reasons[name] = "kept (--keep)"
            elif any(v.name == name for v in g.input):
                reasons[name] = "it is also a graph input (a default value callers may override)"
            elif any(o.name == name for o in g.output):
                reasons[name] = "it is a graph output"
            else:
                found, escapes = _uses(g, name)
                uses[name] = found
                if escapes:
                    reasons[name] = "a subgraph returns it as an output"
        alive = {name for _p, _g, name, _t, _n in stored if name not in reasons}
        changed = True
        while changed:  # type constraints tie slots together: iterate to a fixed point
            changed = False
            for name in sorted(alive):
                for consumer, slot in uses.get(name, []):
                    why = self._blocker(consumer, slot, alive)
                    if why is not None:
                        reasons[name] = why
                        alive.discard(name)
                        changed = True
                        break
        # Plan first (range-check everything), then rewrite: a refusal leaves nothing half-done.
        plan = [s for s in stored if s[2] in alive]
        for _path, _g, name, t, const in plan:
            bad = first_out_of_int32(self._stored_values(t, const))
            if bad is not None:
                raise NarrowingError(name, bad[0], bad[1])
        for path, _g, name, t, node in plan:
            values = self._stored_values(t, node)
            kind = "initializer-narrowed" if node is None else "constant-narrowed"
            self._narrow_tensor(name, t, node, values)
            self.changes.append(
                Change(
                    kind,
                    name,
                    "tensor(int64)",
                    "tensor(int32)",
                    f"in {path}; all consumers accept int32",
                )
            )
        for path, _g, name, _t, node in stored:
            if name in reasons:
                self._find(
                    RULE_STORED_REMAINS,
                    Severity.WARNING,
                    f"{'initializer' if node is None else 'Constant'} {name!r} stays int64: "
                    f"{reasons[name]}",
                    self._loc(name, graph=path),
                )

    def _stored_values(
        self, t: onnx.TensorProto | None, node: onnx.NodeProto | None
    ) -> npt.NDArray[np.integer]:
        if t is not None:
            return cast("npt.NDArray[np.integer]", tensor_array(self.loaded, t))
        assert node is not None
        for a in node.attribute:
            if a.name == "value_int":
                return np.array(a.i, dtype=np.int64)
            if a.name == "value_ints":
                return np.array(list(a.ints), dtype=np.int64)
        raise AssertionError("Constant without an integer value")

    def _narrow_tensor(
        self,
        name: str,
        t: onnx.TensorProto | None,
        node: onnx.NodeProto | None,
        values: npt.NDArray[np.integer],
    ) -> None:
        if t is None:
            assert node is not None
            narrowed = narrow_checked(values, name)
            del node.attribute[:]
            node.attribute.append(
                helper.make_attribute(
                    "value",
                    helper.make_tensor(
                        name, INT32, list(narrowed.shape), narrowed.tobytes(), raw=True
                    ),
                )
            )
            return
        if _is_external(t):
            source = TensorProto()
            source.CopyFrom(t)
            self.pending.append(_Pending(_external_key(t), source))
            t.data_type = INT32
            return
        narrowed = narrow_checked(values, name)
        t.data_type = INT32
        for field in ("int64_data", "int32_data"):
            t.ClearField(field)
        t.raw_data = narrowed.astype("<i4").tobytes()

    def _report_remaining(self) -> None:
        """Values computed inside the model that stay int64, grouped by op and by the reason its
        schema gives."""
        types = rng.infer_types(self.model)
        by_op: dict[tuple[str, str], list[str]] = {}
        for _path, g in iter_graphs(self.graph):
            for node in g.node:
                if node.op_type == "Constant":
                    continue
                for k, o in enumerate(node.output):
                    if o and rng.elem_type_of(types, o) == INT64:
                        op = f"{node.domain + '::' if node.domain else ''}{node.op_type}"
                        by_op.setdefault((op, self._why_int64(node, k)), []).append(o)
        for (op, why), values in sorted(by_op.items()):
            shown = ", ".join(repr(v) for v in values[:5]) + (" ..." if len(values) > 5 else "")
            self._find(
                RULE_VALUES_REMAIN,
                Severity.WARNING,
                f"{len(values)} value(s) computed by {op} stay int64 ({shown}): {why}",
                self._loc(),
                count=len(values),
                op=op,
            )

    def _why_int64(self, node: onnx.NodeProto, k: int) -> str:
        """The schema's reason an output of ``node`` is int64."""
        schema = self._schema(node)
        if schema is None or not schema.outputs:
            return "no schema says otherwise"
        formal = schema.outputs[min(k, len(schema.outputs) - 1)]
        constraints = {c.type_param_str for c in schema.type_constraints}
        if formal.type_str not in constraints:
            return f"the {node.op_type} schema defines {formal.name!r} as {formal.type_str}"
        if any(f.type_str == formal.type_str for f in schema.inputs):
            return f"its type {formal.type_str} follows int64 inputs"
        return f"its type {formal.type_str} is chosen by its attributes"

    def _record_metadata(self) -> None:
        summary = {
            "io": self.options.io,
            "target": self.target.name,
            "changes": [c.to_dict() for c in self.changes],
        }
        props = {p.key: p.value for p in self.model.metadata_props}
        if not self.changes and METADATA_KEY in props:
            return  # fixing a fixed model again: keep the record of what the first run did
        props[METADATA_KEY] = json.dumps(summary, sort_keys=True)
        helper.set_model_props(self.model, props)


# --- entry points ----------------------------------------------------------------------------------


def _materialize(loaded: LoadedModel, model: onnx.ModelProto, pending: list[_Pending]) -> None:
    """Narrow pending external tensors into memory (the in-memory API has no output directory)."""
    by_key = {p.key: p for p in pending}
    for _where, t in iter_all_tensors(model.graph):
        p = by_key.get(_external_key(t)) if _is_external(t) else None
        if p is None:
            continue
        values = cast("npt.NDArray[np.integer]", tensor_array(loaded, p.source))
        narrowed = narrow_checked(values, p.source.name)
        del t.external_data[:]
        t.data_location = TensorProto.DEFAULT
        t.raw_data = narrowed.astype("<i4").tobytes()


def fix_model(model: onnx.ModelProto | LoadedModel, options: FixOptions) -> FixResult:
    """Fix a model in memory. External tensors the fix narrows are read into memory; the others
    keep their references (relative to the loaded model's directory)."""
    loaded = model if isinstance(model, LoadedModel) else from_proto(model)
    fixed, changes, findings, pending = _Fixer(loaded, options).run()
    _materialize(loaded, fixed, pending)
    if not any(_is_external(t) for _w, t in iter_all_tensors(fixed.graph)):
        findings += _validate(fixed, loaded.model, loaded.label)
    return FixResult(fixed, tuple(findings), tuple(changes))


_CHECK_ERRORS = (onnx.checker.ValidationError, onnx.shape_inference.InferenceError)


def _validate(
    fixed: onnx.ModelProto | str, original: onnx.ModelProto | str, label: str
) -> list[Finding]:
    """Full ``onnx.checker`` on the fixed model. If it fails only because the input model already
    fails it (an onnx limitation, e.g. in a function body), the structural check must still
    pass and a finding says so; any other failure is a bug in ``fix`` and raises."""
    try:
        onnx.checker.check_model(fixed, full_check=True)
        return []
    except _CHECK_ERRORS:
        try:
            onnx.checker.check_model(original, full_check=True)
        except _CHECK_ERRORS as e:
            onnx.checker.check_model(fixed)
            problem = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            return [
                Finding(
                    RULE_CHECKER_INPUT,
                    Severity.INFO,
                    f"onnx.checker's full check fails on the input model too ({problem}); the "
                    "fixed model passes the structural check",
                    Location(file=label),
                )
            ]
        raise


def _write_external(
    loaded: LoadedModel, model: onnx.ModelProto, pending: list[_Pending], out: Path
) -> None:
    """Stream every external tensor into data files next to ``out``, same location names."""
    by_key = {p.key: p for p in pending}
    out_dir = out.resolve().parent
    groups: dict[str, list[onnx.TensorProto]] = {}
    sources: set[Path] = set()
    for _where, t in iter_all_tensors(model.graph):
        if _is_external(t):
            source = by_key[_external_key(t)].source if _external_key(t) in by_key else t
            sources.add(resolve_external(loaded, source)[0].resolve())
            groups.setdefault(external_location(t)[0], []).append(t)
    for location in groups:
        dst = (out_dir / location).resolve()
        if dst in sources or dst == out.resolve():
            raise JvmreadyError(
                f"{out}: its external data file {location!r} would overwrite the input's "
                f"({dst}); write the fixed model to another directory"
            )
    for location, tensors in groups.items():
        # Unbuffered: _copy_bytes hands ranges to the kernel, so Python must hold no buffer.
        with atomic_output(out_dir / location) as tmp, open(tmp, "wb", buffering=0) as f:
            for t in tensors:
                key = _external_key(t)
                p = by_key.get(key)
                pad = -f.tell() % EXTERNAL_ALIGNMENT
                f.write(b"\0" * pad)
                start = f.tell()
                if p is not None:
                    _write_narrowed(loaded, p.source, f)
                else:
                    _copy_bytes(loaded, t, f)
                length = f.tell() - start
                keep = [
                    (e.key, e.value)
                    for e in t.external_data
                    if e.key not in ("location", "offset", "length", "checksum")
                ]
                del t.external_data[:]
                for k, v in [
                    ("location", location),
                    ("offset", str(start)),
                    ("length", str(length)),
                    *keep,
                ]:
                    entry = t.external_data.add()
                    entry.key, entry.value = k, v


def _write_narrowed(loaded: LoadedModel, source: onnx.TensorProto, f: BinaryIO) -> None:
    flat = cast("npt.NDArray[np.integer]", tensor_array(loaded, source)).reshape(-1)
    buffer = np.empty(min(flat.size, CHUNK_ELEMENTS), dtype="<i4")
    for start in range(0, flat.size, CHUNK_ELEMENTS):
        part = flat[start : start + CHUNK_ELEMENTS]
        narrowed = buffer[: part.size]
        try:
            narrow_checked(part, source.name, out=narrowed)
        except NarrowingError as e:  # report the index in the whole tensor, not the chunk
            raise NarrowingError(source.name, start + e.index, e.value) from None
        _write_all(f, narrowed.data.cast("B"))


def _write_all(f: BinaryIO, data: memoryview) -> None:
    """``write`` on an unbuffered file may write less than asked."""
    while data:
        written = f.write(data)
        data = data[written:]


def _copy_bytes(loaded: LoadedModel, t: onnx.TensorProto, f: BinaryIO) -> None:
    """Copy a tensor's bytes unchanged; in the kernel (``copy_file_range``: no trip through
    Python, a reflink where the file system shares extents) with a read/write fallback."""
    file, offset, length = resolve_external(loaded, t)
    remaining = (
        length if length is not None else element_count(t) * numpy_dtype(t.data_type).itemsize
    )
    with open(file, "rb", buffering=0) as src:
        src_fd, dst_fd = src.fileno(), f.fileno()
        kernel = hasattr(os, "copy_file_range")
        while remaining > 0:
            step = min(64 << 20, remaining)
            if kernel:
                try:
                    n = os.copy_file_range(src_fd, dst_fd, step, offset)
                except OSError:  # e.g. across file systems on older kernels: copy by hand
                    kernel = False
                    continue
            else:
                chunk = os.pread(src_fd, min(step, 8 << 20), offset)
                n = len(chunk)
                _write_all(f, memoryview(chunk))
            if n == 0:
                raise InputFileError(file, f"ends before tensor {t.name!r} does")
            offset += n
            remaining -= n


def fix_file(path: Path, out: Path, options: FixOptions) -> FileFixReport:
    """Write a fixed copy of the ONNX model at ``path`` to ``out``: data files first, model last,
    each through a temporary file and a rename; ``path`` and its data are never touched."""
    refuse_same_file(path, out)
    loaded = load_model(path)
    fixed, changes, findings, pending = _Fixer(loaded, options).run()
    if any(_is_external(t) for _w, t in iter_all_tensors(fixed.graph)):
        _write_external(loaded, fixed, pending, out)
    else:
        _materialize(loaded, fixed, pending)
    with atomic_output(out, suffix=".onnx") as tmp:
        tmp.write_bytes(fixed.SerializeToString())
        findings += _validate(os.fspath(tmp), os.fspath(path), loaded.label)
    return FileFixReport(
        source=str(path),
        output=str(out),
        format="onnx",
        changes=tuple(changes),
        findings=tuple(findings),
    )
