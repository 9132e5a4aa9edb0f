"""Command line: check, explain, rules, pipelines, clean, and server (the language server, `server.py`).

Exit codes (stable): 0 no finding at or above the failing severity (`--fail-on`, default: warning, so
notes alone pass);
1 findings; 2 usage, configuration or internal error.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sys
from collections import Counter

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evalparity import __version__, baseline
from evalparity.config import ConfigError, code_problem, find_config, load_config, select_codes
from evalparity.discovery.cache import (
    CACHE_DIR,
    NAMED_SUBFOLDER,
    Cache,
    CacheError,
    cache_folder,
)
from evalparity.discovery.cache import (
    clean as clean_cache,
)
from evalparity.discovery.paths import (
    DEFAULT_EXCLUDES,
    Excluder,
    UsageError,
    display_path,
    overriding,
    project_home,
    project_root,
)
from evalparity.engine import Options, analyze
from evalparity.engine import check as run_check
from evalparity.extract.files import settle_loaded_facts
from evalparity.fixes import rounds as fixing
from evalparity.report import FORMATS, concise, github, gitlab, json_format, junit, sarif, text
from evalparity.report import pipelines as pipelines_view
from evalparity.report import settings as settings_view
from evalparity.report.progress import progress_bar
from evalparity.report.summary import summary_line
from evalparity.vocabulary.knowledge import KnowledgeError, default_knowledge, load_knowledge
from evalparity.vocabulary.rulebook import SEVERITIES, load_rules

REPORTERS = {"concise": concise, "json": json_format, "sarif": sarif, "github": github, "gitlab": gitlab,
             "junit": junit}

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


COLORS = ("auto", "always", "never")


def wants_color(color: str | None = None, stream=None) -> bool:
    """Whether standard output (or `stream`) gets colour: `--color always|never` wins; then `FORCE_COLOR`,
    then `NO_COLOR` (either counts when set and not empty); then whether it is a terminal."""
    if color in ("always", "never"):
        return color == "always"
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return (stream or sys.stdout).isatty()


class _Console(Console):
    """rich's Console exits 1 on a broken pipe by itself; the reporting code's handler decides instead (the
    exit code tells the result, `--exit-zero` included)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def _console(color: str | None = None, err: bool = False) -> Console:
    """`err`: on standard error (standard output carries the fixed source of `check --fix -`)."""
    stream = sys.stderr if err else sys.stdout
    if not wants_color(color, stream):
        return _Console(file=stream, no_color=True, highlight=False, emoji=False, force_terminal=False,
                        width=10_000)
    tty = stream.isatty()
    return _Console(file=stream, no_color=False, highlight=False, emoji=False, force_terminal=True,
                    color_system="auto" if tty else "standard")


COLOR_OPTION = click.option("--color", type=click.Choice(COLORS), default=None,
                            help="Colour the output: auto (the default: when standard output is a terminal, "
                                 "unless NO_COLOR is set; FORCE_COLOR forces it), always or never.")


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(code.strip().upper() for value in values for code in value.split(",") if code.strip())


class Terminated(BaseException):
    """SIGTERM: unwinds like Ctrl-C so that worker processes are stopped on the way out."""


EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143


def _silence_stdout() -> None:
    """The reader went away (`| head`): later writes, and the flush at exit, go nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


class OneLineErrors(click.Group):
    """Every way a run can end keeps the exit-code contract: usage and internal errors print one line
    (`evalparity: error: …`) and exit 2, Ctrl-C exits 130, SIGTERM 143, a closed pipe ends quietly."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except (click.exceptions.Abort, KeyboardInterrupt):
            click.echo("evalparity: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except Terminated:
            sys.exit(EXIT_TERMINATED)
        except click.ClickException as exc:
            click.echo(f"evalparity: error: {exc.format_message()}", err=True)
            sys.exit(EXIT_ERROR)
        except BrokenPipeError:
            _silence_stdout()
            sys.exit(EXIT_CLEAN)
        except Exception as exc:  # a bug of evalparity's: one line, never a traceback or the findings code
            click.echo(f"evalparity: error: internal error ({type(exc).__name__}: {exc}); please report it", err=True)
            sys.exit(EXIT_ERROR)
        sys.exit(code if isinstance(code, int) else 0)


CACHE_DIR_OPTION = click.option(
    "--cache-dir", type=click.Path(file_okay=False), envvar="EVALPARITY_CACHE_DIR", show_envvar=True,
    help=f"Keep the cache in an `{NAMED_SUBFOLDER}/` folder inside this folder (default: {CACHE_DIR}/ at the "
         "project root).")


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="evalparity", message="%(prog)s %(version)s")
def cli() -> None:
    """Find where evaluation data paths drifted from training ones in PyTorch code."""


def _load_kb(knowledge: tuple[str, ...]):
    try:
        return load_knowledge(knowledge) if knowledge else default_knowledge()
    except KnowledgeError as exc:
        raise click.ClickException(str(exc)) from None


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


def _check_codes(option: str, codes: tuple[str, ...]) -> None:
    for code in codes:
        problem = code_problem(code)
        if problem:
            raise click.UsageError(f"{option}: {problem}")


def _settings(paths, config_file, isolated, select, extend_select, ignore, exclude, extend_exclude, force_exclude):
    """The configuration layer (pyproject.toml) and the command line's, resolved into engine options."""
    if config_file and isolated:
        raise click.UsageError("--config and --isolated cannot be used together")
    config = None
    try:
        if config_file:
            config = load_config(config_file)
        elif not isolated:
            found = find_config(paths)
            config = load_config(found) if found else None
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    for option, codes in (("--select", select), ("--extend-select", extend_select), ("--ignore", ignore)):
        _check_codes(option, codes)
    layers = [(config.select, config.extend_select, config.ignore)] if config else []
    layers.append((select or None, extend_select, ignore))
    patterns = exclude or (config.exclude if config and config.exclude is not None else DEFAULT_EXCLUDES)
    patterns = tuple(patterns) + ((config.extend_exclude if config else ()) + extend_exclude)
    excluder = Excluder(patterns, root=config.root if config else None,
                        gitignore=config.respect_gitignore if config else True)
    root = None
    if any(not os.path.isdir(p) for p in paths):
        root = config.root if config else project_root(paths)
    options = Options(codes=select_codes(layers), config=config, excluder=excluder, force_exclude=force_exclude,
                      project_root=root)
    return config, options


def _statistics(result, output_format: str, echo, quiet: bool = False) -> None:
    counts = Counter(f.code for f in result.findings)
    rules = load_rules()
    rows = [(code, counts[code], rules[code]) for code in sorted(counts, key=lambda c: (-counts[c], c))]
    if output_format == "json":
        echo(json.dumps([{"code": code, "name": rule.name, "severity": rule.severity, "count": n}
                         for code, n, rule in rows], indent=2))
        return
    width = max((len(str(n)) for _, n, _ in rows), default=1)
    for code, n, rule in rows:
        echo(f"{n:>{width}}  {code}  [{rule.severity}]  {rule.name}")
    if not quiet:
        echo(summary_line(result))


def _show(paths, config, options, kb, cache_dir, no_cache, settings: bool, files: bool) -> int:
    """`--show-settings` and `--show-files`: what a run would use, then exit 0 (nothing is analysed)."""
    if settings:
        cache = None if no_cache else cache_folder(project_home(), cache_dir)
        for line in settings_view.settings_lines(config, options, cache):
            click.echo(line)
        if files:
            click.echo()
    if files:
        found, errors = settings_view.files(paths, options)
        for path in found:
            click.echo(path)
        for error in errors:
            click.echo(f"evalparity: warning: {error.path}: {error.message}", err=True)
    return EXIT_CLEAN


def _show_progress(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty() and not os.environ.get("CI")


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--output-format", "--format", "output_format", type=click.Choice(FORMATS), default="text",
              show_default=True, help="Output format (`--format` is the same option).")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to this file instead of standard output.")
@click.option("--select", multiple=True, help="Only these codes or prefixes (comma-separated, repeatable); "
              "replaces the configured selection.")
@click.option("--extend-select", multiple=True, help="Add these codes or prefixes to the selection.")
@click.option("--ignore", multiple=True, help="Skip these codes or prefixes (comma-separated, repeatable).")
@click.option("--knowledge", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="An extra knowledge-base file (same schema as rules/knowledge/transforms/*.yaml).")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False),
              help="Read settings from this file (a pyproject.toml, or a TOML file of the same keys) "
                   "instead of the nearest pyproject.toml with [tool.evalparity].")
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
@click.option("--exclude", multiple=True, help="Exclude these file or folder patterns (replaces the defaults).")
@click.option("--extend-exclude", multiple=True, help="Exclude these patterns as well as the defaults.")
@click.option("--force-exclude", is_flag=True, help="Apply excludes to files named on the command line too "
              "(for pre-commit).")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None,
              help="Lowest severity that makes the exit code 1 [default: warning; info notes are printed but "
                   "do not fail the run].")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (errors still exit 2).")
@click.option("--statistics", is_flag=True, help="Show how many findings each rule has, instead of the findings.")
@click.option("-q", "--quiet", count=True, help="Print the findings and nothing else (no summary or progress); "
              "`-qq` is --silent.")
@click.option("-s", "--silent", is_flag=True, help="Print nothing, not even the findings: the exit code is the "
              "result (a report named with --output-file is still written; errors still print one line).")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False),
              help="Report only findings that are not in this baseline file.")
@click.option("--write-baseline", "write_baseline", type=click.Path(dir_okay=False),
              help="Write every current finding to this baseline file and exit 0.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for parsing (default: the number of CPUs).")
@click.option("--no-cache", is_flag=True, help=f"Neither read nor write the cache in {CACHE_DIR}/.")
@CACHE_DIR_OPTION
@click.option("--fix", "apply_fixes", is_flag=True, help="Apply the safe fixes, then report what remains.")
@click.option("--unsafe-fixes", is_flag=True, help="Include the unsafe fixes (they change results: review them).")
@click.option("--diff", "show_diff", is_flag=True, help="Print the fixes as a unified diff and change nothing "
              "(exit 1 when a file would change).")
@click.option("--show-fixes", is_flag=True, help="After the summary, list the fixes applied (with --fix) or "
              "available, by file and rule.")
@click.option("--show-settings", is_flag=True, help="Print the resolved settings (configuration file, rules, "
              "excludes, cache folder) and exit 0.")
@click.option("--show-files", is_flag=True, help="Print the files that would be checked and exit 0.")
@click.option("--stdin-filename", type=click.Path(dir_okay=False),
              help="Read the source from standard input (the path `-`, or no path) and check it as this file of "
                   "its project; findings are reported under this name. With --fix the fixed source goes to "
                   "standard output, the report to standard error, and the file itself is never written.")
@COLOR_OPTION
def check(paths, output_format, output_file, select, extend_select, ignore, knowledge, config_file, isolated,
          exclude, extend_exclude, force_exclude, fail_on, exit_zero, statistics, quiet, silent, baseline_file,
          write_baseline, jobs, no_cache, cache_dir, apply_fixes, unsafe_fixes, show_diff, show_fixes, show_settings,
          show_files, stdin_filename, color):
    """Lint PATHS (default: the current directory; `-` reads standard input).

    Files named explicitly are checked in the context of their project (the folder of the configuration
    file, or the nearest folder with pyproject.toml, setup.cfg, setup.py or .git): pipelines imported
    from other files of the project are resolved, and findings are reported when they, or their other
    side, are in the named files.
    """
    stdin = _stdin_path(paths, stdin_filename)
    paths = [stdin] if stdin else list(paths) or ["."]
    silent = silent or quiet >= 2
    quiet = bool(quiet) or silent
    if statistics and output_format not in ("text", "concise", "json"):
        raise click.UsageError("--statistics works with --output-format text, concise or json")
    if (apply_fixes or show_diff) and write_baseline:
        raise click.UsageError("--fix and --diff cannot be used with --write-baseline")
    config, options = _settings(paths, config_file, isolated, _codes(select), _codes(extend_select),
                                _codes(ignore), _split(exclude), _split(extend_exclude), force_exclude)
    if stdin == STDIN:  # nameless source: no place in a project, checked on its own
        options = dataclasses.replace(options, project_root=None)
    kb = _load_kb(tuple(str(p) for p in (config.knowledge if config else ())) + tuple(knowledge))
    if show_settings or show_files:
        return _show(paths, config, options, kb, cache_dir, no_cache, show_settings, show_files)
    try:
        known = baseline.load(baseline_file) if baseline_file else None
    except baseline.BaselineError as exc:
        raise click.ClickException(str(exc)) from None
    piped = {stdin: _binary(sys.stdin).read()} if stdin else {}

    def run(contents=None):
        try:
            with overriding({**piped, **(contents or {})}), \
                    progress_bar(enabled=_show_progress(quiet) and not contents and not piped) as on_files:
                cache = None if no_cache else Cache(project_home(), cache_salt(kb, config), cache_dir)
                found = run_check(paths, kb=kb, jobs=jobs or os.cpu_count() or 1, cache=cache,
                                  options=dataclasses.replace(options, progress=on_files))
        except UsageError as exc:
            raise click.UsageError(str(exc)) from None
        if known is not None and not write_baseline:
            found.findings, found.baselined = baseline.apply(found.findings, known)
        found.unsafe_fixes = unsafe_fixes
        return found

    result = run()
    if piped and (show_diff or apply_fixes):
        with overriding(piped):  # the fixes start from the piped source, not from the file on disk
            return _fix_piped(result, run, options.scope(paths), stdin, piped[stdin], output_format, output_file,
                              statistics, quiet, silent, unsafe_fixes, show_diff, show_fixes, color, fail_on,
                              exit_zero, config)
    if show_diff:
        return fixing.show_diff(result, run, unsafe_fixes, options.scope(paths), quiet, silent)
    applied = None
    if apply_fixes:
        result, applied = fixing.fix_until_stable(result, run, unsafe_fixes, options.scope(paths), quiet, silent)
    result.show_fixes, result.applied_fixes = show_fixes, applied
    if write_baseline:
        try:
            baseline.write(write_baseline, result.findings)
        except baseline.BaselineError as exc:
            raise click.ClickException(str(exc)) from None
        if not quiet:
            click.echo(f"Wrote {len(result.findings)} finding{'s' if len(result.findings) != 1 else ''} "
                       f"to the baseline {write_baseline}.", err=True)
        return EXIT_ERROR if any(e.kind == "internal" for e in result.errors) else EXIT_CLEAN
    if not result.files_checked and not result.findings and not quiet:
        click.echo("evalparity: warning: no Python files or notebooks found under the given paths", err=True)
    if not silent or output_file:
        _report(result, output_format, output_file, statistics, quiet, color)
    return _exit_code(result, fail_on, exit_zero, config)


def _exit_code(result, fail_on, exit_zero: bool, config) -> int:
    if any(e.kind == "internal" for e in result.errors):
        return EXIT_ERROR
    threshold = SEVERITIES.index(fail_on or (config.fail_on if config and config.fail_on else "warning"))
    failing = [f for f in result.findings if SEVERITIES.index(f.severity) <= threshold]
    return EXIT_FINDINGS if failing and not exit_zero else EXIT_CLEAN


STDIN = "-"  # the name of standard input on the command line, and in the report when it has no other


def _stdin_path(paths: tuple[str, ...], stdin_filename: str | None) -> str | None:
    """The name to check standard input under, or None when the source comes from files (as Ruff: `-`
    alone, or no path with --stdin-filename, reads standard input)."""
    if STDIN in paths and len(paths) > 1:
        raise click.UsageError("`-` (standard input) cannot be combined with other paths")
    if paths and paths != (STDIN,):
        if stdin_filename:
            raise click.UsageError("--stdin-filename names standard input: pass `-` (or no path) instead of files")
        return None
    if not paths and not stdin_filename:
        return None
    if stdin_filename and os.path.isdir(stdin_filename):
        raise click.UsageError(f"--stdin-filename: {stdin_filename} is a folder")
    return stdin_filename or STDIN


def _fix_piped(result, run, scope, name: str, source: bytes, output_format, output_file, statistics, quiet,
               silent, unsafe, show_diff, show_fixes, color, fail_on, exit_zero, config) -> int:
    """`--fix`/`--diff` on standard input: the fixed source (or the diff) on standard output and nothing
    else there; the report of what remains on standard error; no file is written."""
    if show_diff:
        return fixing.show_diff(result, run, unsafe, scope, quiet, silent)
    result, contents, applied = fixing.fix_in_memory(result, run, unsafe, scope, quiet, silent)
    out = _binary(sys.stdout)
    out.write(contents.get(display_path(name), source))
    out.flush()
    result.show_fixes, result.applied_fixes = show_fixes, applied
    if not silent or output_file:
        _report(result, output_format, output_file, statistics, quiet, color, err=True)
    return _exit_code(result, fail_on, exit_zero, config)


def _report(result, output_format: str, output_file: str | None, statistics: bool, quiet: bool,
            color: str | None = None, err: bool = False) -> None:
    """`err`: to standard error (standard output carries the fixed source)."""
    stream = None
    try:
        stream = open(output_file, "w", encoding="utf-8") if output_file else None
        def echo(text: str = "") -> None:
            if stream is not None:
                stream.write(text + "\n")
            else:
                click.echo(text, err=err)

        if statistics:
            _statistics(result, output_format, echo, quiet)
        elif output_format == "text":
            plain = _Console(file=stream, no_color=True, highlight=False, emoji=False, force_terminal=False,
                             width=10_000) if stream is not None else None
            console = plain or _console(color, err)
            text.render(result, result.sources, console, quiet=quiet)
        else:
            REPORTERS[output_format].render(result, result.sources, echo, quiet=quiet)
    except BrokenPipeError:
        if output_file:
            raise click.ClickException(f"{output_file}: cannot write the report: broken pipe") from None
        _silence_stdout()  # the reader has seen enough; the exit code still tells the result
    except OSError as exc:
        raise click.ClickException(f"{output_file or 'standard output'}: cannot write the report: "
                                   f"{exc.strerror or exc}") from None
    finally:
        if stream is not None:
            stream.close()


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
@click.option("--output-format", "--format", "output_format", type=click.Choice(("text", "json")), default="text",
              show_default=True, help="A table, or a JSON list of the rules.")
@COLOR_OPTION
def list_rules(output_format, color):
    """List every rule with its severity, default state and fix (safe, unsafe or none)."""
    rules = sorted(load_rules().values(), key=lambda r: r.code)
    if output_format == "json":
        click.echo(json.dumps([{"code": r.code, "name": r.name, "severity": r.severity, "default": r.default,
                                "fixable": r.fix, "summary": r.summary} for r in rules], indent=2))
        return EXIT_CLEAN
    table = Table(show_header=True, header_style="bold")
    for column in ("code", "name", "severity", "default", "fixable", "summary"):
        table.add_column(column, overflow="fold")
    for rule in rules:
        table.add_row(rule.code, rule.name, rule.severity, "on" if rule.default else "off",
                      rule.fix, escape(rule.summary))
    _console(color).print(table)
    return EXIT_CLEAN


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--knowledge", multiple=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False),
              help="Read settings (role hints, knowledge, excludes) from this file.")
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
@click.option("--output-format", "--format", "output_format", type=click.Choice(("text", "json")), default="text",
              show_default=True, help="Tables, or JSON (the pairs, their aligned steps and the role evidence).")
@COLOR_OPTION
def pipelines(paths, knowledge, config_file, isolated, output_format, color):
    """Show each train/eval pipeline pair side by side, with the evidence for each role."""
    paths = list(paths) or ["."]
    config, options = _settings(paths, config_file, isolated, (), (), (), (), (), False)
    kb = _load_kb(tuple(str(p) for p in (config.knowledge if config else ())) + tuple(knowledge))
    try:
        with options.active():
            analysis = analyze(paths, kb, excludes=options.excluder)
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None
    if output_format == "json":
        click.echo(json.dumps(pipelines_view.as_dict(analysis, kb), indent=2))
    else:
        pipelines_view.render(analysis, kb, _console(color))
    return EXIT_CLEAN


@cli.command()
@CACHE_DIR_OPTION
def clean(cache_dir):
    """Remove the cache (.evalparity_cache/ at the project root, or evalparity/ inside --cache-dir).

    Only a folder that is an evalparity cache is removed; anything else is refused (exit 2)."""
    home = project_home()
    target = cache_folder(home, cache_dir)
    shown = f"{target}{os.sep}" if cache_dir else f"{os.path.relpath(target)}{os.sep}"
    try:
        removed = clean_cache(home, cache_dir)
    except CacheError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Removed {shown}." if removed else f"No cache at {shown}.")
    return EXIT_CLEAN


@cli.command()
@click.option("--no-cache", is_flag=True, help=f"Neither read nor write the cache in {CACHE_DIR}/.")
@CACHE_DIR_OPTION
def server(no_cache, cache_dir):
    """Run the language server (LSP, on standard input and output) for editors.

    Needs the `server` extra: pip install 'evalparity[server]'. See docs/editors.md."""
    try:
        from evalparity.server import serve
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] not in SERVER_REQUIRES:
            raise
        raise click.ClickException(f"`evalparity server` needs {exc.name}, which is not installed: "
                                   "pip install 'evalparity[server]'") from None
    serve(use_cache=not no_cache, cache_dir=cache_dir)
    return EXIT_CLEAN


SERVER_REQUIRES = ("pygls", "lsprotocol", "cattrs")  # the `server` extra's packages


def cache_salt(kb, config) -> str:
    """What besides a file's content changes its facts: the knowledge base and the role hints."""
    train = sorted(config.train_words) if config else []
    evaluation = sorted(config.eval_words) if config else []
    return "\x00".join((kb.digest, ",".join(train), ",".join(evaluation)))


def _terminate(signum, frame) -> None:
    raise Terminated()


def _tolerant_streams() -> None:
    """A terminal that cannot show a character gets an escape for it, never an exception."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower().replace("-", "") != "utf8":
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass


def main() -> None:
    settle_loaded_facts()  # this process ends after one run: loaded facts need no garbage collection
    _tolerant_streams()
    signal.signal(signal.SIGTERM, _terminate)
    cli.main(prog_name="evalparity")


def _binary(stream):
    """The byte stream under a text stream (click's get_binary_stream is deprecated)."""
    return getattr(stream, "buffer", stream)
