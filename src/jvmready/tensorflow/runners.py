"""``verify`` runners for SavedModels: one signature in Python TensorFlow, and in TensorFlow Java
(``io.jvmready.tensorflow.Main``), over every sample of a :class:`SampleSet`.

Both take the samples already in the signature's dtypes (the subject converts them, int32
range-checked, never wrapped); Java gets them as one stacked ``.npz`` and runs them all in one
JVM, converting each input again with the same checks (``SavedModelRunner``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jvmready import java
from jvmready.tensorflow.check import load_savedmodel
from jvmready.tensorflow.savedmodel import SignatureSpec, tf
from jvmready.verify.inputs import SampleSet
from jvmready.verify.runners import RunFailed, RunResult, run_jvm_stacked

#: The TF Java adapter module and its command-line runner.
MODULE = "jvmready-tensorflow"
MAIN = "io.jvmready.tensorflow.Main"
BUILD_HINT = "run `make test-tf`"


def tf_java_classpath() -> str:
    """The TF Java adapter, jvmready-core and their dependencies (built by ``make test-tf``)."""
    jars = java.module_jars(
        (MODULE, "jvmready-core"), Path(MODULE) / "target" / "classpath.txt", BUILD_HINT
    )
    return os.pathsep.join(str(p) for p in jars)


class TfPythonRunner:
    """The signature in this Python process: the model loaded once, one call per sample."""

    backend = "python"

    def __init__(self, path: Path, signature: SignatureSpec, label: str) -> None:
        self.path = path
        self.signature = signature
        self.label = label

    def run(self, samples: SampleSet) -> RunResult:
        t = tf()
        t0 = time.perf_counter()
        loaded = load_savedmodel(self.path)  # kept alive: the function reads its variables
        function = loaded.signatures[self.signature.key]
        t1 = time.perf_counter()
        names = [o.name for o in self.signature.outputs]
        outputs: dict[str, list[Any]] = {n: [] for n in names}
        for i, feeds in enumerate(samples):
            try:
                results = function(**{k: t.constant(v) for k, v in feeds.items()})
                values = {k: v.numpy() for k, v in results.items()}
            except Exception as e:  # TF raises InvalidArgumentError and friends with a message
                raise RunFailed(
                    f"{self.label}: TensorFlow failed on sample {i}: {_first_line(e)}"
                ) from None
            for n in names:
                if n in values:
                    outputs[n].append(values[n])
        t2 = time.perf_counter()
        del function, loaded
        return RunResult(
            self.backend,
            f"tensorflow {t.__version__} (Python)",
            {n: v for n, v in outputs.items() if len(v) == samples.count},
            {"load_s": t1 - t0, "run_s": t2 - t1},
        )


class TfJavaRunner:
    """The signature in TensorFlow Java through ``io.jvmready.tensorflow.Main --stacked``: one
    JVM for all samples. A JVM that cannot start (no Java, adapter not built) raises
    :class:`~jvmready.java.JavaSetupError`; a model that fails in Java is :class:`RunFailed`."""

    backend = "tf-java"

    def __init__(self, path: Path, signature: SignatureSpec, label: str) -> None:
        self.path = path
        self.signature = signature
        self.label = label

    def run(self, samples: SampleSet) -> RunResult:
        class_path = tf_java_classpath()
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}  # TF's start-up log lines

        def invoke(_workdir: Path, in_npz: Path, out_npz: Path) -> dict[str, Any]:
            args = ["run", "--model", str(self.path), "--inputs", str(in_npz)]
            args += ["--output", str(out_npz), "--signature", self.signature.key, "--stacked"]
            return java.run_main(
                class_path, MAIN, args, label=self.label, env=env, build_hint=BUILD_HINT
            )

        info, arrays, timings = run_jvm_stacked(samples, invoke, f"{self.label}: TensorFlow Java")
        version = f"tensorflow {info.get('tf_version', '?')} (Java {info.get('java_version', '?')})"
        return RunResult(self.backend, version, self._outputs(arrays, samples.count), timings)

    def _outputs(self, arrays: dict[str, Any], count: int) -> dict[str, Sequence[Any]]:
        outputs: dict[str, Sequence[Any]] = {}
        for spec in self.signature.outputs:
            a = arrays.get(spec.name)
            if a is None:
                continue  # reported as a missing output by the comparator
            if a.ndim == 0 or len(a) != count:
                raise RunFailed(
                    f"{self.label}: TensorFlow Java returned {a.shape} for {spec.name!r}, "
                    f"expected {count} samples"
                )
            outputs[spec.name] = a
        return outputs


def _first_line(e: BaseException) -> str:
    text = " ".join(str(e).strip().splitlines()[:1]) or type(e).__name__
    return text[:300]
