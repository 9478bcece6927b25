"""Shared test helpers: hand-built ONNX models ONNX Runtime accepts, and running the real CLI."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import onnx
from onnx import helper

#: IR version ONNX Runtime 1.23 (our pinned runtime, Python and Java) accepts.
IR_VERSION = 10
OPSET = 17

REPO = Path(__file__).resolve().parents[1]


def make_model(
    nodes: Sequence[onnx.NodeProto],
    inputs: Sequence[onnx.ValueInfoProto],
    outputs: Sequence[onnx.ValueInfoProto],
    initializers: Sequence[onnx.TensorProto] = (),
    *,
    opset: int = OPSET,
    ml_opset: int | None = None,
    extra_opsets: Sequence[tuple[str, int]] = (),
    name: str = "test",
) -> onnx.ModelProto:
    """A checked model with an IR version and opsets the pinned onnxruntime runs."""
    graph = helper.make_graph(list(nodes), name, list(inputs), list(outputs), list(initializers))
    opsets = [helper.make_opsetid("", opset)]
    if ml_opset is not None:
        opsets.append(helper.make_opsetid("ai.onnx.ml", ml_opset))
    opsets += [helper.make_opsetid(d, v) for d, v in extra_opsets]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="jvmready-tests")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model


def run_cli(
    *args: str | os.PathLike[str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m jvmready ARGS`` as a user would; returns the completed process."""
    env = dict(os.environ)
    env.pop("JVMREADY_DEBUG", None)
    env["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-m", "jvmready", *map(str, args)],
        capture_output=True,
        text=True,
        input=stdin,
        env=env,
        timeout=600,
        check=False,
    )


def snapshot(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root`` by relative path: proof a tree was left untouched."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
