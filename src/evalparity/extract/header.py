"""Where a new module-level import can go: after the module's leading docstring and import block."""

from __future__ import annotations

import libcst as cst


def _is_header(statement: cst.BaseStatement, first: bool) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    if all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body):
        return True
    return first and len(statement.body) == 1 and isinstance(statement.body[0], cst.Expr) and \
        isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))


def import_line(module: cst.Module, positions) -> int:
    """The 1-based line before which `from x import y` can be inserted (after the leading imports)."""
    line = 0
    for index, statement in enumerate(module.body):
        if not _is_header(statement, index == 0):
            if not line:
                return positions.start(statement)[0]
            break
        (_, _), (end_line, end_column) = positions.range(statement)
        line = (end_line - 1 if end_column == 0 else end_line) + 1
    return line or 1
