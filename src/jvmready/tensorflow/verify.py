"""``verify_java``: run a SavedModel in Python TensorFlow and in TF Java, and compare the outputs.

The same inputs go to both: Python feeds them converted to the signature's dtypes (int32 inputs
range-checked, never wrapped); Java gets them as given and converts them with the same checks
(``io.jvmready.tensorflow.SavedModelRunner``), so feeding ``int[]`` to an int64 signature is
verified too. Outputs compare with :func:`jvmready.verify.compare.compare`: integers exactly,
floats within ``atol + rtol * |reference|``.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from jvmready import java
from jvmready.errors import JvmreadyError
from jvmready.narrowing import narrow_checked
from jvmready.tensorflow.check import load_savedmodel
from jvmready.tensorflow.savedmodel import SignatureSpec, read_savedmodel, tf
from jvmready.verify.compare import OutputComparison, compare

MODULE = "jvmready-tensorflow"
MAIN = "io.jvmready.tensorflow.Main"
BUILD_HINT = "run `make test-tf`"


class TfJavaRunError(JvmreadyError):
    """TF Java started but refused the inputs or failed to run the model (its one line)."""


@dataclass(frozen=True)
class JavaVerification:
    """The comparison of TF Java's outputs with Python TensorFlow's, output by output."""

    model: str
    signature: str
    comparisons: tuple[OutputComparison, ...]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.comparisons)


def tf_java_classpath() -> str:
    """The TF Java adapter, jvmready-core and their dependencies (built by ``make test-tf``)."""
    jars = java.module_jars(
        (MODULE, "jvmready-core"), Path(MODULE) / "target" / "classpath.txt", BUILD_HINT
    )
    return os.pathsep.join(str(p) for p in jars)


def verify_java(
    model: str | os.PathLike[str],
    inputs: Mapping[str, np.ndarray],
    *,
    signature: str = "serving_default",
    rtol: float = 1e-5,
    atol: float = 1e-6,
    timeout: float = 600,
) -> JavaVerification:
    """Run ``signature`` of the SavedModel ``model`` on ``inputs`` in both languages; compare."""
    path = Path(model)
    info = read_savedmodel(path)
    sig = next((s for s in info.signatures if s.key == signature), None)
    if sig is None:
        known = ", ".join(s.key for s in info.signatures)
        raise JvmreadyError(f"{path}: no signature {signature!r} (it has {known})")
    reference = _run_python(path, sig, inputs)
    candidate = _run_java(path, signature, inputs, timeout)
    found = compare(reference, candidate, rtol=rtol, atol=atol, backend="tf-java")
    return JavaVerification(str(path), signature, found)


def _run_python(
    path: Path, sig: SignatureSpec, inputs: Mapping[str, np.ndarray]
) -> dict[str, list[Any]]:
    t = tf()
    feeds = {}
    for spec in sig.inputs:
        if spec.name not in inputs:
            raise JvmreadyError(f"{path}: input {spec.name!r} is missing")
        a = np.asarray(inputs[spec.name])
        if spec.dtype == "int32" and a.dtype != np.int32:
            a = narrow_checked(a, spec.name)
        feeds[spec.name] = t.constant(a.astype(spec.dtype, copy=False))
    results = load_savedmodel(path).signatures[sig.key](**feeds)
    return {name: [value.numpy()] for name, value in results.items()}


def _run_java(
    path: Path, signature: str, inputs: Mapping[str, np.ndarray], timeout: float
) -> dict[str, list[Any]]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    with tempfile.TemporaryDirectory(prefix="jvmready-tf-verify-") as tmp:
        in_npz, out_npz = Path(tmp) / "inputs.npz", Path(tmp) / "outputs.npz"
        np.savez(in_npz, **{k: np.ascontiguousarray(v) for k, v in inputs.items()})  # type: ignore[arg-type]
        argv = [java.find_java(), "-cp", tf_java_classpath(), MAIN, "run"]
        argv += ["--model", str(path), "--inputs", str(in_npz), "--output", str(out_npz)]
        argv += ["--signature", signature]
        try:
            proc = subprocess.run(
                argv, capture_output=True, text=True, timeout=timeout, env=env, check=False
            )
        except subprocess.TimeoutExpired:
            raise TfJavaRunError(f"{path}: TF Java did not finish within {timeout} s") from None
        if proc.returncode != 0:
            ours = [ln for ln in proc.stderr.splitlines() if ln.startswith("jvmready-java: ")]
            last = proc.stderr.strip().splitlines()[-1:] or ["no message"]
            line = ours[-1].removeprefix("jvmready-java: ") if ours else last[0]
            raise TfJavaRunError(line)
        with np.load(out_npz, allow_pickle=False) as npz:
            return {name: [npz[name]] for name in npz.files}
