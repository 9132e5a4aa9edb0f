"""Full text output in the manner of Ruff: a header line, a code frame of the flagged line and a
frame for the other side of the mismatch."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from evalparity.facts import Location
from evalparity.findings import Result
from evalparity.report.locations import place
from evalparity.report.summary import fixable, fixable_line, fixes_lines, summary_line

SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold blue"}


def _frame(console: Console, location: Location, lines, label: str, style: str, shown_line: int) -> None:
    if not lines or not (0 < location.line <= len(lines)):
        return
    number = str(shown_line)
    pad = " " * len(number)
    text = lines[location.line - 1].expandtabs(1)
    start = max(location.column - 1, 0)
    end = location.end_column - 1 if location.end_line == location.line else len(text)
    width = max(end - start, 1)
    console.print(f"{pad} [blue]|[/]")
    console.print(f"[blue]{number} |[/] {escape(text)}", soft_wrap=True)
    console.print(f"{pad} [blue]|[/] {' ' * start}[{style}]{'^' * width} {escape(label)}[/]", soft_wrap=True)
    console.print(f"{pad} [blue]|[/]")


def render(result: Result, sources, console: Console, quiet: bool = False) -> None:
    notebooks = getattr(result, "notebooks", {})
    for finding in result.findings:
        loc = finding.location
        where = place(loc, notebooks)
        style = SEVERITY_STYLE.get(finding.severity, "bold")
        mark = "[*] " if fixable(finding, result) else ""
        console.print(f"[bold]{escape(where.label())}:[/] [{style}]{finding.code}[/] {escape(mark)}"
                      f"{escape(finding.message)}", soft_wrap=True)
        _frame(console, loc, sources.get(loc.path), f"{finding.code} {finding.name}", style, where.line)
        for related in finding.related:
            other = related.location
            there = place(other, notebooks)
            console.print(f"  [blue]:::[/] {escape(there.label())}: "
                          f"{escape(related.message)}", soft_wrap=True)
            _frame(console, other, sources.get(other.path), "other side", "cyan", there.line)
        console.print(f"  [dim]= {finding.severity}; see `evalparity explain {finding.code}`[/]")
        if finding.fix and finding.fix.get("edits"):
            console.print(f"  [dim]= {escape(finding.fix['applicability'])} fix: {escape(finding.fix['description'])}[/]",
                          soft_wrap=True)
        console.print()
    for error in result.errors:
        console.print(f"[bold]{escape(error.path)}:[/] [bold red]error[/] ({error.kind}): {escape(error.message)}",
                      soft_wrap=True)
    if not quiet:
        console.print(summary_line(result))
        if fixable_line(result):
            console.print(escape(fixable_line(result)), soft_wrap=True)
        for line in fixes_lines(result):
            console.print(escape(line), soft_wrap=True)
