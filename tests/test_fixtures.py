"""Every annotated fixture produces exactly the findings its annotations name: no more, no less."""

import pytest
from annotations import annotated_files, fixture_cases, read_annotations
from conftest import FIXTURES

CASES = fixture_cases(FIXTURES)


def _expectations(case):
    found = []
    for path in annotated_files(case):
        found += read_annotations(path, path.relative_to(case.parent).as_posix())
    return found


@pytest.mark.parametrize("case", CASES, ids=[c.relative_to(FIXTURES).as_posix() for c in CASES])
def test_fixture(case, fixture_case_check):
    expectations = _expectations(case)
    # default rules plus the fixture folder's own rule, which may be off by default
    result = fixture_case_check(case)
    assert not [e for e in result.errors if e.kind == "internal"], result.errors
    actual = {(f.location.path, f.location.line, f.code) for f in result.findings}
    expected = {(e.path, e.line, e.code) for e in expectations if e.kind == "expect"}
    missing = expected - actual
    extra = actual - expected
    messages = {(f.location.path, f.location.line, f.code): f.message for f in result.findings}
    assert not missing and not extra, (
        f"missing: {sorted(missing)}\nextra: {[(k, messages[k]) for k in sorted(extra)]}")
    for e in expectations:
        if e.kind == "related":
            assert any(f.code == e.code and any((r.location.path, r.location.line) == (e.path, e.line)
                                                for r in f.related) for f in result.findings), e
        if e.kind == "ok":
            assert (e.path, e.line, e.code) not in actual, e
