"""Baselines: --write-baseline then --baseline reports only new findings; fingerprints survive lines
inserted above and a reformat of the file."""

import json

import pytest
from click.testing import CliRunner

from evalparity.cli import cli

ORIGINAL = """import torchvision.transforms as T

train_tf = T.Compose([T.RandomCrop(32, padding=4), T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
val_tf = T.Compose([T.RandomCrop(32, padding=4), T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
"""
# the same code after unrelated lines were inserted above and a formatter (Black style) rewrote it
REFORMATTED = """\"\"\"Data pipelines.\"\"\"
import torchvision.transforms as T

SEED = 0  # a new line above the finding


train_tf = T.Compose(
    [
        T.RandomCrop(32, padding=4),
        T.ToTensor(),
        T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
    ]
)
val_tf = T.Compose(
    [
        T.RandomCrop(
            32,
            padding=4,
        ),  # a comment the formatter kept
        T.ToTensor(),
        T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
    ]
)
"""


def invoke(*args):
    return CliRunner().invoke(cli, list(args))


def findings(tmp_path, *args):
    result = invoke("check", str(tmp_path / "a.py"), "--format", "json", *args)
    return result.exit_code, json.loads(result.output)


def test_write_then_use_a_baseline(tmp_path):
    (tmp_path / "a.py").write_text(ORIGINAL)
    baseline = tmp_path / "baseline.json"
    result = invoke("check", str(tmp_path / "a.py"), "--write-baseline", str(baseline))
    assert result.exit_code == 0 and "Wrote 1 finding to the baseline" in result.output
    data = json.loads(baseline.read_text())
    assert data["version"] == 2 and [f["code"] for f in data["findings"]] == ["EP101"]
    # each entry tells a reviewer of the baseline file what it hides
    assert all(set(f) >= {"code", "line", "message"} and f["message"] for f in data["findings"])
    code, out = findings(tmp_path, "--baseline", str(baseline))
    assert code == 0 and out["findings"] == [] and out["summary"]["baselined"] == 1
    text = invoke("check", str(tmp_path / "a.py"), "--baseline", str(baseline)).output
    assert "1 finding in the baseline not shown." in text


def test_new_findings_are_still_reported(tmp_path):
    (tmp_path / "a.py").write_text(ORIGINAL)
    baseline = tmp_path / "baseline.json"
    invoke("check", str(tmp_path / "a.py"), "--write-baseline", str(baseline))
    (tmp_path / "a.py").write_text(ORIGINAL + "test_tf = T.Compose([T.RandomHorizontalFlip(), T.ToTensor()])\n")
    code, out = findings(tmp_path, "--baseline", str(baseline))
    assert code == 1 and {(f["line"], f["code"]) for f in out["findings"]} == {(5, "EP101"), (5, "EP202")}


def test_fingerprints_survive_inserted_lines_and_reformatting(tmp_path):
    (tmp_path / "a.py").write_text(ORIGINAL)
    _, before = findings(tmp_path)
    (tmp_path / "a.py").write_text("# a comment\n\nimport os\n" + ORIGINAL)
    _, shifted = findings(tmp_path)
    (tmp_path / "a.py").write_text(REFORMATTED)
    _, reformatted = findings(tmp_path)
    assert [f["line"] for f in before["findings"]] != [f["line"] for f in shifted["findings"]]
    assert [f["line"] for f in shifted["findings"]] != [f["line"] for f in reformatted["findings"]]
    prints = [[f["fingerprint"] for f in run["findings"]] for run in (before, shifted, reformatted)]
    assert prints[0] == prints[1] == prints[2] and len(prints[0]) == 1


def test_identical_findings_get_distinct_fingerprints_and_are_counted(tmp_path):
    (tmp_path / "a.py").write_text("import torchvision.transforms as T\n"
                                   "val_tf = T.Compose([T.RandomCrop(8)])\nval_tf = T.Compose([T.RandomCrop(8)])\n")
    _, out = findings(tmp_path)
    assert len({f["fingerprint"] for f in out["findings"]}) == len(out["findings"]) == 2
    baseline = tmp_path / "baseline.json"
    invoke("check", str(tmp_path / "a.py"), "--write-baseline", str(baseline))
    (tmp_path / "a.py").write_text("import torchvision.transforms as T\n" +
                                   "val_tf = T.Compose([T.RandomCrop(8)])\n" * 3)
    code, out = findings(tmp_path, "--baseline", str(baseline))
    assert code == 1 and len(out["findings"]) == 1


def test_bad_baseline_exits_2(tmp_path):
    (tmp_path / "a.py").write_text(ORIGINAL)
    missing = invoke("check", str(tmp_path), "--baseline", str(tmp_path / "nope.json"))
    assert missing.exit_code == 2 and "baseline file not found" in missing.output
    (tmp_path / "bad.json").write_text("[1, 2]")
    bad = invoke("check", str(tmp_path), "--baseline", str(tmp_path / "bad.json"))
    assert bad.exit_code == 2 and "not an evalparity baseline" in bad.output
    (tmp_path / "no_list.json").write_text('{"version": 2, "findings": {"a": 1}}')  # a known version, no list
    no_list = invoke("check", str(tmp_path), "--baseline", str(tmp_path / "no_list.json"))
    assert no_list.exit_code == 2 and "no_list.json: not an evalparity baseline" in no_list.output
    # the command line refuses a folder before reading; the library call names the file and the reason
    from evalparity.baseline import BaselineError, load

    with pytest.raises(BaselineError, match=r"folder\.json: cannot read the baseline: Is a directory"):
        (tmp_path / "folder.json").mkdir()
        load(tmp_path / "folder.json")


def test_a_written_baseline_names_its_tool(tmp_path):
    (tmp_path / "a.py").write_text(ORIGINAL)
    baseline = tmp_path / "baseline.json"
    invoke("check", str(tmp_path / "a.py"), "--write-baseline", str(baseline))
    from evalparity import __version__

    assert json.loads(baseline.read_text())["tool"] == {"name": "evalparity", "version": __version__}
    # committed and reviewed with the project: one key per line, indented, a final newline
    assert baseline.read_text().startswith('{\n  "version": 2,\n  "tool": {\n    "name"')
    assert baseline.read_text().endswith("\n}\n")


def test_a_baseline_written_by_an_earlier_run_still_matches(tmp_path):
    """Baselines are committed to projects: the fingerprint of a finding must not change between releases
    (its length, the hash, the relative path, the content print). This file was written by
    `--write-baseline` for ORIGINAL; if this fails, every user's baseline stops matching."""
    (tmp_path / "a.py").write_text(ORIGINAL)
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"version": 2, "tool": {"name": "evalparity", "version": "0.1.0"}, "findings": [
        {"fingerprint": "565c1cb79d6cce58", "code": "EP101", "path": "a.py", "line": 4,
         "message": "`RandomCrop` in the evaluation pipeline `val_tf`"}]}))
    code, out = findings(tmp_path, "--baseline", str(baseline))
    assert code == 0 and out["findings"] == [] and out["summary"]["baselined"] == 1
    rewritten = tmp_path / "again.json"
    invoke("check", str(tmp_path / "a.py"), "--write-baseline", str(rewritten))
    assert json.loads(rewritten.read_text())["findings"] == json.loads(baseline.read_text())["findings"]


def _finding(path, line=3, message="`RandomCrop` in the evaluation pipeline", fingerprint="v1print", content="c1"):
    from evalparity.facts import Location
    from evalparity.findings import Finding

    return Finding("EP101", message, Location(str(path), line, 1, line, 5), fingerprint=fingerprint,
                   content_print=content)


def test_baseline_files_refused_with_the_reason(tmp_path):
    from evalparity.baseline import BaselineError, load

    def refused(text):
        (tmp_path / "b.json").write_text(text)
        with pytest.raises(BaselineError) as caught:
            load(tmp_path / "b.json")
        return str(caught.value).replace(str(tmp_path), "DIR")

    shape = 'DIR/b.json: not an evalparity baseline (expected {"version": 2, "findings": [...]})'
    assert refused('{"version": 3, "findings": []}') == shape
    assert refused('{"version": 2}') == shape
    assert refused("[]") == shape
    assert refused("{") == ("DIR/b.json: not a baseline (invalid JSON: Expecting property name enclosed in "
                            "double quotes: line 1 column 2 (char 1))")
    entry = "DIR/b.json: every entry of `findings` needs a `fingerprint` string"
    assert refused('{"version": 2, "findings": [{"code": "EP101"}]}') == entry
    assert refused('{"version": 2, "findings": [{"fingerprint": 7}]}') == entry
    assert refused('{"version": 2, "findings": ["565c1cb79d6cce58"]}') == entry
    with pytest.raises(BaselineError) as caught:
        load(tmp_path / "none.json")
    assert str(caught.value) == f"{tmp_path}/none.json: baseline file not found (create one with --write-baseline)"


def test_baseline_entries_are_relative_to_its_folder_and_counted(tmp_path):
    from evalparity.baseline import BaselineError, apply, load, write

    (tmp_path / "ci").mkdir()
    first = _finding(tmp_path / "a.py")
    second = _finding(tmp_path / "a.py", line=9, message="other", fingerprint="v1other", content="c2")
    write(tmp_path / "ci" / "baseline.json", [first, first])
    data = json.loads((tmp_path / "ci" / "baseline.json").read_text())
    assert data["version"] == 2
    assert [{k: v for k, v in e.items() if k != "fingerprint"} for e in data["findings"]] == [
        {"code": "EP101", "path": "../a.py", "line": 3, "message": "`RandomCrop` in the evaluation pipeline"}] * 2
    known = load(tmp_path / "ci" / "baseline.json")
    assert known.version == 2 and sum(known.prints.values()) == 2
    # two accepted, three reported: the third is new; another content is new whatever its line
    assert apply([first, first, first, second], known) == ([first, second], 2)
    # version 1: the fingerprints the findings carry, paths relative to where evalparity ran
    (tmp_path / "old.json").write_text('{"version": 1, "findings": [{"fingerprint": "v1print"}]}')
    old = load(tmp_path / "old.json")
    assert old.version == 1 and apply([second, first], old) == ([second], 1)
    with pytest.raises(BaselineError, match=r"missing/b\.json: cannot write the baseline: No such file or directory$"):
        write(tmp_path / "missing" / "b.json", [first])
