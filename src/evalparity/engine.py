"""discover → extract → relate → check → suppress → sort."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from evalparity.checks import CheckContext, all_checks
from evalparity.discovery.cache import Cache
from evalparity.discovery.paths import UNREADABLE_KINDS, FileError, discover, display_path
from evalparity.extract.files import extract_files
from evalparity.facts import FileFacts
from evalparity.facts import Location
from evalparity.findings import Finding
from evalparity.vocabulary.knowledge import KnowledgeBase, default_knowledge
from evalparity.relate.pairing import Pair, pair
from evalparity.report.selection import Options, finish
from evalparity.relate.project import Project
from evalparity.relate.roles import RoledPipeline, assign_roles
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
class Result:
    findings: list[Finding]
    errors: list[FileError]
    files_checked: int
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    notebooks: dict = field(default_factory=dict)  # path → notebooks.NotebookSource (cell locations)
    baselined: int = 0  # findings hidden because the baseline has them
    unsafe_fixes: bool = False  # unsafe fixes count as available (`--unsafe-fixes`)
    files_analysed: int | None = None  # of files_checked, those with something to check


def enabled_codes(select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> set[str]:
    rules = load_rules()
    if select:
        codes = {code for code in rules if any(code.startswith(p) for p in select)}
        codes |= {code for code in rules if rules[code].default and any(p == "ALL" for p in select)}
    else:
        codes = {code for code, rule in rules.items() if rule.default}
    return {code for code in codes if not any(code.startswith(p) for p in ignore)}


def analyze(paths: list[str], kb: KnowledgeBase | None = None, jobs: int = 1, cache: Cache | None = None,
            excludes=None, force_exclude: bool = False, progress=None, named: list[str] = ()) -> Analysis:
    """`named`: files named on the command line, analysed whatever the prefilter says of them."""
    kb = kb or default_knowledge()
    files, errors = discover(paths) if excludes is None else discover(paths, excludes, force_exclude)
    named = frozenset(display_path(p) for p in named if not os.path.isdir(p))
    facts, deferred, problems = extract_files(files, kb, jobs=jobs, cache=cache, progress=progress, named=named)
    errors.extend(problems)
    project = Project(facts, deferred)
    roled = assign_roles(project)
    return Analysis(dict(facts), project, roled, pair(roled, project), errors,
                    [display_path(p) for p in files])


def check(paths: list[str], select: tuple[str, ...] = (), ignore: tuple[str, ...] = (),
          kb: KnowledgeBase | None = None, jobs: int = 1, cache: Cache | None = None, options: Options | None = None) -> Result:
    kb = kb or default_knowledge()
    options = options or Options(codes=enabled_codes(select, ignore))
    with options.active():
        return _check(paths, kb, options, jobs, cache)


def _check(paths: list[str], kb: KnowledgeBase, options: Options, jobs: int = 1, cache: Cache | None = None) -> Result:
    analysis = analyze(options.targets(paths), kb, jobs=jobs, cache=cache, excludes=options.excluder,
                       force_exclude=options.force_exclude, progress=options.progress, named=paths)
    context = CheckContext(analysis.project, analysis.roled, analysis.pairs, kb)
    raw: list[Finding] = [Finding("EP903", error.message, Location(error.path, 1, 1, 1, 1))
                          for error in analysis.errors if error.kind in UNREADABLE_KINDS]
    analysis.errors = [error for error in analysis.errors if error.kind not in UNREADABLE_KINDS]
    for facts in analysis.files.values():
        if facts.error:
            raw.append(Finding("EP901", facts.error, facts.error_location))
    for module in all_checks():
        try:
            raw.extend(module.check(context))
        except Exception as exc:  # a failing rule is reported, the others still run
            analysis.errors.append(FileError("<project>", "internal", f"{module.CODE}: {type(exc).__name__}: {exc}"))
    done = finish(raw, analysis, options, options.scope(paths))
    return Result(done.findings, done.errors, done.files_checked, done.sources, done.notebooks,
                  files_analysed=done.files_analysed)
