"""Apply the fixes that findings carry (see evalparity.fixes for their shape).

Per file: decode as Python does (BOM, PEP 263 declaration), take the fixes in file order and skip any
that overlaps one already taken or whose `original` text is no longer there (the next round picks it
up after a re-check), write new lines with the file's own line ending, re-parse the result with libcst
and refuse it when it does not parse, then encode with the same encoding and replace the file
atomically (a temporary file in the same folder, the same mode, os.replace).

A notebook's fixes are in the coordinates of its joined code cells: each is mapped to the one cell it
edits (a fix spread over several cells is not applied), applied to that cell's own source, and the cell's
`source` is rewritten in the .ipynb JSON with every other byte of the file left as it was."""

from __future__ import annotations

import difflib
import io
import os
import stat
import tokenize
from dataclasses import dataclass, field
from types import SimpleNamespace

import libcst as cst

from evalparity.atomic import replace_file
from evalparity.discovery.paths import current_bytes
from evalparity.fixes import SAFE

# A fix waits while a fix of these rules is pending in the same file: it may make it unnecessary
# (`model.eval` → `model.eval()` puts the model in eval mode; EP501's own `.eval()` would be a second one).
WAITS_FOR = {"EP501": {"EP504"}}


@dataclass
class FileChange:
    path: str
    before: bytes
    after: bytes
    fixed: int  # findings fixed in this file
    error: str | None = None  # why the file was left alone
    findings: list = field(default_factory=list)  # the findings whose fixes were applied


@dataclass
class FixRun:
    changes: list[FileChange] = field(default_factory=list)

    @property
    def errors(self) -> list[FileChange]:
        return [c for c in self.changes if c.error is not None]

    def changed(self) -> list[FileChange]:
        return [c for c in self.changes if c.error is None and c.after != c.before]


def applicable(finding, unsafe: bool) -> bool:
    fix = finding.fix
    return bool(fix and fix.get("edits")) and (fix.get("applicability") == SAFE or unsafe)


def plan(findings, unsafe: bool, allowed: set[str] | None = None) -> dict[str, list]:
    """Fixes by file. A fix with edits in several files is left out (every fix here edits one file)."""
    by_file: dict[str, list] = {}
    for finding in findings:
        if not applicable(finding, unsafe):
            continue
        paths = {e["path"] for e in finding.fix["edits"]}
        if len(paths) != 1:
            continue
        path = paths.pop()
        if allowed is not None and path not in allowed:
            continue
        by_file.setdefault(path, []).append(finding)
    for path, items in by_file.items():
        pending = {f.code for f in items}
        by_file[path] = [f for f in items if not WAITS_FOR.get(f.code, set()) & pending]
    return by_file


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) as Python reads a source file; a BOM gives utf-8-sig."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding), encoding


def newline_of(text: str) -> str:
    for index, char in enumerate(text):
        if char == "\r":
            return "\r\n" if text.startswith("\r\n", index) else "\r"
        if char == "\n":
            return "\n"
    return "\n"


def _line_starts(text: str) -> list[int]:
    starts = [0]
    index, size = 0, len(text)
    while index < size:
        char = text[index]
        if char == "\r":
            index += 2 if text.startswith("\r\n", index) else 1
            starts.append(index)
        elif char == "\n":
            index += 1
            starts.append(index)
        else:
            next_r, next_n = text.find("\r", index), text.find("\n", index)
            candidates = [i for i in (next_r, next_n) if i >= 0]
            if not candidates:
                break
            index = min(candidates)
    return starts


def _offset(starts: list[int], text: str, line: int, column: int) -> int | None:
    if line == len(starts) + 1 and column == 1:
        return len(text)
    if not 0 < line <= len(starts):
        return None
    offset = starts[line - 1] + column - 1
    return offset if offset <= len(text) else None


def _normal(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def apply_fixes(text: str, findings) -> tuple[str, list]:
    """Apply the findings' fixes to one file's text: (new text, the findings whose fixes were applied)."""
    starts = _line_starts(text)
    newline = newline_of(text)
    taken: list[tuple[int, int, str]] = []
    fixed = []
    ordered = sorted(findings, key=lambda f: min((e["line"], e["column"]) for e in f.fix["edits"]))
    for finding in ordered:
        spans = []
        for e in finding.fix["edits"]:
            start = _offset(starts, text, e["line"], e["column"])
            end = _offset(starts, text, e["end_line"], e["end_column"])
            if start is None or end is None or end < start or _normal(text[start:end]) != e["original"]:
                spans = None
                break
            spans.append((start, end, e["content"].replace("\n", newline)))
        if not spans or any(_overlaps(span, other) for span in spans for other in taken) or \
                any(_overlaps(a, b) for i, a in enumerate(spans) for b in spans[i + 1:]):
            continue
        taken += spans
        fixed.append(finding)
    for start, end, content in sorted(taken, reverse=True):  # no two taken spans share (start, end)
        text = text[:start] + content + text[end:]
    return text, fixed


def _overlaps(a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    """Spans that touch the same characters, or two insertions at the same point (their order is unknown)."""
    if a[0] == a[1] or b[0] == b[1]:
        return a[0] == b[0] or (a[0] < b[0] < a[1]) or (b[0] < a[0] < b[1])
    return a[0] < b[1] and b[0] < a[1]


def fix_file(path: str, findings, current: bytes | None = None) -> FileChange:
    """Fix one file, starting from `current` (fixes of earlier rounds, not yet written) or the file (its
    replacing contents while `discovery.paths.overriding` them: standard input, an editor's buffer)."""
    try:
        before = current_bytes(path) if current is None else current
    except OSError as exc:
        return FileChange(path, b"", b"", 0, f"cannot read: {exc.strerror or exc}")
    if path.endswith(".ipynb"):
        return fix_notebook(path, findings, before)
    try:
        text, encoding = decode(before)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        return FileChange(path, before, before, 0, f"cannot decode: {exc}")
    new_text, applied = apply_fixes(text, findings)
    if not applied:
        return FileChange(path, before, before, 0)
    try:
        after = new_text.encode(encoding)
    except UnicodeEncodeError as exc:
        return FileChange(path, before, before, 0, f"the fixed text cannot be written as {encoding}: {exc.reason}")
    try:
        cst.parse_module(after)
    except Exception as exc:  # libcst raises ParserSyntaxError, and others on odd input
        return FileChange(path, before, before, 0, f"the fixed file would not parse ({type(exc).__name__}); left unchanged")
    return FileChange(path, before, after, len(applied), findings=applied)


def _in_cell(edit: dict, cell) -> dict | None:
    """The edit in the coordinates of the cell's own text, or None when it reaches outside the cell (its
    end may be just after the cell's last line: the end of the cell's text)."""
    first, last = cell.first_line, cell.first_line + cell.line_count - 1
    if not first <= edit["line"] <= last:
        return None
    if not (edit["end_line"] <= last or (edit["end_line"] == last + 1 and edit["end_column"] == 1)):
        return None
    return {**edit, "line": edit["line"] - first + 1, "end_line": edit["end_line"] - first + 1}


def fix_notebook(path: str, findings, before: bytes) -> FileChange:
    """Fix the code cells of a notebook and write each changed cell back into the JSON (see the module)."""
    import json

    from evalparity.discovery.notebooks import NotebookError, cell_lines, neutralise, notebook_source, rewrite_sources

    bom = b"\xef\xbb\xbf" if before.startswith(b"\xef\xbb\xbf") else b""
    try:
        text = before[len(bom):].decode("utf-8")
        layout = notebook_source(text)
        cells = json.loads(text)["cells"]
    except (UnicodeDecodeError, NotebookError, ValueError, KeyError, TypeError) as exc:
        return FileChange(path, before, before, 0, f"cannot read the notebook: {exc}")
    by_cell: dict[int, list] = {}
    for finding in findings:
        edits = finding.fix["edits"]
        cell = layout.cell_at(edits[0]["line"])
        local = [_in_cell(e, cell) for e in edits] if cell is not None else [None]
        if all(local):
            by_cell.setdefault(cell.number, []).append(SimpleNamespace(fix={"edits": local}, finding=finding))
    sources: dict[int, str] = {}
    applied = []
    for number, items in sorted(by_cell.items()):
        read = cell_lines(cells[number - 1])
        cell = next(c for c in layout.cells if c.number == number)
        if read is None or len(read[0]) != cell.line_count:
            continue  # its strings do not map line for line: left alone
        lines, ends_with_newline = read
        new_text, done = apply_fixes("".join(line + "\n" for line in lines), items)
        if not done:
            continue
        new_lines = new_text.split("\n")[:-1] if new_text.endswith("\n") else new_text.split("\n")
        try:
            cst.parse_module("".join(line + "\n" for line in neutralise(new_lines)))
        except Exception as exc:  # libcst raises ParserSyntaxError, and others on odd input
            return FileChange(path, before, before, 0, f"cell {number} would not parse after the fixes "
                                                       f"({type(exc).__name__}); left unchanged")
        sources[number] = new_text if ends_with_newline or not new_text.endswith("\n") else new_text[:-1]
        applied += [item.finding for item in done]
    if not sources:
        return FileChange(path, before, before, 0)
    try:
        after = bom + rewrite_sources(text, sources).encode("utf-8")
    except NotebookError as exc:
        return FileChange(path, before, before, 0, str(exc))
    return FileChange(path, before, after, len(applied), findings=applied)


def fix_all(findings, unsafe: bool, allowed: set[str] | None = None, contents: dict[str, bytes] | None = None) -> FixRun:
    """Compute the changes (nothing is written), from `contents` where a file has already been fixed."""
    contents = contents or {}
    return FixRun([fix_file(path, items, contents.get(path))
                   for path, items in sorted(plan(findings, unsafe, allowed).items()) if items])


def write_atomic(path: str, data: bytes) -> None:
    """Replace a file's content through a temporary file in the same folder, keeping its mode."""
    target = os.path.realpath(path)
    mode = stat.S_IMODE(os.stat(target).st_mode)
    replace_file(target, data, mode=mode, durable=True)


def unified_diff(change: FileChange) -> str:
    before, _ = decode(change.before)
    after, _ = decode(change.after)
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=f"a/{change.path}", tofile=f"b/{change.path}")
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
                   for line in lines)
