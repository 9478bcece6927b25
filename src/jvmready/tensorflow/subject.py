"""The SavedModel :class:`~jvmready.verify.subjects.Subject`: one signature of a SavedModel
directory, its inputs generated from the signature (small non-negative integers, random floats)
or converted with range checks, Python TensorFlow as the reference, TensorFlow Java for
``--java``. ``tensorflow`` is imported when a SavedModel is opened, never before."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from jvmready.errors import JvmreadyError
from jvmready.tensorflow.savedmodel import SavedModelInfo, SignatureSpec, read_savedmodel
from jvmready.verify.inputs import InputSpec, SampleSet, convert_to, draw_inputs, read_npz
from jvmready.verify.runners import Runner

#: The signature ``tf.saved_model.save`` and Keras ``export`` write, and TF Java's default.
DEFAULT_SIGNATURE = "serving_default"


@dataclass(frozen=True)
class SavedModelSubject:
    """One signature of a SavedModel directory."""

    path: Path
    info: SavedModelInfo
    sig: SignatureSpec
    format = "tensorflow-savedmodel"

    @classmethod
    def open(cls, path: Path, signature: str | None) -> SavedModelSubject:
        info = read_savedmodel(path)
        key = signature or DEFAULT_SIGNATURE
        sig = next((s for s in info.signatures if s.key == key), None)
        if sig is None:
            known = ", ".join(s.key for s in info.signatures) or "none"
            raise JvmreadyError(f"{path}: no signature {key!r} (it has {known}); use --signature")
        return cls(path, info, sig)

    @property
    def label(self) -> str:
        return str(self.path)

    def signature(self) -> tuple[InputSpec, ...]:
        return tuple(_input_spec(self.path, s.name, s.dtype, s.shape) for s in self.sig.inputs)

    def generate_inputs(self, count: int, seed: int) -> SampleSet:
        return draw_inputs(self.signature(), count, seed)

    def load_inputs(self, path: str | os.PathLike[str]) -> SampleSet:
        return read_npz(path, self.signature(), self.label)

    def convert(self, samples: SampleSet, source: str) -> SampleSet:
        return convert_to(samples, self.signature(), source, self.label)

    def reference_runner(self) -> Runner:
        from jvmready.tensorflow.runners import TfPythonRunner

        return TfPythonRunner(self.path, self.sig, self.label)

    def candidate_runners(self, *, python: bool, java: bool, spark: bool) -> list[Runner]:
        from jvmready.tensorflow.runners import TfJavaRunner, TfPythonRunner

        if spark:
            raise JvmreadyError(
                f"{self.path}: --spark scores ONNX models (Spark's OnnxTransformer), "
                "not TensorFlow SavedModels; use --java"
            )
        runners: list[Runner] = []
        if python:
            runners.append(TfPythonRunner(self.path, self.sig, self.label))
        if java:
            runners.append(TfJavaRunner(self.path, self.sig, self.label))
        return runners


def _input_spec(
    path: Path, name: str, dtype: str, shape: tuple[int | None, ...] | None
) -> InputSpec:
    np_dtype: np.dtype[np.generic] | None = np.dtype(np.str_) if dtype == "string" else None
    if np_dtype is None:
        try:
            np_dtype = np.dtype(dtype)
        except TypeError:
            np_dtype = None
    if np_dtype is None or np_dtype.kind not in "biufU":
        raise JvmreadyError(
            f"{path}: input {name!r} is {dtype}; verify feeds numeric, bool and string inputs"
        )
    return InputSpec(name, np_dtype, shape, f"tf.{dtype}")
