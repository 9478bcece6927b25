"""SavedModel check and fix with real TensorFlow: findings, fixed signatures, values, safety."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from jvmready.check import check
from jvmready.errors import JvmreadyError
from jvmready.formats import FixOptions
from jvmready.tensorflow import fix_savedmodel, read_savedmodel
from tests.helpers import REPO, run_cli

IDS = np.array([[1, 2, 3], [9, 0, 4]], dtype=np.int64)


def _serve(path: Path) -> tf.types.experimental.ConcreteFunction:
    return tf.saved_model.load(str(path)).signatures["serving_default"]


def _digest(path: Path) -> dict[str, str]:
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


def test_read_signatures_and_variables(classifier: Path) -> None:
    info = read_savedmodel(classifier)
    (sig,) = info.signatures
    assert sig.key == "serving_default"
    assert [(s.name, s.dtype, s.shape) for s in sig.inputs] == [("token_ids", "int64", (None, 3))]
    assert {s.name: s.dtype for s in sig.outputs} == {
        "id_sum": "int64",
        "label": "int64",
        "logits": "float32",
    }
    bias = next(v for v in info.variables if v.name == "bias")
    assert bias.dtype == "int64" and bias.range is not None
    assert (bias.range.min, bias.range.max, bias.range.fits_int32) == (0, 2, True)


def test_check_reports_interface_with_tf_java_types_and_proofs(classifier: Path) -> None:
    report = check(classifier)
    assert report.format == "tensorflow-savedmodel"
    (ids,) = report.inputs
    assert (ids.name, ids.type, ids.java.primary) == ("token_ids", "int64", "TInt64")
    assert any("DataBuffers.of(long[])" in a for a in ids.java.alternatives)
    by_rule = {(f.rule, f.location.tensor): f for f in report.findings}
    jr101 = by_rule[("JR101", "token_ids")]
    assert "Expects arg[0] to be int64 but int32 is provided" in jr101.message
    label = by_rule[("JR102", "label")].data["proof"]
    assert (label["lo"], label["hi"], label["fits_int32"]) == (0, 3, True)
    assert "ArgMax" in label["why"]
    id_sum = by_rule[("JR102", "id_sum")].data["proof"]
    assert id_sum["fits_int32"] is False and "Sum" in id_sum["why"]
    bias = by_rule[("JR110", "bias")]
    assert (bias.data["min"], bias.data["max"], str(bias.severity)) == (0, 2, "info")
    assert str(check(classifier, "int32").findings[-1].severity) in {"warning", "info"}


def test_check_cli_json_and_exit_code(classifier: Path) -> None:
    result = run_cli("check", classifier, "--json")
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    assert doc["format"] == "tensorflow-savedmodel"
    assert {f["rule"] for f in doc["findings"]} == {"JR101", "JR102", "JR110"}


def test_fix_takes_int32_narrows_proven_output_and_keeps_values(
    classifier: Path, tmp_path: Path
) -> None:
    before = _digest(classifier)
    out = tmp_path / "fixed"
    report = fix_savedmodel(classifier, out, FixOptions())
    assert _digest(classifier) == before, "the input SavedModel must not change"
    kinds = {(c.kind, c.name) for c in report.changes}
    assert kinds == {("input-narrowed", "token_ids"), ("output-narrowed", "label")}
    assert [f.rule for f in report.findings] == ["JR102"]  # id_sum: no proof, kept int64
    fixed, original = _serve(out), _serve(classifier)
    _, specs = fixed.structured_input_signature
    assert specs["token_ids"].dtype == tf.int32
    got = fixed(token_ids=tf.constant(IDS.astype(np.int32)))
    want = original(token_ids=tf.constant(IDS))
    assert got["label"].dtype == tf.int32 and got["id_sum"].dtype == tf.int64
    for name in want:
        np.testing.assert_array_equal(got[name].numpy(), want[name].numpy())
    assert check(out).inputs[0].java.primary == "TInt32"


def test_fix_keep_leaves_input_int64(classifier: Path, tmp_path: Path) -> None:
    report = fix_savedmodel(
        classifier, tmp_path / "kept", FixOptions(keep=frozenset({"token_ids", "nope"}))
    )
    assert {c.name for c in report.changes} == {"label"}
    assert any(f.rule == "JR303" and "nope" in f.message for f in report.findings)
    _, specs = _serve(tmp_path / "kept").structured_input_signature
    assert specs["token_ids"].dtype == tf.int64


def _doubler(path: Path) -> None:
    """int64 in, ``doubled`` int64 out: nothing bounds it, so a proof is impossible."""

    class Doubler(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.int64, name="x")])
        def serve(self, x: tf.Tensor) -> dict[str, tf.Tensor]:
            return {"doubled": x * 2}

    model = Doubler()
    tf.saved_model.save(model, str(path), signatures={"serving_default": model.serve})


def test_unsafe_narrow_outputs_fails_at_run_time_instead_of_wrapping(tmp_path: Path) -> None:
    _doubler(tmp_path / "doubler")
    out = tmp_path / "unsafe"
    report = fix_savedmodel(tmp_path / "doubler", out, FixOptions(unsafe_narrow_outputs=True))
    assert {(c.kind, c.name) for c in report.changes} == {
        ("input-narrowed", "x"),
        ("output-checked", "doubled"),
    }
    serve = _serve(out)
    small = serve(x=tf.constant([3, -(2**30)], tf.int32))["doubled"]
    assert small.dtype == tf.int32
    np.testing.assert_array_equal(small.numpy(), [6, -(2**31)])
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        serve(x=tf.constant([1, 2**31 - 1], tf.int32))  # doubled: 4294967294, beyond int32
    text = str(e.value)
    assert "output doubled: value" in text and "4294967294" in text and "at flat index" in text
    assert text.index("at flat index") < text.index("does not fit int32")


def test_fix_never_writes_over_or_inside_the_input(classifier: Path, tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(classifier, copy)
    before = _digest(copy)
    for target in (copy, copy / "sub", tmp_path):
        with pytest.raises(JvmreadyError, match="refusing"):
            fix_savedmodel(copy, target, FixOptions())
    other = tmp_path / "notes"
    other.mkdir()
    (other / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(JvmreadyError, match="not a SavedModel"):
        fix_savedmodel(copy, other, FixOptions())
    assert (other / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert _digest(copy) == before
    # An earlier result is replaced whole, and no temporary directory is left behind.
    out = tmp_path / "out"
    fix_savedmodel(copy, out, FixOptions(keep=frozenset({"token_ids"})))
    fix_savedmodel(copy, out, FixOptions())
    _, specs = _serve(out).structured_input_signature
    assert specs["token_ids"].dtype == tf.int32
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model", "notes", "out"]


def test_fix_cli(classifier: Path, tmp_path: Path) -> None:
    result = run_cli("fix", classifier, "-o", tmp_path / "cli", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert {c["name"] for c in doc["changes"]} == {"token_ids", "label"}


def test_bad_saved_model_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "saved_model.pb").write_bytes(b"\xff\xff not a protobuf")
    result = run_cli("check", bad)
    assert result.returncode == 2
    assert "saved_model.pb" in result.stderr and "not a valid SavedModel" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_without_tensorflow_says_what_to_install(classifier: Path) -> None:
    code = (
        "import sys; sys.modules['tensorflow'] = None\n"  # what an absent package looks like
        "from jvmready.cli import main; sys.argv = ['jvmready', 'check', sys.argv[1]]; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(classifier)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 2, result.stderr
    assert "pip install 'jvmready[tensorflow]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_keras_export_gets_int32_signatures(tmp_path: Path) -> None:
    """Keras 3 ``model.export``: int64 ids into an Embedding, two signatures, both fixed."""
    import keras

    ids = keras.Input(shape=(3,), dtype="int64", name="token_ids")
    x = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(10, 4)(ids))
    model = keras.Model(ids, keras.layers.Dense(2, activation="softmax")(x))
    model.export(str(tmp_path / "keras"), format="tf_saved_model", verbose=False)
    report = check(tmp_path / "keras")
    assert {(f.rule, f.location.graph) for f in report.findings if f.rule == "JR101"} == {
        ("JR101", "serve"),
        ("JR101", "serving_default"),
    }
    fix_savedmodel(tmp_path / "keras", tmp_path / "fixed", FixOptions())
    original = tf.saved_model.load(str(tmp_path / "keras"))
    fixed = tf.saved_model.load(str(tmp_path / "fixed"))
    want = model.predict(IDS, verbose=0)
    for key in ("serve", "serving_default"):
        _, specs = fixed.signatures[key].structured_input_signature
        assert specs["token_ids"].dtype == tf.int32
        got = fixed.signatures[key](token_ids=tf.constant(IDS.astype(np.int32)))
        before = original.signatures[key](token_ids=tf.constant(IDS))
        (name,) = got
        np.testing.assert_array_equal(got[name].numpy(), before[name].numpy())
        np.testing.assert_allclose(got[name].numpy(), want, rtol=1e-6)
