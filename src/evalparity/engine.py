"""discover → extract → relate → check → suppress → sort."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from evalparity.checks import CheckContext, all_checks
from evalparity.config import Config
from evalparity.discovery.cache import Cache
from evalparity.discovery.dataconfig import is_data_file
from evalparity.discovery.paths import UNREADABLE_KINDS, Excluder, FileError, discover, display_path, overridden
from evalparity.extract.files import extract_files
from evalparity.facts import FileFacts, Location
from evalparity.findings import Finding, Result
from evalparity.relate import callees
from evalparity.relate.handprep import relate_hand_prep
from evalparity.relate.mmconfig import config_items
from evalparity.relate.pairing import Pair, pair
from evalparity.relate.project import Project
from evalparity.relate.roles import RoledPipeline, assign_roles
from evalparity.report.selection import finish
from evalparity.vocabulary.knowledge import KnowledgeBase, default_knowledge
from evalparity.vocabulary.naming import role_hints
from evalparity.vocabulary.rulebook import load_rules


@dataclass
class Analysis:
    files: dict[str, FileFacts]
    project: Project
    roled: list[RoledPipeline]
    pairs: list[Pair]
    errors: list[FileError] = field(default_factory=list)
    discovered: list[str] = field(default_factory=list)  # display paths of every file found


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
        """What to analyse: the given paths, plus the project root when reporting on a few files (not when
        none of them exists: there is nothing to report on, only the missing paths)."""
        if self.project_root is None or not any(os.path.lexists(p) or overridden(Path(p)) for p in paths):
            return paths
        return [str(self.project_root), *paths]

    def scope(self, paths: list[str]) -> set[str] | None:
        """Display paths of the files to report on (None: everything analysed)."""
        if self.project_root is None:
            return None
        files, errors = discover(paths, self.excluder or Excluder(gitignore=False), self.force_exclude)
        return {display_path(f) for f in files} | {e.path for e in errors}


def enabled_codes(select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> set[str]:
    rules = load_rules()
    if select:
        codes = set(rules) if "ALL" in select else {code for code in rules if any(code.startswith(p) for p in select)}
    else:
        codes = {code for code, rule in rules.items() if rule.default}
    return {code for code in codes if not any(code.startswith(p) for p in ignore)}


def analyze(paths: list[str], kb: KnowledgeBase | None = None, jobs: int = 1, cache: Cache | None = None,
            excludes=None, force_exclude: bool = False, progress=None, named: list[str] = ()) -> Analysis:
    """`named`: files named on the command line, analysed whatever the prefilter says of them."""
    kb = kb or default_knowledge()
    files, errors = discover(paths) if excludes is None else discover(paths, excludes, force_exclude)
    named = frozenset(display_path(p) for p in named if not os.path.isdir(p))
    facts, deferred, problems, parsers = extract_files(files, kb, jobs=jobs, cache=cache, progress=progress,
                                                       named=named)
    callees.remember(cache.answers() if cache is not None else {})
    errors.extend(problems)
    project = Project(facts, deferred, kb.described_packages(), parsers)
    project.kb = kb
    roled = assign_roles(project)
    pairs = pair(roled, project)
    configured = config_items(project)  # pipelines declared in OpenMMLab-style configuration files
    roled, pairs = roled + configured.roled, pairs + configured.pairs
    hand = relate_hand_prep(project, roled, kb)
    paired = {p.eval.id for p in pairs}
    roled = roled + hand.eval_items + hand.train_items
    pairs = pairs + [h.pair for h in hand.pairs if h.pair is not None and h.eval.id not in paired]
    shown = [display_path(p) for p in files]
    # a YAML or JSON file counts as checked only when it declares something (most are unrelated data)
    return Analysis(dict(facts), project, roled, pairs, errors,
                    [p for p in shown if p in facts or not is_data_file(p)])


def check(paths: list[str], select: tuple[str, ...] = (), ignore: tuple[str, ...] = (),
          kb: KnowledgeBase | None = None, jobs: int = 1, cache: Cache | None = None, options: Options | None = None) -> Result:
    kb = kb or default_knowledge()
    options = options or Options(codes=enabled_codes(select, ignore))
    with options.active():
        return _check(paths, kb, options, jobs, cache)


def _check(paths: list[str], kb: KnowledgeBase, options: Options, jobs: int = 1, cache: Cache | None = None) -> Result:
    analysis = analyze(options.targets(paths), kb, jobs=jobs, cache=cache, excludes=options.excluder,
                       force_exclude=options.force_exclude, progress=options.progress, named=paths)
    context = CheckContext(analysis.project, analysis.roled, analysis.pairs, kb, frozenset(options.enabled()))
    raw: list[Finding] = [Finding("EP903", error.message, Location(error.path, 1, 1, 1, 1))
                          for error in analysis.errors if error.kind in UNREADABLE_KINDS]
    analysis.errors = [error for error in analysis.errors if error.kind not in UNREADABLE_KINDS]
    for facts in analysis.files.values():
        if facts.error:
            raw.append(Finding("EP901", facts.error, facts.error_location))
        elif facts.legacy:
            raw.append(Finding("EP901", facts.legacy, facts.legacy_location, cap="info"))
    for module in all_checks():
        try:
            raw.extend(module.check(context))
        except Exception as exc:  # a failing rule is reported, the others still run
            analysis.errors.append(FileError("<project>", "internal", f"{module.CODE}: {type(exc).__name__}: {exc}"))
    answers = callees.learned() if cache is not None else None
    if answers is not None:
        cache.save_answers(answers)
    legacy = {path for path, facts in analysis.files.items() if facts.legacy}
    shared = [item.pipeline.location for item in analysis.roled if item.shared]
    configs = config_items(analysis.project).paths
    for finding in raw:
        if finding.fix and any(e["path"] in configs for e in finding.fix["edits"]):
            finding.fix = None  # configuration files are data: no fix builder knows their shape
        if finding.fix and any(e["path"] in legacy for e in finding.fix["edits"]):
            finding.fix = None  # its text was read with `async` renamed: never write from it
        if finding.fix and any(_within(e, where) for e in finding.fix["edits"] for where in shared):
            finding.fix = None  # a factory's pipeline serves other call sites too: an edit would change them
    done = finish(raw, analysis, options, options.scope(paths))
    return Result(done.findings, done.errors, done.files_checked, done.sources, done.notebooks,
                  files_analysed=done.files_analysed)


def _within(edit: dict, where: Location) -> bool:
    return edit["path"] == where.path and (where.line, where.column) <= (edit["line"], edit["column"]) and \
        (edit["end_line"], edit["end_column"]) <= (where.end_line, where.end_column)
