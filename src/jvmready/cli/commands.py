"""Imports every command module so each registers itself on the app. Add yours here."""

from __future__ import annotations

from jvmready.cli import version  # noqa: F401
