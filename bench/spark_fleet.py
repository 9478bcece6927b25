"""``make bench-spark``: Spark scoring throughput and fleet ``check`` wall time, written to
``docs/benchmarks-spark.md`` (raw numbers also in ``build/bench/spark_fleet.json``).

    .venv-spark/bin/python bench/spark_fleet.py [--rows N] [--quick] --out docs/benchmarks-spark.md

Scoring: one Parquet data set written once; two models (a skl2onnx LogisticRegression on 4 float
features, ZipMap off; a Gather + ReduceMean embedding whose int64 ids input ``jvmready.fix``
turned into int32); per model, side by side in one run: jvmready's ``OnnxTransformer`` in
``local[2]``, hand-written raw ONNX Runtime Java in the same Spark plan (``bench/RawOrtSpark.java``,
the like-for-like baseline), a single-process Python onnxruntime loop, a ``mapInPandas`` UDF
running onnxruntime in the same Spark session, and raw ONNX Runtime Java over the same batches
outside Spark (``bench/RawOrtBatches.java``, context). Fleet: ``jvmready check DIR --jobs 1`` against ``--jobs 2`` over
generated tiny models. Every verdict is computed from the numbers measured.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

import machine
import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

from jvmready.fix import fix
from jvmready.java import classpath, find_java
from jvmready.spark.score import ScoreOptions, session_builder, spark_jars, transformer

ROOT = Path(__file__).resolve().parents[1]
RAW_ORT_MAIN = Path(__file__).resolve().parent / "RawOrtBatches.java"
RAW_ORT_SPARK = Path(__file__).resolve().parent / "RawOrtSpark.java"
IR_VERSION, OPSET = 10, 17  # what the pinned onnxruntime 1.23 (Python and Java) accepts
SEQ_LEN, VOCAB, DIM = 16, 5000, 32
FILES = 4  # Parquet files; with a small open cost Spark packs them into local[2]'s 2 partitions
MASTER = "local[2]"
SMALL_FLEET = 8  # models in the fleet that measures the fixed cost of a check run
PATHS = ("transformer", "raw_ort_spark", "python_loop", "map_in_pandas", "raw_ort_java")
LABELS = {
    "spark_read_only": "(floor) Spark reading the Parquet into the noop sink, no scoring",
    "transformer": "jvmready OnnxTransformer, Spark local[2]",
    "raw_ort_spark": "hand-written raw ONNX Runtime Java in the same Spark plan, local[2]",
    "python_loop": "Python onnxruntime loop, 1 process",
    "map_in_pandas": "PySpark mapInPandas + onnxruntime, local[2]",
    "raw_ort_java": "raw ONNX Runtime Java, OrtSession.run",
}


def log(message: str) -> None:
    print(f"[bench-spark {time.strftime('%H:%M:%S')}] {message}", flush=True)


@dataclass(frozen=True)
class Model:
    """A benchmarked model: its file, the input it reads and the Parquet column that feeds it."""

    key: str
    title: str
    path: Path
    input: str
    column: str
    width: int
    dtype: str  # "float" or "int32": the column's element type and the raw file's
    raw: Path  # the same rows, little-endian, rows x width, for raw ORT Java


# --- data and models ---------------------------------------------------------------------------


def write_data(work: Path, rows: int) -> tuple[Path, np.ndarray, np.ndarray]:
    """The Parquet data set (id, features: array<float>[4], ids: array<int>[16]), written once."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(11)
    features = rng.standard_normal((rows, 4), dtype=np.float32)
    ids = rng.integers(0, VOCAB, size=(rows, SEQ_LEN), dtype=np.int32)
    out = work / "data.parquet"
    out.mkdir()
    bounds = np.linspace(0, rows, FILES + 1).astype(np.int64)
    for k in range(FILES):
        lo, hi = int(bounds[k]), int(bounds[k + 1])
        table = pa.table(
            {
                "id": pa.array(np.arange(lo, hi, dtype=np.int64)),
                "features": _list_array(features[lo:hi]),
                "ids": _list_array(ids[lo:hi]),
            }
        )
        pq.write_table(table, out / f"part-{k:05d}.parquet", row_group_size=65536)
    return out, features, ids


def _list_array(values: np.ndarray) -> Any:
    import pyarrow as pa

    n, width = values.shape
    offsets = np.arange(0, n * width + 1, width, dtype=np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values.reshape(-1)))


def classifier(work: Path, features: np.ndarray) -> Path:
    """LogisticRegression on 4 float features, converted by skl2onnx with ZipMap off."""
    from skl2onnx import to_onnx
    from sklearn.linear_model import LogisticRegression

    x = features[:5000]
    y = (x @ np.array([1.0, -2.0, 0.5, 0.25], dtype=np.float32) > 0).astype(np.int64)
    model = to_onnx(
        LogisticRegression().fit(x, y),
        x[:1],
        options={"zipmap": False},
        target_opset={"": OPSET, "ai.onnx.ml": 3},
    )
    model.ir_version = IR_VERSION
    path = work / "classifier.onnx"
    onnx.save(model, path)
    return path


def embedding(work: Path) -> Path:
    """Mean of token embeddings (Gather on a float table, ReduceMean), fixed to take int32 ids."""
    rng = np.random.default_rng(5)
    table = rng.standard_normal((VOCAB, DIM), dtype=np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["table", "ids"], ["vectors"]),
            helper.make_node("ReduceMean", ["vectors"], ["embedding"], axes=[1], keepdims=0),
        ],
        "embedding",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", SEQ_LEN])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", DIM])],
        [onnx.numpy_helper.from_array(table, "table")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    fixed = fix(model, io="int32").model
    declared = fixed.graph.input[0].type.tensor_type.elem_type
    if declared != TensorProto.INT32:
        raise RuntimeError(f"jvmready.fix left ids as {TensorProto.DataType.Name(declared)}")
    path = work / "embedding-int32.onnx"
    onnx.save(fixed, path)
    return path


# --- the four paths ----------------------------------------------------------------------------


def python_loop(model: Model, data: Path, batch: int, expected: int) -> float:
    """Seconds for one process reading the Parquet in batches and running onnxruntime on each."""
    import pyarrow.dataset as ds

    session = ort.InferenceSession(str(model.path), providers=["CPUExecutionProvider"])
    dtype = np.float32 if model.dtype == "float" else np.int32
    names = [o.name for o in session.get_outputs()]
    warm = np.zeros((batch, model.width), dtype=dtype)
    session.run(names, {model.input: warm})
    t0 = time.perf_counter()
    rows = 0
    for b in ds.dataset(data).to_batches(columns=[model.column], batch_size=batch):
        x = b.column(0).flatten().to_numpy().reshape(-1, model.width)
        session.run(names, {model.input: x})
        rows += len(x)
    seconds = time.perf_counter() - t0
    if rows != expected:
        raise RuntimeError(f"the Python loop read {rows} rows, not {expected}")
    return seconds


def pandas_udf(model_bytes: bytes, model: Model) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """The mapInPandas function a PySpark user writes: onnxruntime on each Arrow batch."""
    column, name, dtype = model.column, model.input, model.dtype

    def score(frames: Iterator[Any]) -> Iterator[Any]:
        import numpy
        import onnxruntime

        session = onnxruntime.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
        outputs = [o.name for o in session.get_outputs()]
        np_type = numpy.float32 if dtype == "float" else numpy.int32
        for pdf in frames:
            x = numpy.stack(pdf[column].to_numpy()).astype(np_type, copy=False)
            for out, value in zip(outputs, session.run(outputs, {name: x}), strict=True):
                pdf[out] = list(value) if value.ndim > 1 else value
            yield pdf

    return score


def raw_ort_java(model: Model, rows: int, batch: int, threads: int) -> float:
    """Seconds for raw ORT Java over the same rows and batch size, ``threads`` threads sharing
    one session (as local[2]'s two tasks share the transformer's)."""
    warmup = max(1, min(50, rows // batch // 10))
    command = [
        find_java(),
        "-cp",
        classpath(),
        str(RAW_ORT_MAIN),
        str(model.path),
        str(model.raw),
        model.input,
        model.dtype,
        str(model.width),
        str(rows),
        str(batch),
        str(threads),
        str(warmup),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"raw ORT Java failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


def raw_ort_spark_jar(work: Path, jars: list[Path]) -> Path:
    """``bench/RawOrtSpark.java`` compiled against pyspark's jars and ORT Java, as a jar."""
    import pyspark

    javac = Path(find_java()).with_name("javac")
    spark_jars_dir = Path(pyspark.__file__).parent / "jars"
    classes = work / "raw-ort-spark"
    classes.mkdir()
    cp = os.pathsep.join([str(spark_jars_dir / "*"), *(str(j) for j in jars)])
    command = [str(javac), "-Xlint:all,-path", "-Werror", "-d", str(classes), "-cp", cp]
    done = subprocess.run(
        [*command, str(RAW_ORT_SPARK)], capture_output=True, text=True, check=False, timeout=600
    )
    if done.returncode != 0:
        raise RuntimeError(f"javac RawOrtSpark.java failed: {done.stderr.strip()[-600:]}")
    jar = work / "raw-ort-spark.jar"
    with zipfile.ZipFile(jar, "w") as z:
        for f in sorted(classes.rglob("*.class")):
            z.write(f, f.relative_to(classes).as_posix())
    return jar


# --- scoring section ---------------------------------------------------------------------------


def scoring_section(work: Path, rows: int, batch: int, repeat: int) -> dict[str, Any]:
    from pyspark.sql import DataFrame, SparkSession

    log(f"writing {rows:,} rows of Parquet")
    t0 = time.perf_counter()
    data, features, ids = write_data(work, rows)
    result: dict[str, Any] = {
        "rows": rows,
        "batch": batch,
        "parquet_s": time.perf_counter() - t0,
        "parquet_bytes": sum(f.stat().st_size for f in data.iterdir()),
        "models": {},
        "repeat": repeat,
    }
    features.tofile(work / "features.f32")
    ids.tofile(work / "ids.i32")
    models = [
        Model(
            "classifier",
            "LogisticRegression (skl2onnx, ZipMap off), 4 float features",
            classifier(work, features),
            "X",
            "features",
            4,
            "float",
            work / "features.f32",
        ),
        Model(
            "embedding",
            f"embedding (Gather on int64-indexed {VOCAB}x{DIM} table + ReduceMean), "
            f"{SEQ_LEN} int32 ids per row after jvmready fix",
            embedding(work),
            "ids",
            "ids",
            SEQ_LEN,
            "int32",
            work / "ids.i32",
        ),
    ]
    del features, ids

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    jars = spark_jars()
    log("compiling bench/RawOrtSpark.java")
    jars.append(raw_ort_spark_jar(work, jars))
    log("starting Spark")
    t0 = time.perf_counter()
    spark = (
        session_builder(MASTER, jars)
        .appName("jvmready bench-spark")
        .config("spark.driver.memory", "2g")
        .config("spark.sql.files.openCostInBytes", str(64 << 10))
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch))
        .getOrCreate()
    )
    result["spark_start_s"] = time.perf_counter() - t0
    result["spark_version"] = spark.version
    try:
        df_all = spark.read.parquet(str(data))
        result["partitions"] = df_all.rdd.getNumPartitions()
        warm_rows = min(rows, 20 * batch)
        for m in models:
            log(f"{m.key}: checking the model input name")
            declared = [i.name for i in onnx.load(m.path).graph.input]
            if declared != [m.input]:
                raise RuntimeError(f"{m.path.name}: inputs {declared}, expected [{m.input!r}]")
            df = df_all.select("id", m.column)
            model_bytes = m.path.read_bytes()
            outputs = [o.name for o in ort.InferenceSession(str(m.path)).get_outputs()]
            options = ScoreOptions(MASTER, batch, input_columns={m.input: m.column})
            scorer = transformer(spark, m.path, options)
            udf = pandas_udf(model_bytes, m)
            udf_schema = _udf_schema(spark, m, df, outputs)

            def run_transformer(frame: Any, s: Any = scorer) -> Any:
                return DataFrame(s.transform(frame._jdf), spark)

            def run_pandas(frame: Any, f: Any = udf, schema: Any = udf_schema) -> Any:
                return frame.mapInPandas(f, schema)

            def run_raw_spark(frame: Any, m: Model = m, raw: bytes = model_bytes) -> Any:
                jdf = spark._jvm.RawOrtSpark.score(
                    frame._jdf, bytearray(raw), m.input, m.column, batch
                )
                return DataFrame(jdf, spark)

            def read_only(frame: Any) -> Any:
                return frame

            entry: dict[str, Any] = {"title": m.title, "file": m.path.name, "paths": {}}
            entry["agreement"] = _agreement(
                spark,
                m,
                df,
                outputs,
                {
                    "transformer": run_transformer,
                    "raw_ort_spark": run_raw_spark,
                    "map_in_pandas": run_pandas,
                },
            )
            # the paths compared with each other are timed `repeat` times, interleaved (in reverse
            # order every other round, so no path always follows the same one), and the best run
            # of each counted; mapInPandas (slow, far from the others) runs once
            timed: list[tuple[str, Callable[[Any], Any], int]] = [
                ("spark_read_only", read_only, repeat),
                ("transformer", run_transformer, repeat),
                ("raw_ort_spark", run_raw_spark, repeat),
                ("map_in_pandas", run_pandas, 1),
            ]
            for key, build, _ in timed:
                log(f"{m.key}: {key} warm-up ({warm_rows:,} rows)")
                try:
                    _noop(build(df.limit(warm_rows)))
                except Exception as e:
                    entry["paths"][key] = _failure(e)
            for r in range(repeat):
                for key, build, times in timed if r % 2 == 0 else timed[::-1]:
                    if r >= times or "error" in entry["paths"].get(key, {}):
                        continue
                    log(f"{m.key}: {key}, {rows:,} rows (run {r + 1})")
                    try:
                        t0 = time.perf_counter()
                        _noop(build(df))
                        seconds = time.perf_counter() - t0
                    except Exception as e:
                        entry["paths"][key] = _failure(e)
                        continue
                    runs = entry["paths"].setdefault(key, {"runs": []})["runs"]
                    runs.append(seconds)
                    best = min(runs)
                    entry["paths"][key] |= {"seconds": best, "rows_per_s": rows / best}
            log(f"{m.key}: python loop")
            entry["paths"]["python_loop"] = _guard(
                functools.partial(python_loop, m, data, batch, rows), rows
            )
            for threads in (1, 2):
                log(f"{m.key}: raw ORT Java, {threads} thread(s)")
                entry["paths"][f"raw_ort_java_{threads}"] = _guard(
                    functools.partial(raw_ort_java, m, rows, batch, threads), rows
                )
            _pick_raw(entry["paths"])
            result["models"][m.key] = entry
    finally:
        spark.stop()
        SparkSession._instantiatedSession = None
    return result


def _noop(frame: Any) -> None:
    """Runs the whole plan (read, score, build every output row) without writing anything."""
    frame.write.format("noop").mode("overwrite").save()


def _udf_schema(spark: Any, m: Model, df: Any, outputs: list[str]) -> Any:
    from pyspark.sql import types as T

    session = ort.InferenceSession(str(m.path))
    fields = list(df.schema.fields)
    to_spark = {
        "tensor(float)": T.FloatType(),
        "tensor(int64)": T.LongType(),
        "tensor(int32)": T.IntegerType(),
        "tensor(double)": T.DoubleType(),
    }
    for o in session.get_outputs():
        element = to_spark[o.type]
        column = element if len(o.shape) == 1 else T.ArrayType(element, False)
        fields.append(T.StructField(o.name, column, True))
    del spark, outputs
    return T.StructType(fields)


def _agreement(
    spark: Any, m: Model, df: Any, outputs: list[str], paths: dict[str, Callable[[Any], Any]]
) -> dict[str, float]:
    """Max |difference| from Python onnxruntime on the first 2,000 rows, per Spark path."""
    head = df.where("id < 2000")
    session = ort.InferenceSession(str(m.path))
    agreement: dict[str, float] = {}
    for key, build in paths.items():
        try:
            rows = build(head).orderBy("id").collect()
        except Exception as e:
            log(f"{m.key}: {key} agreement check failed: {e}")
            agreement[key] = float("nan")
            continue
        dtype = np.float32 if m.dtype == "float" else np.int32
        x = np.asarray([r[m.column] for r in rows], dtype=dtype)
        expected = session.run(outputs, {m.input: x})
        worst = 0.0
        for name, want in zip(outputs, expected, strict=True):
            got = np.asarray([r[name] for r in rows], dtype=want.dtype)
            worst = max(worst, float(np.max(np.abs(got.astype(np.float64) - want))))
        agreement[key] = worst
    del spark
    return agreement


def _guard(run: Callable[[], float], rows: int) -> dict[str, Any]:
    try:
        seconds = run()
    except Exception as e:
        return _failure(e)
    return {"seconds": seconds, "rows_per_s": rows / seconds}


def _failure(e: BaseException) -> dict[str, Any]:
    traceback.print_exc()
    first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return {"error": f"{type(e).__name__}: {first[:300]}"}


def _pick_raw(paths: dict[str, Any]) -> None:
    """The raw ORT Java ceiling: the faster of 1 and 2 threads (the stricter comparison)."""
    ok = [paths[k] | {"threads": t} for t, k in ((1, "raw_ort_java_1"), (2, "raw_ort_java_2"))]
    ok = [p for p in ok if "seconds" in p]
    if ok:
        paths["raw_ort_java"] = min(ok, key=lambda p: p["seconds"])
    else:
        paths["raw_ort_java"] = paths["raw_ort_java_2"]


# --- fleet section -----------------------------------------------------------------------------


def fleet_models(root: Path, count: int) -> None:
    """``count`` tiny models of four kinds (int64 ids + Gather, float Add, int64 output via Cast,
    Reshape with an int64 shape), in 10 subdirectories."""
    rng = np.random.default_rng(3)
    for i in range(count):
        kind = i % 4
        if kind == 0:
            table = onnx.numpy_helper.from_array(
                rng.standard_normal((50, 8), dtype=np.float32), "t"
            )
            nodes = [helper.make_node("Gather", ["t", "x"], ["y"])]
            inputs = [helper.make_tensor_value_info("x", TensorProto.INT64, ["n"])]
            outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 8])]
            inits = [table]
        elif kind == 1:
            bias = onnx.numpy_helper.from_array(rng.standard_normal(4, dtype=np.float32), "b")
            nodes = [helper.make_node("Add", ["x", "b"], ["y"])]
            inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 4])]
            outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 4])]
            inits = [bias]
        elif kind == 2:
            nodes = [helper.make_node("Cast", ["x"], ["y"], to=TensorProto.INT64)]
            inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n"])]
            outputs = [helper.make_tensor_value_info("y", TensorProto.INT64, ["n"])]
            inits = []
        else:
            shape = onnx.numpy_helper.from_array(np.array([-1, 2], dtype=np.int64), "shape")
            nodes = [helper.make_node("Reshape", ["x", "shape"], ["y"])]
            inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 4])]
            outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["m", 2])]
            inits = [shape]
        graph = helper.make_graph(nodes, f"fleet{i}", inputs, outputs, inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
        model.ir_version = IR_VERSION
        path = root / f"team{i % 10:02d}" / f"model{i:04d}.onnx"
        path.parent.mkdir(parents=True, exist_ok=True)
        onnx.save(model, path)


def fleet_section(work: Path, count: int, repeat: int) -> dict[str, Any]:
    """Best-of-``repeat`` wall times of ``check --jobs 1`` and ``--jobs 2`` over ``count`` models,
    and over a few models (the fixed cost: interpreter and worker start)."""
    root, small = work / "fleet", work / "fleet-small"
    log(f"writing {count} tiny models (and {SMALL_FLEET} for the fixed cost)")
    fleet_models(root, count)
    fleet_models(small, SMALL_FLEET)
    result: dict[str, Any] = {"models": count, "repeat": repeat, "runs": {}, "small": {}}
    for _ in range(repeat):
        for jobs in (1, 2):
            log(f"jvmready check --jobs {jobs}")
            result["runs"].setdefault(str(jobs), []).append(_check_run(root, jobs, count))
            result["small"].setdefault(str(jobs), []).append(_check_run(small, jobs, SMALL_FLEET))
    for n in ("1", "2"):
        for key, runs in (("", result["runs"]), ("small_", result["small"])):
            timed = [r["seconds"] for r in runs.get(n, []) if "seconds" in r]
            result[f"{key}jobs{n}_s"] = min(timed) if timed else None
    return result


def _check_run(root: Path, jobs: int, count: int) -> dict[str, Any]:
    """One ``jvmready check ROOT --jobs N --json`` in a subprocess: wall time and statuses."""
    command = [sys.executable, "-m", "jvmready", "check", str(root), "--jobs", str(jobs), "--json"]
    t0 = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=1800)
    seconds = time.perf_counter() - t0
    lines = done.stdout.splitlines()
    if done.returncode not in (0, 1) or len(lines) != count:
        return {"error": f"exit {done.returncode}, {len(lines)} result(s): {done.stderr[-300:]}"}
    statuses: dict[str, int] = {}
    for line in lines:
        status = json.loads(line)["status"]
        statuses[status] = statuses.get(status, 0) + 1
    return {"seconds": seconds, "statuses": statuses}


# --- the document ------------------------------------------------------------------------------


def _fmt_rate(p: dict[str, Any]) -> str:
    return f"{p['rows_per_s']:,.0f}" if "rows_per_s" in p else "failed"


def _fmt_s(p: dict[str, Any]) -> str:
    return f"{p['seconds']:.2f}" if "seconds" in p else p.get("error", "failed")


def render(
    info: dict[str, Any], scoring: dict[str, Any], fleet: dict[str, Any], run: dict[str, str]
) -> str:
    lines = ["# Benchmarks: Spark scoring and fleet check", ""]
    lines += [
        f"Written by `bench/spark_fleet.py {run['command']}` (what `make bench-spark` runs) on "
        f"{info['date_utc']}. Raw numbers: `build/bench/spark_fleet.json`. One run, side by side, "
        "on a machine shared with other builds: the numbers are what this run saw, not a "
        "controlled lab measurement.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
    ]
    start = ", ".join(f"{x:.2f}" for x in info["load_average_start"])
    end = ", ".join(f"{x:.2f}" for x in info["load_average_end"])
    for label, value in (
        ("CPU", f"{info['cpu']} ({info['cores']} cores)"),
        ("RAM", f"{info['ram_bytes'] / (1 << 30):.1f} GiB"),
        ("OS", info["os"]),
        ("load average (1, 5, 15 min) at start", start),
        ("load average at end", end),
        ("Python / Java", f"{info['python']} / {info['java']}"),
        ("Spark (pyspark)", scoring.get("spark_version", "?")),
        (
            "onnxruntime Python / Java",
            f"{info['onnxruntime_python']} / {info['onnxruntime_java']}",
        ),
        ("numpy / onnx / jvmready", f"{info['numpy']} / {info['onnx']} / {info['jvmready']}"),
    ):
        lines.append(f"| {label} | {value} |")
    lines += ["", "## Spark scoring throughput", ""]
    if "error" in scoring:
        lines += [f"Not measured: the section failed: `{scoring['error']}`", ""]
    else:
        rows = scoring["rows"]
        lines += [
            f"{rows:,} rows, written once as Parquet ({FILES} files, "
            f"{scoring['parquet_bytes'] / (1 << 20):.1f} MiB; columns `id` bigint, `features` "
            f"array<float>[4], `ids` array<int>[{SEQ_LEN}]), read by every path; "
            f"{scoring['partitions']} Spark partition(s). Batch size {scoring['batch']} rows "
            "everywhere (transformer `batchSize`, Arrow `maxRecordsPerBatch`, Python loop, raw "
            "ORT). ONNX Runtime with default session options on every path, except one "
            "intra-op thread per run inside Spark (the transformer's default `intraOpThreads`, "
            "and the raw baseline in Spark likewise): Spark already runs a task per core.",
            "",
        ]
        if run["note"]:
            lines += [run["note"], ""]
        repeat = scoring.get("repeat", 1)
        lines += [
            "- **Transformer**, **raw ORT Java in Spark** and **mapInPandas**: one Spark session "
            f"(started once, {scoring['spark_start_s']:.1f} s, not counted), the model's column "
            "selected from the Parquet, scored, every output row built and discarded by Spark's "
            "`noop` sink; a warm-up pass over the first "
            f"{min(rows, 20 * scoring['batch']):,} rows first. mapInPandas passes the `id` and "
            "input columns through like the transformer does. The transformer, raw ORT Java in "
            f"Spark and the read-only floor are timed {repeat} time(s) each, interleaved (the "
            "order reversed every other round), the fastest run counted; mapInPandas once.",
            "- **Raw ORT Java in Spark** (`bench/RawOrtSpark.java`, the like-for-like baseline): "
            "the same Spark plan, session, Parquet and batch size as the transformer, written by "
            "hand to be as fast as possible with nothing checked: Catalyst rows "
            "(`queryExecution().toRdd()`), one memory copy per row from the unsafe array into "
            "one flat batch, `OrtSession.run` directly, outputs written into each row as "
            "primitives or unsafe array slices; no null, length, type or range checks.",
            "- **Python loop**: one process, `pyarrow.dataset(...).to_batches()` over the same "
            "Parquet, `InferenceSession.run` per batch (timing includes the Parquet read; the "
            "outputs stay numpy arrays, no rows are built).",
            "- **Raw ORT Java** outside Spark (`bench/RawOrtBatches.java`, context): "
            "`OrtSession.run` over the same rows "
            "and batch size, tensors built straight on a memory-mapped copy of the values (no "
            "Parquet, no Spark, no checks), every output copied into Java arrays; 1 and 2 threads "
            "sharing one session, the faster counted as the ceiling.",
            "",
        ]
        for key, entry in scoring["models"].items():
            paths = entry["paths"]
            lines += [f"### {key}: {entry['title']}", ""]
            lines += [
                "| path | seconds | rows/s | rows/s relative to the transformer |",
                "|---|---:|---:|---:|",
            ]
            base = paths.get("transformer", {}).get("seconds")
            for p in (*PATHS[:4], "raw_ort_java_1", "raw_ort_java_2", "spark_read_only"):
                if p not in paths:
                    continue
                label = LABELS.get(p, LABELS["raw_ort_java"] + f", {p[-1]} thread(s)")
                ratio = (
                    f"{base / paths[p]['seconds']:.2f}" if base and "seconds" in paths[p] else ""
                )
                lines.append(f"| {label} | {_fmt_s(paths[p])} | {_fmt_rate(paths[p])} | {ratio} |")
            agree = ", ".join(f"{k} {v:.2g}" for k, v in entry["agreement"].items())
            lines += [
                "",
                f"Outputs on the first 2,000 rows, max |difference| from Python onnxruntime: "
                f"{agree}.",
                "",
            ]
            lines += _spread(paths)
            lines += _scoring_verdicts(paths)
            lines.append("")
    lines += ["## Fleet check", ""]
    if "error" in fleet:
        lines += [f"Not measured: the section failed: `{fleet['error']}`", ""]
    else:
        lines += _fleet_lines(fleet)
    return "\n".join(lines).rstrip() + "\n"


def _spread(paths: dict[str, Any]) -> list[str]:
    """Every timed run of the repeated paths, so the noise behind the best-of figures shows."""
    lines = []
    for key in ("transformer", "raw_ort_spark", "spark_read_only"):
        runs = sorted(paths.get(key, {}).get("runs", []))
        if len(runs) > 1:
            shown = ", ".join(f"{r:.2f}" for r in runs)
            lines.append(f"- {LABELS[key]}: runs {shown} s (median {median(runs):.2f} s).")
    t = paths.get("transformer", {}).get("runs", [])
    raw = paths.get("raw_ort_spark", {}).get("runs", [])
    if len(t) > 1 and len(raw) > 1:
        ratio = median(t) / median(raw) - 1
        lines.append(
            f"- Median against median (context; the aim below uses the best runs): the "
            f"transformer {ratio:+.1%} over raw ORT Java in the same Spark plan."
        )
    return [*lines, ""] if lines else []


def _scoring_verdicts(paths: dict[str, Any]) -> list[str]:
    t = paths.get("transformer", {})
    if "rows_per_s" not in t:
        return ["- Aims not assessed: the transformer run failed."]
    out = []
    rate = t["rows_per_s"]
    for p in ("python_loop", "map_in_pandas"):
        other = paths.get(p, {})
        if "rows_per_s" not in other:
            out.append(f"- Aim: transformer faster than {LABELS[p]}: not assessed (it failed).")
            continue
        factor = rate / other["rows_per_s"]
        met = "met" if factor > 1 else "NOT met"
        out.append(
            f"- Aim: transformer faster than {LABELS[p]}: {rate:,.0f} vs "
            f"{other['rows_per_s']:,.0f} rows/s ({factor:.2f}x): **{met}**."
        )
    like = paths.get("raw_ort_spark", {})
    raw = paths.get("raw_ort_java", {})
    floor = paths.get("spark_read_only", {})
    if "seconds" in like:
        overhead = t["seconds"] / like["seconds"] - 1
        met = "met" if overhead <= 0.05 else "NOT met"
        out.append(
            f"- Aim: the jvmready path adds at most 5% over raw ONNX Runtime Java on the same "
            f"batches (hand-written, in the same Spark plan: {like['rows_per_s']:,.0f} rows/s): "
            f"overhead {overhead:+.1%} ({t['seconds']:.2f} s vs {like['seconds']:.2f} s): "
            f"**{met}**."
        )
    else:
        out.append(
            "- Aim: at most 5% over raw ORT Java in the same Spark plan: not measured "
            f"({like.get('error', 'failed')})."
        )
    if "seconds" in raw and "seconds" in floor and "seconds" in like:
        beyond = like["seconds"] - floor["seconds"]
        out.append(
            f"- Where the time goes (by subtraction, not profiled): Spark reading the Parquet "
            f"and building rows alone {floor['seconds']:.2f} s; raw ORT Java in Spark "
            f"{beyond:.2f} s beyond that, of which ONNX Runtime's own work (raw ORT Java outside "
            f"Spark) is {raw['seconds']:.2f} s and the other {beyond - raw['seconds']:.2f} s "
            "moving values between Spark rows and tensors; the transformer "
            f"{t['seconds'] - like['seconds']:+.2f} s on top of raw ORT Java in Spark (its "
            "checks and jvmready's adapter)."
        )
    if "seconds" in raw:
        overhead = t["seconds"] / raw["seconds"] - 1
        out.append(
            f"- Context, not the aim: raw ORT Java outside Spark ({raw['threads']} thread(s), "
            f"no Parquet, no rows, {raw['rows_per_s']:,.0f} rows/s) takes {raw['seconds']:.2f} s; "
            f"the transformer, reading the Parquet and building every row, "
            f"{t['seconds']:.2f} s ({overhead:+.0%})."
        )
    return out


def _fleet_lines(fleet: dict[str, Any]) -> list[str]:
    j1, j2 = fleet.get("jobs1_s"), fleet.get("jobs2_s")
    lines = [
        f"`jvmready check DIR --jobs N --json` over {fleet['models']:,} generated tiny ONNX "
        "models in 10 subdirectories (four kinds: int64 ids into a Gather, float Add, Cast to "
        "int64 output, Reshape with an int64 shape), as a subprocess, wall time including "
        f"interpreter start; best of {fleet['repeat']} run(s) each, --jobs 1 and 2 alternating.",
        "",
        "| jobs | seconds (best) | models/s | statuses |",
        "|---:|---:|---:|---|",
    ]
    for jobs, best in (("1", j1), ("2", j2)):
        runs = fleet["runs"].get(jobs, [])
        ok = [r for r in runs if "seconds" in r]
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(ok[0]["statuses"].items())) if ok else ""
        if best is None:
            err = runs[0].get("error", "failed") if runs else "not run"
            lines.append(f"| {jobs} | failed: {err} | | |")
        else:
            lines.append(f"| {jobs} | {best:.2f} | {fleet['models'] / best:,.1f} | {statuses} |")
    s1, s2 = fleet.get("small_jobs1_s"), fleet.get("small_jobs2_s")
    if s1 and s2 and j1 and j2:
        n = fleet["models"] - SMALL_FLEET
        lines += [
            "",
            f"Fixed cost (the same command over {SMALL_FLEET} models, best of "
            f"{fleet['repeat']}): {s1:.2f} s with --jobs 1, {s2:.2f} s with --jobs 2. By "
            f"difference, the other {n:,} models took {j1 - s1:.2f} s with --jobs 1 "
            f"({(j1 - s1) / n * 1000:.2f} ms each) and {j2 - s2:.2f} s with --jobs 2 "
            f"({(j2 - s2) / n * 1000:.2f} ms each).",
        ]
    lines.append("")
    if j1 and j2:
        speedup = j1 / j2
        met = "met" if speedup > 1 else "NOT met"
        lines.append(
            f"- Aim: `--jobs 2` faster than `--jobs 1` on this 2-core machine (ideal 2x): "
            f"speed-up {speedup:.2f}x: **{met}**."
        )
    else:
        lines.append("- Aim: fleet speed-up: not assessed (a run failed).")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--fleet", type=int, default=1000, help="number of fleet models")
    parser.add_argument("--fleet-repeat", type=int, default=2)
    parser.add_argument(
        "--repeat", type=int, default=7, help="timed runs of the Spark paths compared (best kept)"
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 20,000 rows, 100 models")
    parser.add_argument("--note", default="", help="a sentence added under the scoring setup")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks-spark.md")
    parser.add_argument("--json", type=Path, default=ROOT / "build" / "bench" / "spark_fleet.json")
    parser.add_argument(
        "--from-json", type=Path, help="only render --out from the raw numbers of an earlier run"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rows, args.fleet, args.fleet_repeat = min(args.rows, 20_000), 100, 1
        args.repeat = 1
    if args.from_json:
        saved = json.loads(args.from_json.read_text(encoding="utf-8"))
        run = saved.get("run") or {"command": "(not recorded)", "note": ""}
        run["note"] = args.note or run["note"]
        _write(args.out, render(saved["machine"], saved["scoring"], saved["fleet"], run))
        log(f"wrote {args.out} from {args.from_json}")
        return 0
    run = {"command": " ".join(sys.argv[1:]), "note": args.note}
    info = machine.describe(classpath())
    log(f"load average at start: {info['load_average_start']}")
    work = Path(tempfile.mkdtemp(prefix="jvmready-bench-spark-"))
    try:
        try:
            scoring = scoring_section(work, args.rows, args.batch, args.repeat)
        except Exception as e:
            scoring = _failure(e)
        try:
            fleet = fleet_section(work, args.fleet, args.fleet_repeat)
        except Exception as e:
            fleet = _failure(e)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    info["load_average_end"] = list(os.getloadavg())
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps({"machine": info, "scoring": scoring, "fleet": fleet, "run": run}, indent=2)
        + "\n",
        encoding="utf-8",
    )
    _write(args.out, render(info, scoring, fleet, run))
    log(f"wrote {args.out}")
    return 0


def _write(out: Path, text: str) -> None:
    """Writes through a temporary file and a rename, so a reader never sees half a document."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, out)


if __name__ == "__main__":
    sys.exit(main())
