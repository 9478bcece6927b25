"""Imports every command module so each registers itself on the app. Add yours here."""

from __future__ import annotations

from jvmready.cli import (
    bundle,  # noqa: F401
    check,  # noqa: F401
    classpath,  # noqa: F401
    demo,  # noqa: F401
    export,  # noqa: F401
    fix,  # noqa: F401
    javagen,  # noqa: F401
    score,  # noqa: F401
    verify,  # noqa: F401
    version,  # noqa: F401
)
