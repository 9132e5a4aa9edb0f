"""Baselines: accept today's findings, report only new ones.

`--write-baseline FILE` writes every current finding's fingerprint (with its code, path, line and
message, for people reading the file); `--baseline FILE` hides the findings whose fingerprint is in it.
Fingerprints do not contain line numbers and ignore formatting, so a baseline survives lines inserted
above a finding and a reformat of the file; identical findings are counted, not merged. Paths are
stored relative to the baseline file's folder, so a baseline matches from whatever folder it is used.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path

from evalparity import __version__
from evalparity.findings import Finding

VERSION = 2  # 1: fingerprints with paths relative to the folder evalparity ran in (still read)


class BaselineError(Exception):
    """The baseline file is missing or malformed; the message names the file."""


def _relative(finding: Finding, folder: str) -> str:
    return Path(os.path.relpath(os.path.abspath(finding.location.path), folder)).as_posix()


def _key(finding: Finding, folder: str) -> str:
    raw = f"{_relative(finding, folder)}\x1f{finding.content_print}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def _folder(path: str | Path) -> str:
    return os.path.dirname(os.path.abspath(path))


def write(path: str | Path, findings: list[Finding]) -> None:
    folder = _folder(path)
    entries = [{"fingerprint": _key(f, folder), "code": f.code, "path": _relative(f, folder),
                "line": f.location.line, "message": f.message} for f in findings]
    data = {"version": VERSION, "tool": {"name": "evalparity", "version": __version__}, "findings": entries}
    try:
        Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write the baseline: {exc.strerror or exc}") from None


class Known:
    """The fingerprints of a baseline, and how to compute a finding's fingerprint to look it up."""

    def __init__(self, prints: Counter[str], version: int, folder: str) -> None:
        self.prints, self.version, self.folder = prints, version, folder

    def key(self, finding: Finding) -> str:
        return finding.fingerprint if self.version == 1 else _key(finding, self.folder)


def load(path: str | Path) -> Known:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found (create one with --write-baseline)") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise BaselineError(f"{path}: not a baseline (invalid JSON: {exc})") from None
    if not isinstance(data, dict) or data.get("version") not in (1, VERSION) or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path}: not an evalparity baseline (expected {{\"version\": {VERSION}, "
                            f"\"findings\": [...]}})")
    prints = []
    for entry in data["findings"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise BaselineError(f"{path}: every entry of `findings` needs a `fingerprint` string")
        prints.append(entry["fingerprint"])
    return Known(Counter(prints), data["version"], _folder(path))


def apply(findings: list[Finding], known: Known) -> tuple[list[Finding], int]:
    """(findings not in the baseline, how many were hidden)."""
    left = Counter(known.prints)
    new = []
    for finding in findings:
        key = known.key(finding)
        if left[key] > 0:
            left[key] -= 1
        else:
            new.append(finding)
    return new, len(findings) - len(new)
