"""The typer application and the error boundary every command shares.

Commands live in one module each (``jvmready.cli.check``...), parse arguments, call the API and
render. No logic lives only here.
"""

from __future__ import annotations

import os
import sys

import typer
from rich.console import Console

from jvmready.errors import JvmreadyError, NarrowingError
from jvmready.fileio import exit_on_sigterm

app = typer.Typer(
    name="jvmready",
    help="Make models trained in Python load and run correctly in Java.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Make models trained in Python load and run correctly in Java."""


#: Human output goes to stdout; progress and errors to stderr so ``--json`` stays clean.
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_OK = 0
EXIT_FINDINGS = 1  # check found something at --fail-on, fix refused, verify mismatched
EXIT_USAGE = 2  # bad arguments, unreadable files
EXIT_INTERNAL = 3  # a bug in jvmready


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print ``jvmready: error: message`` on stderr and return the Exit to raise."""
    err.print(f"jvmready: error: {message}", markup=False)
    return typer.Exit(code)


def run() -> None:
    """Run the app, turning every expected error into one line and an exit code."""
    exit_on_sigterm()
    try:
        app()  # standalone: typer/click handle usage errors (exit 2) and typer.Exit themselves
    except SystemExit:
        raise
    except NarrowingError as e:
        err.print(f"jvmready: refused: {e}", markup=False)
        sys.exit(EXIT_FINDINGS)
    except JvmreadyError as e:
        err.print(f"jvmready: error: {e}", markup=False)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        err.print("jvmready: interrupted", markup=False)
        sys.exit(130)
    except OSError as e:
        where = f"{e.filename}: " if getattr(e, "filename", None) else ""
        err.print(f"jvmready: error: {where}{e.strerror or e}", markup=False)
        sys.exit(EXIT_USAGE)
    except Exception as e:  # a bug: still one line unless asked for the traceback
        if os.environ.get("JVMREADY_DEBUG"):
            raise
        err.print(
            f"jvmready: internal error: {type(e).__name__}: {e} "
            "(set JVMREADY_DEBUG=1 for the traceback, and please report it)",
            markup=False,
        )
        sys.exit(EXIT_INTERNAL)
