"""Samples embedded in the model (PMML ModelVerification style): round trip, replay, tampering,
and `fix --embed-samples` / `verify --embed` writing them."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import onnx
import pytest

from jvmready.errors import JvmreadyError
from jvmready.fix import fix
from jvmready.verify import verify
from jvmready.verify.samples import (
    SAMPLES_KEY,
    TOLERANCE_KEY,
    embed,
    extract,
    self_check,
)
from tests.helpers import run_cli
from tests.verify_models import classifier_model, gather_model, tampered_gather_model


def _carrying(original: onnx.ModelProto, candidate: onnx.ModelProto, n: int) -> onnx.ModelProto:
    report = verify(original, candidate, samples=n, seed=4)
    assert report.passed and report.evidence is not None
    return embed(candidate, report.evidence.inputs, report.evidence.expected, rtol=1e-5, atol=1e-6)


def test_layout_in_metadata() -> None:
    fixed = fix(gather_model()).model
    model = _carrying(gather_model(), fixed, 5)
    props = {p.key: p.value for p in model.metadata_props}
    assert json.loads(props[TOLERANCE_KEY]) == {"rtol": 1e-5, "atol": 1e-6}
    with np.load(io.BytesIO(base64.b64decode(props[SAMPLES_KEY]))) as npz:
        assert sorted(npz.files) == ["in/ids", "out/am", "out/s"]
        assert npz["in/ids"].dtype == np.int32 and npz["in/ids"].shape == (
            5,
            3,
        )  # as fixed takes it
        assert npz["out/am"].dtype == np.int64  # the original's values
        assert npz["out/s"].shape == (5, 3)


def test_round_trip_and_python_self_check() -> None:
    clf = classifier_model()
    model = _carrying(clf, clf, 3)
    found = extract(model)
    assert (
        found is not None and found.inputs.count == 3 and (found.rtol, found.atol) == (1e-5, 1e-6)
    )
    probs = found.expected["output_probability"]
    assert len(probs) == 3 and isinstance(probs[0][0], dict) and sorted(probs[0][0]) == [0, 1, 2]
    results = self_check(model)
    assert {c.name for c in results} == {"output_label", "output_probability"}
    assert all(c.passed for c in results)


def test_samples_from_another_model_fail_self_check() -> None:
    carried = _carrying(gather_model(), gather_model(), 40)
    found = extract(carried)
    assert found is not None
    moved = embed(
        tampered_gather_model(), found.inputs, found.expected, rtol=found.rtol, atol=found.atol
    )
    bad = [c for c in self_check(moved) if not c.passed]
    assert [c.name for c in bad] == ["s"] and bad[0].first is not None


def test_embed_replaces_old_samples_and_keeps_other_metadata() -> None:
    model = gather_model()
    onnx.helper.set_model_props(model, {"author": "me"})
    once = _carrying(gather_model(), model, 2)
    twice = _carrying(gather_model(), once, 3)
    keys = [p.key for p in twice.metadata_props]
    assert keys.count(SAMPLES_KEY) == 1 and "author" in keys
    found = extract(twice)
    assert found is not None and found.inputs.count == 3


def test_no_or_broken_samples() -> None:
    assert extract(gather_model()) is None
    with pytest.raises(JvmreadyError, match="carries no"):
        self_check(gather_model())
    broken = gather_model()
    onnx.helper.set_model_props(broken, {SAMPLES_KEY: "@@not base64@@"})
    with pytest.raises(JvmreadyError, match="not a valid sample set"):
        extract(broken, "broken.onnx")


def test_fix_embed_samples_and_verify_embed(tmp_path: Path) -> None:
    src, fixed = tmp_path / "g.onnx", tmp_path / "g.fixed.onnx"
    onnx.save(gather_model(), str(src))
    r = run_cli("fix", src, "-o", fixed, "--embed-samples", "6")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "embedded 6 verified sample(s)" in r.stderr
    model = onnx.load(str(fixed))
    found = extract(model)
    assert found is not None and found.inputs.count == 6
    assert found.inputs.arrays["ids"].dtype == np.int32
    assert all(c.passed for c in self_check(model))

    copy = tmp_path / "g.samples.onnx"
    r = run_cli("verify", src, fixed, "--embed", "-o", copy, "--samples", "4", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["passed"] is True
    assert extract(onnx.load(str(copy))).inputs.count == 4  # type: ignore[union-attr]
    assert extract(onnx.load(str(fixed))).inputs.count == 6  # type: ignore[union-attr]  # untouched
    same = run_cli("verify", src, fixed, "--embed", "-o", fixed)
    assert same.returncode == 2 and "refusing to overwrite" in same.stderr

    tampered = tmp_path / "t.onnx"
    onnx.save(tampered_gather_model(), str(tampered))
    out = tmp_path / "t.samples.onnx"
    r = run_cli("verify", src, tampered, "--embed", "-o", out, "--samples", "30")
    assert r.returncode == 1 and not out.exists()
