"""discover → extract → relate → check → suppress → sort."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .checks import CheckContext, all_checks
from .discover import FileError, discover, read_source, display_path
from .extract import extract_source
from .facts import FileFacts
from .findings import Finding, fingerprint
from .knowledge import KnowledgeBase, default_knowledge
from .pairing import Pair, pair
from .prefilter import markers, may_contribute
from .project import Project
from .roles import RoledPipeline, assign_roles
from .rulebook import load_rules

NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)


@dataclass
class Analysis:
    files: dict[str, FileFacts]
    project: Project
    roled: list[RoledPipeline]
    pairs: list[Pair]
    errors: list[FileError] = field(default_factory=list)


@dataclass
class Result:
    findings: list[Finding]
    errors: list[FileError]
    files_checked: int
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)


def enabled_codes(select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> set[str]:
    rules = load_rules()
    if select:
        codes = {code for code in rules if any(code.startswith(p) for p in select)}
        codes |= {code for code in rules if rules[code].default and any(p == "ALL" for p in select)}
    else:
        codes = {code for code, rule in rules.items() if rule.default}
    return {code for code in codes if not any(code.startswith(p) for p in ignore)}


def _extract(path, kb: KnowledgeBase, errors: list[FileError], wanted=None) -> FileFacts | None:
    shown = display_path(path)
    source = read_source(path)
    if isinstance(source, FileError):
        errors.append(source)
        return None
    if wanted is not None and not may_contribute(source, wanted):
        return None
    try:
        return extract_source(shown, source, kb)
    except RecursionError:
        errors.append(FileError(shown, "too-complex", "nesting too deep to analyse; skipped"))
    except Exception as exc:  # an evalparity bug must not stop the other files
        errors.append(FileError(shown, "internal", f"{type(exc).__name__}: {exc}"))
    return None


def analyze(paths: list[str], kb: KnowledgeBase | None = None) -> Analysis:
    kb = kb or default_knowledge()
    files, errors = discover(paths)
    wanted = markers(kb)
    facts: dict[str, FileFacts] = {}
    deferred = {}
    for path in files:
        extracted = _extract(path, kb, errors, wanted)
        if extracted is not None:
            facts[extracted.path] = extracted
        else:
            deferred[display_path(path)] = lambda path=path: _extract(path, kb, [])
    project = Project(facts, deferred)
    roled = assign_roles(project)
    return Analysis(dict(facts), project, roled, pair(roled, project), errors)


def _suppressed(finding: Finding, facts: FileFacts | None) -> bool:
    if facts is None or not (0 < finding.location.line <= len(facts.lines)):
        return False
    match = NOQA.search(facts.lines[finding.location.line - 1])
    if match is None:
        return False
    codes = match.group("codes")
    return codes is None or finding.code in {c.upper() for c in re.split(r"[\s,]+", codes)}


def check(paths: list[str], select: tuple[str, ...] = (), ignore: tuple[str, ...] = (),
          kb: KnowledgeBase | None = None) -> Result:
    kb = kb or default_knowledge()
    analysis = analyze(paths, kb)
    context = CheckContext(analysis.project, analysis.roled, analysis.pairs, kb)
    raw: list[Finding] = []
    for facts in analysis.files.values():
        if facts.error:
            raw.append(Finding("EP901", facts.error, facts.error_location))
    for module in all_checks():
        try:
            raw.extend(module.check(context))
        except Exception as exc:  # a failing rule is reported, the others still run
            analysis.errors.append(FileError("<project>", "internal", f"{module.CODE}: {type(exc).__name__}: {exc}"))
    rules = load_rules()
    codes = enabled_codes(select, ignore)
    unique: dict[tuple, Finding] = {}
    for finding in raw:
        if finding.code not in codes or _suppressed(finding, analysis.files.get(finding.location.path)):
            continue
        rule = rules[finding.code]
        finding.name, finding.severity = rule.name, rule.severity
        facts = analysis.files.get(finding.location.path)
        line = facts.lines[finding.location.line - 1] if facts and 0 < finding.location.line <= len(facts.lines) else ""
        finding.fingerprint = fingerprint(finding, line)
        unique.setdefault((finding.code, finding.location, finding.message), finding)
    findings = sorted(unique.values(), key=lambda f: f.sort_key)
    sources = {path: facts.lines for path, facts in analysis.files.items()}
    return Result(findings, sorted(analysis.errors, key=lambda e: (e.path, e.kind)), len(analysis.files), sources)
