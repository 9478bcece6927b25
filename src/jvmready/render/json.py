"""The ``--json`` document: stable, versioned, described in ``docs/check.md``.

Bump :data:`SCHEMA_VERSION` on any incompatible change (a field removed or its meaning
changed); adding fields is compatible.
"""

from __future__ import annotations

import json
from typing import Any

from jvmready.findings import Severity
from jvmready.report import CheckReport

SCHEMA_VERSION = 1


def check_document(report: CheckReport, fail_on: str | None = None) -> dict[str, Any]:
    """The JSON-ready document for one check report."""
    from jvmready import __version__

    counts = {str(s): sum(1 for f in report.findings if f.severity == s) for s in Severity}
    worst = report.worst
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "jvmready", "version": __version__},
        **report.to_dict(),
        "summary": {
            "counts": counts,
            "worst": None if worst is None else str(worst),
            "fail_on": fail_on,
        },
    }
    return doc


def dumps(report: CheckReport, fail_on: str | None = None) -> str:
    return json.dumps(check_document(report, fail_on), indent=2, sort_keys=False)
