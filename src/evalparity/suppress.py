"""Suppression comments.

- `# noqa: EP101` (codes or prefixes, comma- or space-separated) on the flagged line, or on the last
  line of a flagged expression that spans several lines; a bare `# noqa` suppresses every code there.
- `# evalparity: noqa` anywhere in a file suppresses everything in it; `# evalparity: noqa: EP101, EP2`
  only those codes or prefixes.
- EP902 (unused-suppression, off by default) reports an `EP` code in a suppression that suppressed
  nothing (saying so when its rule is not enabled), or that names no rule at all. Other tools' codes (`E501`) and bare
  `# noqa` comments (which other linters read too) are never reported; a bare file-level
  `# evalparity: noqa` is.

Only real comments count (a `"# noqa"` inside a string does not): comments are found with `tokenize`,
with a line-by-line fallback for files that do not tokenize.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

from evalparity.facts import Location
from evalparity.findings import Finding

NOQA = re.compile(r"#\s*noqa(?![\w-])(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
FILE_NOQA = re.compile(r"#\s*evalparity:\s*noqa(?![\w-])(?:\s*:\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
                       re.IGNORECASE)
OWN = "EP"


@dataclass
class Directive:
    location: Location  # the comment
    codes: tuple[str, ...] | None  # None: every code
    file_level: bool
    text: str
    used: set[str] = field(default_factory=set)

    def matches(self, code: str) -> str | None:
        """The entry of this directive that covers `code` (`*` for a bare one), or None."""
        if self.codes is None:
            return "*"
        return next((c for c in self.codes if code.startswith(c)), None)


def _codes(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(c.upper() for c in re.split(r"[,\s]+", text) if c)


def _comments(lines: tuple[str, ...] | list[str]) -> list[tuple[int, int, str]]:
    """(line, 0-based column, text) of each comment."""
    source = "".join(line + "\n" for line in lines)
    if "#" not in source:
        return []
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                found.append((token.start[0], token.start[1], token.string))
        return found
    except (tokenize.TokenError, SyntaxError, IndentationError):
        found = []  # the comments met before the error are found again below: once each
    for number, line in enumerate(lines, 1):
        index = line.find("#")
        if index >= 0:
            found.append((number, index, line[index:]))
    return found


class Suppressions:
    """The suppression comments of one file, and which of them were used."""

    def __init__(self, path: str, lines: tuple[str, ...] | list[str]) -> None:
        self.path = path
        self.by_line: dict[int, list[Directive]] = {}
        self.file_level: list[Directive] = []
        if not any("noqa" in line.lower() for line in lines):
            return
        for line, column, comment in _comments(lines):
            for pattern, file_level in ((FILE_NOQA, True), (NOQA, False)):
                match = pattern.search(comment)
                if match is None:
                    continue
                start = column + match.start()
                location = Location(path, line, start + 1, line, column + len(comment) + 1)
                directive = Directive(location, _codes(match.group("codes")), file_level, match.group(0).strip())
                if file_level:
                    self.file_level.append(directive)
                else:
                    self.by_line.setdefault(line, []).append(directive)
                break  # `# evalparity: noqa` is not also a line-level noqa

    def suppress(self, finding: Finding) -> bool:
        """True when a comment suppresses the finding; the comment is marked as used."""
        loc = finding.location
        candidates = list(self.file_level)
        for line in {loc.line, loc.end_line}:
            candidates += self.by_line.get(line, [])
        hit = False
        for directive in candidates:
            entry = directive.matches(finding.code)
            if entry is not None:
                directive.used.add(entry)
                hit = True
        return hit

    def names(self, code: str, line: int) -> bool:
        """A file-level directive, or one on `line`, names this code or a prefix of it. For EP902's own
        findings, which bare comments do not hide: they would hide the report about themselves."""
        directives = self.file_level + self.by_line.get(line, [])
        return any(d.codes is not None and d.matches(code) is not None for d in directives)

    def unused(self, enabled: set[str], known: set[str]) -> list[Finding]:
        """EP902 findings: EP codes that suppressed nothing, or that name no rule."""
        findings = []
        for directive in self.file_level + [d for ds in self.by_line.values() for d in ds]:
            where = "in this file" if directive.file_level else "on this line"
            if directive.codes is None:
                if directive.file_level and not directive.used:
                    findings.append(Finding("EP902", f"`{directive.text}` suppresses nothing {where}",
                                            directive.location))
                continue
            for code in directive.codes:
                if not code.startswith(OWN) or code in directive.used:
                    continue
                covered = {k for k in known if k.startswith(code)}
                if not covered:
                    message = f"`{code}` in `{directive.text}` is not an evalparity rule"
                elif covered & enabled:
                    message = f"`{code}` in `{directive.text}` suppresses nothing {where}"
                else:
                    message = f"`{code}` in `{directive.text}` suppresses nothing: the rule is not enabled"
                findings.append(Finding("EP902", message, directive.location))
        return findings
