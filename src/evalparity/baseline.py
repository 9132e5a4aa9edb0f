"""Baselines: accept today's findings, report only new ones.

`--write-baseline FILE` writes every current finding's fingerprint (with its code, path, line and
message, for people reading the file); `--baseline FILE` hides the findings whose fingerprint is in it.
Fingerprints do not contain line numbers and ignore formatting, so a baseline survives lines inserted
above a finding and a reformat of the file; identical findings are counted, not merged.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from . import __version__
from .findings import Finding

VERSION = 1


class BaselineError(Exception):
    """The baseline file is missing or malformed; the message names the file."""


def write(path: str | Path, findings: list[Finding]) -> None:
    entries = [{"fingerprint": f.fingerprint, "code": f.code, "path": f.location.path, "line": f.location.line,
                "message": f.message} for f in findings]
    data = {"version": VERSION, "tool": {"name": "evalparity", "version": __version__}, "findings": entries}
    try:
        Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write the baseline: {exc.strerror or exc}") from None


def load(path: str | Path) -> Counter[str]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found (create one with --write-baseline)") from None
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise BaselineError(f"{path}: not a baseline (invalid JSON: {exc})") from None
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path}: not an evalparity baseline (expected {{\"version\": {VERSION}, "
                            f"\"findings\": [...]}})")
    prints = []
    for entry in data["findings"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise BaselineError(f"{path}: every entry of `findings` needs a `fingerprint` string")
        prints.append(entry["fingerprint"])
    return Counter(prints)


def apply(findings: list[Finding], known: Counter[str]) -> tuple[list[Finding], int]:
    """(findings not in the baseline, how many were hidden)."""
    left = Counter(known)
    new = []
    for finding in findings:
        if left[finding.fingerprint] > 0:
            left[finding.fingerprint] -= 1
        else:
            new.append(finding)
    return new, len(findings) - len(new)
