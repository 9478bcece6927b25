"""The ONNX :class:`~jvmready.verify.subjects.Subject`: inputs from the graph (its hints on the
values an input accepts), onnxruntime in Python as the reference, then ONNX Runtime Java and
Spark's ``OnnxTransformer`` for the candidate."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import onnx

from jvmready.errors import JvmreadyError
from jvmready.onnx.load import load_model
from jvmready.verify.inputs import (
    InputSpec,
    SampleSet,
    convert_for,
    generate_inputs,
    input_specs,
    load_inputs,
)
from jvmready.verify.runners import ModelSource, OrtJavaRunner, OrtPythonRunner, Runner


@dataclass(frozen=True)
class OnnxSubject:
    """An ONNX model, from a file or an in-memory proto."""

    source: ModelSource
    format = "onnx"

    @classmethod
    def open(cls, path: Path, signature: str | None) -> OnnxSubject:
        if signature is not None:
            raise JvmreadyError(
                f"{path}: --signature picks a TensorFlow SavedModel signature; "
                "an ONNX model has one graph"
            )
        loaded = load_model(path)
        return cls(ModelSource(loaded.model, loaded.path, str(loaded.path)))

    @classmethod
    def from_proto(cls, model: onnx.ModelProto, label: str) -> OnnxSubject:
        return cls(ModelSource(model, None, label))

    @property
    def label(self) -> str:
        return self.source.label

    def signature(self) -> tuple[InputSpec, ...]:
        return input_specs(self.source.model, self.label)

    def generate_inputs(self, count: int, seed: int) -> SampleSet:
        return generate_inputs(self.source.model, count, seed)

    def load_inputs(self, path: str | os.PathLike[str]) -> SampleSet:
        return load_inputs(path, self.source.model)

    def convert(self, samples: SampleSet, source: str) -> SampleSet:
        return convert_for(samples, self.source.model, source, self.label)

    def reference_runner(self) -> Runner:
        return OrtPythonRunner(self.source)

    def candidate_runners(self, *, python: bool, java: bool, spark: bool) -> list[Runner]:
        runners: list[Runner] = []
        if python:
            runners.append(OrtPythonRunner(self.source))
        if java:
            runners.append(OrtJavaRunner(self.source))
        if spark:
            from jvmready.spark.runner import SparkRunner  # pyspark is optional

            runners.append(SparkRunner(self.source))
        return runners
