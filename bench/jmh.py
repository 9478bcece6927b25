"""Build the JMH module (``java/jvmready-bench``, Maven profile ``bench``) and run its benchmarks."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MODULE = ROOT / "java" / "jvmready-bench"
MVN = ["mvn", "-B", "-ntp", "-q", "-Dstyle.color=never", "-f", str(ROOT / "java" / "pom.xml")]


@dataclass(frozen=True)
class JmhScore:
    """One benchmark (with its parameters) as JMH reported it."""

    benchmark: str  # e.g. "RunnerOverhead.jvmready"
    params: dict[str, str]
    mode: str
    score: float
    error: float  # half-width of the 99.9% confidence interval (NaN with one iteration)
    unit: str
    samples: int
    median: float  # median iteration: robust to bursts of load from elsewhere
    alloc_bytes_per_op: float  # JMH's gc profiler: load-independent (NaN if not measured)

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def build() -> str:
    """Compile the benchmarks against the installed jvmready jars; return the run classpath."""
    done = subprocess.run(
        [
            *MVN,
            "-Pbench",
            "-pl",
            "jvmready-bench",
            "-DskipTests",
            "package",
            "dependency:build-classpath",
            "-DincludeScope=runtime",
            "-Dmdep.outputFile=target/classpath.txt",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-20:])
        raise RuntimeError(f"mvn -Pbench -pl jvmready-bench failed ({done.returncode}):\n{tail}")
    deps = (MODULE / "target" / "classpath.txt").read_text(encoding="utf-8").strip()
    return os.pathsep.join([str(MODULE / "target" / "classes"), deps])


def run(
    classpath: str,
    include: str,
    params: dict[str, list[str]],
    result_file: Path,
    *,
    quick: bool,
) -> list[JmhScore]:
    """Run the benchmarks matching the regex ``include``: two forked JVMs each (one in a quick
    run), so a burst of load from elsewhere shows up as a wide error bar, not a skewed mean."""
    java = shutil.which("java") or "java"
    timing = (
        ["-f", "1", "-wi", "1", "-w", "300ms", "-i", "2", "-r", "300ms"]
        if quick
        else ["-f", "2", "-wi", "3", "-w", "1s", "-i", "5", "-r", "1s"]
    )
    argv = [java, "-cp", classpath, "org.openjdk.jmh.Main", include, *timing, "-prof", "gc"]
    for name, values in params.items():
        argv += ["-p", f"{name}={','.join(values)}"]
    argv += ["-rf", "json", "-rff", str(result_file)]
    subprocess.run(argv, check=True)
    rows = json.loads(result_file.read_text(encoding="utf-8"))
    scores = []
    for r in rows:
        primary = r["primaryMetric"]
        error = primary.get("scoreError")
        iterations = sorted(float(x) for fork in primary.get("rawData", []) for x in fork)
        alloc = (r.get("secondaryMetrics") or {}).get("gc.alloc.rate.norm", {}).get("score")
        scores.append(
            JmhScore(
                benchmark=".".join(r["benchmark"].split(".")[-2:]),
                params={k: str(v) for k, v in (r.get("params") or {}).items()},
                mode=r["mode"],
                score=float(primary["score"]),
                error=float(error) if isinstance(error, (int, float)) else float("nan"),
                unit=primary["scoreUnit"],
                samples=len(iterations),
                median=statistics.median(iterations) if iterations else float("nan"),
                alloc_bytes_per_op=float(alloc)
                if isinstance(alloc, (int, float))
                else float("nan"),
            )
        )
    return scores
