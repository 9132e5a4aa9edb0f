"""Jupyter notebooks: code cells joined as one module, IPython syntax neutralised line for line.

Line N of the joined module is one line of one cell, so a finding's line maps back to
(cell number, line in the cell); cell numbers count every cell of the notebook from 1, the way a reader
scrolls through it. Magics (`%time x`, `%%bash`), shell escapes (`!pip install`), `x = !ls` and help
(`obj?`) become `pass` statements (or `None`) on the same line, so nothing shifts. A cell that already
parses as Python is kept as it is (a `%` inside a string is left alone).
"""

from __future__ import annotations

import ast
import json
import re
from bisect import bisect_right
from dataclasses import dataclass

# Cell magics whose body is Python: only the magic line is neutralised.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit", "profile", "python",
                                "python3", "pypy", "snakeviz", "scalene", "tensorflow", "cython_inline"})
_ASSIGN_MAGIC = re.compile(r"^(\s*[\w.\[\], ]+?\s*=\s*)([!%].*)$")
_HELP = re.compile(r"^\s*(\?\??[\w.]*|[\w.]+\?\??)\s*$")
_FLAGS = ast.PyCF_ONLY_AST | getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)


class NotebookError(Exception):
    """Not a readable notebook (bad JSON, no cells list)."""


@dataclass(frozen=True)
class Cell:
    number: int  # 1-based, counting every cell (markdown too)
    first_line: int  # line of the cell's first line in the joined module
    line_count: int
    raw_lines: tuple[int, ...]  # for each line of the cell: its line in the .ipynb file (0: unknown)


@dataclass(frozen=True)
class NotebookSource:
    code: str
    cells: tuple[Cell, ...]

    def cell_at(self, line: int) -> Cell | None:
        starts = [c.first_line for c in self.cells]
        index = bisect_right(starts, line) - 1
        if index < 0:
            return None
        cell = self.cells[index]
        return cell if line < cell.first_line + cell.line_count else None

    def locate(self, line: int) -> tuple[int, int] | None:
        """(cell number, line in the cell) of a line of the joined module."""
        cell = self.cell_at(line)
        return None if cell is None else (cell.number, line - cell.first_line + 1)

    def raw_line(self, line: int) -> int:
        """The line of the .ipynb file that holds this source line (1 when unknown)."""
        cell = self.cell_at(line)
        if cell is None:
            return 1
        return cell.raw_lines[line - cell.first_line] or 1


def notebook_source(data: bytes | str) -> NotebookSource:
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    try:
        notebook = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotebookError(f"not a notebook (invalid JSON: {exc})") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise NotebookError("not a notebook (no `cells` list)")
    if not _is_python(notebook):
        return NotebookSource("", ())
    raw = _RawLines(text)
    lines: list[str] = []
    cells: list[Cell] = []
    for number, cell in enumerate(notebook["cells"], 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        parts = source if isinstance(source, list) else [source]
        parts = [p for p in parts if isinstance(p, str)]
        cell_lines: list[str] = []
        raw_lines: list[int] = []
        for part in parts:
            where = raw.find(part)
            pieces = part.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            if pieces and pieces[-1] == "":
                pieces.pop()
            cell_lines.extend(pieces)
            raw_lines.extend([where] * len(pieces))
        if not cell_lines:
            continue
        cell_lines = neutralise(cell_lines)
        cells.append(Cell(number, len(lines) + 1, len(cell_lines), tuple(raw_lines)))
        lines.extend(cell_lines)
    return NotebookSource("".join(line + "\n" for line in lines), tuple(cells))


def _is_python(notebook: dict) -> bool:
    metadata = notebook.get("metadata") if isinstance(notebook.get("metadata"), dict) else {}
    info = metadata.get("language_info") if isinstance(metadata.get("language_info"), dict) else {}
    kernel = metadata.get("kernelspec") if isinstance(metadata.get("kernelspec"), dict) else {}
    language = info.get("name") or kernel.get("language") or "python"
    return str(language).lower().startswith("python")


def neutralise(lines: list[str]) -> list[str]:
    """Replace IPython-only lines by Python statements on the same line (the count never changes)."""
    try:
        compile("\n".join(lines) + "\n", "<cell>", "exec", flags=_FLAGS, dont_inherit=True)
        return lines
    except (SyntaxError, ValueError):
        pass
    out = list(lines)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        name = lines[first].strip()[2:].split(maxsplit=1)[0] if lines[first].strip()[2:] else ""
        if name not in PYTHON_CELL_MAGICS:
            return ["# " + line if line.strip() else line for line in lines]
        out[first] = _pass(lines[first])
        lines = out
    for index, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")) or _HELP.match(line):
            out[index] = _pass(line)
            continue
        match = _ASSIGN_MAGIC.match(line)
        if match:
            out[index] = f"{match.group(1)}None  # {match.group(2)}"
    return out


def _pass(line: str) -> str:
    indent = line[: len(line) - len(line.lstrip())]
    return f"{indent}pass  # {line.strip()}"


class _RawLines:
    """Finds each source string of the notebook's JSON text in order, to know its line in the file."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.offset = 0
        self.line = 1
        self.line_offset = 0

    def find(self, part: str) -> int:
        best = -1
        for encoded in {json.dumps(part), json.dumps(part, ensure_ascii=False)}:
            index = self.text.find(encoded, self.offset)
            if index >= 0 and (best < 0 or index < best):
                best, length = index, len(encoded)
        if best < 0:
            return 0
        self.line += self.text.count("\n", self.line_offset, best)
        self.line_offset = best
        self.offset = best + length
        return self.line


# ---- rewriting cells (for fixes) ------------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class SourceSpan:
    """Where a cell's `source` value is in the notebook's JSON text: offsets of the whole value and, for
    a list, of each of its strings."""

    start: int
    end: int
    parts: tuple[tuple[int, int], ...]
    is_list: bool


def _skip(text: str, index: int) -> int:
    return _WS.match(text, index).end()


def _members(text: str, index: int):
    """(key, value start, value end) of the object at `index`, in the order of the text."""
    if text[index] != "{":
        raise ValueError(f"expected an object at offset {index}")
    index = _skip(text, index + 1)
    if text[index] == "}":
        return
    while True:
        if text[index] != '"':
            raise ValueError(f"expected a key at offset {index}")
        key, index = json.decoder.scanstring(text, index + 1)
        index = _skip(text, index)
        if text[index] != ":":
            raise ValueError(f"expected ':' at offset {index}")
        start = _skip(text, index + 1)
        _, end = _DECODER.raw_decode(text, start)
        yield key, start, end
        index = _skip(text, end)
        if text[index] == "}":
            return
        if text[index] != ",":
            raise ValueError(f"expected ',' at offset {index}")
        index = _skip(text, index + 1)


def _elements(text: str, index: int):
    """(start, end) of each value of the array at `index`."""
    if text[index] != "[":
        raise ValueError(f"expected an array at offset {index}")
    index = _skip(text, index + 1)
    if text[index] == "]":
        return
    while True:
        _, end = _DECODER.raw_decode(text, index)
        yield index, end
        index = _skip(text, end)
        if text[index] == "]":
            return
        if text[index] != ",":
            raise ValueError(f"expected ',' at offset {index}")
        index = _skip(text, index + 1)


def source_spans(text: str) -> dict[int, SourceSpan]:
    """Cell number (1-based, every cell) → where its `source` is in the JSON text."""
    try:
        spans: dict[int, SourceSpan] = {}
        start = _skip(text, 0)
        for key, value, _ in _members(text, start):
            if key != "cells":
                continue
            for number, (cell, _end) in enumerate(_elements(text, value), 1):
                if text[cell] != "{":
                    continue
                for name, begin, end in _members(text, cell):
                    if name == "source":
                        is_list = text[begin] == "["
                        parts = tuple(_elements(text, begin)) if is_list else ((begin, end),)
                        spans[number] = SourceSpan(begin, end, parts, is_list)
        return spans
    except (ValueError, IndexError) as exc:
        raise NotebookError(f"cannot locate the cells in the notebook's JSON ({exc})") from None


def cell_lines(cell: dict) -> tuple[list[str], bool] | None:
    """A code cell's lines as `notebook_source` joins them (before neutralising) and whether its source
    ends with a newline; None when its strings do not split into lines cleanly (a string that is not the
    last one and does not end a line), so that the cell cannot be rewritten line for line."""
    source = cell.get("source", "")
    parts = source if isinstance(source, list) else [source]
    if not all(isinstance(p, str) for p in parts) or any(not p.endswith("\n") for p in parts[:-1]):
        return None
    text = "".join(parts).replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines, text.endswith("\n")


def _json_lines(source: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+$", source)


def rewrite_sources(text: str, sources: dict[int, str]) -> str:
    """The notebook's JSON text with these cells' sources replaced (cell number → new source), and every
    other byte as it was: a list of strings stays a list (one string a line, with the indentation and
    separators the file already uses), a string stays a string, and non-ASCII text is written as the file
    writes it (escaped or not)."""
    spans = source_spans(text)
    edits = []
    for number, source in sources.items():
        span = spans.get(number)
        if span is None:
            raise NotebookError(f"cell {number} has no source to rewrite")
        raw = text[span.start:span.end]
        decoded = _DECODER.decode(raw)
        flat = "".join(decoded) if isinstance(decoded, list) else decoded
        escaped = raw.isascii() and not flat.isascii()
        if span.is_list and span.parts:
            first, last = span.parts[0], span.parts[-1]
            prefix = text[span.start + 1:first[0]]
            separator = text[first[1]:span.parts[1][0]] if len(span.parts) > 1 else "," + (prefix or " ")
            suffix = text[last[1]:span.end - 1]
            items = [json.dumps(line, ensure_ascii=escaped) for line in _json_lines(source)]
            value = "[" + prefix + separator.join(items) + suffix + "]" if items else "[]"
        elif span.is_list:
            value = json.dumps(_json_lines(source), ensure_ascii=escaped)
        else:
            value = json.dumps(source, ensure_ascii=escaped)
        edits.append((span.start, span.end, value))
    for start, end, value in sorted(edits, reverse=True):
        text = text[:start] + value + text[end:]
    return text
