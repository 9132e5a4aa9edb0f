"""After the checks: rule selection, per-file ignores, suppression comments (and EP902), the files a run
reports on, fingerprints, and sorting. Also the options of one run that the command line assembles."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from evalparity.config import Config
from evalparity.discovery.paths import Excluder, FileError, discover, display_path, read_source
from evalparity.findings import Finding, disambiguate, fingerprint, flagged_text
from evalparity.vocabulary.naming import role_hints
from evalparity.vocabulary.rulebook import load_rules
from evalparity.suppress import Suppressions

PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")
ALWAYS = frozenset({"EP903"})  # a file that cannot be read is reported whatever the selection


@dataclass
class Options:
    """How one run is configured beyond the knowledge base (the command line fills this in)."""

    codes: set[str] | None = None  # enabled rule codes; None: the rules on by default
    config: Config | None = None  # per-file-ignores and role hints
    excluder: Excluder | None = None  # None: the default folder names, no .gitignore
    force_exclude: bool = False  # apply excludes to files named explicitly too
    project_root: Path | None = None  # analyse this folder too, but report only on the given paths
    progress: Callable[[int, int], None] | None = None  # (files done, files in all) during extraction

    def enabled(self) -> set[str]:
        if self.codes is not None:
            return self.codes
        return {code for code, rule in load_rules().items() if rule.default}

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        config = self.config
        with role_hints(config.train_words if config else (), config.eval_words if config else ()):
            yield

    def targets(self, paths: list[str]) -> list[str]:
        """What to analyse: the given paths, plus the project root when reporting on a few files."""
        if self.project_root is None:
            return paths
        return [str(self.project_root), *paths]

    def scope(self, paths: list[str]) -> set[str] | None:
        """Display paths of the files to report on (None: everything analysed)."""
        if self.project_root is None:
            return None
        files, errors = discover(paths, self.excluder or Excluder(gitignore=False), self.force_exclude)
        return {display_path(f) for f in files} | {e.path for e in errors}


def project_home(start: Path | None = None) -> Path:
    """Where the project's own folders (the cache) live: the nearest folder from `start` (default: the
    current directory) up with a pyproject.toml, setup.cfg, setup.py or .git; else `start` itself."""
    start = Path(os.path.abspath(start or Path.cwd()))
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder
    return start


def project_root(paths: list[str]) -> Path | None:
    """The project the given files belong to: the nearest folder above them with a pyproject.toml,
    setup.cfg, setup.py or .git (None when there is none, or when only folders are given)."""
    files = [Path(os.path.abspath(p)) for p in paths if not Path(p).is_dir()]
    if not files:
        return None
    try:
        common = Path(os.path.commonpath([str(f.parent) for f in files]))
    except ValueError:
        return None
    for folder in (common, *common.parents):
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder
    return None


@dataclass
class Finished:
    findings: list[Finding]
    errors: list[FileError]
    files_checked: int
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notebooks: dict = field(default_factory=dict)
    files_analysed: int = 0  # of the files checked, those with a pipeline, loader or loop to look at


def finish(raw: list[Finding], analysis, options: Options, scope: set[str] | None) -> Finished:
    rules = load_rules()
    enabled = options.enabled()
    config = options.config
    sources: dict[str, tuple[str, ...]] = {path: facts.lines for path, facts in analysis.project.files.items()}
    suppressions: dict[str, Suppressions] = {}

    def comments(path: str) -> Suppressions:
        found = suppressions.get(path)
        if found is None:
            found = suppressions[path] = Suppressions(path, sources.get(path, ()))
        return found

    def in_scope(finding: Finding) -> bool:
        return scope is None or finding.location.path in scope or any(r.location.path in scope for r in finding.related)

    def ignored(finding: Finding) -> bool:
        return config is not None and any(finding.code.startswith(c) for c in config.ignored_for(finding.location.path))

    kept: list[Finding] = []
    for finding in raw:
        if (finding.code not in enabled and finding.code not in ALWAYS) or not in_scope(finding) or ignored(finding):
            continue
        if comments(finding.location.path).suppress(finding):
            continue
        kept.append(finding)

    if "EP902" in enabled:
        for path in _reported_paths(analysis, scope):
            if path not in sources:
                sources[path] = _lines_of(path)
            for finding in comments(path).unused(enabled, set(rules)):
                if not ignored(finding) and not comments(path).names("EP902", finding.location.line):
                    kept.append(finding)

    unique: dict[tuple, Finding] = {}
    for finding in kept:
        rule = rules[finding.code]
        finding.name, finding.severity = rule.name, rule.severity
        text = flagged_text(sources.get(finding.location.path), finding.location)
        finding.fingerprint = fingerprint(finding, text)
        finding.content_print = fingerprint(finding, text, path="")
        unique.setdefault((finding.code, finding.location, finding.message), finding)
    findings = sorted(unique.values(), key=lambda f: f.sort_key)
    disambiguate(findings)
    errors = [e for e in analysis.errors if scope is None or e.path in scope or e.path.startswith("<")]
    unreadable = {f.location.path for f in findings if f.code in ALWAYS}
    discovered = [path for path in _reported_paths(analysis, scope) if path not in unreadable]
    checked = len(discovered)
    analysed = sum(1 for path in discovered if path in analysis.files)
    shown = {f.location.path for f in findings} | {r.location.path for f in findings for r in f.related}
    notebooks = {path: _notebook(path) for path in sorted(shown) if path.endswith(".ipynb")}
    return Finished(findings, sorted(errors, key=lambda e: (e.path, e.kind)), checked, sources,
                    {path: nb for path, nb in notebooks.items() if nb is not None}, analysed)


def _reported_paths(analysis, scope: set[str] | None) -> list[str]:
    paths = list(getattr(analysis, "discovered", None) or analysis.project.files)
    return sorted(p for p in paths if scope is None or p in scope)


def _lines_of(path: str) -> tuple[str, ...]:
    data = read_source(Path(path))
    if isinstance(data, FileError):
        return ()
    return tuple(data.decode("utf-8", "replace").splitlines())


def _notebook(path: str):
    from evalparity.discovery.notebooks import NotebookError, notebook_source

    try:
        return notebook_source(Path(path).read_bytes())
    except (OSError, NotebookError):
        return None
