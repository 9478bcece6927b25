"""Fixtures for the SavedModel tests: real models written by Python TensorFlow (``.venv-tf``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
tf = pytest.importorskip("tensorflow")

from tests.vectors.make_tf import write_classifier  # noqa: E402


@pytest.fixture(scope="session")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """int64 ``token_ids`` in; ``label`` (argmax), ``logits``, ``id_sum`` (no proof) out."""
    path = tmp_path_factory.mktemp("tf") / "classifier"
    write_classifier(path)
    return path
