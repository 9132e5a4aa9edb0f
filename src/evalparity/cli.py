"""Command line: check, explain, rules, pipelines.

Exit codes (stable): 0 no finding; 1 findings; 2 usage, configuration or internal error.
"""

from __future__ import annotations

import os
import sys

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import __version__
from .discover import UsageError
from .engine import analyze, check as run_check
from .knowledge import KnowledgeError, default_knowledge, load_knowledge
from .report import FORMATS, concise, json_format, pipelines as pipelines_view, text
from .rulebook import load_rules

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _console() -> Console:
    plain = bool(os.environ.get("NO_COLOR")) or not sys.stdout.isatty()
    return Console(file=sys.stdout, no_color=plain, highlight=False, emoji=False,
                   force_terminal=False if plain else None, width=None if not plain else 10_000)


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(code.strip().upper() for value in values for code in value.split(",") if code.strip())


class OneLineErrors(click.Group):
    """Usage errors print one line (`evalparity: error: …`) and exit 2."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.exceptions.Abort:
            sys.exit(130)
        except click.ClickException as exc:
            click.echo(f"evalparity: error: {exc.format_message()}", err=True)
            sys.exit(EXIT_ERROR)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="evalparity")
def cli() -> None:
    """Find where evaluation data paths drifted from training ones in PyTorch code."""


def _load_kb(knowledge: tuple[str, ...]):
    try:
        return load_knowledge(knowledge) if knowledge else default_knowledge()
    except KnowledgeError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Output format.")
@click.option("--select", multiple=True, help="Only these codes or prefixes (comma-separated, repeatable).")
@click.option("--ignore", multiple=True, help="Skip these codes or prefixes (comma-separated, repeatable).")
@click.option("--knowledge", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="An extra knowledge-base file (same schema as rules/knowledge/transforms/*.yaml).")
def check(paths, output_format, select, ignore, knowledge):
    """Lint PATHS (default: the current directory)."""
    kb = _load_kb(knowledge)
    unknown = [c for c in _codes(select) + _codes(ignore)
               if c != "ALL" and not any(code.startswith(c) for code in load_rules())]
    if unknown:
        raise click.UsageError(f"unknown rule code or prefix: {unknown[0]}")
    try:
        result = run_check(list(paths) or ["."], _codes(select), _codes(ignore), kb)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    if output_format == "text":
        text.render(result, result.sources, _console())
    else:
        module = concise if output_format == "concise" else json_format
        module.render(result, result.sources, click.echo)
    if any(e.kind == "internal" for e in result.errors):
        return EXIT_ERROR
    return EXIT_FINDINGS if result.findings else EXIT_CLEAN


@cli.command()
@click.argument("code")
def explain(code):
    """Print what a rule flags, why, an example and the fix."""
    rules = load_rules()
    rule = rules.get(code.upper()) or next((r for r in rules.values() if r.name == code), None)
    if rule is None:
        raise click.UsageError(f"unknown rule: {code} (see `evalparity rules`)")
    state = "on" if rule.default else "off by default"
    click.echo(f"{rule.code} {rule.name} ({rule.severity}, {state})\n\n{rule.summary}\n")
    click.echo(f"What it flags\n{rule.what}\n\nWhy it matters\n{rule.why}\n")
    click.echo("Example\n" + _indent(rule.example) + "\nFix (use instead)\n" + _indent(rule.use_instead))
    if rule.references:
        click.echo("References\n" + "\n".join(f"  {r}" for r in rule.references))
    return EXIT_CLEAN


def _indent(block: str) -> str:
    return "".join(f"    {line}\n" if line.strip() else "\n" for line in block.splitlines())


@cli.command("rules")
def list_rules():
    """List every rule with its default state and severity."""
    table = Table(show_header=True, header_style="bold")
    for column in ("code", "name", "severity", "default", "summary"):
        table.add_column(column, overflow="fold")
    for rule in sorted(load_rules().values(), key=lambda r: r.code):
        table.add_row(rule.code, rule.name, rule.severity, "on" if rule.default else "off", escape(rule.summary))
    _console().print(table)
    return EXIT_CLEAN


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--knowledge", multiple=True, type=click.Path(exists=True, dir_okay=False))
def pipelines(paths, knowledge):
    """Show each train/eval pipeline pair side by side, with the evidence for each role."""
    kb = _load_kb(knowledge)
    try:
        analysis = analyze(list(paths) or ["."], kb)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    pipelines_view.render(analysis, kb, _console())
    return EXIT_CLEAN


def main() -> None:
    cli.main(prog_name="evalparity")
