"""Nothing evalparity does may lose a user's data or silently change what their code computes: the cache
and `clean` touch only evalparity's own folder, fixes are re-checked before they are written, and every
fault keeps the exit-code contract (0 clean, 1 findings, 2 error). Process-level faults (signals, broken
pipes, terminals) run the real command in a subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from evalparity.cli import cli

RANDOM_IN_EVAL = "import torchvision.transforms as T\ntest_tf = T.Compose([T.RandomCrop(8)])\n"


def invoke(*args, **kwargs):
    return CliRunner().invoke(cli, list(args), **kwargs)


# ---- the cache and `clean` -----------------------------------------------------------------------

def test_clean_refuses_a_folder_that_is_not_a_cache(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    home = tmp_path / "home-cache"
    (home / "torch" / "hub").mkdir(parents=True)
    (home / "torch" / "hub" / "weights.pt").write_bytes(b"weights")
    result = invoke("clean", "--cache-dir", str(home))
    assert result.exit_code == 0 and "No cache" in result.stdout
    assert (home / "torch" / "hub" / "weights.pt").read_bytes() == b"weights"
    (home / "evalparity").mkdir()
    (home / "evalparity" / "notes.txt").write_text("mine")
    result = invoke("clean", "--cache-dir", str(home))
    assert result.exit_code == 2 and "not an evalparity cache" in result.stderr
    assert (home / "evalparity" / "notes.txt").read_text() == "mine"


def test_environment_cache_folder_is_never_wiped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text(RANDOM_IN_EVAL)
    shared = tmp_path / "dot-cache"
    shared.mkdir()
    (shared / "model.bin").write_bytes(b"keep")
    monkeypatch.setenv("EVALPARITY_CACHE_DIR", str(shared))
    assert invoke("check", ".").exit_code == 1
    assert sorted(p.name for p in shared.iterdir()) == ["evalparity", "model.bin"]
    assert invoke("clean").exit_code == 0
    assert sorted(p.name for p in shared.iterdir()) == ["model.bin"]


def test_check_never_writes_into_a_foreign_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text(RANDOM_IN_EVAL)
    foreign = tmp_path / "shared" / "evalparity"
    foreign.mkdir(parents=True)
    (foreign / "mine.txt").write_text("x")
    plain = invoke("check", ".", "--format", "json", "--no-cache").stdout
    assert invoke("check", ".", "--format", "json", "--cache-dir", "shared").stdout == plain
    assert [p.name for p in foreign.iterdir()] == ["mine.txt"]


def test_default_cache_lives_at_the_project_root(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "m.py").write_text(RANDOM_IN_EVAL)
    monkeypatch.chdir(tmp_path / "src")
    monkeypatch.delenv("EVALPARITY_CACHE_DIR", raising=False)
    assert invoke("check", ".").exit_code == 1
    assert (tmp_path / ".evalparity_cache" / "CACHEDIR.TAG").exists()
    assert not (tmp_path / "src" / ".evalparity_cache").exists()
    result = invoke("clean")
    assert result.exit_code == 0 and not (tmp_path / ".evalparity_cache").exists()


# ---- fixes ---------------------------------------------------------------------------------------

MAYBE_NONE = """\
from torch.utils.data import DataLoader, DistributedSampler


def get_sampler(ds, args):
    if args.distributed:
        return DistributedSampler(ds)
    return None


def build(ds, sampler=None):
    return DataLoader(ds, batch_size=32, shuffle=True, sampler=sampler)


def main(args, train_set):
    s = get_sampler(train_set, args)
    loader = DataLoader(train_set, batch_size=32, shuffle=True, sampler=s)
    return loader, build(train_set)
"""


def test_a_sampler_that_may_be_none_is_neither_claimed_nor_fixed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text(MAYBE_NONE)
    result = invoke("check", ".", "--isolated", "--no-cache", "--format", "concise", "--fix", "--unsafe-fixes")
    assert "EP405" not in result.stdout and result.exit_code == 0
    assert (tmp_path / "train.py").read_text() == MAYBE_NONE


VALIDATE_IN_EPOCH = """\
import torch


def train(model, optimizer, train_loader, val_loader):
    model.train()
    for epoch in range(10):
        for x, y in train_loader:
            loss = model(x).sum()
            loss.backward()
            optimizer.step()
        validate(model, val_loader)


def validate(model, val_loader):
    with torch.no_grad():
        for x, y in val_loader:
            out = model(x)
"""


def test_eval_mode_fix_restores_training_and_introduces_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text(VALIDATE_IN_EPOCH)
    result = invoke("check", ".", "--isolated", "--no-cache", "--format", "concise", "--fix", "--unsafe-fixes")
    fixed = (tmp_path / "train.py").read_text()
    assert "model.eval()\n        for x, y in val_loader:\n            out = model(x)\n        model.train()\n" in fixed
    assert result.exit_code == 0 and "Fixed 1 finding" in result.stderr, result.stdout


def test_a_fix_that_would_introduce_a_finding_is_refused(tmp_path, monkeypatch):
    """The fix EP501 had before: `.eval()` inserted, training never restored (EP502 would follow)."""
    from evalparity.checks import eval_without_eval_mode
    from evalparity.fixes import UNSAFE, Source, fix

    def eval_only(project, item):
        loop = item.loop.location
        src = Source.of(project, loop.path)
        return fix(UNSAFE, "eval only", [src.insert(loop.line, 1, f"{src.indent(loop.line)}model.eval()\n")])

    monkeypatch.setattr(eval_without_eval_mode, "eval_before_loop", eval_only)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text(VALIDATE_IN_EPOCH)
    result = invoke("check", ".", "--isolated", "--no-cache", "--format", "concise", "--fix", "--unsafe-fixes")
    assert (tmp_path / "train.py").read_text() == VALIDATE_IN_EPOCH
    assert "EP501 fix not applied: it would introduce EP502" in result.stderr
    assert "Fixed 0 findings" in result.stderr and result.exit_code == 1


BARE_EVAL = """\
import torch


def evaluate(model, val_loader):
    model.eval
    with torch.no_grad():
        for x, y in val_loader:
            out = model(x)


def train(model, optimizer, train_loader, val_loader):
    for epoch in range(3):
        model.train()
        for x, y in train_loader:
            model(x).sum().backward()
            optimizer.step()
        evaluate(model, val_loader)
"""


def test_missing_parentheses_and_missing_eval_fix_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text(BARE_EVAL)
    before = invoke("check", ".", "--isolated", "--no-cache", "--format", "concise")
    assert "EP504" in before.stdout and "EP501" in before.stdout
    invoke("check", ".", "--isolated", "--no-cache", "--fix", "--unsafe-fixes")
    assert (tmp_path / "train.py").read_text().count("model.eval()") == 1


def _copy_fixtures(target: Path) -> None:
    import shutil

    from conftest import FIXTURES

    shutil.copytree(FIXTURES, target, ignore=shutil.ignore_patterns("unit_tests", "__pycache__"))


def test_every_fix_on_the_fixtures_parses_and_introduces_nothing(tmp_path, monkeypatch):
    """Property over real-shaped code: fix everything fixable in the fixture corpus at once; every file
    still parses, no finding is new, and no fix had to be refused by the re-check."""
    import ast

    from evalparity.fixing import introduced

    _copy_fixtures(tmp_path / "corpus")
    monkeypatch.chdir(tmp_path / "corpus")
    parsed = []
    for path in Path(".").rglob("*.py"):
        try:
            ast.parse(path.read_bytes())
            parsed.append(path)
        except SyntaxError:
            pass
    before = invoke("check", ".", "--isolated", "--no-cache", "--format", "json", "--select", "ALL").stdout
    result = invoke("check", ".", "--isolated", "--no-cache", "--fix", "--unsafe-fixes", "--select", "ALL",
                    "--format", "json")
    assert "fix not applied" not in result.stderr, result.stderr
    assert "Fixed 0 findings" not in result.stderr
    for path in parsed:
        ast.parse(path.read_bytes())
    import json

    from evalparity.facts import Location
    from evalparity.findings import Finding

    def findings(report):
        return [Finding(f["code"], f["message"], Location(f["path"], 1, 1, 1, 1))
                for f in json.loads(report)["findings"]]

    assert introduced(findings(before), findings(result.stdout)) == []
