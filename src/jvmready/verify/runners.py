"""One runner per backend (Polygraphy's idea): each runs a model over a :class:`SampleSet` and
returns its outputs (per output name, one value per sample), its version and where time went.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import onnx

from jvmready import java
from jvmready.errors import JvmreadyError
from jvmready.onnx.graphs import type_string
from jvmready.verify.inputs import SampleSet


class RunFailed(JvmreadyError):
    """The backend loaded the model but could not run it on the given inputs."""


@dataclass(frozen=True)
class RunResult:
    """Outputs of one backend over every sample, with its version and timings (seconds)."""

    backend: str
    version: str
    outputs: dict[str, Sequence[Any]]
    timings: dict[str, float] = field(default_factory=dict)


class Runner(Protocol):
    """Runs one model on one backend."""

    backend: str

    def run(self, samples: SampleSet) -> RunResult: ...


@dataclass(frozen=True)
class ModelSource:
    """A model to run: its proto (always) and the file it came from (when there is one)."""

    model: onnx.ModelProto
    path: Path | None
    label: str

    def model_bytes(self) -> bytes:
        data: bytes = self.model.SerializeToString()
        return data


class OrtPythonRunner:
    """ONNX Runtime in this Python process; one session, one ``run`` per sample."""

    backend = "python"

    def __init__(self, source: ModelSource) -> None:
        self.source = source

    def run(self, samples: SampleSet) -> RunResult:
        import onnxruntime as ort  # imported where used: loading it slows every CLI start

        t0 = time.perf_counter()
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # deterministic and light on a shared machine
        options.log_severity_level = 4  # failures are reported once, as our one line
        where = str(self.source.path) if self.source.path is not None else self.source.model_bytes()
        try:
            session = ort.InferenceSession(where, options, providers=["CPUExecutionProvider"])
        except Exception as e:  # ORT raises its own exception types with a message
            raise JvmreadyError(
                f"{self.source.label}: onnxruntime cannot load the model: {e}"
            ) from None
        t1 = time.perf_counter()
        names = [o.name for o in session.get_outputs()]
        outputs: dict[str, list[Any]] = {n: [] for n in names}
        for i in range(samples.count):
            try:
                values = session.run(names, samples.sample(i))
            except Exception as e:
                raise RunFailed(
                    f"{self.source.label}: onnxruntime failed on sample {i}: {_one_line(e)}"
                ) from None
            for n, v in zip(names, values, strict=True):
                outputs[n].append(v)
        t2 = time.perf_counter()
        return RunResult(
            self.backend,
            f"onnxruntime {ort.__version__} (Python)",
            dict(outputs),
            {"load_s": t1 - t0, "run_s": t2 - t1},
        )


class OrtJavaRunner:
    """ONNX Runtime Java through jvmready's ``ModelRunner``: one JVM for all samples.

    Inputs go over as one stacked ``.npz`` in the types the model declares (int32 inputs are
    fed from ``int[]``); seq(map) outputs come back as ``name.keys`` / ``name.values`` arrays.
    """

    backend = "java"

    def __init__(self, source: ModelSource) -> None:
        self.source = source

    def run(self, samples: SampleSet) -> RunResult:
        def invoke(workdir: Path, in_npz: Path, out_npz: Path) -> dict[str, Any]:
            model_path = self.source.path
            if model_path is None:
                model_path = workdir / "candidate.onnx"
                model_path.write_bytes(self.source.model_bytes())
            return java.run_java_model(model_path, in_npz, out_npz, stacked=True)

        info, arrays, timings = run_jvm_stacked(
            samples, invoke, f"{self.source.label}: ONNX Runtime Java"
        )
        version = (
            f"onnxruntime {info.get('ort_version', '?')} (Java {info.get('java_version', '?')})"
        )
        return RunResult(self.backend, version, self._outputs(arrays, samples.count), timings)

    def _outputs(self, arrays: dict[str, Any], count: int) -> dict[str, Sequence[Any]]:
        outputs: dict[str, Sequence[Any]] = {}
        for vi in self.source.model.graph.output:
            name = vi.name
            if type_string(vi.type).startswith("seq(map("):
                keys, values = arrays.get(f"{name}.keys"), arrays.get(f"{name}.values")
                if keys is None or values is None:
                    continue  # reported as a missing output by the comparator
                outputs[name] = maps_from_arrays(keys, values)
            elif name in arrays:
                outputs[name] = arrays[name]
        for name, v in outputs.items():
            if len(v) != count:
                raise RunFailed(f"Java returned {len(v)} samples of {name!r}, expected {count}")
        return outputs


def run_jvm_stacked(
    samples: SampleSet,
    invoke: Callable[[Path, Path, Path], dict[str, Any]],
    what: str,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, float]]:
    """The protocol of every Java runner: all samples go over as one stacked ``.npz``,
    ``invoke(workdir, inputs_npz, outputs_npz)`` runs one JVM and returns its JSON summary, and
    the outputs come back as arrays by name. A model that fails in Java is :class:`RunFailed`
    (a parity failure, reported as a mismatch); :class:`~jvmready.java.JavaSetupError` (Java
    itself unusable) propagates as a usage error."""
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="jvmready-verify-") as tmp:
        workdir = Path(tmp)
        in_npz, out_npz = workdir / "inputs.npz", workdir / "outputs.npz"
        np.savez(in_npz, **{k: np.ascontiguousarray(v) for k, v in samples.arrays.items()})  # type: ignore[arg-type]
        t1 = time.perf_counter()
        try:
            info = invoke(workdir, in_npz, out_npz)
        except java.JavaRunError as e:
            raise RunFailed(f"{what}: {e}") from None
        t2 = time.perf_counter()
        with np.load(out_npz, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        t3 = time.perf_counter()
    return info, arrays, jvm_timings(info, t1 - t0, t2 - t1, t3 - t2)


def jvm_timings(
    info: dict[str, Any], write_s: float, jvm_s: float, read_s: float
) -> dict[str, float]:
    """Where a Java runner's time went: the JVM's own ``load_ms``/``run_ms`` (its JSON summary)
    and, measured here, writing the inputs, the whole JVM and reading the outputs back."""
    load_s = float(info.get("load_ms", 0.0)) / 1000
    run_s = float(info.get("run_ms", 0.0)) / 1000
    return {
        "write_inputs_s": write_s,
        "jvm_total_s": jvm_s,
        "load_s": load_s,
        "run_s": run_s,
        "jvm_start_and_io_s": max(jvm_s - load_s - run_s, 0.0),
        "read_outputs_s": read_s,
    }


def maps_from_arrays(
    keys: np.ndarray[Any, Any], values: np.ndarray[Any, Any]
) -> list[list[dict[Any, float]]]:
    """``[S, n, k]`` keys and values (how Java and embedded samples carry seq(map)) to dicts."""
    if keys.shape != values.shape or keys.ndim != 3:
        raise RunFailed(
            f"seq(map) arrays have shapes {keys.shape} and {values.shape}, need [S, n, k]"
        )
    return [
        [
            dict(zip(krow.tolist(), vrow.tolist(), strict=True))
            for krow, vrow in zip(ks, vs, strict=True)
        ]
        for ks, vs in zip(keys, values, strict=True)
    ]


def maps_to_arrays(
    maps: Sequence[Sequence[dict[Any, float]]],
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The inverse of :func:`maps_from_arrays`; every map must have the same number of keys."""
    keys = np.asarray([[list(m.keys()) for m in sample] for sample in maps])
    values = np.asarray([[list(m.values()) for m in sample] for sample in maps], dtype=np.float32)
    if keys.ndim != 3:
        raise JvmreadyError("seq(map) outputs with varying lengths or key counts cannot be stored")
    return keys, values


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())
