"""The ONNX check rules: each a small function yielding findings, each with a stable id.

Ids (``JR1xx``), severities per target, and remedies are documented in ``docs/rules.md``; tools
key on the ids, so they never change meaning. Severities depend on the target: ``ort-java``
cares about the graph interface, ``int32`` about everything inside too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import onnx
from onnx import AttributeProto, TensorProto

from jvmready.findings import Finding, Location, Severity
from jvmready.narrowing import IntRange, int_range
from jvmready.onnx.graphs import iter_graphs, node_label, shape_of, subgraphs, type_string
from jvmready.onnx.signature import UNSUPPORTED_ELEMS
from jvmready.report import IOSpec, TensorSummary
from jvmready.targets import Target

INT64 = TensorProto.INT64
INT64_TYPE = "tensor(int64)"
INT32_TYPE = "tensor(int32)"

ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@dataclass(frozen=True)
class StoredInt64:
    """An int64 tensor stored in the model (initializer or node attribute) and its range."""

    summary: TensorSummary
    kind: str  # "initializer" | "constant"


@dataclass(frozen=True)
class Inference:
    """Types after ONNX shape inference, keyed by graph path then value name."""

    types: dict[str, dict[str, onnx.TypeProto]]
    error: str | None = None


@dataclass(frozen=True)
class OutputProof:
    """What range analysis (the one ``fix`` uses) proves about an int64 output's values.

    ``fits_int32`` means fix will narrow it; a ``witness`` (a stored value beyond int32 that can
    reach the output) means it must stay int64; neither means fix keeps it int64 for lack of
    proof.
    """

    lo: int | None
    hi: int | None
    why: str
    fits_int32: bool = False
    witness: str | None = None


@dataclass(frozen=True)
class RuleContext:
    """Everything a rule may look at. Built once per check by :mod:`jvmready.onnx.check`."""

    model: onnx.ModelProto
    target: Target
    file: str | None
    inputs: tuple[IOSpec, ...]
    outputs: tuple[IOSpec, ...]
    stored: tuple[StoredInt64, ...]
    inference: Inference
    output_proofs: dict[str, OutputProof] = field(default_factory=dict)
    _cache: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    def loc(
        self, graph: str = "main", node: str | None = None, tensor: str | None = None
    ) -> Location:
        return Location(file=self.file, graph=graph, node=node, tensor=tensor)

    def pick(self, ort_java: Severity, int32: Severity) -> Severity:
        """The severity for this target: ``int32`` when internals matter, else ``ort-java``."""
        return int32 if self.target.internals_matter else ort_java

    @property
    def flow(self) -> _Flow:
        cached = self._cache.get("flow")
        if not isinstance(cached, _Flow):
            cached = _Flow(self.model.graph)
            self._cache["flow"] = cached
        return cached

    @property
    def wide_attributes(self) -> list[WideAttribute]:
        cached = self._cache.get("wide_attributes")
        if not isinstance(cached, list):
            cached = _wide_attributes(self.model)
            self._cache["wide_attributes"] = cached
        return cached

    @property
    def wide(self) -> dict[str, list[str]]:
        """Interface tensors connected to values beyond int32, with the reasons why."""
        cached = self._cache.get("wide")
        if not isinstance(cached, dict):
            cached = _wide_interface(self)
            self._cache["wide"] = cached
        return cached


@dataclass(frozen=True)
class Rule:
    """A rule's documentation (mirrored in ``docs/rules.md`` and SARIF) and its check."""

    id: str
    name: str
    title: str
    severity: dict[str, str]  # per target, as documented
    why: str
    remedy: str
    check: Callable[[RuleContext], Iterable[Finding]]


RULES: list[Rule] = []


def rule(
    id: str, name: str, title: str, severity: dict[str, str], why: str, remedy: str
) -> Callable[
    [Callable[[RuleContext], Iterable[Finding]]], Callable[[RuleContext], Iterable[Finding]]
]:
    """Register a rule function under a stable id."""

    def register(
        fn: Callable[[RuleContext], Iterable[Finding]],
    ) -> Callable[[RuleContext], Iterable[Finding]]:
        RULES.append(Rule(id, name, title, severity, why, remedy, fn))
        return fn

    return register


def rule_by_id(rule_id: str) -> Rule:
    return next(r for r in RULES if r.id == rule_id)


def run_rules(ctx: RuleContext) -> list[Finding]:
    """All findings of all rules, worst first, then by rule id and location."""
    found = [f for r in RULES for f in r.check(ctx)]
    found.sort(key=lambda f: (-f.severity, f.rule, str(f.location)))
    return found


# --- the interface -----------------------------------------------------------------------------

_KEEP_ADVICE = (
    "ids, hashes or timestamps that may exceed int32 must stay int64 (jvmready fix --keep {name})"
)


def _wide_note(ctx: RuleContext, name: str) -> str:
    reasons = ctx.wide.get(name)
    if not reasons:
        return ""
    return (
        f"; it is connected to values beyond int32 ({'; '.join(reasons[:3])}), "
        "so it most likely must stay int64"
    )


@rule(
    "JR101",
    "int64-input",
    "int64 graph input",
    {"ort-java": "error", "int32": "error"},
    "Java code reaches for int; ONNX Runtime rejects an int32 tensor for an int64 input with "
    "'Unexpected input data type. Actual: (tensor(int32)) , expected: (tensor(int64))', "
    "without naming the input.",
    "jvmready fix makes the input int32; "
    + _KEEP_ADVICE.format(name="NAME")
    + ". Otherwise pass long[] / LongBuffer.",
)
def int64_inputs(ctx: RuleContext) -> Iterator[Finding]:
    for spec in ctx.inputs:
        if spec.type != INT64_TYPE:
            continue
        yield Finding(
            "JR101",
            ctx.pick(ERR, ERR),
            f"input {spec.name!r} is int64: Java must pass {spec.java.primary}, not int"
            + _wide_note(ctx, spec.name),
            ctx.loc(tensor=spec.name),
            f"jvmready fix makes it int32; {_KEEP_ADVICE.format(name=spec.name)}. "
            f"Without fix, pass {spec.java.primary} or a LongBuffer with its shape.",
            {"type": spec.type, "java": spec.java.primary, "wide": ctx.wide.get(spec.name, [])},
        )


@rule(
    "JR102",
    "int64-output",
    "int64 graph output",
    {"ort-java": "error", "int32": "error"},
    "ONNX Runtime Java returns long arrays for int64 outputs; casting getValue() to int[] "
    "throws 'ClassCastException: [J cannot be cast to [I', and a folk (int) cast wraps "
    "values beyond int32 silently.",
    "jvmready fix makes the output int32 when its values are provably bounded; "
    + _KEEP_ADVICE.format(name="NAME")
    + ". Otherwise read it as long[] (getValue() or getLongBuffer()).",
)
def int64_outputs(ctx: RuleContext) -> Iterator[Finding]:
    for spec in ctx.outputs:
        if spec.type != INT64_TYPE:
            continue
        proof = ctx.output_proofs.get(spec.name)
        read_long = f"read it as ({spec.java.primary}) result.get(...).getValue()"
        if proof is not None and proof.fits_int32:
            outlook = (
                f"; its values are provably in [{proof.lo}, {proof.hi}] ({proof.why}), so "
                "jvmready fix can make it int32 safely"
            )
            remedy = (
                f"jvmready fix makes it int32 (proven to fit); {_KEEP_ADVICE.format(name=spec.name)}"
                f". Without fix, {read_long}."
            )
        elif proof is not None and proof.witness is not None:
            outlook = f"; it can carry {proof.witness}, beyond int32: it must stay int64"
            remedy = (
                f"keep it int64 (jvmready fix leaves it int64; --keep {spec.name} says so "
                f"explicitly) and {read_long}, never casting to int"
            )
        else:
            why = proof.why if proof is not None else "no range analysis"
            outlook = f"; no proof its values fit int32 ({why})" + _wide_note(ctx, spec.name)
            remedy = (
                "jvmready fix makes it int32 only when it can prove the values fit, so this one "
                f"stays int64 unless you know better; {_KEEP_ADVICE.format(name=spec.name)}. "
                f"In Java, {read_long}."
            )
        yield Finding(
            "JR102",
            ctx.pick(ERR, ERR),
            f"output {spec.name!r} is int64: Java gets {spec.java.primary} back, and a cast to "
            "int[] throws ClassCastException" + outlook,
            ctx.loc(tensor=spec.name),
            remedy,
            {
                "type": spec.type,
                "java": spec.java.primary,
                "wide": ctx.wide.get(spec.name, []),
                "proof": None if proof is None else vars(proof),
            },
        )


@rule(
    "JR103",
    "sequence-or-map-io",
    "sequence or map at the interface (e.g. scikit-learn's ZipMap)",
    {"ort-java": "error", "int32": "error"},
    "A seq(map(int64,float)) output reaches Java as an OnnxSequence of OnnxMap<Long,Float>: "
    "per-row maps with Long keys, where map.get(1) with an Integer key silently finds nothing.",
    "jvmready fix --drop-zipmap replaces the ZipMap output with a float[][] probability tensor "
    "(columns in the order of the class labels); or export with zipmap=False in skl2onnx.",
)
def sequence_map_io(ctx: RuleContext) -> Iterator[Finding]:
    for spec in (*ctx.inputs, *ctx.outputs):
        if not spec.type.startswith(("seq(", "map(")):
            continue
        yield Finding(
            "JR103",
            ctx.pick(ERR, ERR),
            f"{spec.direction} {spec.name!r} is {spec.type}: Java handles {spec.java.primary}",
            ctx.loc(tensor=spec.name),
            (
                "jvmready fix --drop-zipmap turns it into a float[][] of probabilities (one "
                "column per class, in class order)"
                if spec.direction == "output"
                else "replace it with a tensor input; ONNX Runtime Java is built around tensors"
            ),
            {"type": spec.type, "java": spec.java.primary, "how_to_read": spec.java.note},
        )


@rule(
    "JR104",
    "no-java-type",
    "interface element type ONNX Runtime Java cannot represent",
    {"ort-java": "error", "int32": "error"},
    "ONNX Runtime Java has no Java type for uint16/uint32/uint64, complex or 4/8-bit float "
    "tensors: Java code can neither build such an input nor read such an output.",
    "Change the interface type in the exporter (e.g. cast to int32/int64/float at the edge).",
)
def unsupported_io(ctx: RuleContext) -> Iterator[Finding]:
    model_io = {v.name: v.type for v in (*ctx.model.graph.input, *ctx.model.graph.output)}
    for spec in (*ctx.inputs, *ctx.outputs):
        tp = model_io.get(spec.name)
        if tp is None or tp.WhichOneof("value") != "tensor_type":
            continue
        if tp.tensor_type.elem_type in UNSUPPORTED_ELEMS:
            yield Finding(
                "JR104",
                ctx.pick(ERR, ERR),
                f"{spec.direction} {spec.name!r} is {spec.type}, which ONNX Runtime Java "
                "cannot represent",
                ctx.loc(tensor=spec.name),
                "change the interface type in the exporter",
                {"type": spec.type},
            )


# --- stored values -----------------------------------------------------------------------------


def _stored_finding(ctx: RuleContext, s: StoredInt64, rule_id: str, what: str) -> Finding:
    t = s.summary
    r = t.range
    fits = r is None or r.fits_int32
    span = "empty" if r is None or r.min is None else f"min {r.min}, max {r.max}"
    if fits:
        message = f"{what} {t.name!r} is int64 {list(t.shape)} ({span}): fits int32"
        remedy = "jvmready fix --target int32 narrows it (range-checked)"
    else:
        message = f"{what} {t.name!r} is int64 {list(t.shape)} ({span}): does NOT fit int32"
        remedy = (
            "it must stay int64; values it meets at the interface must stay int64 too "
            "(jvmready fix --keep NAME); a consumer without int64 cannot run this model"
        )
    return Finding(
        rule_id,
        ctx.pick(INFO, WARN if fits else ERR),
        message,
        t.location,
        remedy,
        {
            "min": None if r is None else r.min,
            "max": None if r is None else r.max,
            "count": 0 if r is None else r.count,
            "fits_int32": fits,
            "shape": list(t.shape),
        },
    )


@rule(
    "JR110",
    "int64-initializer",
    "int64 initializer",
    {"ort-java": "info", "int32": "warning when it fits int32, error when it does not"},
    "ONNX Runtime handles int64 inside the graph, so under ort-java this is a fact, not a "
    "problem; a consumer without int64 needs every stored int64 tensor narrowed, which is only "
    "safe when every value fits.",
    "jvmready fix --target int32 narrows it when all values fit (checked, never wrapped); "
    "values beyond int32 cannot be narrowed.",
)
def int64_initializers(ctx: RuleContext) -> Iterator[Finding]:
    for s in ctx.stored:
        if s.kind == "initializer":
            yield _stored_finding(ctx, s, "JR110", "initializer")


@rule(
    "JR111",
    "int64-constant",
    "int64 Constant node or tensor attribute",
    {"ort-java": "info", "int32": "warning when it fits int32, error when it does not"},
    "Same as JR110 for values stored in Constant nodes (and other tensor attributes).",
    "As JR110.",
)
def int64_constants(ctx: RuleContext) -> Iterator[Finding]:
    for s in ctx.stored:
        if s.kind == "constant":
            yield _stored_finding(ctx, s, "JR111", "constant")


@rule(
    "JR112",
    "int64-values-inside",
    "int64 values computed inside a graph or an If/Loop/Scan subgraph",
    {"ort-java": "info", "int32": "warning"},
    "Inferred int64 intermediate values (and subgraph inputs/outputs) need int64 arithmetic; "
    "they are int32 after fix only when what they are computed from is.",
    "jvmready fix --target int32 rewrites what it can; JR120 lists what the schema forces to "
    "stay int64.",
)
def int64_values_inside(ctx: RuleContext) -> Iterator[Finding]:
    interface = {s.name for s in (*ctx.inputs, *ctx.outputs)}
    stored = {s.summary.name for s in ctx.stored}
    for path, g in iter_graphs(ctx.model.graph):
        types = ctx.inference.types.get(path, {})
        names: list[str] = []
        candidates = (
            [v.name for v in g.input] + [v.name for v in g.output] if path != "main" else []
        )
        candidates += [o for n in g.node for o in n.output if o]
        for name in dict.fromkeys(candidates):
            if name in stored or (path == "main" and name in interface):
                continue
            tp = types.get(name)
            if tp is not None and type_string(tp) == INT64_TYPE:
                names.append(name)
        if not names:
            continue
        where = "subgraph" if path != "main" else "graph"
        shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        yield Finding(
            "JR112",
            ctx.pick(INFO, WARN),
            f"{len(names)} int64 value(s) computed inside the {where}: {shown}",
            ctx.loc(graph=path),
            "nothing to do for ONNX Runtime; for an int32-only consumer, jvmready fix "
            "--target int32 narrows what flows from narrowed inputs and initializers",
            {"values": names},
        )


@rule(
    "JR113",
    "wide-int-attribute",
    "integer attribute with values beyond int32 (class labels, categories, keys)",
    {"ort-java": "warning", "int32": "error"},
    "Class labels (classlabels_int64s), categories (cats_int64s) and keys beyond int32 are "
    "compared with, or returned as, interface values: those must then stay int64, and an int "
    "in Java cannot hold them.",
    "Keep the connected inputs/outputs int64 (jvmready fix --keep NAME) and use long in Java.",
)
def wide_int_attributes(ctx: RuleContext) -> Iterator[Finding]:
    for w in ctx.wide_attributes:
        related = sorted(ctx.flow.related(w.graph, w.node, _int64_interface(ctx)))
        keep = " ".join(f"--keep {n}" for n in related) or "--keep NAME"
        yield Finding(
            "JR113",
            ctx.pick(WARN, ERR),
            f"{w.op_type} attribute {w.attribute!r} holds values beyond int32 "
            f"(min {w.range.min}, max {w.range.max})"
            + (f"; connected interface tensors: {', '.join(related)}" if related else ""),
            ctx.loc(graph=w.graph, node=w.node),
            f"these must stay int64: jvmready fix {keep}; in Java use long, never int",
            {
                "op_type": w.op_type,
                "attribute": w.attribute,
                "min": w.range.min,
                "max": w.range.max,
                "related": related,
            },
        )


@dataclass(frozen=True)
class WideAttribute:
    """An integer attribute (INT/INTS) with values beyond int32."""

    graph: str
    node: str
    op_type: str
    attribute: str
    range: IntRange


def _wide_attributes(model: onnx.ModelProto) -> list[WideAttribute]:
    found: list[WideAttribute] = []
    for path, g in iter_graphs(model.graph):
        for i, node in enumerate(g.node):
            for attr in node.attribute:
                values = _int_attr_values(attr)
                if values is None or values.size == 0:
                    continue
                r = int_range(values)
                if not r.fits_int32:
                    found.append(
                        WideAttribute(path, node_label(node, i), node.op_type, attr.name, r)
                    )
    return found


def _int_attr_values(attr: AttributeProto) -> npt.NDArray[np.int64] | None:
    if attr.type == AttributeProto.INTS:
        return np.asarray(attr.ints, dtype=np.int64)
    if attr.type == AttributeProto.INT:
        return np.asarray([attr.i], dtype=np.int64)
    return None


# --- operator schemas --------------------------------------------------------------------------


def _opsets(model: onnx.ModelProto) -> dict[str, int]:
    return {(o.domain or ""): o.version for o in model.opset_import}


@functools.lru_cache(maxsize=1024)
def _schema(op_type: str, version: int, domain: str) -> onnx.defs.OpSchema | None:
    try:
        return onnx.defs.get_schema(op_type, version, domain)
    except onnx.defs.SchemaError:
        return None


def _mandates_int64(param: onnx.defs.OpSchema.FormalParameter) -> bool:
    """True when the schema allows int64 at ``param`` but no int32 (so int32 cannot replace it)."""
    types = set(param.types)
    return INT64_TYPE in types and INT32_TYPE not in types


def _params(
    formal: list[onnx.defs.OpSchema.FormalParameter], names: list[str]
) -> Iterator[tuple[onnx.defs.OpSchema.FormalParameter, str]]:
    """Pair actual names with formal parameters (the last one repeats when variadic)."""
    for i, name in enumerate(names):
        if not name or not formal:
            continue
        yield formal[min(i, len(formal) - 1)], name


@rule(
    "JR120",
    "int64-by-schema",
    "operator whose schema mandates int64",
    {"ort-java": "info", "int32": "error"},
    "Some operators only take or produce int64 at a given input/output (Shape, Reshape's shape, "
    "ArgMax, TopK indices, NonZero, Loop's trip count, ONNX-ML classifiers' labels): a runtime "
    "without int64 cannot run them as they are.",
    "For ONNX Runtime nothing to do. For an int32-only consumer the operator must be replaced "
    "or its int64 confined to a part the consumer does not run.",
)
def int64_by_schema(ctx: RuleContext) -> Iterator[Finding]:
    opsets = _opsets(ctx.model)
    for path, g in iter_graphs(ctx.model.graph):
        types = ctx.inference.types.get(path, {})
        for i, node in enumerate(g.node):
            domain = node.domain or ""
            if domain == "ai.onnx":
                domain = ""
            schema = _schema(node.op_type, opsets.get(domain, 1), domain)
            if schema is None:
                continue
            forced: list[str] = []
            for kind, formal, names in (
                ("input", list(schema.inputs), list(node.input)),
                ("output", list(schema.outputs), list(node.output)),
            ):
                for param, name in _params(formal, names):
                    if not _mandates_int64(param):
                        continue
                    tp = types.get(name)
                    actual = type_string(tp) if tp is not None else None
                    if actual == INT64_TYPE or set(param.types) == {INT64_TYPE}:
                        forced.append(f"{kind} {param.name} ({name!r})")
            if forced:
                yield Finding(
                    "JR120",
                    ctx.pick(INFO, ERR),
                    f"{node.op_type}-{schema.since_version} requires int64 at " + ", ".join(forced),
                    ctx.loc(graph=path, node=node_label(node, i)),
                    "ONNX Runtime runs it as is; an int32-only consumer needs this operator "
                    "replaced",
                    {"op_type": node.op_type, "since_version": schema.since_version, "at": forced},
                )


# --- declared vs inferred ----------------------------------------------------------------------


def _declared(model: onnx.ModelProto) -> Iterator[tuple[str, onnx.ValueInfoProto]]:
    for v in model.graph.output:
        yield "output", v
    for v in model.graph.value_info:
        yield "value", v


@rule(
    "JR130",
    "declared-type-mismatch",
    "declared element type disagrees with shape inference",
    {"ort-java": "error", "int32": "error"},
    "A declared type that is not what the graph computes misleads every consumer reading the "
    "signature (Java code written against it casts to the wrong array type) and ONNX Runtime "
    "refuses such a model.",
    "Fix the exporter, or rewrite the declaration (jvmready fix re-runs shape inference).",
)
def declared_type_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    yield from _mismatches(ctx, shapes=False)


@rule(
    "JR131",
    "declared-shape-mismatch",
    "declared shape disagrees with shape inference",
    {"ort-java": "warning", "int32": "warning"},
    "Java code sizes its arrays from the declared shape; a wrong rank or size fails at run time.",
    "Fix the exporter's declared shape.",
)
def declared_shape_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    yield from _mismatches(ctx, shapes=True)


def _mismatches(ctx: RuleContext, *, shapes: bool) -> Iterator[Finding]:
    inferred = ctx.inference.types.get("main", {})
    for kind, v in _declared(ctx.model):
        got = inferred.get(v.name)
        if got is None or v.type.WhichOneof("value") != "tensor_type":
            continue
        if got.WhichOneof("value") != "tensor_type":
            continue
        d_elem, i_elem = v.type.tensor_type.elem_type, got.tensor_type.elem_type
        if not shapes:
            if d_elem and i_elem and d_elem != i_elem:
                yield Finding(
                    "JR130",
                    ctx.pick(ERR, ERR),
                    f"{kind} {v.name!r} is declared {type_string(v.type)} but the graph computes "
                    f"{type_string(got)}",
                    ctx.loc(tensor=v.name),
                    "fix the exporter or the declaration; Java code must follow the computed type",
                    {"declared": type_string(v.type), "inferred": type_string(got)},
                )
            continue
        d_shape, i_shape = shape_of(v.type), shape_of(got)
        if d_shape is None or i_shape is None:
            continue
        if len(d_shape) != len(i_shape) or any(
            isinstance(a, int) and isinstance(b, int) and a != b
            for a, b in zip(d_shape, i_shape, strict=False)
        ):
            yield Finding(
                "JR131",
                ctx.pick(WARN, WARN),
                f"{kind} {v.name!r} is declared with shape {list(d_shape)} but inferred "
                f"{list(i_shape)}",
                ctx.loc(tensor=v.name),
                "fix the declared shape",
                {"declared": list(d_shape), "inferred": list(i_shape)},
            )


@rule(
    "JR132",
    "inference-failed",
    "ONNX shape inference failed",
    {"ort-java": "warning", "int32": "warning"},
    "Without inferred types, int64 values inside the graph (JR112/JR120) and declared-type "
    "disagreements (JR130) cannot be checked.",
    "Run onnx.checker / onnx.shape_inference on the model to see the full error; custom "
    "operators without schemas are a common cause.",
)
def inference_failed(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.inference.error:
        yield Finding(
            "JR132",
            ctx.pick(WARN, WARN),
            f"shape inference failed: {ctx.inference.error}",
            ctx.loc(),
            "internal int64 values and declared types were not checked",
            {"error": ctx.inference.error},
        )


# --- data flow: which interface tensors meet which wide values ----------------------------------


def _int64_interface(ctx: RuleContext) -> frozenset[str]:
    return frozenset(s.name for s in (*ctx.inputs, *ctx.outputs) if s.type == INT64_TYPE)


def _wide_interface(ctx: RuleContext) -> dict[str, list[str]]:
    interface = _int64_interface(ctx)
    wide: dict[str, list[str]] = {}
    for s in ctx.stored:
        r = s.summary.range
        if r is None or r.fits_int32:
            continue
        loc = s.summary.location
        reason = f"{s.kind} {s.summary.name!r} max {r.max}"
        if loc.node is not None:
            related = ctx.flow.related(loc.graph or "main", loc.node, interface)
        else:
            related = ctx.flow.related_to_value(loc.graph or "main", s.summary.name, interface)
        for name in related:
            wide.setdefault(name, []).append(reason)
    for w in ctx.wide_attributes:
        for name in ctx.flow.related(w.graph, w.node, interface):
            wide.setdefault(name, []).append(
                f"{w.op_type} {w.attribute} max {w.range.max} at {w.node}"
            )
    return wide


class _Flow:
    """Producers and consumers in the main graph, to find which interface tensors a node
    (or a node inside one of its subgraphs) reads from or writes to."""

    def __init__(self, graph: onnx.GraphProto) -> None:
        self.inputs = {v.name for v in graph.input}
        self.outputs = {v.name for v in graph.output}
        self.producer: dict[str, int] = {}
        self.consumers: dict[str, list[int]] = {}
        self.reads: list[set[str]] = []
        self.writes: list[list[str]] = []
        self.labels: list[str] = []
        self.owner: dict[tuple[str, str], int] = {}  # (graph path, node label) -> top node
        self.graph_owner: dict[str, int] = {}
        for i, node in enumerate(graph.node):
            label = node_label(node, i)
            self.owner[("main", label)] = i
            reads = {n for n in node.input if n}
            for attr_name, sub in subgraphs(node):
                for path, g in iter_graphs(sub, f"main/{label}.{attr_name}"):
                    self.graph_owner[path] = i
                    for j, inner in enumerate(g.node):
                        self.owner[(path, node_label(inner, j))] = i
                        reads.update(n for n in inner.input if n)
            self.reads.append(reads)
            self.writes.append([n for n in node.output if n])
            self.labels.append(label)
            for name in reads:
                self.consumers.setdefault(name, []).append(i)
            for name in node.output:
                if name:
                    self.producer[name] = i

    def _upstream(self, start: int) -> set[str]:
        seen_nodes, names, todo = {start}, set(), [start]
        while todo:
            for name in self.reads[todo.pop()]:
                names.add(name)
                p = self.producer.get(name)
                if p is not None and p not in seen_nodes:
                    seen_nodes.add(p)
                    todo.append(p)
        return names

    def _downstream(self, start: int, outputs: Iterable[str]) -> set[str]:
        seen_nodes, names, todo = {start}, set(outputs), list(outputs)
        while todo:
            for c in self.consumers.get(todo.pop(), []):
                if c in seen_nodes:
                    continue
                seen_nodes.add(c)
                for o in self._node_outputs(c):
                    names.add(o)
                    todo.append(o)
        return names

    def _node_outputs(self, index: int) -> list[str]:
        return self.writes[index]

    def related(self, graph_path: str, label: str, interface: frozenset[str]) -> set[str]:
        """Interface tensors upstream or downstream of a node (by its graph path and label)."""
        top = self.owner.get((graph_path, label))
        if top is None:
            return set()
        names = self._upstream(top) | self._downstream(top, self._node_outputs(top))
        return {n for n in names if n in interface}

    def related_to_value(self, graph_path: str, value: str, interface: frozenset[str]) -> set[str]:
        """Interface tensors connected to the nodes that read a stored value."""
        if graph_path != "main":
            top = self.graph_owner.get(graph_path)
            return set() if top is None else self.related("main", self._label(top), interface)
        found: set[str] = set()
        for c in self.consumers.get(value, []):
            found |= self.related("main", self._label(c), interface)
        return found

    def _label(self, index: int) -> str:
        return self.labels[index]
