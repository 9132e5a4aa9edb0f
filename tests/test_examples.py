"""examples/ produce exactly the documented findings, in every format (golden files)."""

import json
import os

import pytest
from click.testing import CliRunner
from conftest import ROOT

from evalparity.cli import cli

GOLDEN = ROOT / "tests" / "golden"
EXPECTED = {
    ("examples/computed_stats/train.py", 23, "EP201"),
    ("examples/random_split/train.py", 15, "EP102"),
    ("examples/split_modules/data/transforms.py", 17, "EP101"),
}


def _run(in_dir, *args):
    in_dir(ROOT)
    return CliRunner().invoke(cli, ["check", "examples", *args])


def test_examples_have_exactly_the_documented_findings(in_dir):
    result = _run(in_dir, "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert {(f["path"], f["line"], f["code"]) for f in data["findings"]} == EXPECTED
    assert data["errors"] == []


def test_cross_file_finding_points_at_the_use(in_dir):
    data = json.loads(_run(in_dir, "--format", "json").output)
    ep101 = next(f for f in data["findings"] if f["code"] == "EP101")
    assert any(r["path"] == "examples/split_modules/train.py" and r["line"] == 10 for r in ep101["related"])


@pytest.mark.parametrize("fmt, suffix", [("text", "txt"), ("concise", "txt"), ("json", "json")])
def test_golden_output(fmt, suffix, in_dir):
    result = _run(in_dir, "--format", fmt)
    golden = GOLDEN / f"examples.{fmt}.{suffix}"
    if os.environ.get("EVALPARITY_UPDATE_GOLDEN"):
        golden.write_text(result.output, encoding="utf-8")
        pytest.skip(f"rewrote {golden.name}: review the diff, then run again without EVALPARITY_UPDATE_GOLDEN")
    assert result.output == golden.read_text(encoding="utf-8")


def test_pipelines_view_shows_each_pair(in_dir):
    in_dir(ROOT)
    result = CliRunner().invoke(cli, ["pipelines", "examples"])
    assert result.exit_code == 0, result.output
    golden = GOLDEN / "examples.pipelines.txt"
    if os.environ.get("EVALPARITY_UPDATE_GOLDEN"):
        golden.write_text(result.output, encoding="utf-8")
        pytest.skip(f"rewrote {golden.name}: review the diff, then run again without EVALPARITY_UPDATE_GOLDEN")
    assert result.output == golden.read_text(encoding="utf-8")
