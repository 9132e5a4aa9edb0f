"""What a check reports."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from evalparity.facts import Location

# What a related location is, shown before its label ("role: bound to `val_tf`"): the other side of a
# pair, the evidence for a role, the call that passes or decides something, a mode switch, or a note.
OTHER_SIDE = "other side"
ROLE = "role"
CALL_SITE = "call site"
MODE_SWITCH = "mode switch"
NOTE = "note"
KINDS = (OTHER_SIDE, ROLE, CALL_SITE, MODE_SWITCH, NOTE)


@dataclass(frozen=True)
class Related:
    location: Location
    message: str
    kind: str = NOTE

    @property
    def label(self) -> str:
        return f"{self.kind}: {self.message}"


@dataclass
class Finding:
    code: str
    message: str
    location: Location
    related: list[Related] = field(default_factory=list)
    name: str = ""
    severity: str = "error"
    fix: dict | None = None
    fingerprint: str = ""
    content_print: str = ""  # the fingerprint without the path: baselines pair it with their own relative path
    cap: str | None = None  # at most this severity: the shape is accurate but rarely worth a fix (a note)
    notes: list[str] = field(default_factory=list)  # facts of this finding that have no place of their own
    help: str = ""  # what to do, when it fits one line

    @property
    def sort_key(self):
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code, self.message)


_LINE_REFS = re.compile(r":\d+(:\d+)?\b|\b(lines?|cell) \d+\b")
_COMMENT = re.compile(r"#[^\n]*")
_TRAILING_COMMA = re.compile(r",(?=[)\]}])")


def normalize_code(text: str) -> str:
    """Source text as a formatter cannot change it: no comments, whitespace or trailing commas, and one
    kind of quote (Black, Ruff format and yapf all keep the tokens otherwise)."""
    text = _COMMENT.sub("", text)
    text = "".join(text.split()).replace("'", '"')
    return _TRAILING_COMMA.sub("", text)


def flagged_text(lines, location: Location) -> str:
    """The source text of a finding's range (its lines, cut at the columns)."""
    if not lines or not (0 < location.line <= len(lines)):
        return ""
    last = min(max(location.end_line, location.line), len(lines))
    chunk = list(lines[location.line - 1:last])
    if location.end_line == location.line and location.end_column > location.column:
        return chunk[0][location.column - 1:location.end_column - 1]
    chunk[0] = chunk[0][location.column - 1:]
    if location.end_line == last and len(chunk) > 1:
        chunk[-1] = chunk[-1][:max(location.end_column - 1, 0)]
    return "\n".join(chunk)


def fingerprint(finding: Finding, line_text: str, path: str | None = None) -> str:
    """Stable when unrelated lines move and when a formatter rewrites the file: built from the code, the
    file (`path`, default the finding's own), the flagged source text and the message, with whitespace,
    comments, trailing commas, quote style and line numbers taken out."""
    message = normalize_code(_LINE_REFS.sub("", finding.message))
    raw = "\x1f".join((finding.code, finding.location.path if path is None else path, normalize_code(line_text),
                       message))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def details(finding: Finding) -> list[str]:
    """The finding's `note:` and `help:` lines, for formats that carry text after the header."""
    return [f"note: {note}" for note in finding.notes] + ([f"help: {finding.help}"] if finding.help else [])


def tidy_related(finding: Finding) -> None:
    """No related location is listed twice with the same label. Distinct labels at one place stay: the
    text report shows them as annotations of one frame (the primary's, when it is that place)."""
    seen = set()
    kept = []
    for item in finding.related:
        if (item.location, item.label) in seen:
            continue
        seen.add((item.location, item.label))
        kept.append(item)
    finding.related = kept


def disambiguate(findings: list[Finding]) -> None:
    """Identical findings (same code, file, text and message) get distinct fingerprints, numbered in
    file order, so a baseline or a code-quality report can count them."""
    seen: dict[str, int] = {}
    for finding in findings:
        count = seen.get(finding.fingerprint, 0)
        seen[finding.fingerprint] = count + 1
        if count:
            raw = f"{finding.fingerprint}\x1f{count}"
            finding.fingerprint = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


@dataclass
class Result:
    findings: list[Finding]
    errors: list  # of discovery.paths.FileError: files skipped or in error
    files_checked: int
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notebooks: dict = field(default_factory=dict)  # path → notebooks.NotebookSource (cell locations)
    baselined: int = 0  # findings hidden because the baseline has them
    unsafe_fixes: bool = False  # unsafe fixes count as available (`--unsafe-fixes`)
    files_analysed: int | None = None  # of files_checked, those with something to check
    show_fixes: bool = False  # list the fixes applied or available after the summary (`--show-fixes`)
    applied_fixes: list | None = None  # the findings whose fixes `--fix` applied (None: not fixing)
