"""Output formats: golden files on examples/ for sarif, github, gitlab and junit; SARIF validates against
the official 2.1.0 schema (a copy lives next to this file); every format carries the other side."""

import json
import os
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import ROOT

from evalparity.cli import cli

GOLDEN = ROOT / "tests" / "golden"
SCHEMA = ROOT / "tests" / "sarif-schema-2.1.0.json"
NEW_FORMATS = [("sarif", "json"), ("github", "txt"), ("gitlab", "json"), ("junit", "xml")]
ALL_FORMATS = ["text", "concise", "json", "sarif", "github", "gitlab", "junit"]


def _run(in_dir, *args):
    in_dir(ROOT)
    return CliRunner().invoke(cli, ["check", "examples", *args])


@pytest.mark.parametrize("fmt, suffix", NEW_FORMATS)
def test_golden_output(fmt, suffix, in_dir):
    result = _run(in_dir, "--format", fmt)
    assert result.exit_code == 1, result.output
    golden = GOLDEN / f"examples.{fmt}.{suffix}"
    output = result.output.replace(json.dumps(ROOT.as_uri() + "/"), '"file:///REPOSITORY/"')  # the checkout's place
    if os.environ.get("EVALPARITY_UPDATE_GOLDEN"):
        golden.write_text(output, encoding="utf-8")
        pytest.skip(f"rewrote {golden.name}: review the diff, then run again without EVALPARITY_UPDATE_GOLDEN")
    assert output == golden.read_text(encoding="utf-8")


def test_sarif_is_valid_against_the_schema(in_dir):
    data = json.loads(_run(in_dir, "--format", "sarif").output)
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    run = data["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert all(r["helpUri"].endswith(f"/docs/rules/{r['id']}.md") and r["help"]["text"] for r in rules)
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["relatedLocations"] and "](1)" in result["message"]["text"]
        assert len(result["partialFingerprints"]["evalparity/v1"]) == 16


def test_sarif_with_skipped_files_and_no_findings_is_valid(tmp_path, in_dir, monkeypatch):
    from evalparity.discovery import paths as discover

    monkeypatch.setattr(discover, "MAX_BYTES", 10)
    (tmp_path / "big.py").write_text("transform = None\n")
    (tmp_path / "ok.py").write_text("x = 1\n")
    in_dir(tmp_path)
    result = CliRunner().invoke(cli, ["check", ".", "--format", "sarif"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    notes = data["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["message"]["text"].startswith("too-large:")


def test_sarif_with_an_unreadable_file_is_valid(tmp_path, in_dir):
    (tmp_path / "bin.py").write_bytes(b"\x00transform=")
    in_dir(tmp_path)
    result = CliRunner().invoke(cli, ["check", ".", "--format", "sarif"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert [r["ruleId"] for r in data["runs"][0]["results"]] == ["EP903"]


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_every_format_carries_the_related_location(fmt, in_dir):
    out = _run(in_dir, "--format", fmt).output
    # EP101 in data/transforms.py:17 is an eval pipeline because of its use in train.py:10
    assert "examples/split_modules/train.py" in out
    if fmt in ("sarif", "gitlab", "json"):
        text = json.dumps(json.loads(out))
        assert '"line": 10' in text or '"startLine": 10' in text or '"begin": 10' in text
    else:
        assert "examples/split_modules/train.py:10" in out


def test_github_annotations_escape_and_map_severity(tmp_path, in_dir):
    (tmp_path / "a, b.py").write_text("import torchvision.transforms as T\n"
                                      "val_tf = T.Compose([T.RandomCrop(8), T.ToTensor()])\n")
    in_dir(tmp_path)
    out = CliRunner().invoke(cli, ["check", ".", "--format", "github"]).output.strip().splitlines()
    assert len(out) == 1
    assert out[0].startswith("::error file=a%2C b.py,line=2,endLine=2,col=21,endColumn=36,"
                             "title=EP101 random-transform-in-eval::`RandomCrop` in the evaluation pipeline `val_tf`")
    assert "%0ASee `evalparity explain EP101`." in out[0]


def test_github_annotations_show_an_internal_error_as_an_error(tmp_path, in_dir, monkeypatch):
    from evalparity.checks import random_transform_in_eval

    def broken(context):
        raise RuntimeError("boom")

    monkeypatch.setattr(random_transform_in_eval, "check", broken)
    (tmp_path / "a.py").write_text("import torchvision.transforms as T\nval_tf = T.Compose([T.ToTensor()])\n")
    in_dir(tmp_path)
    out = CliRunner().invoke(cli, ["check", ".", "--format", "github"]).output.strip().splitlines()
    assert "::error title=evalparity internal::EP101: RuntimeError: boom" in out


def test_an_internal_error_is_reported_when_checking_one_file_of_a_project(tmp_path, in_dir, monkeypatch):
    # with a project root the run reports on the files named (its scope); a rule's error belongs to no file
    from evalparity.checks import random_transform_in_eval

    def broken(context):
        raise RuntimeError("boom")

    monkeypatch.setattr(random_transform_in_eval, "check", broken)
    (tmp_path / "pyproject.toml").write_text("[tool.evalparity]\n")
    (tmp_path / "a.py").write_text("import torchvision.transforms as T\nval_tf = T.Compose([T.ToTensor()])\n")
    in_dir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "a.py", "--format", "concise"])
    assert result.exit_code == 2
    assert result.stdout.splitlines() == ["<project>: error (internal): EP101: RuntimeError: boom",
                                          "All checks passed; 1 file checked. 1 file skipped (listed above)."]


def test_gitlab_code_quality_fields(in_dir):
    issues = json.loads(_run(in_dir, "--format", "gitlab").output)
    assert {i["check_name"] for i in issues} == {"EP101", "EP102", "EP201"}
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["lines"]["begin"] >= 1 and issue["other_locations"]
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_junit_is_well_formed_with_one_failure_per_finding(in_dir):
    root = ET.fromstring(_run(in_dir, "--format", "junit").output)
    assert root.tag == "testsuites" and root.get("failures") == "3" and root.get("tests") == "3"
    failures = root.findall(".//failure")
    assert {f.get("type") for f in failures} == {"EP101", "EP102", "EP201"}
    assert all("other side: " in f.text for f in failures)


def test_junit_without_findings_has_one_passing_case(tmp_path):
    (tmp_path / "ok.py").write_text("x = 1\n")
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--format", "junit"])
    root = ET.fromstring(result.output)
    assert result.exit_code == 0 and root.get("tests") == "1" and root.get("failures") == "0"


def test_output_file_receives_the_report(tmp_path, in_dir):
    target = tmp_path / "report.sarif"
    result = _run(in_dir, "--format", "sarif", "--output-file", str(target))
    assert result.exit_code == 1 and result.output == ""
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"
    text_target = tmp_path / "report.txt"
    _run(in_dir, "-o", str(text_target))
    assert "\x1b[" not in text_target.read_text() and "EP101" in text_target.read_text()


def test_junit_reports_skipped_files_as_errors_of_their_own_suite(tmp_path, in_dir, monkeypatch):
    from evalparity.discovery import paths as discover

    monkeypatch.setattr(discover, "MAX_BYTES", 10)
    (tmp_path / "big.py").write_text("transform = None\n")
    (tmp_path / "bigger.py").write_text("transforms = None\n")
    (tmp_path / "ok.py").write_text("x = 1\n")
    in_dir(tmp_path)
    root = ET.fromstring(CliRunner().invoke(cli, ["check", ".", "--format", "junit"]).stdout)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "0", "2")
    [suite] = root.findall("testsuite")
    assert (suite.get("name"), suite.get("tests"), suite.get("failures"), suite.get("errors")) == \
        ("files that could not be checked", "2", "0", "2")
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [("big.py", "check big.py"),
                                                                    ("bigger.py", "check bigger.py")]
    errors = [c.find("error") for c in cases]
    assert [e.get("type") for e in errors] == ["too-large", "too-large"]
    assert errors[0].text == f"big.py: too-large: {errors[0].get('message')}"
