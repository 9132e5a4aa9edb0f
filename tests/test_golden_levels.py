"""Golden output of every `--format` over tests/golden/levels/: findings of each severity (error, warning,
info) whose messages hold brackets and quotes. The severity of each finding is asserted in every format's
own vocabulary, so a level mapped to its neighbour (warning → error, info → warning) fails even when the
golden files are rewritten carelessly."""

import json
import os
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from conftest import ROOT

from evalparity.cli import cli
from evalparity.report import FORMATS

GOLDEN = ROOT / "tests" / "golden"
SUFFIX = {"text": "txt", "concise": "txt", "json": "json", "sarif": "json", "github": "txt", "gitlab": "json",
          "junit": "xml"}
# (line, code) → severity, as the rules' YAML say
SEVERITY = {(11, "EP210"): "info", (14, "EP101"): "error", (16, "EP205"): "error", (17, "EP210"): "info",
            (22, "EP404"): "warning"}


def _run(in_dir, fmt):
    in_dir(GOLDEN)
    result = CliRunner().invoke(cli, ["check", "levels", "--isolated", "--no-cache", "--format", fmt])
    assert result.exit_code == 1, result.output
    return result.stdout


def test_every_format_has_a_golden_file():
    assert set(SUFFIX) == set(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden_output(fmt, in_dir):
    output = _run(in_dir, fmt).replace(json.dumps(ROOT.as_uri() + "/"), '"file:///REPOSITORY/"')  # the checkout
    golden = GOLDEN / f"levels.{fmt}.{SUFFIX[fmt]}"
    if os.environ.get("EVALPARITY_UPDATE_GOLDEN"):
        golden.write_text(output, encoding="utf-8")
        pytest.skip(f"rewrote {golden.name}: review the diff, then run again without EVALPARITY_UPDATE_GOLDEN")
    assert output == golden.read_text(encoding="utf-8")


def test_json_severities(in_dir):
    data = json.loads(_run(in_dir, "json"))
    assert {(f["line"], f["code"]): f["severity"] for f in data["findings"]} == SEVERITY


def test_text_and_concise_severities(in_dir):
    concise = _run(in_dir, "concise")
    for (line, code), severity in SEVERITY.items():
        assert f"levels/train.py:{line}:9: {code} [{severity}] " in concise or \
               f"levels/train.py:{line}:16: {code} [{severity}] " in concise
    text = _run(in_dir, "text")
    assert "Found 5 findings (2 errors, 1 warning, 2 infos)" in text
    assert text.count("= error; see") == 2 and text.count("= warning; see") == 1 and text.count("= info; see") == 2


def test_sarif_levels_and_escaping(in_dir):
    run = json.loads(_run(in_dir, "sarif"))["runs"][0]
    levels = {(r["locations"][0]["physicalLocation"]["region"]["startLine"], r["ruleId"]): r["level"]
              for r in run["results"]}
    assert levels == {(11, "EP210"): "note", (14, "EP101"): "error", (16, "EP205"): "error",
                      (17, "EP210"): "note", (22, "EP404"): "warning"}
    texts = {r["ruleId"]: r["message"]["text"] for r in run["results"]}
    related = {r["ruleId"]: [l["message"]["text"] for l in r.get("relatedLocations", [])] for r in run["results"]}
    assert any("already scaled the values to \\[0, 1\\]" in text for text in related["EP205"])
    assert "CIFAR-10's mean per-image std" in texts["EP210"]
    # the only unescaped brackets are the links to related locations: `[text](n)`
    for text in [*texts.values(), *(t for texts in related.values() for t in texts)]:
        unlinked = text.replace("\\[", "").replace("\\]", "")
        assert unlinked.count("[") == unlinked.count("](")


def test_github_commands(in_dir):
    lines = _run(in_dir, "github").splitlines()
    commands = {}
    for line in lines:
        command, _, rest = line[2:].partition(" ")
        props = dict(p.split("=", 1) for p in rest.split("::", 1)[0].split(","))
        commands[(int(props["line"]), props["title"].split(" ")[0])] = command
    assert commands == {(11, "EP210"): "notice", (14, "EP101"): "error", (16, "EP205"): "error",
                        (17, "EP210"): "notice", (22, "EP404"): "warning"}


def test_gitlab_severities(in_dir):
    issues = json.loads(_run(in_dir, "gitlab"))
    assert {(i["location"]["lines"]["begin"], i["check_name"].split(" ")[0]): i["severity"] for i in issues} == \
        {(11, "EP210"): "info", (14, "EP101"): "critical", (16, "EP205"): "critical", (17, "EP210"): "info",
         (22, "EP404"): "major"}


def test_junit_has_one_failure_per_finding(in_dir):
    root = ET.fromstring(_run(in_dir, "junit"))
    failures = root.findall(".//failure")
    assert len(failures) == 5 == int(root.get("failures"))
    assert sorted(f.get("type") for f in failures) == ["EP101", "EP205", "EP210", "EP210", "EP404"]
