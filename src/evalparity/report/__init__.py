"""Reporters: one module per output format, each `render(result, sources, console_or_stream)`."""

from __future__ import annotations

FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab", "junit")
HOME = "https://github.com/evalparity/evalparity"
DOCS = f"{HOME}/blob/main/docs/rules"


def rule_url(code: str) -> str:
    """Where a rule's documentation page (docs/rules/CODE.md, generated from rules/CODE.yaml) lives."""
    return f"{DOCS}/{code}.md"
