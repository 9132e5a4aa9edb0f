"""Counts shared by the reporters."""

from __future__ import annotations

from collections import Counter

from ..engine import Result


def severity_counts(result: Result) -> dict[str, int]:
    counts = Counter(f.severity for f in result.findings)
    return {level: counts.get(level, 0) for level in ("error", "warning", "info")}


def summary_line(result: Result) -> str:
    total = len(result.findings)
    if not total:
        text = f"All checks passed ({result.files_checked} file{'s' if result.files_checked != 1 else ''})."
    else:
        parts = ", ".join(f"{n} {level}{'s' if n != 1 else ''}" for level, n in severity_counts(result).items() if n)
        text = f"Found {total} finding{'s' if total != 1 else ''} ({parts}) in {result.files_checked} file{'s' if result.files_checked != 1 else ''}."
    hidden = getattr(result, "baselined", 0)
    if hidden:
        text += f" {hidden} finding{'s' if hidden != 1 else ''} in the baseline not shown."
    if result.errors:
        text += f" {len(result.errors)} file{'s' if len(result.errors) != 1 else ''} could not be checked."
    return text
