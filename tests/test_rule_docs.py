"""Rule documentation cannot lie: its examples run, and every rule has fixtures both ways."""

from pathlib import Path

import pytest
import yaml
from annotations import read_annotations
from conftest import FIXTURES, ROOT

from evalparity.engine import check
from evalparity.vocabulary.rulebook import REQUIRED, load_rules

RULE_FILES = sorted((ROOT / "rules").glob("EP*.yaml"))
RULES = load_rules()
# Rules about files that cannot be read: a snippet or an annotated fixture is readable by definition,
# so they are tested through the command line (tests/test_never_harm.py).
UNREADABLE = {"EP903"}
SNIPPET_RULES = sorted(set(RULES) - UNREADABLE)


@pytest.mark.parametrize("path", RULE_FILES, ids=[p.stem for p in RULE_FILES])
def test_rule_file_is_complete(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["code"] == path.stem
    for key in REQUIRED:
        assert str(data.get(key, "")).strip(), f"{path.name} lacks {key}"
    assert data.get("references"), f"{path.name} lacks references"


def test_names_are_unique():
    names = [rule.name for rule in RULES.values()]
    assert len(names) == len(set(names))


def _run_snippet(tmp_path: Path, code: str, snippet: str):
    target = tmp_path / "snippet.py"
    target.write_text(snippet, encoding="utf-8")
    return check([str(target)], select=(code,))


@pytest.mark.parametrize("code", SNIPPET_RULES)
def test_example_is_flagged_with_exactly_its_code(code, tmp_path):
    result = _run_snippet(tmp_path, code, RULES[code].example)
    assert {f.code for f in result.findings} == {code}
    everything = check([str(tmp_path / "snippet.py")])
    assert {f.code for f in everything.findings} <= {code}


@pytest.mark.parametrize("code", sorted(RULES))
def test_use_instead_is_clean(code, tmp_path):
    target = tmp_path / "snippet.py"
    target.write_text(RULES[code].use_instead, encoding="utf-8")
    result = check([str(target)], select=("EP",))
    assert result.findings == []


@pytest.mark.parametrize("code", SNIPPET_RULES)
def test_rule_has_positive_and_near_miss_fixtures(code):
    folder = FIXTURES / code
    kinds = [e.kind for path in folder.rglob("*.py") for e in read_annotations(path, path.name) if e.code == code]
    assert kinds.count("expect") >= 3 and kinds.count("ok") >= 3, (
        f"{code} needs at least 3 `# expect:` and 3 `# ok:` cases in {folder}")
