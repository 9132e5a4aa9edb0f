"""Counts shared by the reporters."""

from __future__ import annotations

from collections import Counter

from evalparity.findings import Result
from evalparity.vocabulary.rulebook import load_rules


def severity_counts(result: Result) -> dict[str, int]:
    counts = Counter(f.severity for f in result.findings)
    return {level: counts.get(level, 0) for level in ("error", "warning", "info")}


def fixable(finding, result) -> bool:
    """The fix of this finding would be applied by `--fix` (with `--unsafe-fixes` when the run has it)."""
    fix = finding.fix
    return bool(fix and fix.get("edits")) and (fix.get("applicability") == "safe" or
                                                result.unsafe_fixes)


def fixable_line(result: Result) -> str:
    """`[*] 2 fixable with the --fix option (1 hidden fix can be enabled with the --unsafe-fixes option).`"""
    fixes = [f for f in result.findings if f.fix and f.fix.get("edits")]
    shown = sum(1 for f in fixes if fixable(f, result))
    hidden = len(fixes) - shown
    parts = []
    if shown:
        parts.append(f"[*] {shown} fixable with the `--fix` option" + (" (and `--unsafe-fixes`)" if any(
            f.fix["applicability"] == "unsafe" for f in fixes if fixable(f, result)) else ""))
    if hidden:
        parts.append(f"{hidden} hidden fix{'es' if hidden != 1 else ''} can be enabled with the `--unsafe-fixes` option")
    if not parts:
        return ""
    return (parts[0] + (f" ({parts[1]})" if len(parts) > 1 else "") + ".") if shown else parts[0][0].upper() + parts[0][1:] + "."


def files_line(result: Result) -> str:
    """`12 files checked (9 with nothing to check)`: every file read, and how many held no pipeline,
    loader or evaluation loop (so nothing in them could be compared)."""
    checked = result.files_checked
    text = f"{checked} file{'s' if checked != 1 else ''} checked"
    analysed = result.files_analysed
    if analysed is not None and checked - analysed > 0:
        text += f" ({checked - analysed} with nothing to check)"
    return text


def summary_line(result: Result) -> str:
    total = len(result.findings)
    if not total:
        text = f"All checks passed; {files_line(result)}."
    else:
        parts = ", ".join(f"{n} {level}{'s' if n != 1 else ''}" for level, n in severity_counts(result).items() if n)
        text = f"Found {total} finding{'s' if total != 1 else ''} ({parts}); {files_line(result)}."
    hidden = result.baselined
    if hidden:
        text += f" {hidden} finding{'s' if hidden != 1 else ''} in the baseline not shown."
    if result.errors:
        text += f" {len(result.errors)} file{'s' if len(result.errors) != 1 else ''} skipped (listed above)."
    return text


def fixes_lines(result: Result) -> list[str]:
    """`--show-fixes`: the fixes `--fix` applied (or, without `--fix`, the fixes available), by file and
    rule, in the manner of Ruff's `--show-fixes`:

        Fixed 2 findings:
        - train.py:
            1 × EP401 (eval-loader-drop-last)
    """
    if not result.show_fixes:
        return []
    applied = result.applied_fixes
    rules = load_rules()
    if applied is not None:
        items = [(f, "") for f in applied]
        n = len(items)
        head = f"Fixed {n} finding{'s' if n != 1 else ''}:" if n else "No fixes applied."
    else:
        items = [(f, f" [{f.fix['applicability']}]") for f in result.findings if f.fix and f.fix.get("edits")]
        n = len(items)
        head = (f"{n} fix{'es' if n != 1 else ''} available (apply with `--fix`; unsafe ones need "
                f"`--unsafe-fixes` too):") if n else "No fixes available."
    by_file: dict[str, Counter] = {}
    for finding, mark in items:
        by_file.setdefault(finding.location.path, Counter())[(finding.code, mark)] += 1
    lines = [head]
    for path in sorted(by_file):
        lines.append(f"- {path}:")
        for (code, mark), count in sorted(by_file[path].items()):
            name = rules[code].name if code in rules else ""
            lines.append(f"    {count} × {code} ({name}){mark}")
    return lines
