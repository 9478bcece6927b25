"""Check or fix every model under a directory tree, in parallel, one bad file never stopping the rest.

A fleet is whatever the registered formats claim under a root: files (``.onnx``, ``.npz``...)
and model directories (a directory some format claims, such as a SavedModel, is one model and is
not descended into). Work runs in worker processes (:mod:`jvmready.workpool`: chunks, a warm
fork server, crash isolation) because it is CPU bound in numpy/onnx code that holds the GIL; a
fleet too small to repay starting workers runs in this process. Each file's outcome is a
:class:`FleetResult`; a file that cannot be read becomes a result with a one-line ``error``, and a
file whose worker dies becomes an ``internal`` result: never an exception that ends the walk.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from jvmready.errors import JvmreadyError, NarrowingError
from jvmready.findings import Severity
from jvmready.formats import CheckOptions, FixOptions, Format, registered
from jvmready.targets import get_target

#: Per-file statuses, from best to worst; the exit code of each is in :data:`EXIT_CODES`.
OK = "ok"
FINDINGS = "findings"  # check: a finding reached fail_on
REFUSED = "refused"  # fix: a value would not fit (NarrowingError)
UNREADABLE = "error"  # the file is not what it claims to be, or cannot be read
INTERNAL = "internal"  # a bug in jvmready (or a worker that died)

EXIT_CODES = {OK: 0, FINDINGS: 1, REFUSED: 1, UNREADABLE: 2, INTERNAL: 3}

#: A fleet smaller than both of these runs in this process even when ``jobs`` > 1: starting and
#: feeding workers costs ~50 ms of CPU, which only pays once the work is a few times that. A
#: tiny ONNX model checks in ~0.7 ms; reading costs ~1-2 ms per MB (measured: docs/fleet.md).
POOL_MIN_MODELS = 128
POOL_MIN_BYTES = 64 << 20
#: What the fork server imports once so each worker starts warm: besides the format plug-ins
#: (added at run time), what checking and fixing ONNX, the common case, imports when first used.
WORKER_PRELOAD = ("jvmready.fleet", "jvmready.onnx.check", "jvmready.onnx.fix")


@dataclass(frozen=True)
class FleetResult:
    """The outcome for one model of the tree.

    ``path`` is relative to the root (POSIX separators, stable across machines); ``document`` is
    the per-file JSON-ready payload (the check report, or the fix's changes and findings).
    """

    path: str
    source: str
    format: str | None
    status: str
    error: str = ""
    output: str | None = None
    worst: str | None = None
    findings: int = 0
    changes: int = 0
    document: dict[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    def to_dict(self) -> dict[str, Any]:
        """One JSON line of ``--json`` (described in docs/fleet.md)."""
        return {
            "path": self.path,
            "source": self.source,
            "output": self.output,
            "format": self.format,
            "status": self.status,
            "exit_code": self.exit_code,
            "error": self.error or None,
            "worst": self.worst,
            "findings": self.findings,
            "changes": self.changes,
            **self.document,
        }


@dataclass(frozen=True)
class Discovery:
    """What a walk found: the models (relative paths) and the files nothing claims."""

    models: tuple[str, ...]
    skipped: tuple[str, ...]


def is_tree(path: Path) -> bool:
    """True when ``path`` is a directory that no format claims as one model (a SavedModel is a
    model, not a tree)."""
    return path.is_dir() and _claimant(path) is None


def discover(root: Path) -> Discovery:
    """Every model under ``root`` in sorted order; hidden entries (temp files) are ignored."""
    if not root.is_dir():
        raise JvmreadyError(f"{root}: not a directory")
    models: list[str] = []
    skipped: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for d in list(dirnames):
            if _claimant(here / d) is not None:
                models.append(_rel(here / d, root))
                dirnames.remove(d)  # a model directory is one model, not more tree
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            p = here / name
            (models if _claimant(p) is not None else skipped).append(_rel(p, root))
    return Discovery(tuple(sorted(models)), tuple(sorted(skipped)))


def check_tree(
    root: str | os.PathLike[str],
    target: str = "ort-java",
    jobs: int | None = None,
    *,
    fail_on: str = "error",
    trust: bool = False,
    models: Iterable[str] | None = None,
) -> Iterator[FleetResult]:
    """Check every model under ``root``; results arrive as files finish (sort by ``.path``).

    ``fail_on`` (``error``, ``warning``, ``never``) decides which findings make a file's status
    ``findings``. ``jobs`` defaults to the core count; 1, or a fleet too small to repay starting
    workers (:func:`workers_for`), runs in this process. Workers start when this is called and
    hand back results a chunk of files at a time. ``models`` (relative paths, e.g. from
    :func:`discover`) skips the walk.
    """
    get_target(target)  # an unknown target is a usage error before any work starts
    _check_jobs(jobs)
    if fail_on not in ("error", "warning", "never"):
        raise JvmreadyError(f"fail_on must be error, warning or never, not {fail_on!r}")
    base = Path(root)
    rels = tuple(models) if models is not None else discover(base).models
    work = partial(_check_one, root=str(base), target=target, fail_on=fail_on, trust=trust)
    return _run(work, rels, base, jobs)


def fix_tree(
    root: str | os.PathLike[str],
    out: str | os.PathLike[str],
    options: FixOptions = FixOptions(),
    jobs: int | None = None,
    *,
    models: Iterable[str] | None = None,
) -> Iterator[FleetResult]:
    """Write a fixed copy of every model under ``root`` to the same relative path under ``out``.

    Refuses (:class:`JvmreadyError`) an ``out`` that is ``root``, inside it, or contains it: the
    input tree is never written to. Files nothing claims are not copied.
    """
    base, dest = Path(root), Path(out)
    _check_jobs(jobs)
    refuse_overlap(base, dest)
    rels = tuple(models) if models is not None else discover(base).models
    work = partial(_fix_one, root=str(base), out=str(dest), options=options)
    return _run(work, rels, base, jobs)


def refuse_overlap(root: Path, out: Path) -> None:
    """Refuse an output tree that is, is inside, or contains the input tree."""
    if not root.is_dir():
        raise JvmreadyError(f"{root}: not a directory")
    if out.exists() and not out.is_dir():
        raise JvmreadyError(f"{out}: exists and is not a directory; choose another -o")
    r, o = root.resolve(), out.resolve()
    if o == r or r in o.parents:
        raise JvmreadyError(f"{out}: is inside the input tree {root}; choose an -o outside it")
    if o in r.parents:
        raise JvmreadyError(f"{out}: contains the input tree {root}; choose an -o outside it")


def worst_exit(results: Iterable[FleetResult]) -> int:
    """The exit code of a fleet: the worst of its files' (0 for an empty fleet)."""
    return max((r.exit_code for r in results), default=0)


# --- workers (top-level so a spawned process can import them) --------------------------------


def _check_one(rel: str, *, root: str, target: str, fail_on: str, trust: bool) -> FleetResult:
    path = Path(root) / rel
    fmt = _claimant(path)
    try:
        if fmt is None:
            raise JvmreadyError(f"{path}: no format claims it any more")
        report = fmt.check(path, get_target(target), CheckOptions(trust=trust))
    except Exception as e:  # one bad file must not stop the fleet
        return _failed(rel, path, fmt.name if fmt else None, e)
    worst = report.worst
    failing = fail_on != "never" and any(
        f.severity >= Severity[fail_on.upper()] for f in report.findings
    )
    return FleetResult(
        path=rel,
        source=str(path),
        format=report.format,
        status=FINDINGS if failing else OK,
        worst=None if worst is None else str(worst),
        findings=len(report.findings),
        document={"report": report.to_dict()},
    )


def _fix_one(rel: str, *, root: str, out: str, options: FixOptions) -> FleetResult:
    path, dst = Path(root) / rel, Path(out) / rel
    fmt = _claimant(path)
    try:
        if fmt is None:
            raise JvmreadyError(f"{path}: no format claims it any more")
        dst.parent.mkdir(parents=True, exist_ok=True)
        report = fmt.fix_file(path, dst, options)
    except Exception as e:  # one bad file must not stop the fleet
        return _failed(rel, path, fmt.name if fmt else None, e, output=str(dst))
    severities = [f.severity for f in report.findings]
    return FleetResult(
        path=rel,
        source=str(path),
        output=report.output,
        format=report.format,
        status=OK,
        worst=str(max(severities)) if severities else None,
        findings=len(report.findings),
        changes=len(report.changes),
        document={
            "changes": [c.to_dict() for c in report.changes],
            "findings_detail": [f.to_dict() for f in report.findings],
        },
    )


def _failed(
    rel: str, path: Path, fmt: str | None, e: Exception, output: str | None = None
) -> FleetResult:
    if isinstance(e, NarrowingError):
        status, message = REFUSED, f"{path}: {e}"
    elif isinstance(e, JvmreadyError):  # one line, naming the file even if the format did not
        status, message = UNREADABLE, str(e) if str(path) in str(e) else f"{path}: {e}"
    elif isinstance(e, OSError):
        status, message = UNREADABLE, f"{path}: {e.strerror or e}"
    else:
        status, message = INTERNAL, f"{path}: internal error: {type(e).__name__}: {e}"
    one_line = " ".join(message.split())
    return FleetResult(
        path=rel, source=str(path), format=fmt, status=status, error=one_line, output=output
    )


#: In a worker: the parent's formats (plug-ins registered by the caller included), not whatever
#: importing the built-ins would give.
_worker_formats: tuple[Format, ...] | None = None


def _use_formats(fmts: tuple[Format, ...]) -> None:
    global _worker_formats
    _worker_formats = fmts


def _claimant(path: Path) -> Any:
    for fmt in _worker_formats if _worker_formats is not None else registered():
        try:
            if fmt.claims(path):
                return fmt
        except OSError:
            return None
    return None


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _check_jobs(jobs: int | None) -> None:
    if jobs is not None and jobs < 1:
        raise JvmreadyError(f"--jobs must be at least 1, not {jobs}")


def workers_for(jobs: int | None, root: Path, rels: Sequence[str]) -> int:
    """How many worker processes a fleet gets: ``jobs`` (default: the cores), at most one per
    model, and none (1: this process) when the fleet is too small to repay starting them."""
    workers = min(jobs or os.cpu_count() or 1, len(rels))
    if workers > 1 and len(rels) < POOL_MIN_MODELS and _size(root, rels) < POOL_MIN_BYTES:
        return 1
    return workers


def _size(root: Path, rels: Sequence[str]) -> int:
    """Bytes of the models, stopping at :data:`POOL_MIN_BYTES`; a model directory counts as big."""
    total = 0
    for rel in rels:
        path = root / rel
        try:
            st = path.stat()
        except OSError:
            continue  # its check will report it
        total += POOL_MIN_BYTES if stat.S_ISDIR(st.st_mode) else st.st_size
        if total >= POOL_MIN_BYTES:
            break
    return total


def _run(
    work: Callable[[str], FleetResult], rels: tuple[str, ...], root: Path, jobs: int | None
) -> Iterator[FleetResult]:
    workers = workers_for(jobs, root, rels)
    if workers <= 1:
        return map(work, rels)  # lazily, in this process
    from jvmready.workpool import Setup, run_chunked  # multiprocessing: only for a pool

    fmts = tuple(registered())
    preload = (*WORKER_PRELOAD, *dict.fromkeys(type(f).__module__ for f in fmts))
    setup = Setup(preload=preload, initializer=_use_formats, initargs=(fmts,))
    return run_chunked(work, rels, workers, partial(_died, root=root), setup)


def _died(rel: str, why: str, *, root: Path) -> FleetResult:
    return _failed(rel, root / rel, None, RuntimeError(why))
