"""SARIF 2.1.0 (GitHub code scanning and other viewers): rule metadata with help text and URI,
`relatedLocations` for the other side (linked from the message), `partialFingerprints`.

For a notebook the region is the line of the .ipynb file that holds the flagged source line, and the
message names the cell and the line in the cell."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from evalparity import __version__
from evalparity.findings import Result
from evalparity.report import HOME, rule_url
from evalparity.report.locations import Place, place
from evalparity.vocabulary.rulebook import load_rules

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT = "evalparity/v1"


def _uri(path: str) -> dict:
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path), "uriBaseId": "%SRCROOT%"}


def _physical(where: Place) -> dict:
    if where.cell is not None:
        region = {"startLine": where.file_line, "endLine": max(where.file_end_line, where.file_line)}
    else:
        region = {"startLine": where.line, "startColumn": where.column,
                  "endLine": where.end_line, "endColumn": where.end_column}
        if (region["endLine"], region["endColumn"]) < (region["startLine"], region["startColumn"]):
            del region["endLine"], region["endColumn"]
    return {"artifactLocation": _uri(where.path), "region": region}


def _escape(text: str) -> str:
    """Plain text in a SARIF message: brackets would otherwise start an embedded link."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _rule(rule) -> dict:
    help_text = (f"{rule.what}\n\nWhy it matters\n{rule.why}\n\nExample\n{rule.example}\n"
                 f"Use instead\n{rule.use_instead}")
    help_markdown = (f"{rule.what}\n\n**Why it matters.** {rule.why}\n\n**Example**\n\n```python\n{rule.example}```\n\n"
                     f"**Use instead**\n\n```python\n{rule.use_instead}```\n\n[Documentation]({rule_url(rule.code)})")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what},
        "help": {"text": help_text, "markdown": help_markdown},
        "helpUri": rule_url(rule.code),
        "defaultConfiguration": {"level": LEVELS[rule.severity], "enabled": rule.default},
        "properties": {"tags": ["correctness", "pytorch", "evaluation"], "precision": "high",
                       "problem.severity": rule.severity},
    }


def _fixes(fix: dict) -> dict:
    """A SARIF fix: one artifactChange per file, one replacement per edit (1-based lines and columns,
    the end exclusive, as SARIF's regions are)."""
    changes: dict[str, list] = {}
    for e in fix["edits"]:
        region = {"startLine": e["line"], "startColumn": e["column"], "endLine": e["end_line"],
                  "endColumn": e["end_column"]}
        changes.setdefault(e["path"], []).append({"deletedRegion": region,
                                                   "insertedContent": {"text": e["content"]}})
    return {"description": {"text": f"{fix['description']} ({fix['applicability']} fix)"},
            "artifactChanges": [{"artifactLocation": _uri(path), "replacements": items}
                                for path, items in changes.items()]}


def as_dict(result: Result) -> dict:
    rules = load_rules()
    notebooks = getattr(result, "notebooks", {})
    used = sorted({f.code for f in result.findings})
    index = {code: i for i, code in enumerate(used)}
    results = []
    for finding in result.findings:
        where = place(finding.location, notebooks)
        text = _escape(finding.message)
        if where.cell is not None:
            text = f"cell {where.cell}, line {where.line}: {text}"
        related = []
        links = []
        for number, item in enumerate(finding.related, 1):
            there = place(item.location, notebooks)
            related.append({"id": number, "physicalLocation": _physical(there),
                            "message": {"text": f"{_escape(item.message)} ({_escape(there.short())})"}})
            links.append(f"[{_escape(there.short())}]({number})")
        if links:
            text += f" Other side: {', '.join(links)}."
        entry = {
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": LEVELS.get(finding.severity, "warning"),
            "message": {"text": text},
            "locations": [{"physicalLocation": _physical(where)}],
            "partialFingerprints": {FINGERPRINT: finding.fingerprint},
        }
        if related:
            entry["relatedLocations"] = related
        if finding.fix and finding.fix.get("edits"):
            entry["fixes"] = [_fixes(finding.fix)]
        if where.cell is not None:
            entry["properties"] = {"cell": where.cell, "cellLine": where.line, "cellColumn": where.column}
        results.append(entry)
    notifications = [{
        "level": "error" if error.kind == "internal" else "warning",
        "message": {"text": f"{error.kind}: {error.message}"},
        **({"locations": [{"physicalLocation": {"artifactLocation": _uri(error.path)}}]}
           if not error.path.startswith("<") else {}),
    } for error in result.errors]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "evalparity", "version": __version__, "semanticVersion": __version__,
                                "informationUri": HOME, "rules": [_rule(rules[code]) for code in used]}},
            "invocations": [{"executionSuccessful": not any(e.kind == "internal" for e in result.errors),
                             "toolExecutionNotifications": notifications}],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def render(result: Result, sources, echo, quiet: bool = False) -> None:
    echo(json.dumps(as_dict(result), indent=2))
