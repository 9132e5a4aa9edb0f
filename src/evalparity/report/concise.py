"""One line per finding: path:line:col: CODE [severity] message (other side: path:line)."""

from __future__ import annotations

from ..engine import Result
from .summary import summary_line


def render(result: Result, sources, echo) -> None:
    for finding in result.findings:
        loc = finding.location
        other = "; ".join(f"{r.location.path}:{r.location.line}" for r in finding.related)
        tail = f" (see {other})" if other else ""
        echo(f"{loc.path}:{loc.line}:{loc.column}: {finding.code} [{finding.severity}] {finding.message}{tail}")
    for error in result.errors:
        echo(f"{error.path}: error ({error.kind}): {error.message}")
    echo(summary_line(result))
