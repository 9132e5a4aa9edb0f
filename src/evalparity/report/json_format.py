"""The stable JSON contract of architecture.md."""

from __future__ import annotations

import json

from .. import __version__
from ..engine import Result
from .summary import severity_counts


def as_dict(result: Result) -> dict:
    findings = []
    for f in result.findings:
        loc = f.location
        findings.append({
            "code": f.code, "name": f.name, "severity": f.severity, "message": f.message,
            "path": loc.path, "line": loc.line, "column": loc.column,
            "end_line": loc.end_line, "end_column": loc.end_column,
            "related": [{"path": r.location.path, "line": r.location.line, "column": r.location.column,
                         "message": r.message} for r in f.related],
            "fingerprint": f.fingerprint, "fix": f.fix,
        })
    return {
        "version": 1,
        "tool": {"name": "evalparity", "version": __version__},
        "summary": {"files": result.files_checked, "findings": len(result.findings),
                    "by_severity": severity_counts(result), "errors": len(result.errors)},
        "findings": findings,
        "errors": [{"path": e.path, "kind": e.kind, "message": e.message} for e in result.errors],
    }


def render(result: Result, sources, echo) -> None:
    echo(json.dumps(as_dict(result), indent=2))
