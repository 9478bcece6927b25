"""A rich progress bar on stderr, installed as the API's progress sink for one command."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from jvmready import progress
from jvmready.cli.app import err


class RichProgressSink:
    """Draws the API's scan progress on stderr (never stdout, so ``--json`` stays clean)."""

    def __init__(self) -> None:
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def start(self, description: str, total_bytes: int) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(binary_units=True),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(description, total=total_bytes)

    def advance(self, nbytes: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, nbytes)

    def finish(self) -> None:
        if self._progress is not None:
            self._progress.stop()
        self._progress = None


@contextlib.contextmanager
def progress_on_stderr(enabled: bool = True) -> Iterator[None]:
    """Show scan progress on stderr for the block when ``enabled`` and stderr is a terminal
    (a log file or CI capture gets no bar)."""
    show = enabled and err.is_terminal
    with progress.reporting_to(RichProgressSink() if show else None):
        yield
