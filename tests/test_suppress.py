"""Suppression comments through the command line: `# noqa`, `# noqa: CODES`, file-level
`# evalparity: noqa[: codes]`, and EP902 for the unused ones."""

import json

from click.testing import CliRunner

from evalparity.cli import cli
from evalparity.suppress import Suppressions

PIPELINE = "import torchvision.transforms as T\nval_tf = T.Compose([T.RandomCrop(8), T.ToTensor()]){comment}\n"


def run(tmp_path, comment, *args):
    (tmp_path / "a.py").write_text(PIPELINE.format(comment=comment))
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--format", "json", *args])
    return result.exit_code, [f["code"] for f in json.loads(result.output)["findings"]]


def test_noqa_with_the_code_suppresses(tmp_path):
    assert run(tmp_path, "") == (1, ["EP101"])
    assert run(tmp_path, "  # noqa: EP101") == (0, [])
    assert run(tmp_path, "  # NOQA:EP101,E501") == (0, [])
    assert run(tmp_path, "  # noqa: EP1") == (0, [])  # a prefix, as in flake8
    assert run(tmp_path, "  # noqa: EP201") == (1, ["EP101"])


def test_bare_noqa_suppresses_everything_on_the_line(tmp_path):
    assert run(tmp_path, "  # noqa") == (0, [])
    assert run(tmp_path, "  # type: ignore  # noqa") == (0, [])
    assert run(tmp_path, "  # noqa-free zone") == (1, ["EP101"])
    assert run(tmp_path, "  # noqavirus") == (1, ["EP101"])


def test_file_level_noqa(tmp_path):
    (tmp_path / "a.py").write_text("# evalparity: noqa\n" + PIPELINE.format(comment=""))
    assert CliRunner().invoke(cli, ["check", str(tmp_path)]).exit_code == 0
    (tmp_path / "a.py").write_text("# evalparity: noqa: EP2, EP3\n" + PIPELINE.format(comment=""))
    assert CliRunner().invoke(cli, ["check", str(tmp_path)]).exit_code == 1
    (tmp_path / "a.py").write_text(PIPELINE.format(comment="") + "# evalparity: noqa: EP101\n")
    assert CliRunner().invoke(cli, ["check", str(tmp_path)]).exit_code == 0


def test_noqa_inside_a_string_is_not_a_comment(tmp_path):
    (tmp_path / "a.py").write_text('import torchvision.transforms as T\n'
                                   'val_tf = T.Compose([T.RandomCrop(8), T.Lambda(lambda x: "# noqa")])\n')
    assert CliRunner().invoke(cli, ["check", str(tmp_path)]).exit_code == 1


def test_unused_suppression_is_off_by_default_and_info(tmp_path):
    assert run(tmp_path, "  # noqa: EP101, EP201") == (0, [])
    code, found = run(tmp_path, "  # noqa: EP101, EP201", "--extend-select", "EP902")
    assert (code, found) == (0, ["EP902"])  # a note: printed, but it passes unless --fail-on info
    data = json.loads(CliRunner().invoke(cli, ["check", str(tmp_path), "--format", "json",
                                               "--extend-select", "EP902"]).output)
    finding = data["findings"][0]
    assert finding["severity"] == "info" and finding["line"] == 2 and finding["column"] == 54
    assert finding["message"] == "`EP201` in `# noqa: EP101, EP201` suppresses nothing on this line"


def test_unused_suppression_of_a_rule_not_enabled_says_so(tmp_path):
    code, found = run(tmp_path, "  # noqa: EP101", "--select", "EP902")
    assert found == ["EP902"]
    out = CliRunner().invoke(cli, ["check", str(tmp_path), "--select", "EP902", "--format", "concise"]).output
    assert "the rule is not enabled" in out


def test_suppressions_on_a_file_that_does_not_tokenize():
    lines = ("def f(:  # noqa: EP101", "x = '''", "y  # noqa")
    parsed = Suppressions("bad.py", lines)
    assert set(parsed.by_line) == {1, 3}


def test_comments_at_the_start_of_a_line_count_in_a_file_that_does_not_tokenize():
    from evalparity.facts import Location
    from evalparity.findings import Finding

    lines = ("# evalparity: noqa: EP9", "def f(:", "# noqa: EP101", "x = '''")
    parsed = Suppressions("bad.py", lines)
    assert [d.text for d in parsed.file_level] == ["# evalparity: noqa: EP9"]
    assert set(parsed.by_line) == {3}
    assert parsed.suppress(Finding("EP901", "syntax error", Location("bad.py", 2, 7, 2, 8)))
    assert parsed.suppress(Finding("EP101", "m", Location("bad.py", 3, 1, 3, 2)))
    assert not parsed.suppress(Finding("EP101", "m", Location("bad.py", 2, 1, 2, 2)))


def test_a_noqa_followed_by_another_comment_counts_in_a_file_that_does_not_tokenize():
    from evalparity.facts import Location
    from evalparity.findings import Finding

    parsed = Suppressions("bad.py", ("x = '#'  # noqa: EP101  # the reason", "def f(:"))
    assert [d.codes for d in parsed.by_line[1]] == [("EP101",)]
    assert parsed.suppress(Finding("EP101", "m", Location("bad.py", 1, 1, 1, 2)))


def test_a_file_level_noqa_that_suppresses_nothing_is_reported_once(tmp_path):
    (tmp_path / "a.py").write_text("# evalparity: noqa\nimport torchvision.transforms as T\n"
                                   "val_tf = T.Compose([T.CenterCrop(8), T.ToTensor()])\n")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "a.py"), "--isolated", "--no-cache",
                                      "--extend-select", "EP902", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["errors"] == []
    assert [(f["line"], f["code"], f["message"]) for f in data["findings"]] == [
        (1, "EP902", "`# evalparity: noqa` suppresses nothing in this file")]


def test_unused_codes_after_a_bare_noqa_are_still_reported():
    """A bare `# noqa` (no codes) earlier in the file does not end the search for unused codes after it."""
    parsed = Suppressions("a.py", ("x = 1  # noqa", "y = 2", "z = 3  # noqa: EP101"))
    found = parsed.unused(enabled={"EP101"}, known={"EP101"})
    assert [(f.location.line, f.code, f.message) for f in found] == [
        (3, "EP902", "`EP101` in `# noqa: EP101` suppresses nothing on this line")]


def test_a_directive_spans_its_comment_to_the_end_of_the_line():
    line = "val_tf = T.Compose([T.RandomCrop(8)])  # noqa: EP101  # crop kept on purpose"
    [directive] = Suppressions("a.py", (line,)).by_line[1]
    start = line.index("# noqa")
    assert (directive.location.column, directive.location.end_column) == (start + 1, len(line) + 1)


def test_a_file_whose_every_line_has_a_noqa_is_read():
    lines = ("x = T.RandomCrop(8)  # noqa: EP101", "y = T.RandomCrop(8)  # NOQA")
    parsed = Suppressions("a.py", lines)
    assert set(parsed.by_line) == {1, 2}
