"""The stable JSON contract of architecture.md. For a notebook, `line`/`end_line` are lines within the
cell named by `cell` (1-based, every cell counted); `cell` is null for Python files."""

from __future__ import annotations

import json

from evalparity import __version__
from evalparity.findings import Result
from evalparity.report.locations import place
from evalparity.report.summary import severity_counts


def _fix(fix: dict | None, notebooks) -> dict | None:
    """`{applicability, description, edits}`; edits in files only (a notebook's are not applied)."""
    if not fix:
        return None
    edits = [{key: e[key] for key in ("path", "line", "column", "end_line", "end_column", "content")}
             for e in fix.get("edits", ()) if e["path"] not in notebooks]
    return {"applicability": fix["applicability"], "description": fix["description"], "edits": edits}


def as_dict(result: Result) -> dict:
    notebooks = result.notebooks
    findings = []
    for f in result.findings:
        where = place(f.location, notebooks)
        related = []
        for r in f.related:
            there = place(r.location, notebooks)
            related.append({"path": there.path, "line": there.line, "column": there.column, "cell": there.cell,
                            "kind": r.kind, "message": r.message})
        findings.append({
            "code": f.code, "name": f.name, "severity": f.severity, "message": f.message,
            "path": where.path, "line": where.line, "column": where.column,
            "end_line": where.end_line, "end_column": where.end_column, "cell": where.cell,
            "related": related, "notes": list(f.notes), "help": f.help or None,
            "fingerprint": f.fingerprint, "fix": _fix(f.fix, notebooks),
        })
    summary = {"files": result.files_checked, "findings": len(result.findings),
               "by_severity": severity_counts(result), "errors": len(result.errors)}
    if result.baselined:
        summary["baselined"] = result.baselined
    return {
        "version": 1,
        "tool": {"name": "evalparity", "version": __version__},
        "summary": summary,
        "findings": findings,
        "errors": [{"path": e.path, "kind": e.kind, "message": e.message} for e in result.errors],
    }


def render(result: Result, sources, echo, *, quiet: bool) -> None:
    echo(json.dumps(as_dict(result), indent=2))
