"""What ``verify`` runs, whatever the format: a :class:`Subject` per model.

A subject loads its model, says its signature, makes inputs for it (generated, read from an
``.npz``, or converted from another model's, range-checked) and provides its runners. ``verify``
is written once against this protocol; a format adds a subject, not an ``if`` in ``verify``.
The subject for a path is chosen by the format that claims it (:mod:`jvmready.formats`).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Protocol

from jvmready.errors import JvmreadyError
from jvmready.formats import for_path
from jvmready.verify.inputs import InputSpec, SampleSet
from jvmready.verify.runners import Runner

#: Per format name (as registered in :mod:`jvmready.formats`), the ``module:Class`` of its
#: subject; imported only when a model of that format is verified (tensorflow is optional).
SUBJECTS = {
    "onnx": "jvmready.verify.onnx_subject:OnnxSubject",
    "tensorflow-savedmodel": "jvmready.tensorflow.subject:SavedModelSubject",
}


class Subject(Protocol):
    """One model that ``verify`` runs: as the reference, as the candidate, or both."""

    @property
    def format(self) -> str:
        """The format name, as :mod:`jvmready.formats` registers it (``onnx``...)."""
        ...

    @property
    def label(self) -> str:
        """How reports name the model (its path)."""
        ...

    def signature(self) -> tuple[InputSpec, ...]:
        """The inputs a caller feeds: names, dtypes, shapes."""
        ...

    def generate_inputs(self, count: int, seed: int) -> SampleSet:
        """``count`` input sets for this model, reproducible from ``seed``."""
        ...

    def load_inputs(self, path: str | os.PathLike[str]) -> SampleSet:
        """An ``.npz`` keyed by input name, in this model's input dtypes (range-checked)."""
        ...

    def convert(self, samples: SampleSet, source: str) -> SampleSet:
        """``samples`` in this model's input dtypes; refuses any value that would change."""
        ...

    def reference_runner(self) -> Runner:
        """The runner whose outputs are the truth: the model in its own Python runtime."""
        ...

    def candidate_runners(self, *, python: bool, java: bool, spark: bool) -> list[Runner]:
        """The runners asked for, or a :class:`JvmreadyError` line for one this format lacks."""
        ...


class SubjectFactory(Protocol):
    """How a subject class opens a model file."""

    def open(self, path: Path, signature: str | None) -> Subject: ...


def open_subject(path: str | os.PathLike[str], signature: str | None = None) -> Subject:
    """The subject for the model at ``path``, by the format that claims it.

    ``signature`` picks a SavedModel signature (``None``: its default); formats without
    signatures refuse it. Raises a one-line :class:`JvmreadyError` for a file no format claims
    and for a format ``verify`` cannot run.
    """
    p = Path(path)
    fmt = for_path(p)
    target = SUBJECTS.get(fmt.name)
    if target is None:
        known = " and ".join(sorted(SUBJECTS))
        raise JvmreadyError(f"{p}: verify runs {known} models; this is {fmt.name}")
    module, _, cls = target.partition(":")
    factory: SubjectFactory = getattr(importlib.import_module(module), cls)
    return factory.open(p, signature)


__all__ = ["SUBJECTS", "Subject", "open_subject"]
