"""SARIF 2.1.0 (GitHub code scanning and other viewers): rule metadata with help text and URI,
`relatedLocations` for the other side (linked from the message), `partialFingerprints`.

For a notebook the region is the line of the .ipynb file that holds the flagged source line, and the
message names the cell and the line in the cell.

URIs are relative to the repository root (the nearest folder from the current one up with `.git`, else the
project root), with `uriBaseId` `%SRCROOT%`, which `originalUriBaseIds` maps to the root's absolute
`file:` URI: viewers that know the checkout (GitHub code scanning) resolve them whatever folder evalparity
ran in. A file outside the root gets its absolute `file:` URI."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from evalparity import __version__
from evalparity.discovery.paths import project_home
from evalparity.findings import Result, details
from evalparity.report import HOME, rule_url
from evalparity.report.locations import Place, place
from evalparity.vocabulary.rulebook import load_rules

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT = "evalparity/v1"


ROOT_ID = "%SRCROOT%"


def source_root() -> Path:
    """The repository root: the nearest folder from the current one up with `.git`, else the project root."""
    return _root_of(os.getcwd())


@lru_cache(maxsize=8)
def _root_of(here: str) -> Path:
    start = Path(here)
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return project_home(start)


def _root_uri(root: Path) -> str:
    uri = root.as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _uri(path: str, root: Path | None = None) -> dict:
    """A file's location relative to the repository root (`%SRCROOT%`), or its absolute URI outside it."""
    root = root or source_root()
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(root)
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": quote(relative.as_posix()), "uriBaseId": ROOT_ID}


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
    notebooks = result.notebooks
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
                            "message": {"text": f"{_escape(item.label)} ({_escape(there.short())})"}})
            links.append(f"[{_escape(there.short())}]({number}) ({_escape(item.kind)})")
        for line in details(finding):
            text += f"\n{_escape(line)}"
        if links:
            text += f"\nSee also: {', '.join(links)}."
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
    root = source_root()
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "evalparity", "version": __version__, "semanticVersion": __version__,
                                "informationUri": HOME, "rules": [_rule(rules[code]) for code in used]}},
            "invocations": [{"executionSuccessful": not any(e.kind == "internal" for e in result.errors),
                             "toolExecutionNotifications": notifications}],
            "originalUriBaseIds": {ROOT_ID: {"uri": _root_uri(root),
                                             "description": {"text": "The root of the repository"}}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def render(result: Result, sources, echo, *, quiet: bool) -> None:
    echo(json.dumps(as_dict(result), indent=2))
