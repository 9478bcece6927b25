"""The benchmark suite's own parts (``bench/``) at tiny sizes: the synthetic model is valid and
computes what NumPy computes, both fixes keep every value, the sparse safetensors file reads back,
peak RSS is the command's own, and the report's verdicts follow the numbers. No timings asserted."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from jvmready.fix import fix_file
from jvmready.formats import FixOptions

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _bench_module(name: str) -> ModuleType:
    """Load ``bench/<name>.py`` as ``bench_<name>`` without putting bench/ on sys.path (its
    module names are short and would shadow others)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


measure = _bench_module("measure")
naive_fix = _bench_module("naive_fix")
onnx_large = _bench_module("onnx_large")
report = _bench_module("report")
sparse_safetensors = _bench_module("sparse_safetensors")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> onnx_large.LargeModel:
    return onnx_large.build(tmp_path_factory.mktemp("large"), 3 << 20, seed=3)


def _external(built: onnx_large.LargeModel, span: onnx_large.ExternalSpan) -> np.ndarray[Any, Any]:
    dtype = "<i8" if span.data_type == onnx.TensorProto.INT64 else "<f4"
    return np.fromfile(built.data, dtype=dtype, count=math.prod(span.dims), offset=span.offset)


def test_large_model_is_valid_and_computes_the_gathered_sum(
    built: onnx_large.LargeModel,
) -> None:
    onnx.checker.check_model(str(built.model))
    assert built.data.stat().st_size == built.data_bytes
    assert built.int64_bytes == sum(s.length for s in built.tables) > built.float_bytes
    ids = np.array([0, 2], dtype=np.int64)
    expected = 0.0
    for w_span, t_span in zip(built.weights, built.tables, strict=True):
        w = _external(built, w_span).reshape(w_span.dims)
        t = _external(built, t_span)
        assert t.min() >= 0 and t.max() < w.shape[0]
        expected += float(w[t].astype(np.float64).sum())
    w0 = _external(built, built.weights[0]).reshape(built.weights[0].dims)
    expected += float(w0[ids].astype(np.float64).sum())
    (y,) = ort.InferenceSession(str(built.model)).run(None, {"ids": ids})
    assert float(y) == pytest.approx(expected, rel=1e-3)


def test_small_int64_model_shares_only_the_weights(built: onnx_large.LargeModel) -> None:
    model = onnx.load(built.small_int64_model, load_external_data=False)
    external = {t.name for t in model.graph.initializer if t.external_data}
    inline = {t.name: t for t in model.graph.initializer if not t.external_data}
    assert external == {s.name for s in built.weights}
    assert set(inline) == {s.name for s in built.tables}
    assert all(t.dims == [onnx_large.SMALL_TABLE] for t in inline.values())


def test_jvmready_fix_and_naive_fix_keep_every_value(
    built: onnx_large.LargeModel, tmp_path: Path
) -> None:
    ours = tmp_path / "ours" / "large.onnx"
    ours.parent.mkdir()
    fix_file(built.model, ours, FixOptions(target="int32"))
    assert onnx_large.compare_fixed(built, ours) == len(built.tables) + len(built.weights)
    naive = tmp_path / "naive" / "large.onnx"
    naive.parent.mkdir()
    naive_fix.naive_fix(built.model, naive)
    assert onnx_large.compare_fixed(built, naive) == len(built.tables) + len(built.weights)
    assert naive_fix.naive_check(built.model) == 0


def test_compare_fixed_catches_a_changed_value(
    built: onnx_large.LargeModel, tmp_path: Path
) -> None:
    out = tmp_path / "large.onnx"
    naive_fix.naive_fix(built.model, out)
    data = tmp_path / "large.onnx.data"
    raw = bytearray(data.read_bytes())
    raw[-4:] = (2**31 - 1).to_bytes(4, "little")  # last table's last value
    data.write_bytes(bytes(raw))
    with pytest.raises(AssertionError, match="T_"):
        onnx_large.compare_fixed(built, out)


def test_sparse_safetensors_reads_back(tmp_path: Path) -> None:
    from safetensors.numpy import load_file

    path = sparse_safetensors.write_sparse(tmp_path / "s.safetensors", 8 << 20)
    assert abs(path.stat().st_size - (8 << 20)) < 4096
    tensors = load_file(str(path))
    assert tensors["ids"].tolist() == list(range(7, 7 + sparse_safetensors.IDS))
    assert tensors["weights"].dtype == np.float32 and not tensors["weights"].any()


def test_measure_reports_the_commands_own_peak_rss() -> None:
    big = measure.measure(
        "alloc", [sys.executable, "-c", "import numpy as np; a = np.ones(40_000_000); a[0]"]
    )
    assert big.peak_rss >= 300 << 20  # 320 MB of float64 touched
    small = measure.measure("true", ["true"])
    assert small.peak_rss < 50 << 20  # not this test process's RSS
    with pytest.raises(measure.CommandFailed, match="exited 3"):
        measure.measure("fail", [sys.executable, "-c", "raise SystemExit(3)"])


def _results(fix_wall: float, fix_rss: int, runner_us: float) -> dict[str, Any]:
    def cmd(wall: float, rss: int) -> dict[str, Any]:
        return {"argv": ["jvmready", "x"], "wall_s": wall, "peak_rss": rss, "returncode": 0}

    def score(
        name: str, value: float, unit: str, gb: str = "", alloc: float = 0.0
    ) -> dict[str, Any]:
        return {
            "benchmark": name,
            "params": {"gb": gb} if gb else {},
            "score": value * 1.5,  # a skewed mean: verdicts use the median
            "median": value,
            "error": float("nan"),
            "unit": unit,
            "alloc_bytes_per_op": alloc,
        }

    return {
        "config": {"size_gb": 2, "quick": False, "command": "python bench/run.py"},
        "machine": {"cores": 2, "load_average_start": [0.5, 0, 0], "load_average_end": [1, 0, 0]},
        "total_s": 100.0,
        "onnx": {
            "build_s": 1.0,
            "data_bytes": 2 << 30,
            "int64_bytes": 1 << 30,
            "float_bytes": 1 << 30,
            "tables": 13,
            "startup": cmd(1.0, 70 << 20),
            "check": cmd(2.0, 100 << 20),
            "naive_check": cmd(20.0, 4 << 30),
            "fix": cmd(fix_wall, fix_rss),
            "naive_fix": cmd(30.0, 5 << 30),
            "small_check": {
                **cmd(1.0, 80 << 20),
                "weights_bytes": 1 << 30,
                "resident_before": 0,
                "resident_after": 0,
            },
        },
        "java": {
            "narrowing_bytes": 64 << 20,
            "sparse_disk_bytes": 16384,
            "scores": [
                score("SafeTensorsOpen.openAndReadFirst", 100.0, "us/op", "1"),
                score("SafeTensorsOpen.openAndReadFirst", 110.0, "us/op", "4"),
                score("Narrowing.plainCast", 20.0, "ms/op"),
                score("Narrowing.checkedLoop", 21.0, "ms/op"),
                score("Narrowing.tensorToIntArrayExact", 25.0, "ms/op"),
                score("RunnerOverhead.rawOrt", 20.0, "us/op", alloc=2008.0),
                score("RunnerOverhead.jvmready", runner_us, "us/op", alloc=3056.0),
            ],
        },
        "verify": {
            "samples": 100,
            "run": cmd(4.0, 200 << 20),
            "java_timings": {"jvm_total_s": 2.0, "run_s": 0.5},
            "python_timings": {},
            "passed": True,
        },
    }


def test_report_verdicts_follow_the_numbers() -> None:
    good = report.render(_results(fix_wall=3.0, fix_rss=200 << 20, runner_us=20.2))
    assert "**missed**" not in good
    assert "Every aim was met on this run." in good
    assert "10.00x faster" in good  # check: 20 s naive / 2 s
    bad = report.render(_results(fix_wall=10.0, fix_rss=3 << 30, runner_us=30.0))
    misses = bad.split("## What misses its aim, and why", 1)[1]
    assert "`fix` is 3.00x faster than the naive path, short of 5x" in misses
    assert "`fix` peaked at 3.00 GiB, 0.60x" in misses
    assert "`ModelRunner.run` costs +50.0% per call" in misses
    assert "It allocates +1,048 B per call more than the raw path" in misses
    assert "Every aim was met" not in bad


def test_report_shows_a_failed_section() -> None:
    results = _results(fix_wall=3.0, fix_rss=200 << 20, runner_us=20.2)
    results["java"] = {"error": "CalledProcessError: mvn exited 1"}
    text = report.render(results)
    assert "Not measured: `CalledProcessError: mvn exited 1`" in text
    assert "The Java section did not run" in text
