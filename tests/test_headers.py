"""Every finding over the fixtures and examples reads like a Ruff diagnostic: a header of one clause
naming what and where, at most 100 characters (with a `path:line:col: EPxxx ` prefix of about 40 it still
fits a 150-column terminal, and most headers fit 80), and no rationale after it: the why lives in
`evalparity explain`, the facts of the finding in its frames and notes. No related location is listed
twice with the same label."""

import re

import pytest
from annotations import fixture_cases
from conftest import EXAMPLES, FIXTURES, ROOT

from evalparity.engine import check, enabled_codes
from evalparity.findings import KINDS

MAX_HEADER = 100
CASES = fixture_cases(FIXTURES)
# a rationale tacked on: a second clause after a colon or semicolon, a second sentence, a consequence
RATIONALE = re.compile(r": |; |\. |\.$| so |, which | because ")
LOCATION = re.compile(r"\.py:\d+|\bline \d+")


def _problems(finding) -> list[str]:
    header = finding.message
    prose = re.sub(r"`[^`]*`", "``", header)  # code in backticks says nothing about the wording
    if finding.code == "EP901" and prose.startswith("syntax error: "):
        prose = prose[len("syntax error: "):].replace(". ", " ")  # Python's own message, kept as it is
    problems = []
    if len(header) > MAX_HEADER:
        problems.append(f"{len(header)} characters")
    if "\n" in header or RATIONALE.search(prose if finding.code != "EP901" else ""):
        problems.append("more than one clause")
    if LOCATION.search(header):
        problems.append("a location in the header (it belongs in a frame)")
    seen = set()
    for related in finding.related:
        if (related.location, related.label) in seen:
            problems.append(f"{related.location} listed twice")
        seen.add((related.location, related.label))
        if related.kind not in KINDS:
            problems.append(f"related kind {related.kind!r}")
    return problems


@pytest.mark.parametrize("case", CASES, ids=[c.relative_to(FIXTURES).as_posix() for c in CASES])
def test_fixture_headers_are_one_short_clause(case, fixture_case_check):
    found = {f"{f.location.path}:{f.location.line} {f.code} {f.message!r}": _problems(f)
             for f in fixture_case_check(case).findings}
    assert not {k: v for k, v in found.items() if v}


def test_example_headers_are_one_short_clause(in_dir):
    in_dir(ROOT)
    findings = check([EXAMPLES.name], select=tuple(enabled_codes())).findings
    assert findings
    found = {f"{f.location.path}:{f.location.line} {f.code} {f.message!r}": _problems(f) for f in findings}
    assert not {k: v for k, v in found.items() if v}


def test_the_rationale_check_catches_an_essay():
    from evalparity.facts import Location
    from evalparity.findings import Finding

    essay = Finding("EP401", "evaluation loader `v` has drop_last=True: the last batch is never evaluated, so "
                             "samples are left out", Location("a.py", 1, 1, 1, 2))
    assert _problems(essay) == ["more than one clause"]
    assert _problems(Finding("EP401", "`drop_last=True` on evaluation loader `v`", Location("a.py", 1, 1, 1, 2))) == []
