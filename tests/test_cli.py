"""The command line through click's runner: exit codes, options, messages."""

import json

from click.testing import CliRunner
from conftest import FIXTURES, ROOT

from evalparity.cli import cli

RANDOM_IN_EVAL = "import torchvision.transforms as T\nval_tf = T.Compose([T.RandomCrop(8), T.ToTensor()])\n"
CLEAN = "import torchvision.transforms as T\nval_tf = T.Compose([T.CenterCrop(8), T.ToTensor()])\n"


def invoke(*args, **kwargs):
    return CliRunner().invoke(cli, list(args), **kwargs)


def test_clean_file_exits_0(tmp_path):
    (tmp_path / "a.py").write_text(CLEAN)
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "All checks passed" in result.output


def test_findings_exit_1_and_name_location_code_and_rule(tmp_path):
    (tmp_path / "a.py").write_text(RANDOM_IN_EVAL)
    result = invoke("check", str(tmp_path / "a.py"), "--format", "concise")
    assert result.exit_code == 1
    assert "a.py:2:21: EP101 [error] `RandomCrop` in the evaluation pipeline `val_tf`" in result.output


def test_missing_path_is_an_io_error_finding(tmp_path, monkeypatch):
    # from a folder of its own: from the repository, naming a path would analyse the whole project around it
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "no/such/dir", "--format", "concise")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[0] == "no/such/dir:1:1: EP903 [error] path does not exist"


def test_a_missing_path_inside_a_project_does_not_analyse_the_project(tmp_path, monkeypatch):
    import evalparity.extract.files as files

    (tmp_path / ".git").mkdir()
    (tmp_path / "train.py").write_text(RANDOM_IN_EVAL)
    extracted = []
    original = files.extract_one
    monkeypatch.setattr(files, "extract_one", lambda shown, *rest: extracted.append(shown) or original(shown, *rest))
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "trian.py", "--no-cache", "--format", "concise")
    assert result.output.strip().splitlines() == ["trian.py:1:1: EP903 [error] path does not exist",
                                                  "Found 1 finding (1 error); 0 files checked."]
    assert extracted == []
    invoke("check", "trian.py", "train.py", "--no-cache", "--format", "concise")
    assert extracted == ["train.py"]  # a path that exists: the project around it is analysed again


def test_unknown_option_exits_2_with_one_line():
    result = invoke("check", "--no-such-option")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("evalparity: error: No such option") and "--no-such-option" in lines[0]


def test_unknown_code_in_select_is_a_usage_error(tmp_path):
    result = invoke("check", str(tmp_path), "--select", "EP999")
    assert result.exit_code == 2
    assert "unknown rule code or prefix: EP999" in result.output


def test_select_and_ignore_by_prefix(tmp_path):
    (tmp_path / "a.py").write_text(RANDOM_IN_EVAL)
    assert invoke("check", str(tmp_path), "--ignore", "EP1").exit_code == 0
    assert invoke("check", str(tmp_path), "--select", "EP2").exit_code == 0
    assert invoke("check", str(tmp_path), "--select", "EP1,EP2").exit_code == 1
    assert invoke("check", str(tmp_path), "--select", "EP101", "--ignore", "EP10").exit_code == 0


def test_json_contract(tmp_path):
    (tmp_path / "a.py").write_text(RANDOM_IN_EVAL)
    data = json.loads(invoke("check", str(tmp_path), "--format", "json").output)
    assert data["version"] == 1 and data["tool"]["name"] == "evalparity"
    finding = data["findings"][0]
    assert set(finding) == {"code", "name", "severity", "message", "path", "line", "column", "end_line",
                            "end_column", "cell", "related", "notes", "help", "fingerprint", "fix"}
    assert all(set(r) == {"path", "line", "column", "cell", "kind", "message"} for r in finding["related"])
    assert {r["kind"] for r in finding["related"]} <= {"other side", "role", "call site", "mode switch", "note"}
    assert (finding["code"], finding["name"], finding["severity"]) == ("EP101", "random-transform-in-eval", "error")
    assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (2, 21, 2, 36)
    assert set(finding["fix"]) == {"applicability", "description", "edits"} and finding["fix"]["applicability"] == "unsafe"
    assert len(finding["fingerprint"]) == 16 and finding["cell"] is None
    assert data["summary"]["findings"] == 1


def test_text_output_is_plain_without_a_terminal(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    (tmp_path / "a.py").write_text(RANDOM_IN_EVAL)
    result = invoke("check", str(tmp_path))
    assert "\x1b[" not in result.output
    assert "^^^^^^^^^^^^^ EP101 random-transform-in-eval" in result.output
    assert "= error; see `evalparity explain EP101`" in result.output


def test_explain_prints_what_why_example_fix():
    result = invoke("explain", "EP201")
    assert result.exit_code == 0
    for heading in ("What it flags", "Why it matters", "Example", "Fix (use instead)", "References"):
        assert heading in result.output
    assert invoke("explain", "normalize-mismatch").output == result.output


def test_explain_unknown_code_exits_2():
    result = invoke("explain", "EP000")
    assert result.exit_code == 2 and "unknown rule: EP000" in result.output


def _rule_rows(output: str) -> dict[str, list[str]]:
    """The table's body rows (no terminal: one line each), cell by cell."""
    rows = [[cell.strip() for cell in line.strip().strip("│").split("│")] for line in output.splitlines()
            if line.startswith("│")]
    return {row[0]: row for row in rows}


def test_rules_lists_every_code_with_state_and_severity():
    from evalparity.vocabulary.rulebook import load_rules

    result = invoke("rules")
    assert result.exit_code == 0
    header = next(line for line in result.output.splitlines() if line.startswith("┃"))
    assert [cell.strip() for cell in header.strip("┃").split("┃")] == ["code", "name", "severity", "default", "fixable",
                                                                             "summary"]
    rows = _rule_rows(result.output)
    rules = load_rules()
    assert list(rows) == sorted(rules)  # every rule once, in code order
    for code, rule in rules.items():
        assert rows[code] == [code, rule.name, rule.severity, "on" if rule.default else "off", rule.fix, rule.summary]
    assert rows["EP101"][:5] == ["EP101", "random-transform-in-eval", "error", "on", "unsafe"]
    assert rows["EP102"][4] == "none"
    assert rows["EP209"][2:4] == ["warning", "on"]
    assert rows["EP302"][1:4] == ["interpolation-mismatch", "info", "off"]
    assert rows["EP902"][2:4] == ["info", "off"]
    assert rows["EP205"][5] == "Values are scaled to [0, 1] twice on one path."  # not read as rich markup


def test_syntax_error_file_does_not_stop_the_others():
    result = invoke("check", str(FIXTURES / "EP901" / "others_still_checked"), "--format", "concise")
    assert result.exit_code == 1
    assert "broken.py:4:" in result.output and "EP901" in result.output
    assert "good.py:5:5: EP101" in result.output


def test_unreadable_and_binary_files_are_reported_not_fatal(tmp_path):
    (tmp_path / "bin.py").write_bytes(b"\x00\x01transform=\x00")
    (tmp_path / "a.py").write_text(RANDOM_IN_EVAL)
    (tmp_path / "dangling.py").symlink_to(tmp_path / "missing.py")
    result = invoke("check", str(tmp_path), "--format", "concise")
    assert result.exit_code == 1, result.output
    assert "bin.py:1:1: EP903 [error] contains NUL bytes" in result.output
    assert "dangling.py:1:1: EP903 [error] broken symbolic link" in result.output
    assert "EP101" in result.output


def test_python_dash_m_entry_point():
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "evalparity", "--version"], capture_output=True, text=True,
                         cwd=ROOT)
    assert out.returncode == 0 and "evalparity" in out.stdout


def test_user_code_is_never_imported_or_run(tmp_path):
    marker = tmp_path / "ran.txt"
    (tmp_path / "evil.py").write_text(
        "import pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('imported')\n"
        "import module_that_does_not_exist\n"
        "raise SystemExit(3)\n"
        "import torchvision.transforms as T\n"
        "test_tf = T.Compose([T.RandomCrop(8)])\n")
    result = invoke("check", str(tmp_path), "--format", "concise")
    assert result.exit_code == 1 and "EP101" in result.output
    assert not marker.exists()


def test_jobs_and_cache_options_give_the_same_output(tmp_path, monkeypatch):
    from evalparity.extract import files as extraction

    monkeypatch.setattr(extraction, "POOL_THRESHOLD", 1)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EVALPARITY_CACHE_DIR", raising=False)  # the default folder
    for index in range(4):
        (tmp_path / f"m{index}.py").write_text(RANDOM_IN_EVAL)
    plain = invoke("check", ".", "--format", "json", "--no-cache", "--jobs", "1").output
    assert not (tmp_path / ".evalparity_cache").exists()
    assert invoke("check", ".", "--format", "json", "--jobs", "2").output == plain
    assert (tmp_path / ".evalparity_cache" / "CACHEDIR.TAG").exists()
    assert invoke("check", ".", "--format", "json", "--jobs", "2").output == plain
    result = invoke("clean")
    assert result.exit_code == 0 and "Removed .evalparity_cache/" in result.output
    assert not (tmp_path / ".evalparity_cache").exists()


def test_cache_folder_from_option_or_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text(RANDOM_IN_EVAL)
    monkeypatch.delenv("EVALPARITY_CACHE_DIR", raising=False)
    plain = invoke("check", ".", "--format", "json", "--no-cache").output
    assert invoke("check", ".", "--format", "json", "--cache-dir", "shared").output == plain
    assert (tmp_path / "shared" / "evalparity" / "CACHEDIR.TAG").exists()
    assert not (tmp_path / ".evalparity_cache").exists()
    monkeypatch.setenv("EVALPARITY_CACHE_DIR", str(tmp_path / "from-env"))
    assert invoke("check", ".", "--format", "json").output == plain
    assert (tmp_path / "from-env" / "evalparity" / "CACHEDIR.TAG").exists()
    result = invoke("clean")
    assert result.exit_code == 0 and "Removed" in result.output
    assert not (tmp_path / "from-env" / "evalparity").exists() and (tmp_path / "from-env").is_dir()
    assert invoke("clean", "--cache-dir", "shared").exit_code == 0
    assert not (tmp_path / "shared" / "evalparity").exists() and (tmp_path / "shared").is_dir()


UNIT_TEST_MODULE = ("import pytest\nimport torchvision.transforms as T\n\n"
                    "val_tf = T.Compose([T.RandomCrop(8), T.ToTensor()])\n\n\n"
                    "def test_shape():\n    assert val_tf is not None\n")


def test_a_file_named_on_the_command_line_is_analysed_whatever_the_prefilter_says(tmp_path, in_dir):
    """A unit-test module is deferred in a folder run, but one named on its own is analysed in full."""
    (tmp_path / "test_pipeline.py").write_text(UNIT_TEST_MODULE)
    in_dir(tmp_path)
    named = json.loads(invoke("check", "test_pipeline.py", "--isolated", "--no-cache", "--format", "json").output)
    assert [(f["path"], f["line"], f["column"], f["code"]) for f in named["findings"]] == [
        ("test_pipeline.py", 4, 21, "EP101")]
    assert named["findings"][0]["message"] == "`RandomCrop` in the evaluation pipeline `val_tf`"
    folder = json.loads(invoke("check", ".", "--isolated", "--no-cache", "--format", "json").output)
    assert folder["findings"] == []


def test_a_single_file_gives_exactly_its_findings(tmp_path, in_dir):
    (tmp_path / "a.py").write_text(RANDOM_IN_EVAL)
    (tmp_path / "b.py").write_text(RANDOM_IN_EVAL)
    in_dir(tmp_path)
    result = invoke("check", "a.py", "--isolated", "--no-cache", "--format", "concise")
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        "a.py:2:21: EP101 [error] `RandomCrop` in the evaluation pipeline `val_tf`",
        "Found 1 finding (1 error); 1 file checked."]
