"""GitLab Code Quality report (a JSON list of Code Climate issues), for `artifacts:reports:codequality`.
The other side of a mismatch is in the description and in `other_locations`."""

from __future__ import annotations

import json

from evalparity.findings import Result, details
from evalparity.report.locations import Place, place

SEVERITIES = {"error": "critical", "warning": "major", "info": "info"}


def _lines(where: Place) -> dict:
    if where.cell is not None:
        return {"begin": where.file_line, "end": max(where.file_end_line, where.file_line)}
    return {"begin": where.line, "end": max(where.end_line, where.line)}


def as_list(result: Result) -> list[dict]:
    notebooks = result.notebooks
    issues = []
    for finding in result.findings:
        where = place(finding.location, notebooks)
        others = [place(r.location, notebooks) for r in finding.related]
        description = f"{finding.code} {finding.name}: {finding.message}"
        if where.cell is not None:
            description = f"{where.label()}: {description}"
        if others:
            description += " (" + "; ".join(
                f"{r.kind}: {o.short()} {r.message}" for o, r in zip(others, finding.related)) + ")"
        if details(finding):
            description += " " + " ".join(f"{line}." for line in details(finding))
        issues.append({
            "type": "issue",
            "check_name": finding.code,
            "description": description,
            "categories": ["Bug Risk"],
            "severity": SEVERITIES.get(finding.severity, "major"),
            "fingerprint": finding.fingerprint,
            "engine_name": "evalparity",
            "location": {"path": where.path, "lines": _lines(where)},
            "other_locations": [{"path": o.path, "lines": _lines(o)} for o in others],
        })
    return issues


def render(result: Result, sources, echo, *, quiet: bool) -> None:
    echo(json.dumps(as_list(result), indent=2))
