"""`check --fix` and `check --diff`: fixes are applied in memory, the project is checked again with the
fixed contents, and only fixes that introduce no new finding are kept; rounds repeat while fixes still
apply. Nothing is written until every round is done (`--fix`), or ever (`--diff`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import click

MAX_ROUNDS = 5  # a fix can make room for another (two imports at one place); more rounds mean a loop


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _key(finding) -> tuple[str, str]:
    return finding.code, finding.location.path


def introduced(before, after) -> list:
    """Findings of `after` beyond what `before` had, counted by rule and file: a fix must not add any."""
    room = Counter(_key(f) for f in before)
    new = []
    for finding in after:
        if room[_key(finding)] > 0:
            room[_key(finding)] -= 1
        else:
            new.append(finding)
    return new


@dataclass
class Outcome:
    """What the rounds of fixing arrived at, before anything is written."""

    result: object  # the check of the final contents
    originals: dict[str, bytes] = field(default_factory=dict)  # path → bytes on disk
    contents: dict[str, bytes] = field(default_factory=dict)  # path → fixed bytes
    fixed: int = 0
    applied: list = field(default_factory=list)  # the findings whose fixes were kept
    refused: list[tuple[object, str]] = field(default_factory=list)  # (finding, why its fix was not applied)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, why the file was left alone)

    def changed(self) -> list[str]:
        return sorted(path for path, data in self.contents.items() if data != self.originals.get(path))


def _identity(finding) -> tuple:
    return finding.code, finding.location.path, finding.location.line, finding.location.column, finding.message


def settle(result, run_check, unsafe: bool, scope) -> Outcome:
    """Apply fixes round by round in memory, each round re-checked; a round whose fixes introduce a new
    finding is retried fix by fix, and the fixes that introduce one are refused with the reason."""
    from evalparity.fixes.apply import fix_all

    outcome = Outcome(result)
    refused: set[tuple] = set()
    for _ in range(MAX_ROUNDS):
        candidates = [f for f in outcome.result.findings if _identity(f) not in refused]
        run = fix_all(candidates, unsafe, scope, outcome.contents)
        outcome.problems += [(c.path, c.error) for c in run.errors]
        changes = run.changed()
        if not changes:
            break
        trial = _try(outcome, run_check, {c.path: c for c in changes})
        if not introduced(outcome.result.findings, trial.findings):
            _accept(outcome, changes, trial, sum(c.fixed for c in changes), [f for c in changes for f in c.findings])
            continue
        progressed = False
        for finding in [f for c in changes for f in c.findings]:
            single = fix_all([finding], unsafe, scope, outcome.contents).changed()
            if not single:
                continue
            trial = _try(outcome, run_check, {c.path: c for c in single})
            new = introduced(outcome.result.findings, trial.findings)
            if new:
                refused.add(_identity(finding))
                outcome.refused.append((finding, "it would introduce " + ", ".join(
                    f"{f.code} at {f.location.path}:{f.location.line}" for f in new[:3])))
                continue
            _accept(outcome, single, trial, 1, [finding])
            progressed = True
        if not progressed:
            break
    return outcome


def _try(outcome: Outcome, run_check, changes: dict) -> object:
    contents = {**outcome.contents, **{path: change.after for path, change in changes.items()}}
    return run_check(contents)


def _accept(outcome: Outcome, changes, trial, fixed: int, findings: list) -> None:
    for change in changes:
        outcome.originals.setdefault(change.path, change.before)
        outcome.contents[change.path] = change.after
    outcome.result = trial
    outcome.fixed += fixed
    outcome.applied.extend(findings)


def _report_problems(outcome: Outcome, silent: bool) -> None:
    if silent:
        return
    for path, error in dict.fromkeys(outcome.problems):  # each round meets the same problem again
        click.echo(f"evalparity: {path}: fixes not applied: {error}", err=True)
    for finding, why in outcome.refused:
        click.echo(f"evalparity: {finding.location.path}:{finding.location.line}: {finding.code} fix not applied: "
                   f"{why}", err=True)


def show_diff(result, run_check, unsafe: bool, scope, quiet: bool, silent: bool) -> int:
    """Print what --fix would change (nothing when `silent`); exit 1 when something would."""
    from evalparity.fixes.apply import FileChange, unified_diff

    outcome = settle(result, run_check, unsafe, scope)
    changed = outcome.changed()
    for path in changed if not silent else ():
        click.echo(unified_diff(FileChange(path, outcome.originals[path], outcome.contents[path], 0)), nl=False)
    _report_problems(outcome, silent)
    if not quiet:
        click.echo(f"Would fix {_plural(outcome.fixed, 'finding')} in {_plural(len(changed), 'file')}." if changed
                   else "No fixes available.", err=True)
    return 1 if changed else 0


def fix_until_stable(result, run_check, unsafe: bool, scope, quiet: bool, silent: bool):
    """Apply the fixes that survive the re-check, write them, and return the check of the fixed files and
    the findings whose fixes were written."""
    from evalparity.fixes.apply import write_atomic

    outcome = settle(result, run_check, unsafe, scope)
    changed = outcome.changed()
    written = set()
    for path in changed:
        if Path(path).read_bytes() != outcome.originals[path]:
            outcome.problems.append((path, "the file changed while it was being fixed; left unchanged"))
            continue
        write_atomic(path, outcome.contents[path])
        written.add(path)
    _report_problems(outcome, silent)
    if len(written) < len(changed):  # the summary and --show-fixes count only what was written
        outcome.applied = [f for f in outcome.applied if f.location.path in written or
                           any(e["path"] in written for e in f.fix["edits"])]
        outcome.fixed = len(outcome.applied)
        outcome.contents = {path: outcome.contents[path] for path in written}
    result = run_check(None) if changed else outcome.result
    if not quiet:
        _summary(outcome, result, unsafe)
    return result, outcome.applied


def fix_in_memory(result, run_check, unsafe: bool, scope, quiet: bool, silent: bool):
    """The same rounds with nothing written (standard input, an editor's buffer): (the check of the fixed
    contents, the fixed bytes by path — files without a fix are not in it —, the findings fixed)."""
    outcome = settle(result, run_check, unsafe, scope)
    _report_problems(outcome, silent)
    if not quiet:
        _summary(outcome, outcome.result, unsafe)
    return outcome.result, {path: outcome.contents[path] for path in outcome.changed()}, outcome.applied


def _summary(outcome: Outcome, result, unsafe: bool) -> None:
    from evalparity.fixes.apply import applicable

    remaining = sum(1 for f in result.findings if applicable(f, unsafe))
    tail = f" ({_plural(remaining, 'fix')} could not be applied)" if remaining else ""
    click.echo(f"Fixed {_plural(outcome.fixed, 'finding')} in {_plural(len(outcome.changed()), 'file')}{tail}.",
               err=True)
