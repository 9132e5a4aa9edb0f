"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per finding,
shown on the pull request's diff; the message names the other side."""

from __future__ import annotations

from evalparity.findings import Result, details
from evalparity.report.locations import place

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: Result, sources, echo, *, quiet: bool) -> None:
    notebooks = result.notebooks
    for finding in result.findings:
        where = place(finding.location, notebooks)
        if where.cell is not None:
            position = f"line={where.file_line},endLine={max(where.file_end_line, where.file_line)}"
            text = f"{where.label()}: {finding.message}"
        else:
            position = f"line={where.line},endLine={where.end_line},col={where.column},endColumn={where.end_column}"
            text = finding.message
        for related in finding.related:
            text += f"\n{related.kind.capitalize()}: {place(related.location, notebooks).label()}: {related.message}"
        for line in details(finding):
            text += f"\n{line[0].upper()}{line[1:]}"
        text += f"\nSee `evalparity explain {finding.code}`."
        title = _property(f"{finding.code} {finding.name}")
        echo(f"::{COMMANDS.get(finding.severity, 'warning')} file={_property(where.path)},{position},"
             f"title={title}::{_data(text)}")
    for error in result.errors:
        command = "error" if error.kind == "internal" else "warning"
        props = [] if error.path.startswith("<") else [f"file={_property(error.path)}"]
        props.append(f"title={_property('evalparity ' + error.kind)}")
        echo(f"::{command} {','.join(props)}::{_data(error.message)}")
