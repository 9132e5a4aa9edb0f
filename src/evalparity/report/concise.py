"""One line per finding: path:line:col: CODE [severity] message (see other side's path:line)."""

from __future__ import annotations

from evalparity.findings import Result
from evalparity.report.locations import place
from evalparity.report.summary import fixable, fixable_line, fixes_lines, summary_line


def render(result: Result, sources, echo, *, quiet: bool) -> None:
    notebooks = result.notebooks
    for finding in result.findings:
        where = place(finding.location, notebooks)
        shown = dict.fromkeys(place(r.location, notebooks).short() for r in finding.related)
        shown.pop(where.short(), None)  # a place once, and not the finding's own line
        other = "; ".join(shown)
        tail = f" (see {other})" if other else ""
        mark = "[*] " if fixable(finding, result) else ""
        echo(f"{where.label()}: {finding.code} [{finding.severity}] {mark}{finding.message}{tail}")
    for error in result.errors:
        echo(f"{error.path}: error ({error.kind}): {error.message}")
    if not quiet:
        echo(summary_line(result))
        if fixable_line(result):
            echo(fixable_line(result))
        for line in fixes_lines(result):
            echo(line)
