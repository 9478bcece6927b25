"""``make bench``: measure jvmready against the naive paths, side by side in one run, and write
``docs/benchmarks.md`` (raw numbers also in ``build/bench/results.json``).

    python bench/run.py [--size-gb 2] [--quick] [--repeat 1] [--out docs/benchmarks.md]

Sections: the large ONNX model (check and fix against onnx.load + astype + onnx.save), the JMH
benchmarks (ModelRunner overhead, checked narrowing, safetensors time to first value), and
``verify --java`` throughput. A failing section is reported in the document, not hidden.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jmh
import machine
import models
import naive_fix
import onnx_large
import report
import sparse_safetensors
import verify_java
from measure import Measured, drop_from_page_cache, measure, resident_bytes, warm_page_cache

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
JVMREADY = str(BIN / "jvmready")
GIB = 1 << 30


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def best(runs: list[Measured]) -> dict[str, Any]:
    """The fastest of repeated runs, with the highest peak RSS seen across them."""
    fastest = min(runs, key=lambda m: m.wall_s)
    d = fastest.to_dict()
    d["peak_rss"] = max(m.peak_rss for m in runs)
    d["runs"] = len(runs)
    return d


def onnx_section(work: Path, size_bytes: int, repeat: int) -> dict[str, Any]:
    """check / fix --target int32 on the large model against the naive path."""
    shutil.rmtree(work, ignore_errors=True)
    log(f"writing the synthetic model ({size_bytes / GIB:.2f} GiB) to {work}")
    t0 = time.perf_counter()
    built = onnx_large.build(work / "model", size_bytes)
    result: dict[str, Any] = {
        "build_s": time.perf_counter() - t0,
        "data_bytes": built.data_bytes,
        "int64_bytes": built.int64_bytes,
        "float_bytes": built.float_bytes,
        "tables": len(built.tables),
    }
    result["startup"] = best([measure("jvmready version", [JVMREADY, "version"])])

    # check of a model with small int64 tables: page-cache residency of the weights file shows
    # whether it read them (the weights are dropped from the cache first).
    log("check of the small-int64 model, weights dropped from the page cache")
    drop_from_page_cache(built.data)
    before = resident_bytes(built.data)
    small = measure(
        "jvmready check (small int64)",
        [JVMREADY, "check", "--target", "int32", str(built.small_int64_model)],
        ok=(0, 1),
    )
    result["small_check"] = {
        **small.to_dict(),
        "weights_bytes": built.float_bytes,
        "resident_before": before,
        "resident_after": resident_bytes(built.data),
    }

    log("warming the page cache so every timed command starts alike")
    warm_page_cache(built.data)
    commands: dict[str, tuple[list[str], tuple[int, ...]]] = {
        "check": ([JVMREADY, "check", "--target", "int32", str(built.model)], (0, 1)),
        "naive_check": ([sys.executable, naive_fix.__file__, "check", str(built.model)], (0, 1)),
    }
    outputs = {"fix": work / "fix" / "large.onnx", "naive_fix": work / "naive" / "large.onnx"}
    commands["fix"] = (
        [JVMREADY, "fix", "--target", "int32", str(built.model), "-o", str(outputs["fix"])],
        (0,),
    )
    commands["naive_fix"] = (
        [sys.executable, naive_fix.__file__, "fix", str(built.model), str(outputs["naive_fix"])],
        (0,),
    )
    runs: dict[str, list[Measured]] = {k: [] for k in commands}
    for i in range(repeat):
        for key, (argv, ok) in commands.items():
            if key in outputs:
                shutil.rmtree(outputs[key].parent, ignore_errors=True)
                outputs[key].parent.mkdir(parents=True)
            log(f"{key} ({i + 1}/{repeat})")
            runs[key].append(measure(key, argv, ok=ok))
    for key, measured in runs.items():
        result[key] = best(measured)
    for key, out in outputs.items():
        log(f"comparing {key}'s output with the original, chunk by chunk")
        result[f"{key}_tensors_compared"] = onnx_large.compare_fixed(built, out)
        result[f"{key}_output_bytes"] = sum(p.stat().st_size for p in out.parent.iterdir())
    return result


def java_section(work: Path, quick: bool) -> dict[str, Any]:
    """The JMH benchmarks (built with Maven profile ``bench``)."""
    work.mkdir(parents=True, exist_ok=True)
    log("building the JMH module (mvn -Pbench -pl jvmready-bench)")
    classpath = jmh.build()
    small = models.write_small_model(work / "small.onnx")
    sizes = ["1", "4"]
    for gb in sizes:
        sparse_safetensors.write_sparse(work / f"sparse-{gb}gb.safetensors", int(gb) * GIB)
    elements = 1 << 20 if quick else 8 << 20
    log("running JMH (log in build/bench/jmh.log)")
    with (work.parent / "jmh.log").open("w", encoding="utf-8") as jmh_log:
        stdout = os.dup(1)
        os.dup2(jmh_log.fileno(), 1)
        try:
            scores = jmh.run(
                classpath,
                "io.jvmready.bench.*",
                {
                    "model": [str(small)],
                    "dir": [str(work)],
                    "gb": sizes,
                    "elements": [str(elements)],
                },
                work / "jmh.json",
                quick=quick,
            )
        finally:
            os.dup2(stdout, 1)
            os.close(stdout)
    disk = sum(os.stat(work / f"sparse-{gb}gb.safetensors").st_blocks * 512 for gb in sizes)
    return {
        "classpath": classpath,
        "scores": [s.to_dict() for s in scores],
        "narrowing_bytes": elements * 8,
        "sparse_disk_bytes": disk,
    }


def verify_section(work: Path, samples: int) -> dict[str, Any]:
    """``jvmready verify --java`` on the demo's model."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    log("training and fixing the demo model")
    original, fixed = verify_java.demo_models(work)
    log(f"verify --java on {samples} samples")
    return verify_java.verify_throughput(original, fixed, samples).to_dict()


def guarded(results: dict[str, Any], key: str, section: Callable[[], dict[str, Any]]) -> None:
    """Run one section; on failure record the error (the report shows it) and go on."""
    try:
        results[key] = section()
    except Exception as e:
        traceback.print_exc()
        results[key] = {"error": f"{type(e).__name__}: {e}"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gb", type=float, default=2.0, help="size of the large ONNX model")
    parser.add_argument("--quick", action="store_true", help="smoke run: 0.05 GB, short JMH")
    parser.add_argument("--repeat", type=int, default=1, help="runs per large-model command")
    parser.add_argument("--samples", type=int, default=10_000, help="samples for verify --java")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--keep", action="store_true", help="keep the large files afterwards")
    args = parser.parse_args(argv)
    size_gb = 0.05 if args.quick else args.size_gb
    samples = min(args.samples, 1000) if args.quick else args.samples
    results: dict[str, Any] = {
        "config": {
            "size_gb": size_gb,
            "quick": args.quick,
            "repeat": args.repeat,
            "command": " ".join(["python bench/run.py", *(argv or sys.argv[1:])]),
        }
    }
    results["machine"] = machine.describe()
    started = time.perf_counter()
    guarded(
        results, "onnx", lambda: onnx_section(args.work / "onnx", int(size_gb * GIB), args.repeat)
    )
    if not args.keep:
        shutil.rmtree(args.work / "onnx", ignore_errors=True)
    guarded(results, "java", lambda: java_section(args.work / "java", args.quick))
    guarded(results, "verify", lambda: verify_section(args.work / "verify", samples))
    results["machine"]["onnxruntime_java"] = machine.ort_java_version(
        str(results["java"].get("classpath", ""))
    )
    results["machine"]["load_average_end"] = list(os.getloadavg())
    results["total_s"] = time.perf_counter() - started
    args.work.mkdir(parents=True, exist_ok=True)
    (args.work / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report.render(results), encoding="utf-8")
    log(f"wrote {args.out} and {args.work / 'results.json'} in {results['total_s']:.0f} s")
    failed = [k for k in ("onnx", "java", "verify") if "error" in results[k]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
