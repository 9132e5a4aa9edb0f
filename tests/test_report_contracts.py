"""Output contracts that a one-line change could break unnoticed: severities in SARIF, escaping, the
streams errors go to, the temporary files of atomic writes, the prefilter's first stage."""

import json
import os

import pytest
from click.testing import CliRunner

from evalparity.atomic import replace_file
from evalparity.cli import cli
from evalparity.discovery.prefilter import markers, may_contribute
from evalparity.facts import Location
from evalparity.findings import Finding, Related, Result
from evalparity.report.sarif import as_dict
from evalparity.vocabulary.knowledge import default_knowledge


def _finding(code, severity, message, line):
    return Finding(code, message, Location("a.py", line, 1, line, 5), [Related(Location("a.py", 1, 1, 1, 2),
                                                                                 "the [other] side")],
                   severity=severity)


def test_sarif_levels_follow_severities_and_brackets_are_escaped():
    result = Result([_finding("EP101", "error", "`x` is random", 3),
                     _finding("EP404", "warning", "loaders['train'] has \"no\" shuffle", 4),
                     _finding("EP402", "info", "pads [a few] samples", 5)], [], 1)
    results = as_dict(result)["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "warning", "note"]
    assert results[1]["message"]["text"].startswith("loaders\\['train'\\] has \"no\" shuffle")
    assert results[2]["message"]["text"].startswith("pads \\[a few\\] samples")
    assert "the \\[other\\] side" in results[0]["relatedLocations"][0]["message"]["text"]


def test_configuration_errors_go_to_stderr_not_stdout(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.evalparity]\nfail-on = "fatal"\n')
    (tmp_path / "a.py").write_text("x = 1\n")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "a.py"), "--config", str(tmp_path / "pyproject.toml")])
    assert result.exit_code == 2
    assert "fail-on" in result.stderr and "fail-on" not in result.stdout


def test_configuration_errors_reach_stderr_of_a_real_process(tmp_path, warm_process):
    """A real process (forked from a warm interpreter), whose two streams stay apart: stdout (where reports go)
    is empty, exit 2."""
    (tmp_path / "pyproject.toml").write_text('[tool.evalparity]\nfail-on = "fatal"\n')
    (tmp_path / "a.py").write_text("x = 1\n")
    done = warm_process.run(["check", "a.py", "--format", "json"], cwd=tmp_path, env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 2
    assert done.stdout == b""
    stderr = done.stderr.decode()
    assert stderr.startswith("evalparity: error: ") and "fail-on" in stderr
    assert len(stderr.strip().splitlines()) == 1


def test_a_failed_atomic_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_text("old")

    def refuse(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        replace_file(target, b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]
    assert target.read_text() == "old"


@pytest.mark.parametrize("source, expected", [
    (b"ds = CIFAR10(root, train=False)\nfrom torchvision import datasets\n", True),  # a dataset name next to `datasets`
    (b"ds = CIFAR10(root, train=False)\n", False),  # a dataset name alone: another library's class
    (b"loader = DataLoader(ds)\n", True),
    (b"model = nn.Sequential(nn.Linear(2, 2))\n", False),  # torch.nn's Sequential is in every model file
    (b"tf = Sequential(Resize(8))\nimport transforms\n", True),
    (b"net.load_state_dict(torch.load(path))\n", True),
    (b"x = 1\n", False),
])
def test_prefilter_first_stage(source, expected):
    assert may_contribute(source, markers(default_knowledge())) is expected


def test_json_output_counts_severities(tmp_path):
    (tmp_path / "a.py").write_text("import torchvision.transforms as T\nval_tf = T.Compose([T.RandomCrop(8), T.ToTensor()])\n")
    data = json.loads(CliRunner().invoke(cli, ["check", str(tmp_path), "--isolated", "--no-cache", "--format",
                                               "json"]).output)
    assert [f["severity"] for f in data["findings"]] == ["error"]


def test_an_atomic_write_that_fails_while_writing_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "baseline.json"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        replace_file(target, "text, not bytes")  # the write itself raises
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline.json"]
    assert target.read_bytes() == b"old"


def test_an_atomic_write_interrupted_by_ctrl_c_leaves_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "baseline.json"
    target.write_bytes(b"old")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        replace_file(target, b"new", durable=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline.json"]
    assert target.read_bytes() == b"old"


def test_a_successful_atomic_write_replaces_the_file_and_sets_its_mode(tmp_path):
    target = tmp_path / "out.json"
    target.write_bytes(b"old")
    replace_file(target, b"new", mode=0o640, durable=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]
    assert target.read_bytes() == b"new" and target.stat().st_mode & 0o777 == 0o640
