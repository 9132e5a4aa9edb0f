"""`check --fix` and `check --diff`: apply or show the fixes, re-check until nothing more applies."""

from __future__ import annotations

import click

MAX_ROUNDS = 5  # a fix can make room for another (two imports at one place); more rounds mean a loop


def _errors(run, quiet: bool) -> None:
    for change in run.errors:
        click.echo(f"evalparity: {change.path}: fixes not applied: {change.error}", err=True)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def show_diff(result, unsafe: bool, scope, quiet: bool) -> int:
    """Print what --fix would change; exit 1 when something would."""
    from .fixer import fix_all, unified_diff  # libcst: loaded only when fixes are asked for

    run = fix_all(result.findings, unsafe, scope)
    changed = run.changed()
    for change in changed:
        click.echo(unified_diff(change), nl=False)
    _errors(run, quiet)
    if not quiet:
        click.echo(f"Would fix {_plural(run.fixed, 'finding')} in {_plural(len(changed), 'file')}." if changed
                   else "No fixes available.", err=True)
    return 1 if changed else 0


def fix_until_stable(result, run_check, unsafe: bool, scope, quiet: bool):
    """Apply the fixes, re-check, and repeat while fixes still apply; the last check is returned."""
    from .fixer import applicable, fix_all, write_atomic

    total, files = 0, set()
    for _ in range(MAX_ROUNDS):
        run = fix_all(result.findings, unsafe, scope)
        _errors(run, quiet)
        changed = run.changed()
        if not changed:
            break
        for change in changed:
            write_atomic(change.path, change.after)
            files.add(change.path)
        total += run.fixed
        result = run_check()
    if not quiet:
        remaining = sum(1 for f in result.findings if applicable(f, unsafe))
        tail = f" ({_plural(remaining, 'fix')} could not be applied)" if remaining else ""
        click.echo(f"Fixed {_plural(total, 'finding')} in {_plural(len(files), 'file')}{tail}.", err=True)
    return result
