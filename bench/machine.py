"""What the numbers were measured on: CPU, cores, RAM, OS, load, and every runtime's version."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
import sys
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total() -> int:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _java_version() -> str:
    try:
        done = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False)
    except OSError:
        return "not found"
    first = (done.stderr or done.stdout).splitlines()
    return first[0].strip() if first else "unknown"


def ort_java_version(classpath: str) -> str:
    m = re.search(r"[/\\]onnxruntime-(\d+\.\d+\.\d+)\.jar", classpath)
    return m.group(1) if m else "unknown"


def describe(classpath: str = "") -> dict[str, object]:
    """The machine and software, as a JSON-able dict (``classpath`` names the ORT Java jar)."""
    import numpy
    import onnx
    import onnxruntime

    import jvmready

    return {
        "date_utc": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count() or 0,
        "ram_bytes": _mem_total(),
        "os": platform.platform(),
        "load_average_start": list(os.getloadavg()),
        "python": sys.version.split()[0],
        "java": _java_version(),
        "numpy": numpy.__version__,
        "onnx": onnx.__version__,
        "onnxruntime_python": onnxruntime.__version__,
        "onnxruntime_java": ort_java_version(classpath),
        "jmh": "1.37",
        "jvmready": jvmready.__version__,
    }
