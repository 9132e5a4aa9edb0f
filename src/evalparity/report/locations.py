"""Where a location is, as a reader sees it: `path:line:col`, or for a notebook `nb.ipynb:cell 3:5:9`
(cell 3, line 5 of the cell, column 9), the form Ruff prints."""

from __future__ import annotations

from dataclasses import dataclass

from evalparity.facts import Location


@dataclass(frozen=True)
class Place:
    path: str
    line: int  # in the file, or in the cell for a notebook
    column: int
    end_line: int
    end_column: int
    cell: int | None = None  # notebook cell number (1-based, every cell counted)
    file_line: int = 0  # line of the file on disk (for a notebook: the line of its JSON)
    file_end_line: int = 0

    def label(self) -> str:
        if self.cell is not None:
            return f"{self.path}:cell {self.cell}:{self.line}:{self.column}"
        return f"{self.path}:{self.line}:{self.column}"

    def short(self) -> str:
        if self.cell is not None:
            return f"{self.path}:cell {self.cell}:{self.line}"
        return f"{self.path}:{self.line}"


def place(location: Location, notebooks: dict | None) -> Place:
    notebook = (notebooks or {}).get(location.path)
    if notebook is None:
        return Place(location.path, location.line, location.column, location.end_line, location.end_column,
                     None, location.line, location.end_line)
    found = notebook.locate(location.line)
    if found is None:
        return Place(location.path, location.line, location.column, location.end_line, location.end_column,
                     None, 1, 1)
    cell, line = found
    end = notebook.locate(location.end_line)
    if end is not None and end[0] == cell:
        end_line, end_column = end[1], location.end_column
    else:  # clamp to the cell
        end_line, end_column = line, location.column
    return Place(location.path, line, location.column, end_line, end_column, cell,
                 notebook.raw_line(location.line), notebook.raw_line(location.end_line))
