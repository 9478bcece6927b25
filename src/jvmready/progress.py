"""Progress of long scans, reported by the API and shown (or not) by the CLI.

The API never draws anything: it reports to whatever sink the caller installed with
:func:`reporting_to` (the CLI installs a rich progress bar on stderr; ``--json`` and library
callers install nothing). Formats stay free of a progress parameter in their protocol.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Protocol


class ProgressSink(Protocol):
    """Receives the size of a scan and its advances, in bytes."""

    def start(self, description: str, total_bytes: int) -> None: ...

    def advance(self, nbytes: int) -> None: ...

    def finish(self) -> None: ...


_sink: contextvars.ContextVar[ProgressSink | None] = contextvars.ContextVar(
    "jvmready_progress", default=None
)


def current() -> ProgressSink | None:
    """The installed sink, or ``None`` when nobody is watching."""
    return _sink.get()


@contextlib.contextmanager
def reporting_to(sink: ProgressSink | None) -> Iterator[None]:
    """Install ``sink`` for the duration of the block."""
    token = _sink.set(sink)
    try:
        yield
    finally:
        _sink.reset(token)
