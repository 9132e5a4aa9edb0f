"""Full text output in the manner of Ruff: a header line, a code frame of the flagged line and a
frame for the other side of the mismatch."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from ..engine import Result
from ..facts import Location
from .summary import summary_line

SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold blue"}


def _frame(console: Console, location: Location, lines, label: str, style: str) -> None:
    if not lines or not (0 < location.line <= len(lines)):
        return
    number = str(location.line)
    pad = " " * len(number)
    text = lines[location.line - 1].expandtabs(1)
    start = max(location.column - 1, 0)
    end = location.end_column - 1 if location.end_line == location.line else len(text)
    width = max(end - start, 1)
    console.print(f"{pad} [blue]|[/]")
    console.print(f"[blue]{number} |[/] {escape(text)}", soft_wrap=True)
    console.print(f"{pad} [blue]|[/] {' ' * start}[{style}]{'^' * width} {escape(label)}[/]", soft_wrap=True)
    console.print(f"{pad} [blue]|[/]")


def render(result: Result, sources, console: Console) -> None:
    for finding in result.findings:
        loc = finding.location
        style = SEVERITY_STYLE.get(finding.severity, "bold")
        console.print(f"[bold]{escape(loc.path)}:{loc.line}:{loc.column}:[/] [{style}]{finding.code}[/] "
                      f"{escape(finding.message)}", soft_wrap=True)
        _frame(console, loc, sources.get(loc.path), f"{finding.code} {finding.name}", style)
        for related in finding.related:
            other = related.location
            console.print(f"  [blue]:::[/] {escape(other.path)}:{other.line}:{other.column}: "
                          f"{escape(related.message)}", soft_wrap=True)
            _frame(console, other, sources.get(other.path), "other side", "cyan")
        console.print(f"  [dim]= {finding.severity}; see `evalparity explain {finding.code}`[/]")
        console.print()
    for error in result.errors:
        console.print(f"[bold]{escape(error.path)}:[/] [bold red]error[/] ({error.kind}): {escape(error.message)}",
                      soft_wrap=True)
    console.print(summary_line(result))
