"""flake8 plugin: `flake8 --select=EP` reports evalparity's findings for each file on its own.

flake8 checks one file at a time, so this sees only what a single file shows: a pipeline imported from
another module is not resolved here (`evalparity check` does that). Lines and columns are the same as
`evalparity check`'s. `[tool.evalparity]` in pyproject.toml still supplies role hints, knowledge files,
per-file ignores and which rules run; flake8's own `--select`/`--extend-ignore` and `# noqa` apply on top.
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from evalparity import __version__


@lru_cache(maxsize=64)
def _settings(folder: str):
    from evalparity.config import ConfigError, find_config, load_config, select_codes
    from evalparity.engine import Options
    from evalparity.vocabulary.knowledge import default_knowledge, load_knowledge

    try:
        found = find_config([folder])
        config = load_config(found) if found else None
    except ConfigError:
        config = None  # flake8 has no channel for configuration errors; `evalparity check` reports them
    layers = [(config.select, config.extend_select, config.ignore)] if config else []
    kb = load_knowledge(tuple(str(p) for p in config.knowledge)) if config and config.knowledge else default_knowledge()
    return Options(codes=select_codes(layers), config=config), kb


class Plugin:
    name = "evalparity"
    version = __version__

    def __init__(self, tree, filename: str, lines: list[str]) -> None:
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        from evalparity.engine import check

        source = "".join(self.lines)
        on_disk = Path(self.filename)
        try:
            same = on_disk.is_file() and on_disk.read_text(encoding="utf-8") == source
        except (OSError, UnicodeDecodeError):
            same = False
        options, kb = _settings(str(on_disk.resolve().parent if same else Path.cwd()))
        if same:
            result = check([self.filename], kb=kb, options=options)
        else:  # standard input, or a file flake8 was given a different text for
            with tempfile.TemporaryDirectory() as folder:
                target = Path(folder) / (on_disk.name if on_disk.suffix == ".py" else "stdin.py")
                target.write_text(source, encoding="utf-8")
                result = check([str(target)], kb=kb, options=options)
        for finding in result.findings:
            loc = finding.location
            shown = dict.fromkeys(f"{self._shown(r.location.path)}:{r.location.line}" for r in finding.related)
            shown.pop(f"{self._shown(loc.path)}:{loc.line}", None)  # a place once, and not the finding's own line
            other = "; ".join(shown)
            tail = f" (see {other})" if other else ""
            yield loc.line, loc.column - 1, f"{finding.code} {finding.message}{tail}", type(self)

    def _shown(self, path: str) -> str:
        """Paths as flake8 shows them (a temporary copy of standard input is shown as flake8 names it)."""
        return self.filename if os.path.isabs(path) else path
