"""Walk an ONNX graph and all its subgraphs (If/Loop/Scan bodies, any GRAPH attribute)."""

from __future__ import annotations

from collections.abc import Iterator

import onnx
from onnx import AttributeProto


def node_label(node: onnx.NodeProto, index: int) -> str:
    """A name for a node that is stable and readable even when the node is unnamed."""
    return node.name or f"{node.op_type}_{index}"


def subgraphs(node: onnx.NodeProto) -> Iterator[tuple[str, onnx.GraphProto]]:
    """(attribute name, graph) for every graph-valued attribute of ``node``."""
    for attr in node.attribute:
        if attr.type == AttributeProto.GRAPH:
            yield attr.name, attr.g
        elif attr.type == AttributeProto.GRAPHS:
            for i, g in enumerate(attr.graphs):
                yield f"{attr.name}[{i}]", g


def iter_graphs(
    graph: onnx.GraphProto, path: str = "main"
) -> Iterator[tuple[str, onnx.GraphProto]]:
    """Yield ``(path, graph)`` for ``graph`` and, depth first, every subgraph in it.

    Paths read like ``main/If_3.then_branch``: the node and attribute that hold the subgraph.
    """
    yield path, graph
    for i, node in enumerate(graph.node):
        for attr_name, sub in subgraphs(node):
            yield from iter_graphs(sub, f"{path}/{node_label(node, i)}.{attr_name}")


def iter_all_tensors(
    graph: onnx.GraphProto,
) -> Iterator[tuple[tuple[str, str | None], onnx.TensorProto]]:
    """Every stored tensor: initializers, sparse initializers' values and indices, and tensor
    attributes of nodes (Constant's ``value`` and others), in all subgraphs.

    Yields ``((graph path, node label or None), tensor)``.
    """
    for path, g in iter_graphs(graph):
        for t in g.initializer:
            yield (path, None), t
        for s in g.sparse_initializer:
            yield (path, None), s.values
            yield (path, None), s.indices
        for i, node in enumerate(g.node):
            for attr in node.attribute:
                if attr.type == AttributeProto.TENSOR:
                    yield (path, node_label(node, i)), attr.t
                elif attr.type == AttributeProto.TENSORS:
                    for t in attr.tensors:
                        yield (path, node_label(node, i)), t
                elif attr.type == AttributeProto.SPARSE_TENSOR:
                    yield (path, node_label(node, i)), attr.sparse_tensor.values
                    yield (path, node_label(node, i)), attr.sparse_tensor.indices


def type_string(tp: onnx.TypeProto) -> str:
    """ONNX Runtime's spelling of a type: ``tensor(int64)``, ``seq(map(int64,tensor(float)))``."""
    which = tp.WhichOneof("value")
    if which == "tensor_type":
        return f"tensor({_elem(tp.tensor_type.elem_type)})"
    if which == "sparse_tensor_type":
        return f"sparse_tensor({_elem(tp.sparse_tensor_type.elem_type)})"
    if which == "sequence_type":
        return f"seq({type_string(tp.sequence_type.elem_type)})"
    if which == "map_type":
        key = _elem(tp.map_type.key_type)
        return f"map({key},{type_string(tp.map_type.value_type)})"
    if which == "optional_type":
        return f"optional({type_string(tp.optional_type.elem_type)})"
    return "unknown"


def _elem(elem_type: int) -> str:
    if elem_type == onnx.TensorProto.UNDEFINED:
        return "undefined"
    name: str = onnx.TensorProto.DataType.Name(elem_type).lower()
    return {"float": "float", "double": "double", "string": "string", "bool": "bool"}.get(
        name, name
    )


def shape_of(tp: onnx.TypeProto) -> tuple[int | str | None, ...] | None:
    """Dims of a tensor type: ints, symbolic names, or ``None`` for unknown; ``None`` if unranked."""
    if tp.WhichOneof("value") != "tensor_type" or not tp.tensor_type.HasField("shape"):
        return None
    dims: list[int | str | None] = []
    for d in tp.tensor_type.shape.dim:
        kind = d.WhichOneof("value")
        dims.append(
            d.dim_value if kind == "dim_value" else d.dim_param if kind == "dim_param" else None
        )
    return tuple(dims)
