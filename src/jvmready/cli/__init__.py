"""Command-line interface: ``jvmready COMMAND``. Each command is a module of its own."""

from __future__ import annotations

from jvmready.cli import commands  # noqa: F401  (registers the commands on the app)
from jvmready.cli.app import app, run

__all__ = ["app", "main"]


def main() -> None:
    run()
