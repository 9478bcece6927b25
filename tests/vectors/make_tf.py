"""Write a SavedModel with Python TensorFlow and its ``jvmready fix``, for TF Java to run.

Usage: ``python tests/vectors/make_tf.py OUTDIR`` writes ``OUTDIR/tf/``: ``original/`` (a small
classifier whose ``serving_default`` takes ``token_ids`` as int64, the Python default, and returns
an argmax ``label`` (int64), ``logits`` (float32) and ``id_sum`` (int64, no range proof)),
``fixed/`` (what ``jvmready fix --io int32`` made of it: ``token_ids`` and ``label`` int32,
``id_sum`` kept int64), and ``manifest.tsv``: per model, the input fed and every output Python
TensorFlow computed from it (model, direction, name, dtype, shape, C-order values).
``SavedModelRunnerTest`` (Java) reproduces TF Java's ``Expects arg[0] to be int64 but int32 is
provided`` on the original and checks the fixed model's outputs against these values.

Needs tensorflow (``.venv-tf``, made by ``make test-integration``); under an interpreter without
it, the script says so and writes nothing, so ``make vectors`` in the main venv stays quiet.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))

TOKEN_IDS = np.array([[1, 2, 3], [9, 0, 4]], dtype=np.int64)


def write_classifier(path: Path) -> None:
    """A SavedModel as Python users write them: int64 ids in, argmax label out."""
    import tensorflow as tf

    class Classifier(tf.Module):
        def __init__(self) -> None:
            super().__init__()
            rng = np.random.default_rng(7)
            self.embedding = tf.Variable(rng.normal(size=(10, 4)).astype(np.float32))
            self.bias = tf.Variable(np.array([0, 1, 2], dtype=np.int64))

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.int64, name="token_ids")])
        def serve(self, token_ids: tf.Tensor) -> dict[str, tf.Tensor]:
            logits = tf.reduce_sum(tf.gather(self.embedding, token_ids), axis=1)
            return {
                "label": tf.argmax(logits, axis=-1),
                "logits": logits,
                "id_sum": tf.reduce_sum(token_ids + self.bias, axis=1),
            }

    model = Classifier()
    tf.saved_model.save(model, str(path), signatures={"serving_default": model.serve})


def _line(model: str, direction: str, name: str, a: np.ndarray) -> str:
    shape = ",".join(str(d) for d in a.shape)
    if a.dtype.kind == "f":
        values = ",".join(repr(float(v)) for v in a.reshape(-1))
    else:
        values = ",".join(str(int(v)) for v in a.reshape(-1))
    return "\t".join((model, direction, name, a.dtype.name, shape, values))


def main(out: Path) -> None:
    if importlib.util.find_spec("tensorflow") is None:
        print("make_tf.py: tensorflow is not installed here; skipped (make test-integration)")
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    from jvmready.formats import FixOptions, for_path

    root = out / "tf"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    write_classifier(root / "original")
    for_path(root / "original").fix_file(root / "original", root / "fixed", FixOptions(io="int32"))
    lines = []
    for model, dtype in (("original", np.int64), ("fixed", np.int32)):
        serve = tf.saved_model.load(str(root / model)).signatures["serving_default"]
        fed = TOKEN_IDS.astype(dtype)
        lines.append(_line(model, "input", "token_ids", fed))
        for name, value in sorted(serve(token_ids=tf.constant(fed)).items()):
            lines.append(_line(model, "output", name, value.numpy()))
    (root / "manifest.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_tf.py OUTDIR")
    main(Path(sys.argv[1]))
