"""Keras -> ONNX -> ONNX Runtime Java, and where integer widths bite on the way.

Trains a tiny token classifier (int64 token ids -> Embedding -> mean pooling -> Dense logits,
plus a ``tf.argmax`` class label), exports it with Keras's own ``model.export(format="onnx")``
(tf2onnx underneath), then runs jvmready on the file: ``check`` (int64 at the Java boundary),
``fix`` (int32 interface) and ``verify`` in ONNX Runtime Python and Java.

    make example-keras                 # or, with .venv-tf and `make java` done:
    .venv-tf/bin/python examples/keras_to_onnx.py build/keras-onnx [--json]

Needs tensorflow-cpu + tf2onnx (``pip install -e '.[keras-onnx]'``) and the Java library built
(``make java``). Takes about 20 seconds, most of it importing TensorFlow.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import onnx
import onnxruntime as ort
import tensorflow as tf

import jvmready
from jvmready.fix import fix_file
from jvmready.formats import FixOptions

VOCAB, SEQ, CLASSES = 64, 6, 3
#: The opset we ask tf2onnx for; it then writes IR 8. ONNX Runtime 1.23 (Python and Java, the
#: pinned runtime) loads IR <= 10; onnx 1.23's own default, IR 14, it refuses.
OPSET, MAX_IR = 17, 10


class ArgMaxLabel(keras.layers.Layer):  # type: ignore[misc]  # keras is untyped
    """The class label as most TensorFlow code writes it: ``tf.argmax``, which returns int64.

    (``keras.ops.argmax`` returns int32, but tf2onnx 1.17 cannot convert it: see the docs.)
    """

    def call(self, logits: tf.Tensor) -> tf.Tensor:
        return tf.argmax(logits, axis=-1)


def build_classifier(id_dtype: str | None = "int64", head: bool = True) -> keras.Model:
    """token_ids (batch, SEQ) -> {"logits", "label"}; ``id_dtype=None`` is Keras's default."""
    dtype = {} if id_dtype is None else {"dtype": id_dtype}
    ids = keras.Input(shape=(SEQ,), name="token_ids", **dtype)
    pooled = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(VOCAB, 8)(ids))
    logits = keras.layers.Dense(CLASSES, name="logits")(pooled)
    outputs = {"logits": logits, "label": ArgMaxLabel(name="label")(logits)} if head else logits
    return keras.Model(ids, outputs)


def token_data(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Token ids as NumPy makes them (int64) and a learnable label: the vocabulary third that
    most of a row's tokens fall in."""
    ids = np.random.default_rng(seed).integers(0, VOCAB, size=(rows, SEQ))
    thirds = ids * CLASSES // VOCAB
    labels = np.stack([(thirds == c).sum(axis=1) for c in range(CLASSES)], axis=1).argmax(axis=1)
    return ids, labels


def export_onnx(model: keras.Model, path: Path) -> onnx.ModelProto:
    """Keras's ONNX export, pinned to an opset (and so an IR version) ONNX Runtime 1.23 runs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # Keras's numpy-2 patch of tf2onnx
        model.export(str(path), format="onnx", opset_version=OPSET, verbose=False)
    proto = onnx.load(str(path))
    if proto.ir_version > MAX_IR:
        raise SystemExit(
            f"{path}: IR version {proto.ir_version} > {MAX_IR}: ONNX Runtime 1.23 refuses it"
        )
    return proto


def io_types(report: jvmready.CheckReport) -> dict[str, str]:
    """Every graph input and output with its ONNX type and the Java type ORT Java uses."""
    return {s.name: f"{s.type} -> {s.java.primary}" for s in (*report.inputs, *report.outputs)}


def exported_input_types(out: Path) -> dict[str, str]:
    """What the token ids become in ONNX for each way of declaring them in Keras."""
    found = {}
    for dtype in (None, "int32", "int64"):
        model = build_classifier(dtype, head=False)
        model(np.zeros((1, SEQ), dtype=dtype or "float32"))  # export needs a called model
        path = out / f"ids-{dtype or 'default'}.onnx"
        export_onnx(model, path)
        found[dtype or "default (float32)"] = jvmready.check(path).inputs[0].type
    return found


def wide_id_demo() -> dict[str, Any]:
    """Hashed ids beyond int32: the folk fix wraps them, jvmready refuses them by name."""
    ids = np.array([[7, 2**31 + 5]], dtype=np.int64)
    try:
        jvmready.narrow_checked(ids, "token_ids")
        refused = ""
    except jvmready.NarrowingError as e:
        refused = str(e)
    return {
        "value": int(ids[0, 1]),
        "astype_int32": int(ids.astype(np.int32)[0, 1]),
        "narrow_checked": refused,
        "float32_id": {"value": 2**24 + 1, "as_float32": int(np.float32(2**24 + 1))},
    }


@dataclass(frozen=True)
class Paths:
    original: Path
    fixed: Path
    inputs: Path

    @classmethod
    def under(cls, out: Path) -> Paths:
        return cls(out / "classifier.onnx", out / "classifier-int32.onnx", out / "token_ids.npz")


def run(out: Path) -> dict[str, Any]:
    """The whole path; returns what happened, as plain data."""
    out.mkdir(parents=True, exist_ok=True)
    paths = Paths.under(out)
    keras.utils.set_random_seed(0)

    # 1. Train a few steps in Keras. NumPy's token ids are int64, and so is the declared Input.
    model = build_classifier("int64")
    ids, labels = token_data(512, seed=0)
    model.compile(
        optimizer=keras.optimizers.Adam(0.05),
        loss={"logits": keras.losses.SparseCategoricalCrossentropy(from_logits=True)},
    )
    model.fit(ids, {"logits": labels}, epochs=4, batch_size=64, verbose=0)

    # 2. Export, and check the file computes what Keras computes (ids as trained: int64).
    test_ids, test_labels = token_data(8, seed=1)
    proto = export_onnx(model, paths.original)
    keras_out = model.predict(test_ids, verbose=0)
    session = ort.InferenceSession(str(paths.original))
    onnx_label, onnx_logits = session.run(["label", "logits"], {"token_ids": test_ids})
    # 3. check: what Java sees. 4. fix: an int32 interface, written next to the original.
    before = jvmready.check(paths.original)
    fixed = fix_file(paths.original, paths.fixed, FixOptions(io="int32"))
    after = jvmready.check(paths.fixed)
    # 5. verify: original in ORT Python as the reference; the fixed model in ORT Python and Java.
    np.savez(paths.inputs, token_ids=test_ids.reshape(4, 2, SEQ))  # 4 samples of batch 2
    report = jvmready.verify(paths.original, paths.fixed, java=True, inputs=paths.inputs)

    return {
        "keras": {
            "input": str(model.inputs[0].dtype),
            "label": str(keras_out["label"].dtype),
            "accuracy": float((keras_out["label"] == test_labels).mean()),
        },
        "onnx": {
            "path": str(paths.original),
            "ir_version": proto.ir_version,
            "opsets": {o.domain or "ai.onnx": o.version for o in proto.opset_import},
            "io": io_types(before),
            "labels_equal_keras": bool(np.array_equal(onnx_label, keras_out["label"])),
            "logits_max_abs_diff": float(np.abs(onnx_logits - keras_out["logits"]).max()),
        },
        "check": [
            f"{f.rule} {f.location.tensor}" for f in before.findings if str(f.severity) == "error"
        ],
        "fix": {
            "path": fixed.output,
            "changes": [f"{c.kind}: {c.name} {c.before} -> {c.after}" for c in fixed.changes],
            "io": io_types(after),
            "errors_left": [f.rule for f in after.findings if str(f.severity) == "error"],
        },
        "verify": report.to_dict(),
        "widths": {"exported_input_type": exported_input_types(out), **wide_id_demo()},
    }


def render(r: dict[str, Any]) -> str:
    onnx_, fix, widths, ver = r["onnx"], r["fix"], r["widths"], r["verify"]
    java = [x for x in ver["runs"] if x["backend"] == "java"]
    lines = [
        f"Keras: token_ids {r['keras']['input']}, label {r['keras']['label']} (tf.argmax)",
        f"ONNX:  {onnx_['path']} (IR {onnx_['ir_version']}, opsets {onnx_['opsets']}); "
        f"labels equal Keras: {onnx_['labels_equal_keras']}, "
        f"logits max |diff| {onnx_['logits_max_abs_diff']:.2g}",
        *(f"  {name}: {t}" for name, t in onnx_["io"].items()),
        f"check: {', '.join(r['check'])}",
        f"fix -> {fix['path']}",
        *(f"  {c}" for c in fix["changes"]),
        *(f"  {name}: {t}" for name, t in fix["io"].items()),
        f"verify ({ver['samples']} samples, Python + Java): {'passed' if ver['passed'] else 'FAILED'}"
        + "".join(f"; {x['version']}" for x in java),
        *(
            f"  {c['backend']:<12} {c['name']:<7} {c['compared']} values, {c['mismatches']} differ"
            for c in ver["outputs"]
        ),
        "Where widths bite:",
        *(f"  Keras Input dtype {k} -> ONNX {v}" for k, v in widths["exported_input_type"].items()),
        f"  float32 ids: {widths['float32_id']['value']} becomes {widths['float32_id']['as_float32']}",
        f"  id {widths['value']}: astype(np.int32) gives {widths['astype_int32']}; "
        f"jvmready refuses: {widths['narrow_checked']}",
        "Same with the CLI:",
        f"  jvmready check {onnx_['path']}",
        f"  jvmready fix {onnx_['path']} -o {fix['path']}",
        f"  jvmready verify {onnx_['path']} {fix['path']} --java --inputs {ver['inputs']}",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?", default=Path("build/keras-onnx"))
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    try:
        result = run(args.out)
    except jvmready.JvmreadyError as e:  # e.g. the Java library not built: one line, exit 2
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2) if args.json else render(result))
    return 0 if result["verify"]["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
