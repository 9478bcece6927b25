"""A ``verify`` runner for Spark: the candidate scored by ``OnnxTransformer`` in a Spark session.

Each sample's batch becomes rows of one DataFrame (a scalar column for a ``[batch]`` input, an
array column for ``[batch, k]``), the JVM transformer scores them, and the rows are regrouped
into per-sample outputs shaped as onnxruntime returns them, so the comparator sees no difference
but the values.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import onnx
from onnx import helper

from jvmready.errors import JvmreadyError
from jvmready.verify.inputs import SampleSet
from jvmready.verify.runners import ModelSource, RunFailed, RunResult

_SAMPLE, _ROW = "__jvmready_sample", "__jvmready_row"


class SparkRunner:
    """Runs the candidate through Spark (``master``, default ``local[2]``) in one session."""

    backend = "spark"

    def __init__(self, source: ModelSource, master: str = "local[2]", batch_size: int = 256):
        self.source = source
        self.master = master
        self.batch_size = batch_size

    def run(self, samples: SampleSet) -> RunResult:
        from jvmready.spark.score import (
            ScoreOptions,
            ScoringRefused,
            require_pyspark,
            run_action,
            spark_jars,
            spark_session,
            transformer,
        )

        sql = require_pyspark()
        t0 = time.perf_counter()
        outputs = [o.name for o in self.source.model.graph.output]
        columns = {name: f"__jvmready_out{k}" for k, name in enumerate(outputs)}
        options = ScoreOptions(self.master, self.batch_size, output_columns=columns)
        with spark_session(self.master, spark_jars()) as spark:
            t1 = time.perf_counter()
            df = spark.createDataFrame(*_rows(samples, sql.types))
            scorer = transformer(spark, self.source.model_bytes(), options)
            label = self.source.label
            try:
                scored = run_action(lambda: scorer.transform(df._jdf), label)
                result = sql.DataFrame(scored, spark)
                rows = run_action(lambda: result.orderBy(_SAMPLE, _ROW).collect(), label)
            except ScoringRefused as e:
                raise RunFailed(str(e)) from None
            schema = result.schema
            version = f"Spark {spark.version} + jvmready OnnxTransformer"
            t2 = time.perf_counter()
        regrouped: dict[str, Sequence[Any]] = {
            name: _regroup(self.source.model, name, rows, columns[name], schema, samples.count)
            for name in outputs
        }
        timings = {"spark_start_s": t1 - t0, "score_s": t2 - t1}
        return RunResult(self.backend, version, regrouped, timings)


def _rows(samples: SampleSet, types: Any) -> tuple[list[list[Any]], Any]:
    """The samples as DataFrame rows (sample, row, one value per input) and their schema."""
    spark_type = {
        "int64": types.LongType(),
        "int32": types.IntegerType(),
        "int16": types.ShortType(),
        "int8": types.ByteType(),
        "float32": types.FloatType(),
        "float64": types.DoubleType(),
        "bool": types.BooleanType(),
    }
    fields = [
        types.StructField(_SAMPLE, types.IntegerType(), False),
        types.StructField(_ROW, types.IntegerType(), False),
    ]
    for name, a in samples.arrays.items():
        element = spark_type.get(a.dtype.name)
        if element is None or a.ndim not in (2, 3):
            raise JvmreadyError(
                f"input {name!r} ({a.dtype.name}, shape {list(a.shape[1:])} per sample): Spark "
                "verification feeds numeric [batch] or [batch, k] inputs"
            )
        column = element if a.ndim == 2 else types.ArrayType(element, False)
        fields.append(types.StructField(name, column, False))
    batch = {a.shape[1] for a in samples.arrays.values()}
    if len(batch) != 1:
        raise JvmreadyError(f"inputs disagree on the batch size: {sorted(batch)}")
    n = batch.pop()
    rows = [
        [s, r, *(a[s, r].tolist() for a in samples.arrays.values())]
        for s in range(samples.count)
        for r in range(n)
    ]
    return rows, types.StructType(fields)


def _regroup(
    model: onnx.ModelProto, name: str, rows: list[Any], column: str, schema: Any, count: int
) -> list[Any]:
    """One output's values per sample, as onnxruntime returns them (arrays, or lists of dicts)."""
    vi = next(o for o in model.graph.output if o.name == name)
    per_sample: list[list[Any]] = [[] for _ in range(count)]
    for row in rows:
        per_sample[row[_SAMPLE]].append(row[column])
    if vi.type.WhichOneof("value") == "sequence_type":  # ZipMap: a list of dicts per sample
        return [[dict(sorted(m.items())) for m in values] for values in per_sample]
    dtype = helper.tensor_dtype_to_np_dtype(vi.type.tensor_type.elem_type)
    shape = [int(d) for d in schema[column].metadata.get("shape", [])]
    out = []
    for values in per_sample:
        a = np.asarray(values, dtype=dtype)
        if shape and shape.count(-1) <= 1:
            a = a.reshape(len(values), *shape)
        out.append(a)
    return out
