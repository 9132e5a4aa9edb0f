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
