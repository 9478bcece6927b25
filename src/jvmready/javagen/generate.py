"""Render a :class:`~jvmready.javagen.model.Facade` to Java source with the package's Jinja2
templates. Every model-provided string is escaped by a filter, so no name can break the code."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from jvmready.javagen.identifiers import comment_text, java_source_ascii, java_string_literal
from jvmready.javagen.model import Facade, FacadeValue

if TYPE_CHECKING:
    import jinja2

TEMPLATE = "javagen_facade.java.j2"
WIDTH = 100  # columns, as the rest of the project's Java


def _environment() -> jinja2.Environment:
    import jinja2  # imported where used: only javagen needs it (CLI start-up time)

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("jvmready", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Java, not HTML: escaping is explicit, per context, via the filters
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["jstr"] = java_string_literal
    env.filters["jdoc"] = comment_text
    env.filters["jid"] = java_source_ascii
    return env


def describe(v: FacadeValue) -> str:
    """Javadoc text for a value: ``"x", tensor(float) [batch, 4], dynamic: batch (dim 0)``."""
    if v.kind == "zipmap":
        text = (
            f'"{v.name}", {v.onnx_type} (scikit-learn ZipMap): one map per row, class label to '
            "probability, ordered by label"
        )
        if v.key_type == "int64":
            text += "; the keys are Long: get(1L), not get(1)"
    else:
        text = f'"{v.name}", {v.onnx_type} {v.shape_text}'
        if v.dynamic_dims:
            text += ", dynamic: " + ", ".join(v.dynamic_dims)
        elif v.rank == 0:
            text += " (a scalar)"
    return comment_text(text)


def doc_lines(first: str, text: str, continuation: str) -> str:
    """``first + text`` wrapped to 100 columns, later lines starting with ``continuation``."""
    return "\n".join(
        textwrap.wrap(
            text,
            width=WIDTH,
            initial_indent=first,
            subsequent_indent=continuation,
            break_long_words=False,
            break_on_hyphens=False,
        )
    )


def call_lines(
    indent: int, head: str, args: list[str], tail: str, brackets: tuple[str, str] = ("(", ")")
) -> str:
    """``head(args)tail`` at ``indent``: on one line if it fits, else the arguments on the next
    line, else one per line (the layout google-java-format uses)."""
    pad, inner = " " * indent, " " * (indent + 4)
    opening, closing = brackets
    one = f"{pad}{head}{opening}{', '.join(args)}{closing}{tail}"
    if len(one) <= WIDTH:
        return one
    two = f"{inner}{', '.join(args)}{closing}{tail}"
    if len(two) <= WIDTH:
        return f"{pad}{head}{opening}\n{two}"
    return f"{pad}{head}{opening}\n" + ",\n".join(inner + a for a in args) + f"{closing}{tail}"


def read_lines(v: FacadeValue, last: bool) -> str:
    """The constructor argument reading output ``v`` from ``result`` as its declared Java type."""
    name = java_string_literal(v.name)
    tail = ");" if last else ","
    if v.kind == "zipmap":
        return call_lines(10, f"result.{v.accessor}", [name], tail)
    flat_type = v.java_type.rstrip("[]") + "[]"
    args = [name, f"result.{v.accessor}({name})", f"result.shape({name})", str(v.rank)]
    if v.rank == 0:  # a scalar: the only element of the (checked) flat array
        return call_lines(10, f"(({flat_type}) NestedArrays.nest", args, f")[0]{tail}")
    return call_lines(10, f"({v.java_type}) NestedArrays.nest", args, tail)


def expect_row(v: FacadeValue) -> str:
    """The row of ``EXPECTED_INPUTS``/``EXPECTED_OUTPUTS`` that an opened model must match."""
    kind = "SEQUENCE" if v.kind == "zipmap" else "TENSOR"
    rank = v.rank if v.rank_declared else -1
    declared = v.onnx_type if v.kind == "zipmap" else f"{v.onnx_type} {v.shape_text}"
    cells = [v.name, kind, v.element, v.key_type, str(rank), declared]
    return call_lines(4, "", [java_string_literal(c) for c in cells], ",", ("{", "}"))


def parameters(values: tuple[FacadeValue, ...], indent: int) -> str:
    """``float[][] x, long[] ids`` on the declaration's line when it fits 100 columns (``indent``
    is what precedes it), else one parameter per line."""
    items = [f"{v.java_type} {java_source_ascii(v.java_name)}" for v in values]
    joined = ", ".join(items)
    if indent + len(joined) + 4 <= WIDTH:
        return joined
    return "\n      " + ",\n      ".join(items)


def render(facade: Facade) -> str:
    """The Java source of the facade class."""
    template = _environment().get_template(TEMPLATE)
    return template.render(
        f=facade,
        describe=describe,
        doc_lines=doc_lines,
        read_lines=read_lines,
        expect_row=expect_row,
        parameters=parameters,
    )
