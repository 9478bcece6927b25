"""Run one command in a child process and record its wall time and peak RSS (``os.wait4``)."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Measured:
    """One command's cost. ``peak_rss`` is the command's maximum resident set size in bytes,
    which counts the file pages it had mapped as well as its heap."""

    label: str
    argv: tuple[str, ...]
    wall_s: float
    peak_rss: int
    returncode: int
    output: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "argv": list(self.argv),
            "wall_s": self.wall_s,
            "peak_rss": self.peak_rss,
            "returncode": self.returncode,
        }


class CommandFailed(RuntimeError):
    """A measured command exited with a code it should not have."""


GNU_TIME = Path("/usr/bin/time")


def measure(
    label: str,
    argv: Sequence[str],
    *,
    ok: Sequence[int] = (0,),
    env: dict[str, str] | None = None,
) -> Measured:
    """Run ``argv`` to completion; raise :class:`CommandFailed` (with its output) unless its exit
    code is in ``ok``. Output goes to a temporary file so no pipe can stall the child.

    Peak RSS comes from GNU ``time`` when installed: Linux carries a process's RSS high-water
    mark across ``exec``, so a child forked straight from this (large) Python process would
    report at least this process's RSS; ``time`` is small and forks the command itself. Without
    it, ``os.wait4`` on the direct child is used, and that floor applies."""
    with tempfile.TemporaryDirectory(prefix="jvmready-bench-") as tmp:
        rss_file = Path(tmp) / "rss"
        wrapped = list(argv)
        if GNU_TIME.is_file():
            wrapped = [str(GNU_TIME), "--format", "%M", "--output", str(rss_file), *wrapped]
        with (Path(tmp) / "out").open("w+b") as sink:
            start = time.perf_counter()
            proc = subprocess.Popen(wrapped, stdout=sink, stderr=subprocess.STDOUT, env=env)
            _pid, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            sink.seek(0)
            output = sink.read().decode("utf-8", "replace")
        peak_kib = usage.ru_maxrss
        if rss_file.is_file():
            # GNU time writes "Command exited with non-zero status N" before the number.
            lines = rss_file.read_text(encoding="utf-8").split()
            peak_kib = int(lines[-1]) if lines and lines[-1].isdigit() else peak_kib
    result = Measured(label, tuple(argv), wall, peak_kib * 1024, proc.returncode, output)
    if result.returncode not in ok:
        tail = "\n".join(output.splitlines()[-15:])
        raise CommandFailed(f"{label}: {' '.join(argv)} exited {result.returncode}:\n{tail}")
    return result


def drop_from_page_cache(path: Path) -> None:
    """Ask the kernel to forget the file's cached pages (no root needed for clean pages)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fdatasync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def resident_bytes(path: Path) -> int | None:
    """Bytes of ``path`` in the page cache (util-linux ``fincore``), or None if unavailable."""
    try:
        done = subprocess.run(
            ["fincore", "--bytes", "--noheadings", "--raw", "--output", "RES", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    text = done.stdout.strip()
    return int(text) if text.isdigit() else None


def warm_page_cache(path: Path, chunk: int = 16 << 20) -> None:
    """Read the file once so every timed command starts from the same (cached) state."""
    with path.open("rb", buffering=0) as f:
        while f.read(chunk):
            pass
