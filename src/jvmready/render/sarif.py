"""SARIF 2.1.0 output for code scanning in CI: rules metadata, results, and locations.

Each result has a physical location (the model file) and a logical location (graph path,
node, tensor), since a model has no lines to point at.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePath
from typing import Any

from jvmready.findings import Finding, Severity
from jvmready.report import CheckReport

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION = "2.1.0"

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rules_metadata() -> list[dict[str, Any]]:
    from jvmready.onnx.rules import RULES

    return [
        {
            "id": r.id,
            "name": r.name,
            "shortDescription": {"text": r.title},
            "fullDescription": {"text": r.why},
            "help": {
                "text": f"{r.why}\nRemedy: {r.remedy}",
                "markdown": f"**{r.title}**\n\n{r.why}\n\n**Remedy:** {r.remedy}\n\n"
                f"Severity: " + ", ".join(f"`{t}`: {s}" for t, s in r.severity.items()),
            },
            "properties": {"severity_by_target": r.severity, "tags": ["jvmready", "int64"]},
        }
        for r in RULES
    ]


def _uri(path: str) -> str:
    p = PurePath(path)
    return p.as_posix() if not p.is_absolute() else Path(p).as_uri()


def _result(f: Finding, index: dict[str, int], artifact: str) -> dict[str, Any]:
    loc = f.location
    logical_name = "/".join(p for p in (loc.graph, loc.node, loc.tensor) if p)
    kind = "variable" if loc.tensor else ("function" if loc.node else "module")
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "level": _LEVEL[f.severity],
        "message": {"text": f"{f.message}. Remedy: {f.remedy}" if f.remedy else f.message},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": _uri(loc.file or artifact)}},
                "logicalLocations": [{"fullyQualifiedName": logical_name or "main", "kind": kind}],
            }
        ],
        "properties": {"severity": str(f.severity), "data": f.data},
    }
    if f.rule in index:
        result["ruleIndex"] = index[f.rule]
    return result


def sarif_document(reports: list[CheckReport]) -> dict[str, Any]:
    """One SARIF run covering ``reports`` (one per checked file)."""
    from jvmready import __version__

    rules = _rules_metadata()
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = [_result(f, index, rep.path) for rep in reports for f in rep.findings]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "jvmready",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "artifacts": [{"location": {"uri": _uri(rep.path)}} for rep in reports],
                "results": results,
                "properties": {"targets": sorted({rep.target for rep in reports})},
            }
        ],
    }


def dumps(reports: list[CheckReport]) -> str:
    return json.dumps(sarif_document(reports), indent=2)
