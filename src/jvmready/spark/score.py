"""``score``: run an ONNX model over a data set with Spark and jvmready's JVM transformer.

pyspark is imported lazily (``jvmready[spark]``): without it, one line says how to get it. The
output is written by Spark into a temporary directory next to ``output`` and renamed into place
only when the job succeeded, so a failed job leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jvmready.errors import InputFileError, JvmreadyError
from jvmready.java import module_jars

#: The Maven module holding the transformer, and the dependency classpath ``make spark-java``
#: writes for it (ONNX Runtime Java and the jvmready jars; Spark itself comes with pyspark).
SPARK_MODULE = "jvmready-spark"
SPARK_CLASSPATH = Path(SPARK_MODULE) / "target" / "classpath.txt"
TRANSFORMER = "io.jvmready.spark.OnnxTransformer"

_BUILD_HINT = "run `make spark-java`"
_READERS = {
    ".parquet": "parquet",
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    ".csv": "csv",
}
_WRITERS = {".json": "json", ".jsonl": "json", ".ndjson": "json"}


class ScoringRefused(JvmreadyError):
    """A value in the data does not fit the model (or is null): the job failed on purpose."""


@dataclass(frozen=True)
class ScoreOptions:
    """How to score: Spark master, rows per ONNX Runtime run, column mappings, nulls."""

    master: str = "local[2]"
    batch_size: int = 256
    #: model input name -> column (default: the column of the same name)
    input_columns: Mapping[str, str] = field(default_factory=dict)
    #: model output name -> column (default: every output, same name)
    output_columns: Mapping[str, str] = field(default_factory=dict)
    pass_nulls: bool = False


@dataclass(frozen=True)
class ScoreSummary:
    """What a scoring job wrote."""

    model: str
    input: str
    output: str
    format: str
    rows: int
    columns: tuple[str, ...]  # the output columns added, in order


def spark_jars() -> list[Path]:
    """The jars Spark needs to run the transformer: the module jar and its dependency classpath."""
    return module_jars((SPARK_MODULE,), SPARK_CLASSPATH, _BUILD_HINT)


def score(
    model: str | os.PathLike[str],
    data: str | os.PathLike[str],
    output: str | os.PathLike[str],
    options: ScoreOptions = ScoreOptions(),
) -> ScoreSummary:
    """Score ``model`` over ``data`` (parquet, JSON lines or CSV) and write ``output``.

    ``output`` ending in ``.json``/``.jsonl`` is written as JSON lines, anything else as parquet
    (both are Spark directories). Refuses an existing ``output``. Raises :class:`ScoringRefused`
    naming the column, row and value when a value does not fit the model's input type (or is
    null without ``pass_nulls``), and :class:`JvmreadyError` for unusable arguments.
    """
    model_path, data_path, out_path = Path(model), Path(data), Path(output)
    if not model_path.is_file():
        raise InputFileError(model_path, "no such model file")
    if not data_path.exists():
        raise InputFileError(data_path, "no such file or directory")
    if out_path.exists():
        raise JvmreadyError(f"{out_path}: already exists; choose another --output")
    if options.batch_size < 1:
        raise JvmreadyError(f"--batch must be >= 1, not {options.batch_size}")
    reader = _READERS.get(data_path.suffix.lower(), "parquet")
    writer = _WRITERS.get(out_path.suffix.lower(), "parquet")
    require_pyspark()  # first: without it nothing else matters
    jars = spark_jars()
    with spark_session(options.master, jars) as spark:
        df = _read(spark, reader, data_path)
        scorer = transformer(spark, model_path, options)
        scored = run_action(lambda: scorer.transform(df._jdf), data_path)
        from pyspark.sql import DataFrame

        result = DataFrame(scored, spark)
        added = tuple(c for c in result.columns if c not in df.columns)
        with _staging(out_path) as tmp:
            run_action(lambda: result.write.format(writer).save(str(tmp)), data_path)
            rows = spark.read.format(writer).load(str(tmp)).count()
    return ScoreSummary(str(model_path), str(data_path), str(out_path), writer, rows, added)


def require_pyspark() -> Any:
    try:
        import pyspark.sql
    except ImportError:
        raise JvmreadyError(
            "jvmready needs pyspark for Spark: pip install 'jvmready[spark]' "
            "(in this repository, `make test-integration` builds .venv-spark)"
        ) from None
    return pyspark.sql


def session_builder(master: str, jars: list[Path]) -> Any:
    """A SparkSession builder with the transformer's jars on the classpath."""
    sql = require_pyspark()
    classpath = os.pathsep.join(str(j) for j in jars)
    return (
        sql.SparkSession.builder.master(master)
        .appName("jvmready score")
        .config("spark.ui.enabled", "false")
        .config("spark.log.level", "ERROR")
        # the driver (and local executors) see the jars at start; remote executors get spark.jars
        .config("spark.driver.extraClassPath", classpath)
        .config("spark.executor.extraClassPath", classpath)
        .config("spark.jars", ",".join(j.as_uri() for j in jars))
    )


@contextlib.contextmanager
def spark_session(master: str, jars: list[Path]) -> Iterator[Any]:
    """The caller's active session (left running; it must have been built with
    :func:`session_builder`), else a new one, stopped at the end."""
    active = require_pyspark().SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    spark = session_builder(master, jars).getOrCreate()
    try:
        yield spark
    finally:
        spark.stop()


def _read(spark: Any, reader: str, path: Path) -> Any:
    r = spark.read.format(reader)
    if reader == "csv":
        r = r.option("header", "true").option("inferSchema", "true")
    return run_action(lambda: r.load(str(path)), path)


def transformer(spark: Any, model: Path | bytes, options: ScoreOptions) -> Any:
    """The JVM ``OnnxTransformer`` for ``model`` (a path, or the serialized model) and options."""
    t = spark._jvm.io.jvmready.spark.OnnxTransformer()
    if isinstance(model, bytes):
        t.setModelBytes(bytearray(model))
    else:
        t.setModelPath(model.resolve().as_uri())
    t.setBatchSize(options.batch_size)
    t.setPassNulls(options.pass_nulls)
    for name, column in options.input_columns.items():
        t.setInputColumn(name, column)
    for name, column in options.output_columns.items():
        t.setOutputColumn(name, column)
    return t


@contextlib.contextmanager
def _staging(out: Path) -> Iterator[Path]:
    """A temporary path next to ``out``, renamed onto it only if the block succeeds."""
    out.parent.mkdir(parents=True, exist_ok=True)
    holder = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        yield holder / "data"
        os.replace(holder / "data", out)
    finally:
        shutil.rmtree(holder, ignore_errors=True)


_JVMREADY_ERROR = re.compile(
    r"io\.jvmready\.spark\.(ColumnValueException|NullValueException): (.*)"
)


def run_action(action: Any, data: str | Path) -> Any:
    """Run a Spark action; a Java failure becomes one line (the jvmready message when there is one)."""
    from py4j.protocol import Py4JJavaError

    try:
        return action()
    except Py4JJavaError as e:
        raise _one_line(e, data) from None
    except Exception as e:  # pyspark's own errors (AnalysisException...)
        if type(e).__module__.startswith("pyspark"):
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise JvmreadyError(f"{data}: {first}") from None
        raise


def _one_line(e: Any, data: str | Path) -> JvmreadyError:
    throwable = e.java_exception
    messages: list[tuple[str, str]] = []
    while throwable is not None:
        messages.append((throwable.getClass().getName(), str(throwable.getMessage() or "")))
        throwable = throwable.getCause()
    for cls, message in messages:
        if cls in (
            f"io.jvmready.spark.{n}" for n in ("ColumnValueException", "NullValueException")
        ):
            return ScoringRefused(f"{data}: {message}")
    for _, message in messages:  # Spark may carry the task's exception only as text
        found = _JVMREADY_ERROR.search(message)
        if found:
            return ScoringRefused(f"{data}: {found.group(2).splitlines()[0]}")
    cls, message = messages[-1] if messages else ("", str(e))
    first = message.strip().splitlines()[0] if message.strip() else cls
    return JvmreadyError(f"{data}: {first}")
