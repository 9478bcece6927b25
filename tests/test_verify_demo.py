"""The demo's fix and verify steps: check -> fix -> verify --java -> selfCheck on its model."""

from __future__ import annotations

import io
from pathlib import Path

import onnx
import pytest
from rich.console import Console

from jvmready.demo import run_demo
from jvmready.verify.samples import extract


@pytest.mark.java
def test_demo_fixes_verifies_in_java_and_self_checks(tmp_path: Path) -> None:
    buf = io.StringIO()
    ctx = run_demo(tmp_path / "work", Console(file=buf, width=160, soft_wrap=False))
    text = buf.getvalue()
    assert ctx.facts["verify_passed"] is True
    fixed = ctx.artifacts["fixed"]
    model = onnx.load(str(fixed))
    ins = {i.name: i.type.tensor_type.elem_type for i in model.graph.input}
    assert ins["categories"] == onnx.TensorProto.INT32
    found = extract(model)
    assert found is not None and found.inputs.count == 32
    assert "Java signature after the fix" in text and "int[][]" in text
    assert "input-narrowed: 'categories' tensor(int64) -> tensor(int32)" in text
    assert "java vs reference" in text and "onnxruntime 1.23.2 (Java" in text
    assert "self-check passed: 32 samples" in text
