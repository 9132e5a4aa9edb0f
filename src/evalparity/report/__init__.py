"""Report: which findings are reported and how. `selection` applies the rule selection, per-file
ignores, suppression comments and the run's scope, and fingerprints and sorts what remains; then one
module per output format renders it (`render(result, sources, console_or_stream, quiet=…)`), `summary` counts,
`pipelines` shows the related pairs side by side, and `progress` draws the progress bar.

May import: `facts`, `findings`, `config`, `suppress`, `vocabulary`, `discovery` (reading a file's lines
and cells) and `relate` (for the pipelines view). Must not import `extract` or libcst, `checks`, `fixes`
or the engine: a reporter works on a finished result.
"""

from __future__ import annotations

FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab", "junit")
HOME = "https://github.com/evalparity/evalparity"
DOCS = f"{HOME}/blob/main/docs/rules"


def rule_url(code: str) -> str:
    """Where a rule's documentation page (docs/rules/CODE.md, generated from rules/CODE.yaml) lives."""
    return f"{DOCS}/{code}.md"
