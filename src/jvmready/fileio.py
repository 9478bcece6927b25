"""Safe output: never overwrite the input, never leave a half-written file behind."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
import threading
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

    The temporary file lives in the same directory so the rename is atomic on POSIX. A SIGTERM
    (see :func:`exit_on_sigterm`) that lands between creating it and the ``try`` that owns its
    removal is held back until inside that ``try``, so no stopping point leaves it behind.
    """
    dst.parent.mkdir(parents=True, exist_ok=True)
    deferring = _defer_sigterm()
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{dst.name}.", suffix=suffix or ".tmp", dir=dst.parent
        )
    except BaseException:
        _end_deferral(deferring)
        raise
    tmp = Path(tmp_name)
    try:
        _end_deferral(deferring)  # a SIGTERM held back meanwhile exits from here
        os.close(fd)
        # mkstemp creates 0600; outputs are ordinary files, so honour the umask like open() would.
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o666 & ~umask)
        yield tmp
        os.replace(tmp, dst)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


class _Sigterm:
    """SIGTERM bookkeeping: while ``deferring``, the handler records the exit instead."""

    deferring = 0
    pending: int | None = None


def exit_on_sigterm() -> None:
    """Turn SIGTERM into ``SystemExit`` in this process, so that :func:`atomic_output` removes
    its temporary file when the process is told to stop (a CI timeout, a process pool shutting
    down its workers) instead of leaving it next to the output. Main thread only."""
    signal.signal(signal.SIGTERM, _on_sigterm)


def _on_sigterm(signum: int, _frame: object) -> None:
    if _Sigterm.deferring:
        _Sigterm.pending = 128 + signum
        return
    sys.exit(128 + signum)


def _defer_sigterm() -> bool:
    # Python runs signal handlers in the main thread only, so only it needs (and may use) this.
    if threading.current_thread() is not threading.main_thread():
        return False
    _Sigterm.deferring += 1
    return True


def _end_deferral(deferring: bool) -> None:
    if not deferring:
        return
    _Sigterm.deferring -= 1
    if not _Sigterm.deferring and _Sigterm.pending is not None:
        code, _Sigterm.pending = _Sigterm.pending, None
        sys.exit(code)
