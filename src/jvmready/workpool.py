"""Run one function over many items in worker processes: in chunks, started warm, crash-isolated.

Why not one future per item: for small items (a tiny model checks in about a millisecond) the
pickling and queueing of a future costs as much as the work. Items go out in chunks and come back
a chunk at a time.

Why fork, or a fork server: a spawned worker is a fresh interpreter that imports numpy, onnx
and jvmready again (~0.4 s of CPU per worker, as long as the work on a thousand tiny models).
Forked from this process, a worker starts in milliseconds with all of that already loaded; that
is only safe while no other thread runs here (a thread holding a lock at the fork leaves it
locked forever in the child), so the workers start when :func:`run_chunked` is called, before
the caller starts a progress bar, and otherwise come from a fork server that imports
``preload`` once and forks each worker from that clean process.

Why it survives crashes: a worker that dies (a segfault in native code, the OOM killer) breaks the
whole pool and fails every unfinished chunk. Each chunk records in shared memory which item it
is on, so the items a dead pool had not reached are simply run again, and only the items that
were in progress when it died are re-run, each alone in a fresh worker; one that kills its worker
again becomes ``died(item, reason)``, and every other item still gets its own result.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from jvmready.fileio import exit_on_sigterm

T = TypeVar("T")
R = TypeVar("R")

#: Chunks per worker, at least: enough that workers finishing at different times stay busy.
CHUNKS_PER_WORKER = 4
#: At most this many items per chunk, so results (and a progress bar) still arrive steadily.
MAX_CHUNK = 32

#: In a worker: per chunk of the current round, 1 + the index of the item it is working on
#: (0: not started). Written by the worker, read by the parent after a crash.
_progress: Any = None


@dataclass(frozen=True)
class Setup:
    """A function each worker calls once before its first chunk (e.g. to install plug-ins), and
    the modules the fork server imports so that workers start with them loaded."""

    preload: tuple[str, ...] = ()
    initializer: Callable[..., None] | None = None
    initargs: tuple[Any, ...] = ()


@dataclass(frozen=True)
class _Leftover(Generic[T]):
    """What a broken round did not finish: items never reached, items that were in progress."""

    again: list[T]
    suspects: list[T]


def chunk_size(items: int, workers: int) -> int:
    """Items per chunk: :data:`CHUNKS_PER_WORKER` chunks per worker, at most :data:`MAX_CHUNK`."""
    return max(1, min(MAX_CHUNK, items // (workers * CHUNKS_PER_WORKER)))


def run_chunked(
    work: Callable[[T], R],
    items: Sequence[T],
    workers: int,
    died: Callable[[T, str], R],
    setup: Setup = Setup(),
) -> Iterator[R]:
    """``work(item)`` for every item in ``workers`` processes; results arrive a chunk at a time,
    in completion order. ``work`` must be picklable (a top-level function or a partial of one)
    and must turn its own errors into results; an item whose worker dies is ``died(item, why)``.

    The workers start now, not on the first ``next``: started before the caller runs threads
    (a progress bar), they can be forked from this process (see :func:`start_method`).
    """
    if not items:
        return iter(())
    first = _Round(work, _chunked(list(items), workers), workers, setup)
    return _drive(first, work, workers, died, setup)


def start_method() -> str:
    """``fork`` on Linux while this process runs no other thread: workers start at once, with
    everything already imported. Otherwise ``forkserver`` (or ``spawn`` where there is none):
    forking a process whose other threads may hold locks can deadlock the child."""
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _drive(
    first: _Round[T, R],
    work: Callable[[T], R],
    workers: int,
    died: Callable[[T, str], R],
    setup: Setup,
) -> Iterator[R]:
    round_ = first
    while True:
        left = yield from round_.results()
        if not left.suspects and len(left.again) == round_.size:  # no worker ever got going
            for item in left.again:
                yield died(item, "no worker process could start")
            return
        for item in left.suspects:  # alone, so a crash names exactly the item that caused it
            alone = yield from _Round(work, [[item]], 1, setup).results()
            if alone.suspects or alone.again:
                yield died(item, "the worker process died while working on it")
        if not left.again:
            return
        round_ = _Round(work, _chunked(left.again, workers), workers, setup)


def _chunked(items: list[T], workers: int) -> list[list[T]]:
    size = chunk_size(len(items), workers)
    return [items[i : i + size] for i in range(0, len(items), size)]


class _Round(Generic[T, R]):
    """One pool over some chunks, its workers started on creation."""

    def __init__(
        self, work: Callable[[T], R], chunks: list[list[T]], workers: int, setup: Setup
    ) -> None:
        method = start_method()
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(list(setup.preload))  # used when the server starts
        self.chunks = chunks
        self.size = sum(len(c) for c in chunks)
        self.progress = context.RawArray("i", len(chunks))
        self.pool = ProcessPoolExecutor(
            max_workers=min(workers, len(chunks)),
            mp_context=context,
            initializer=_start_worker,
            initargs=(self.progress, setup.initializer, setup.initargs),
        )
        self.futures: dict[Future[list[R]], int] = {}
        self.unsent: list[int] = []  # chunks a pool broken while submitting never took
        for i, chunk in enumerate(chunks):
            if self.unsent:
                self.unsent.append(i)
                continue
            try:
                self.futures[self.pool.submit(_run_chunk, i, work, chunk)] = i
            except BrokenProcessPool:  # a worker died before everything was submitted
                self.unsent.append(i)

    def results(self) -> Generator[R, None, _Leftover[T]]:
        """Yield what finished; return what a crash left unfinished."""
        broken = list(self.unsent)  # their progress is 0: they come back as "not reached"
        try:
            for done in as_completed(self.futures):
                try:
                    results = done.result()
                except Exception:  # a worker died (or a result would not pickle): see below
                    broken.append(self.futures[done])
                    continue
                yield from results
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)
        left: _Leftover[T] = _Leftover([], [])
        for i in sorted(broken):
            chunk, reached = self.chunks[i], self.progress[i]  # 1 + index in progress; 0: none
            if reached == 0:
                left.again.extend(chunk)
            else:
                left.again.extend(chunk[: reached - 1] + chunk[reached:])
                left.suspects.append(chunk[reached - 1])
        return left


def _start_worker(
    progress: Any, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]
) -> None:
    global _progress
    _progress = progress
    exit_on_sigterm()  # a pool shutting down after a crash terminates its other workers
    if initializer is not None:
        initializer(*initargs)


def _run_chunk(index: int, work: Callable[[T], R], chunk: list[T]) -> list[R]:
    results = []
    try:
        for i, item in enumerate(chunk):
            _progress[index] = i + 1
            results.append(work(item))
    except SystemExit as stop:
        # SIGTERM from a pool shutting down: the unwinding has removed any temporary output;
        # now really exit, for the executor's worker loop would catch SystemExit and go on to
        # the next chunk.
        os._exit(stop.code if isinstance(stop.code, int) else 1)
    return results
