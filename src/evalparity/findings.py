"""What a check reports."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from .facts import Location


@dataclass(frozen=True)
class Related:
    location: Location
    message: str


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

    @property
    def sort_key(self):
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code, self.message)


_LINE_REFS = re.compile(r":\d+(:\d+)?\b")


def fingerprint(finding: Finding, line_text: str) -> str:
    """Stable when unrelated lines move: built from the code, file, flagged source text and message
    with line numbers removed."""
    message = _LINE_REFS.sub("", finding.message)
    raw = "\x1f".join((finding.code, finding.location.path, " ".join(line_text.split()), message))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]
