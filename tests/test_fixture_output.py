"""What each check *says* about its fixtures: the message, the related places and their wording, the notes, the
help line and the fix, exactly as `--format json` reports them, for every case in tests/fixtures/<CODE>/.

test_fixtures asserts *where* findings appear (path, line, code); a check that still flags the right line but
with a broken message (`None`, the wrong name, a related place without its text) passes there and fails here.
One golden file per rule folder, tests/golden/fixtures/<CODE>.json: after an intended change of wording run
`EVALPARITY_UPDATE_GOLDEN=1 pytest tests/test_fixture_output.py`, review the diff, and run again without it.
"""

import json
import os

import pytest
from annotations import fixture_cases
from conftest import FIXTURES, ROOT

from evalparity.report.json_format import as_dict

GOLDEN = ROOT / "tests" / "golden" / "fixtures"
CODES = sorted({case.parent.name for case in fixture_cases(FIXTURES)})


def _said(result) -> list[dict]:
    # the fingerprint is the baseline's business (tests/test_baseline.py), not the check's wording
    return [{key: value for key, value in finding.items() if key != "fingerprint"}
            for finding in as_dict(result)["findings"]]


@pytest.mark.parametrize("code", CODES)
def test_fixture_output(code, fixture_case_check):
    cases = [case for case in fixture_cases(FIXTURES) if case.parent.name == code]
    output = {case.name: _said(fixture_case_check(case)) for case in cases}
    golden = GOLDEN / f"{code}.json"
    text = json.dumps(output, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("EVALPARITY_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        pytest.skip(f"rewrote {golden.name}: review the diff, then run again without EVALPARITY_UPDATE_GOLDEN")
    assert json.loads(golden.read_text(encoding="utf-8")) == output
