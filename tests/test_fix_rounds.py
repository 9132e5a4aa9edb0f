"""The rounds of `--fix` (evalparity.fixes.rounds.settle) with a stand-in for the re-check: each check of the
contents gives the findings that text has, so what a fix introduces, and what the next round fixes, is
chosen by the test rather than by a rule."""

from types import SimpleNamespace

from evalparity.facts import Location
from evalparity.findings import Finding
from evalparity.fixes.rounds import fix_in_memory, introduced, settle, show_diff

SOURCE = "x = 1\ny = 2\nz = 3\n"


def _finding(path, code, line, old, new):
    """A finding on `line` whose fix replaces the value `old` (at column 5) by `new`."""
    edit = {"path": path, "line": line, "column": 5, "end_line": line, "end_column": 5 + len(old),
            "content": new, "original": old}
    return Finding(code, f"value {old}", Location(path, line, 1, line, 1),
                   fix={"applicability": "safe", "description": "d", "edits": [edit]})


def _checker(path):
    """The findings of a text: x's and y's values are EP504 findings, z's an EP501 one (which waits while an
    EP504 fix is pending in the file); x's fix writes `BAD`, where four EP999 findings appear."""
    def check(contents):
        text = (contents or {}).get(path) or open(path, "rb").read()
        lines = text.decode().splitlines()
        findings = []
        if lines[0] == "x = 1":
            findings.append(_finding(path, "EP504", 1, "1", "BAD"))
        if lines[1] == "y = 2":
            findings.append(_finding(path, "EP504", 2, "2", "20"))
        if lines[2] == "z = 3":
            findings.append(_finding(path, "EP501", 3, "3", "30"))
        if lines[0] == "x = BAD":
            findings += [Finding("EP999", "new", Location(path, n, 1, n, 1)) for n in (1, 2, 3, 4)]
        return SimpleNamespace(findings=findings)
    return check


def test_a_round_whose_fixes_introduce_a_finding_keeps_the_good_ones_and_goes_on(tmp_path):
    """Round 1 fixes x and y together and meets four new findings; retried fix by fix, x's fix is refused
    (its reason names the first three new findings) and y's, tried after it, kept; z's fix, which waited
    for the EP504 fixes, is applied in the next round."""
    path = str(tmp_path / "a.py")
    (tmp_path / "a.py").write_text(SOURCE)
    check = _checker(path)
    outcome = settle(check(None), check, False, None)
    assert outcome.contents == {path: b"x = 1\ny = 20\nz = 30\n"}
    assert outcome.originals == {path: SOURCE.encode()}
    assert (outcome.fixed, [(f.code, f.location.line) for f in outcome.applied]) == (2, [("EP504", 2), ("EP501", 3)])
    assert [(f.location.line, why) for f, why in outcome.refused] == [
        (1, f"it would introduce EP999 at {path}:1, EP999 at {path}:2, EP999 at {path}:3")]
    assert [(f.code, f.location.line) for f in outcome.result.findings] == [("EP504", 1)]
    assert outcome.changed() == [path] and outcome.problems == []


def test_a_fix_may_trade_a_finding_for_one_of_the_same_rule_and_file():
    """Findings are counted by rule and file: one EP504 for another in a.py is no new finding; a second one,
    or one in another file, is."""
    def at(code, path, line):
        return Finding(code, "m", Location(path, line, 1, line, 1))

    before = [at("EP504", "a.py", 1), at("EP101", "a.py", 2)]
    assert introduced(before, [at("EP504", "a.py", 7)]) == []
    assert introduced(before * 2, [at("EP504", "a.py", 7), at("EP504", "a.py", 8)]) == []
    extra = [at("EP504", "a.py", 7), at("EP504", "a.py", 8), at("EP504", "b.py", 1)]
    assert introduced(before, extra) == extra[1:]


def test_rounds_stop_after_five(tmp_path):
    """A fix that always makes room for another (here: each one counts up) stops after MAX_ROUNDS rounds."""
    path = str(tmp_path / "a.py")
    (tmp_path / "a.py").write_text("x = 1\n")

    def check(contents):
        value = ((contents or {}).get(path) or b"x = 1\n").decode()[4:-1]
        return SimpleNamespace(findings=[_finding(path, "EP504", 1, value, str(int(value) + 1))])

    outcome = settle(check(None), check, False, None)
    assert (outcome.contents, outcome.fixed) == ({path: b"x = 6\n"}, 5)


def test_fixing_in_memory_reports_refusals_and_a_summary_unless_silent(tmp_path, capsys):
    path = str(tmp_path / "a.py")
    (tmp_path / "a.py").write_text(SOURCE)
    check = _checker(path)
    result, contents, applied = fix_in_memory(check(None), check, False, None, True, True)
    assert capsys.readouterr() == ("", "")
    assert contents == {path: b"x = 1\ny = 20\nz = 30\n"} and len(applied) == 2
    assert [(f.code, f.location.line) for f in result.findings] == [("EP504", 1)]
    fix_in_memory(check(None), check, False, None, False, False)
    assert capsys.readouterr().err == (
        f"evalparity: {path}:1: EP504 fix not applied: it would introduce EP999 at {path}:1, EP999 at {path}:2, "
        f"EP999 at {path}:3\nFixed 2 findings in 1 file (1 fix could not be applied).\n")
    assert (tmp_path / "a.py").read_text() == SOURCE  # nothing written


def test_a_diff_is_printed_unless_silent(tmp_path, capsys):
    path = str(tmp_path / "a.py")
    (tmp_path / "a.py").write_text(SOURCE)
    check = _checker(path)
    assert show_diff(check(None), check, False, None, True, True) == 1
    assert capsys.readouterr() == ("", "")
    assert show_diff(check(None), check, False, None, False, False) == 1
    out, err = capsys.readouterr()
    assert out == f"--- a/{path}\n+++ b/{path}\n@@ -1,3 +1,3 @@\n x = 1\n-y = 2\n-z = 3\n+y = 20\n+z = 30\n"
    assert err.endswith("\nWould fix 2 findings in 1 file.\n")
    assert (tmp_path / "a.py").read_text() == SOURCE


def test_a_retry_in_a_later_round_starts_from_the_fixes_already_kept(tmp_path):
    """Round 1 fixes x (EP504; y's and z's EP501 fixes wait for it); round 2 fixes y and z together, z's
    introduces findings, and the retry of y alone must build on x's fix, not on the file on disk."""
    path = str(tmp_path / "a.py")
    (tmp_path / "a.py").write_text(SOURCE)

    def check(contents):
        lines = ((contents or {}).get(path) or SOURCE.encode()).decode().splitlines()
        findings = [_finding(path, code, n, old, new) for n, (line, code, old, new) in enumerate(
            zip(lines, ("EP504", "EP501", "EP501"), "123", ("10", "20", "BAD")), 1) if line.endswith(f" = {old}")]
        if lines[2] == "z = BAD":
            findings.append(Finding("EP999", "new", Location(path, 3, 1, 3, 1)))
        return SimpleNamespace(findings=findings)

    outcome = settle(check(None), check, True, None)
    assert outcome.contents == {path: b"x = 10\ny = 20\nz = 3\n"}
    assert [(f.location.line, why) for f, why in outcome.refused] == [(3, f"it would introduce EP999 at {path}:3")]
