"""Fixes as data: a check attaches `fix = {applicability, description, edits}` to its finding, where each
edit is an exact text replacement computed from facts (locations and the file's source lines), never
from a syntax tree. `evalparity.fixes.apply` applies them.

An edit is `{path, line, column, end_line, end_column, content, original}`: 1-based lines and columns
counted in characters, the end exclusive, `original` the text the span must still hold (a fix whose
file changed since the analysis is skipped), and `content` written with `\\n` for new lines (the fixer
uses the file's own line ending).

`rules` builds each rule's fix, `counterparts` reads the table of evaluation counterparts, `apply`
applies fixes to files (encoding, line endings, atomic writes) and `rounds` runs `--fix`/`--diff`: fixes
applied in memory, the project checked again, and only fixes that introduce no finding kept.

May import: `facts`, `findings`, `vocabulary`, `discovery` and libcst (to check that a fixed file still
parses). Must not import `checks` (checks call the builders here), `relate`, `report` or the engine
(`rounds` is handed the function that re-checks).
"""

from __future__ import annotations

import ast
import re

from evalparity.facts import Location

SAFE, UNSAFE = "safe", "unsafe"
_TRAILER = re.compile(r"\s*,?\s*(#.*)?$")
_INDENT = re.compile(r"\s*")


class Source:
    """The source lines of one file, for computing edits (the facts keep them)."""

    def __init__(self, path: str, lines) -> None:
        self.path = path
        self.lines = tuple(lines or ())

    @classmethod
    def of(cls, project, path: str) -> "Source | None":
        facts = project.facts(path) if hasattr(project, "facts") else project.files.get(path)
        if facts is None or not facts.lines:
            return None
        return cls(path, facts.lines)

    def line(self, number: int) -> str:
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def text(self, line: int, column: int, end_line: int, end_column: int) -> str:
        if line == end_line:
            return self.line(line)[column - 1:end_column - 1]
        parts = [self.line(line)[column - 1:]]
        parts += [self.line(n) for n in range(line + 1, end_line)]
        parts.append(self.line(end_line)[:end_column - 1])
        return "\n".join(parts)

    def edit(self, line: int, column: int, end_line: int, end_column: int, content: str) -> dict:
        return {"path": self.path, "line": line, "column": column, "end_line": end_line, "end_column": end_column,
                "content": content, "original": self.text(line, column, end_line, end_column)}

    def replace(self, loc: Location, content: str) -> dict:
        return self.edit(loc.line, loc.column, loc.end_line, loc.end_column, content)

    def value_span(self, loc: Location) -> Location:
        """An expression's span with the parentheses of a tuple (libcst's spans leave them out)."""
        text = self.text(loc.line, loc.column, loc.end_line, loc.end_column)
        try:
            parsed = ast.parse(text.strip(), mode="eval").body
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            return loc
        if not isinstance(parsed, ast.Tuple) or _parenthesized(text):
            return loc
        prev, nxt = self.before(loc.line, loc.column), self.after(loc.end_line, loc.end_column)
        if prev is None or nxt is None or prev[0] != "(" or nxt[0] != ")":
            return loc
        return Location(loc.path, prev[1], prev[2], nxt[1], nxt[2] + 1)

    def insert(self, line: int, column: int, content: str) -> dict:
        return self.edit(line, column, line, column, content)

    # scanning ---------------------------------------------------------------------------------
    def before(self, line: int, column: int) -> tuple[str, int, int] | None:
        """The nearest code character before a position, skipping blanks and comment-only lines:
        (character, line, column)."""
        text = self.line(line)[:column - 1]
        while True:
            stripped = text.rstrip()
            if stripped and not stripped.lstrip().startswith("#"):
                return stripped[-1], line, len(stripped)
            line -= 1
            if line < 1:
                return None
            text = self.line(line)
            if "#" in text and not _has_string(text):
                text = text[:text.index("#")]

    def after(self, line: int, column: int) -> tuple[str, int, int] | None:
        """The nearest code character at or after a position on the same line: (character, line, column)."""
        text = self.line(line)
        rest = text[column - 1:]
        stripped = rest.lstrip()
        if not stripped or stripped.startswith("#"):
            return None
        return stripped[0], line, column + len(rest) - len(stripped)

    def owns_lines(self, loc: Location) -> bool:
        """The span is alone on its lines (only indentation before it; a comma and a comment after)."""
        return not self.line(loc.line)[:loc.column - 1].strip() and \
            _TRAILER.fullmatch(self.line(loc.end_line)[loc.end_column - 1:]) is not None

    def indent(self, line: int) -> str:
        return _INDENT.match(self.line(line)).group(0)


def _parenthesized(text: str) -> bool:
    """The text is one expression in its own parentheses (`(0.5, 0.5)`), not a tuple whose first element
    has some (`(0.5), 0.5`, whose parentheses are still outside the span)."""
    text = text.strip()
    if not (text.startswith("(") and text.endswith(")")):
        return False
    try:
        ast.parse(text[1:-1], mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return True


def _has_string(text: str) -> bool:
    return "'" in text or '"' in text


def fix(applicability: str, description: str, edits: list[dict] | None) -> dict | None:
    """A fix, or None when there is nothing to edit or two of its edits touch the same text (which could
    only be applied by dropping one of them: the fix would not do what it says)."""
    if not edits or _overlapping(edits):
        return None
    return {"applicability": applicability, "description": description, "edits": edits}


def _overlapping(edits: list[dict]) -> bool:
    spans = sorted(((e["path"], e["line"], e["column"]), (e["path"], e["end_line"], e["end_column"])) for e in edits)
    return any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:]))


def in_sequence(src: Source, loc: Location, openers: str = "[,") -> bool:
    """The span is an element of a list, tuple or argument list: a bracket or comma before it, and a
    comma or closing bracket after it."""
    prev = src.before(loc.line, loc.column)
    nxt = src.after(loc.end_line, loc.end_column)
    if prev is None or prev[0] not in openers:
        return False
    if nxt is None:  # the line ends after the element: the next code line decides
        following = next((src.line(n).strip() for n in range(loc.end_line + 1, len(src.lines) + 1)
                          if src.line(n).strip() and not src.line(n).strip().startswith("#")), "")
        return following[:1] in (",", "]", ")")
    return nxt[0] in ",])"


def remove_element(src: Source, loc: Location, openers: str = "[,") -> list[dict] | None:
    """Edits that take an element (and its comma) out of a sequence, or None when unsure."""
    if not in_sequence(src, loc, openers):
        return None
    if src.owns_lines(loc):
        return [src.edit(loc.line, 1, loc.end_line + 1, 1, "")] if loc.end_line < len(src.lines) else None
    nxt = src.after(loc.end_line, loc.end_column)
    if nxt is not None and nxt[0] == ",":
        rest = src.line(loc.end_line)[nxt[2]:]
        end = nxt[2] + 1 + (len(rest) - len(rest.lstrip()))
        return [src.edit(loc.line, loc.column, loc.end_line, end, "")]
    prev = src.before(loc.line, loc.column)
    if prev[0] == ",":
        return [src.edit(prev[1], prev[2], loc.end_line, loc.end_column, "")]
    return [src.replace(loc, "")]


def replace_element(src: Source, loc: Location, items: list[str]) -> list[dict] | None:
    """Replace one element of a sequence by one or more, one per line when the element had its own line."""
    if not in_sequence(src, loc):
        return None
    if not items:
        return remove_element(src, loc)
    joiner = ",\n" + src.indent(loc.line) if src.owns_lines(loc) else ", "
    return [src.replace(loc, joiner.join(items))]


def insert_after(src: Source, loc: Location, item: str) -> list[dict] | None:
    """Insert an element after another one of a sequence."""
    if not in_sequence(src, loc):
        return None
    nxt = src.after(loc.end_line, loc.end_column)
    if src.owns_lines(loc) and nxt is not None and nxt[0] == "," and loc.end_line < len(src.lines):
        return [src.insert(loc.end_line + 1, 1, f"{src.indent(loc.line)}{item},\n")]
    return [src.insert(loc.end_line, loc.end_column, f", {item}")]


def keyword_spans(src: Source, loc: Location, name: str) -> tuple[Location | None, Location]:
    """(span of `name=value`, span of the value) from an argument's span, which starts at its keyword when
    it has one (the keyword span is None for a positional argument, or a value given another way)."""
    head = src.line(loc.line)[loc.column - 1:]
    match = re.match(rf"{re.escape(name)}\s*=\s*", head)
    if match is None:
        return None, loc
    return loc, Location(loc.path, loc.line, loc.column + match.end(), loc.end_line, loc.end_column)


def single_line(text: str) -> str | None:
    """An expression's collapsed text, when it can be pasted elsewhere (no comment inside)."""
    return None if "#" in text or "\n" in text else text
