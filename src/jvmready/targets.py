"""Java runtime profiles: what a consumer on the JVM can and cannot take.

A target decides which findings are errors. ``ort-java`` is ONNX Runtime Java, where only the
graph interface matters (the runtime itself handles int64 inside); ``int32`` is a consumer with
no int64 at all, where every int64 tensor inside the model matters too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    name: str
    description: str
    #: int64 inside the model (initializers, constants, op outputs) is a problem, not just the
    #: interface.
    internals_matter: bool


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target(
            "ort-java",
            "ONNX Runtime Java: Java code feeds and reads the graph interface",
            internals_matter=False,
        ),
        Target(
            "int32",
            "a consumer with no int64 at all: the interface and everything inside",
            internals_matter=True,
        ),
    )
}


def get_target(name: str) -> Target:
    """Look a target up by name, with an error that lists the known ones."""
    from jvmready.errors import JvmreadyError

    try:
        return TARGETS[name]
    except KeyError:
        known = ", ".join(TARGETS)
        raise JvmreadyError(f"unknown target {name!r}; known targets: {known}") from None
