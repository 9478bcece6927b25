"""Spark tests run in .venv-spark (``make test-integration``); the main run has no pyspark and
does not collect them. One Spark session (one JVM, the transformer's jars on its classpath) serves
every in-process test: starting Spark is the slow part."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO

if importlib.util.find_spec("pyspark") is None:
    collect_ignore_glob = ["test_*.py"]

VECTORS = REPO / "build" / "testvectors" / "spark"


@pytest.fixture(scope="session")
def vectors() -> Path:
    assert (VECTORS / "iris.onnx").is_file(), (
        f"missing {VECTORS}: run tests/vectors/make_spark.py build/testvectors"
    )
    return VECTORS


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    from jvmready.spark.score import session_builder, spark_jars

    session = session_builder("local[2]", spark_jars()).getOrCreate()
    yield session
    session.stop()
