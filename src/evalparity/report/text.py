"""Full text output in the manner of Ruff: a header line naming what and where, a code frame of the
flagged line, a frame for each related location labelled by what it is (the other side of a pair, role
evidence, a call site, a mode switch), then `note:` and `help:` lines."""

from __future__ import annotations

import textwrap

from rich.console import Console
from rich.markup import escape

from evalparity.facts import Location
from evalparity.findings import Finding, Result
from evalparity.report.locations import place
from evalparity.report.summary import fixable, fixable_line, fixes_lines, summary_line

SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold blue"}
RELATED_STYLE = "cyan"


def _span(location: Location, text: str) -> tuple[int, int]:
    """Start column (0-based) and width of the caret run on the location's first line."""
    start = min(max(location.column - 1, 0), len(text))
    end = location.end_column - 1 if location.end_line == location.line else len(text.rstrip())
    return start, max(end - start, 1)


def _marks(console: Console, pad: str, start: int, width: int, mark: str, label: str, style: str) -> None:
    """One annotation under a source line; a label that would run past the console's width goes on a
    line of its own under the carets (or at the frame's edge when even that is too wide)."""
    gutter = len(pad) + 3
    carets = f"{' ' * start}[{style}]{mark * width}[/]"
    if gutter + start + width + 1 + len(label) <= console.width:
        console.print(f"{pad} [blue]|[/] {carets} [{style}]{escape(label)}[/]", soft_wrap=True)
        return
    console.print(f"{pad} [blue]|[/] {carets}", soft_wrap=True)
    indent = start if gutter + start + len(label) <= console.width else 0
    console.print(f"{pad} [blue]|[/] {' ' * indent}[{style}]{escape(label)}[/]", soft_wrap=True)


def _frame(console: Console, lines, shown_line: int, annotations, width: int) -> None:
    """The source line once, with one caret line per annotation on it: (location, mark, label, style);
    `width`: of the line-number gutter, the same for every frame of a finding."""
    location = annotations[0][0]
    if not lines or not (0 < location.line <= len(lines)):
        return
    number = str(shown_line).rjust(width)
    pad = " " * width
    text = lines[location.line - 1].expandtabs(1)
    console.print(f"{pad} [blue]|[/]")
    console.print(f"[blue]{number} |[/] {escape(text)}", soft_wrap=True)
    underlined = set()
    for where, mark, label, style in annotations:
        start, width = _span(where, text)
        if (start, width) in underlined:
            width = 1  # the same span again: one mark says where, the carets above say how far
        underlined.add((start, width))
        _marks(console, pad, start, width, mark, label, style)
    console.print(f"{pad} [blue]|[/]")


def _note(console: Console, kind: str, text: str) -> None:
    """`= note: …` / `= help: …`, wrapped at the console's width under its own text (not under the `=`)."""
    prefix = f"  = {kind}: "
    lines = textwrap.wrap(text, width=max(console.width - len(prefix), 20), break_long_words=False,
                          break_on_hyphens=False) or [""]
    console.print(f"  [blue]=[/] [bold]{kind}:[/] {escape(lines[0])}", soft_wrap=True)
    for line in lines[1:]:
        console.print(f"{' ' * len(prefix)}{escape(line)}", soft_wrap=True)


def _groups(finding: Finding):
    """The primary location, then each related one, with related locations on a line already shown joined
    to that line's frame (a location is never shown twice)."""
    style = SEVERITY_STYLE.get(finding.severity, "bold")
    groups: dict[tuple[str, int], list] = {}
    key = (finding.location.path, finding.location.line)
    groups[key] = [(finding.location, "^", f"{finding.code} {finding.name}".strip(), style)]
    for related in finding.related:
        key = (related.location.path, related.location.line)
        mark = "-" if key in groups else "^"  # a second annotation on a line already shown
        groups.setdefault(key, []).append((related.location, mark, related.label, RELATED_STYLE))
    return list(groups.values())


def render(result: Result, sources, console: Console, *, quiet: bool) -> None:
    notebooks = result.notebooks
    for finding in result.findings:
        loc = finding.location
        where = place(loc, notebooks)
        style = SEVERITY_STYLE.get(finding.severity, "bold")
        mark = "[*] " if fixable(finding, result) else ""
        console.print(f"[bold]{escape(where.label())}:[/] [{style}]{finding.code}[/] {escape(mark)}"
                      f"{escape(finding.message)}", soft_wrap=True)
        groups = _groups(finding)
        width = max(len(str(place(group[0][0], notebooks).line)) for group in groups)
        for index, group in enumerate(groups):
            first = group[0][0]
            there = place(first, notebooks)
            if index:
                console.print(f"  [blue]:::[/] {escape(there.label())}", soft_wrap=True)
            _frame(console, sources.get(first.path), there.line, group, width)
        for note in finding.notes:
            _note(console, "note", note)
        if finding.help:
            _note(console, "help", finding.help)
        if finding.fix and finding.fix.get("edits"):
            _note(console, "help", f"{finding.fix['description']} ({finding.fix['applicability']} fix)")
        console.print(f"  [dim]= {finding.severity}; see `evalparity explain {finding.code}`[/]")
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
