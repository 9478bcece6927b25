"""Safe output: never overwrite the input, never leave a half-written file behind."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from jvmready.errors import JvmreadyError


def refuse_same_file(src: Path, dst: Path) -> None:
    """Refuse to write ``dst`` when it is (or would replace) ``src``."""
    if dst.exists() and src.exists() and os.path.samefile(src, dst):
        raise JvmreadyError(f"{dst}: refusing to overwrite the input; choose another -o")
    if dst.resolve() == src.resolve():
        raise JvmreadyError(f"{dst}: refusing to overwrite the input; choose another -o")


@contextlib.contextmanager
def atomic_output(dst: Path, *, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path next to ``dst``; rename it onto ``dst`` only if the block succeeds.

    The temporary file lives in the same directory so the rename is atomic on POSIX.
    """
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=suffix or ".tmp", dir=dst.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp creates 0600; outputs are ordinary files, so honour the umask like open() would.
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o666 & ~umask)
    try:
        yield tmp
        os.replace(tmp, dst)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def exit_on_sigterm() -> None:
    """Turn SIGTERM into ``SystemExit`` in this process, so that :func:`atomic_output` removes
    its temporary file when the process is told to stop (a CI timeout, a process pool shutting
    down its workers) instead of leaving it next to the output. Main thread only."""
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
