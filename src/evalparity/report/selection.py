"""After the checks: rule selection, per-file ignores, suppression comments (and EP902), the files a run
reports on, fingerprints, and sorting."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from evalparity.discovery.paths import FileError, current_bytes, read_source
from evalparity.findings import Finding, disambiguate, fingerprint, flagged_text, tidy_related
from evalparity.suppress import Suppressions
from evalparity.vocabulary.naming import dormant_file
from evalparity.vocabulary.rulebook import SEVERITIES, load_rules

ALWAYS = frozenset({"EP903"})  # a file that cannot be read is reported whatever the selection


@dataclass
class Finished:
    findings: list[Finding]
    errors: list[FileError]
    files_checked: int
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notebooks: dict = field(default_factory=dict)
    files_analysed: int = 0  # of the files checked, those with a pipeline, loader or loop to look at


def finish(raw: list[Finding], analysis, options, scope: set[str] | None) -> Finished:
    """`options`: the run's engine.Options."""
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
        tidy_related(finding)
        cap = "info" if dormant_file(finding.location.path) and finding.code not in ALWAYS else finding.cap
        if cap is not None and SEVERITIES.index(cap) > SEVERITIES.index(rule.severity):
            finding.severity = cap  # a note: accurate, rarely worth a fix (or in code marked deprecated)
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

    try:  # the contents being checked: fixes not yet written, standard input and editors' buffers count
        return notebook_source(current_bytes(path))
    except (OSError, NotebookError):
        return None
