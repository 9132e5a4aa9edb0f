"""Nothing evalparity does may lose a user's data or silently change what their code computes: the cache
and `clean` touch only evalparity's own folder, fixes are re-checked before they are written, and every
fault keeps the exit-code contract (0 clean, 1 findings, 2 error). Process-level faults (signals, broken
pipes, terminals) run the real command in a subprocess."""

from __future__ import annotations

import os
import signal
import struct
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
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "mine.txt").write_text("x")
    plain = invoke("check", ".", "--format", "json", "--no-cache").stdout
    assert invoke("check", ".", "--format", "json", "--cache-dir", "shared").stdout == plain
    assert sorted(p.name for p in (tmp_path / "shared").iterdir()) == ["evalparity", "mine.txt"]
    foreign = tmp_path / "other" / "evalparity"
    foreign.mkdir(parents=True)
    (foreign / "mine.txt").write_text("x")
    assert invoke("check", ".", "--format", "json", "--cache-dir", "other").stdout == plain
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

def test_a_sampler_that_may_be_none_is_neither_claimed_nor_fixed(tmp_path, monkeypatch):
    from conftest import FIXTURES

    source = (FIXTURES / "EP405" / "ok_sampler_maybe_none.py").read_text()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.py").write_text(source)
    result = invoke("check", ".", "--isolated", "--no-cache", "--format", "concise", "--fix", "--unsafe-fixes")
    assert "EP405" not in result.stdout and result.exit_code == 0
    assert (tmp_path / "train.py").read_text() == source


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
    assert "fix not applied" not in result.stdout  # a message, not part of the report
    assert "Fixed 0 findings in 0 files (1 fix could not be applied)." in result.stderr and result.exit_code == 1


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


def _copy_fixable_cases(target: Path, fixture_case_check) -> int:
    """Copy the fixture cases where a fix is available (each case checked as test_fixtures checks it), keeping
    their rule folders; the cases with nothing to fix cannot exercise a fix and only slow the property down."""
    import shutil

    from annotations import fixture_cases
    from conftest import FIXTURES

    copied = 0
    for case in fixture_cases(FIXTURES):
        if case.parent.name == "unit_tests" or not any(f.fix for f in fixture_case_check(case).findings):
            continue
        destination = target / case.relative_to(FIXTURES)
        destination.parent.mkdir(parents=True, exist_ok=True)
        if case.is_dir():
            shutil.copytree(case, destination, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(case, destination)
        copied += 1
    return copied


def test_every_fix_on_the_fixtures_parses_and_introduces_nothing(tmp_path, monkeypatch, fixture_case_check):
    """Property over real-shaped code: fix everything fixable in the fixture cases that offer a fix, all at once;
    every file still parses, no finding is new, and no fix had to be refused by the re-check."""
    import ast

    from evalparity.fixes.rounds import introduced

    assert _copy_fixable_cases(tmp_path / "corpus", fixture_case_check) >= 40
    monkeypatch.chdir(tmp_path / "corpus")
    parsed = []
    for path in Path(".").rglob("*.py"):
        try:
            ast.parse(path.read_bytes())
            parsed.append(path)
        except SyntaxError:
            pass
    # as a user runs it, with the cache: the fix rounds re-check the corpus, and only the files a fix changed
    # are extracted again (the cache gives the same output as none: test_cache.py)
    # in this process (`--jobs 1`): workers would start for a few dozen files (test_cache.py compares the two)
    cache = ("--cache-dir", str(tmp_path / "cache"), "--jobs", "1")
    before = invoke("check", ".", "--isolated", *cache, "--format", "json", "--select", "ALL").stdout
    result = invoke("check", ".", "--isolated", *cache, "--fix", "--unsafe-fixes", "--select", "ALL",
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


# ---- honest summaries ----------------------------------------------------------------------------

def test_a_baseline_matches_from_another_folder(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "m.py").write_text(RANDOM_IN_EVAL)
    monkeypatch.chdir(project)
    assert invoke("check", "src", "--no-cache", "--write-baseline", "baseline.json").exit_code == 0
    import json

    assert json.loads((project / "baseline.json").read_text())["findings"][0]["path"] == "src/m.py"
    monkeypatch.chdir(project / "src")
    result = invoke("check", ".", "--no-cache", "--baseline", "../baseline.json", "--format", "concise")
    assert result.exit_code == 0 and "1 finding in the baseline not shown" in result.stdout
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "project/src", "--no-cache", "--baseline", "project/baseline.json")
    assert result.exit_code == 0


def test_summary_counts_every_file_checked_whatever_the_cache(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text(RANDOM_IN_EVAL)
    for index in range(3):
        (tmp_path / f"util{index}.py").write_text("def add(a, b):\n    return a + b\n")
    cold = invoke("check", ".", "--cache-dir", "c", "--format", "concise").stdout
    warm = invoke("check", ".", "--cache-dir", "c", "--format", "concise").stdout
    assert "4 files checked (3 with nothing to check)" in cold and cold == warm


def test_no_python_files_is_said(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("hello")
    result = invoke("check", ".", "--no-cache")
    assert result.exit_code == 0 and "no Python files or notebooks found" in result.stderr


def test_a_file_named_on_the_command_line_is_always_analysed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.py").write_text("x = (\n")
    result = invoke("check", "broken.py", "--no-cache", "--format", "concise")
    assert result.exit_code == 1 and "EP901" in result.stdout and "All checks passed" not in result.stdout


# ---- the exit-code contract ------------------------------------------------------------------------

def test_a_missing_path_is_reported_and_the_others_still_checked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text(RANDOM_IN_EVAL)
    result = invoke("check", "m.py", "tarin.py", "--no-cache", "--format", "concise", "--select", "EP2")
    assert result.exit_code == 1
    assert "tarin.py:1:1: EP903" in result.stdout and "path does not exist" in result.stdout


@pytest.mark.parametrize("name, content, why", [
    ("nul.py", b"x = 1\x00\n", "NUL bytes"),
    ("broken.ipynb", b"{not json", "not a notebook"),
])
def test_unreadable_files_fail_the_run(tmp_path, monkeypatch, name, content, why):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_bytes(content)
    result = invoke("check", ".", "--no-cache", "--format", "concise")
    assert result.exit_code == 1 and f"{name}:1:1: EP903" in result.stdout and why in result.stdout
    assert "All checks passed" not in result.stdout


def test_an_unexpected_exception_is_one_line_and_exit_2(tmp_path, monkeypatch):
    from evalparity import engine

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "analyze", broken)
    (tmp_path / "m.py").write_text(RANDOM_IN_EVAL)
    result = invoke("check", str(tmp_path), "--no-cache")
    assert result.exit_code == 2
    assert result.stderr.strip() == "evalparity: error: internal error (RuntimeError: boom); please report it"


def test_report_into_a_missing_folder_exits_2(tmp_path, monkeypatch):
    (tmp_path / "m.py").write_text(RANDOM_IN_EVAL)
    monkeypatch.chdir(tmp_path)
    done = invoke("check", ".", "--no-cache", "-o", "missing/report.txt")
    assert done.exit_code == 2 and done.stdout == ""
    assert done.stderr.strip() == ("evalparity: error: missing/report.txt: cannot write the report: "
                                   "No such file or directory")


@pytest.mark.parametrize("output", ["text", "concise", "json"])
def test_a_terminal_that_cannot_show_unicode_gets_escapes(tmp_path, warm_process, output):
    (tmp_path / "m.py").write_text("import torchvision.transforms as T\n"
                                   "test_tf = T.Compose([T.RandomCrop(8)])  # caf\u00e9 \u2026\n")
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONUTF8": "0", "LC_ALL": "C"}  # read as Python starts
    done = warm_process.run(["check", ".", "--no-cache", "--format", output], cwd=tmp_path, env=env)
    assert done.returncode == 1 and b"EP101" in done.stdout and b"Traceback" not in done.stderr


def _many_files(folder: Path, count: int, functions: int) -> None:
    body = "".join(f"\ndef f{j}(ds, model):\n    test_tf = T.Compose([T.RandomCrop({j}), T.ToTensor()])\n"
                   f"    loader = DataLoader(ds, batch_size=4, drop_last=True)\n    for x in loader:\n"
                   f"        model(x)\n" for j in range(functions))
    for index in range(count):
        (folder / f"m{index}.py").write_text("import torchvision.transforms as T\n"
                                             "from torch.utils.data import DataLoader\n" + body)


def _closed_pipe_run(warm, folder: Path, *args: str) -> subprocess.CompletedProcess:
    """The command, in a real process (forked from a warm interpreter: tests/warm_start.py), with its standard
    output closed by the reader before the report: its first write of the report fails, whatever the report's
    size (a report read in part first must outgrow the pipe's buffer, 64 KiB, for any write to fail: a concise
    report of 360 findings did not)."""
    _many_files(folder, 1, 30)
    return warm.run(["check", ".", "--no-cache", *args], cwd=folder, close_stdout=True)


@pytest.mark.parametrize("output", ["text", "concise"])
def test_a_closed_pipe_ends_quietly_with_the_result_code(tmp_path, warm_process, output):
    done = _closed_pipe_run(warm_process, tmp_path, "--format", output)
    assert done.returncode == 1
    assert done.stderr == b""


@pytest.mark.parametrize("output", ["text", "concise"])
def test_a_closed_pipe_keeps_the_result_code_of_exit_zero(tmp_path, warm_process, output):
    """0, not the 1 that click (and rich) exit with on a broken pipe of their own."""
    done = _closed_pipe_run(warm_process, tmp_path, "--format", output, "--exit-zero")
    assert (done.returncode, done.stderr) == (0, b"")


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_to_the_main_process_stops_the_workers(tmp_path, warm_process, signum, code):
    _many_files(tmp_path, 120, 30)
    # with SIGINT's default disposition, as a terminal user's run has (a shell's background job, `pytest &`,
    # starts with SIGINT ignored): tests/warm_start.py gives it
    process = warm_process.start(["check", ".", "--no-cache", "--jobs", "2"], cwd=tmp_path)
    deadline, children = time.monotonic() + 20, []
    while not children and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert children, "the run should be extracting in worker processes by now"
    time.sleep(0.3)
    started = time.monotonic()
    process.send_signal(signum)
    assert process.wait(timeout=10) == code
    assert time.monotonic() - started < 1.5
    time.sleep(0.2)
    alive = [pid for pid in children if Path(f"/proc/{pid}").exists() and
             "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]]
    assert alive == []


def _half_a_result() -> None:
    """In a pool worker: send the first bytes of a result, as a worker stopped while sending one has."""
    frame = sys._getframe(1)
    while "result_queue" not in frame.f_locals:
        frame = frame.f_back
    frame.f_locals["result_queue"]._writer._send(struct.pack("!i", 1000) + b"x" * 10)  # 10 of 1,000 bytes
    time.sleep(60)


def test_stopping_the_workers_ends_a_result_read_in_part():
    """A worker stopped while it sent a result left the executor's thread waiting for the rest, and the
    process's exit waiting for that thread: 1 run in 40 stopped by SIGTERM never ended."""
    from concurrent.futures import ProcessPoolExecutor

    from evalparity.extract.files import _context, _stop

    pool = ProcessPoolExecutor(max_workers=1, mp_context=_context())
    pool.submit(_half_a_result)
    thread = pool._executor_manager_thread
    time.sleep(0.5)  # the executor's thread has read the 14 bytes and waits for the rest
    writer = pool._result_queue._writer
    _stop(pool)
    thread.join(timeout=5)
    stuck = thread.is_alive()
    if stuck:
        writer.close()  # let this process end
    assert not stuck


def test_fixing_this_repository_leaves_its_fixtures_and_examples_alone(monkeypatch):
    from conftest import ROOT

    monkeypatch.chdir(ROOT)
    result = invoke("check", ".", "--no-cache", "--jobs", "1", "--diff", "--unsafe-fixes")
    touched = [line for line in result.stdout.splitlines() if line.startswith("+++ ")]
    assert not [line for line in touched if "tests/" in line or "examples/" in line], touched
    assert "examples/" in invoke("check", "examples", "--no-cache", "--format", "concise").stdout


SHARED_FACTORY = '''import torchvision
import torchvision.transforms as T


def cifar_transformer():
    return T.Compose([T.RandomHorizontalFlip(), T.ToTensor()])


train_set = torchvision.datasets.CIFAR10("data", train=True, transform=cifar_transformer())
test_set = torchvision.datasets.CIFAR10("data", train=False, transform=cifar_transformer())
'''


def test_a_factory_shared_by_both_splits_is_reported_but_never_fixed(tmp_path, monkeypatch):
    """Removing the flip from the factory would turn off the training augmentation too."""
    (tmp_path / "data.py").write_text(SHARED_FACTORY)
    monkeypatch.chdir(tmp_path)
    found = invoke("check", "data.py", "--isolated", "--no-cache", "--format", "concise")
    assert found.exit_code == 1 and "EP101" in found.output and "[*]" not in found.output
    for flags in (("--fix",), ("--fix", "--unsafe-fixes")):
        invoke("check", "data.py", "--isolated", "--no-cache", *flags)
        assert (tmp_path / "data.py").read_text() == SHARED_FACTORY


SHARED_KWARGS = '''from torch.utils.data import DataLoader
from torchvision import datasets

kwargs = {"batch_size": 64, "drop_last": True}
train_loader = DataLoader(datasets.MNIST("d", train=True), shuffle=True, **kwargs)
test_loader = DataLoader(datasets.MNIST("d", train=False), **kwargs)
'''


def test_a_setting_merged_from_a_shared_dict_is_reported_but_never_fixed(tmp_path, monkeypatch):
    """Setting `drop_last` to False in the dict would change the training loader too."""
    (tmp_path / "data.py").write_text(SHARED_KWARGS)
    monkeypatch.chdir(tmp_path)
    found = invoke("check", "data.py", "--isolated", "--no-cache", "--format", "concise")
    assert found.exit_code == 1 and "EP401" in found.output and "[*]" not in found.output
    for flags in (("--fix",), ("--fix", "--unsafe-fixes")):
        invoke("check", "data.py", "--isolated", "--no-cache", *flags)
        assert (tmp_path / "data.py").read_text() == SHARED_KWARGS
