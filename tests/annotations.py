"""Semgrep-style annotations in fixture files (Python, and YAML, whose comments are `#` too).

`# expect: EP101` — the next code line must be flagged with EP101 (several codes: `EP101, EP201`).
`# related: EP201` — the next code line is the other side of an EP201 finding.
`# ok: EP101` — the next code line is a near miss: it must not be flagged with EP101.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CASE_SUFFIXES = (".py", ".yaml", ".yml")  # YAML: pipelines declared in Hydra / albumentations files
ANNOTATION = re.compile(r"#\s*(expect|related|ok):\s*(EP\d{3}(?:\s*,\s*EP\d{3})*)")


@dataclass(frozen=True)
class Expectation:
    kind: str
    path: str
    line: int
    code: str


def _next_code_line(lines: list[str], index: int) -> int:
    for number in range(index + 1, len(lines)):
        stripped = lines[number].strip()
        if stripped and not stripped.startswith("#"):
            return number + 1
    raise ValueError(f"annotation on line {index + 1} has no code line after it")


def read_annotations(path: Path, shown: str) -> list[Expectation]:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    found = []
    for index, text in enumerate(lines):
        for match in ANNOTATION.finditer(text):
            kind = match.group(1)
            target = _next_code_line(lines, index)
            for code in re.split(r"\s*,\s*", match.group(2)):
                found.append(Expectation(kind, shown, target, code))
    return found


def fixture_cases(root: Path) -> list[Path]:
    """Every file or folder directly inside tests/fixtures/<CODE>/ is one case."""
    cases = []
    for code_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for case in sorted(code_dir.iterdir()):
            if case.name.startswith((".", "_")) and case.name != "__init__.py":
                continue
            if case.is_dir() or case.suffix in CASE_SUFFIXES:
                cases.append(case)
    return cases


def annotated_files(case: Path) -> list[Path]:
    """The files of a case that may carry annotations."""
    if case.is_file():
        return [case]
    return sorted(p for p in case.rglob("*") if p.suffix in CASE_SUFFIXES)
