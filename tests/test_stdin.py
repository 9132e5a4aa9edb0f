"""`evalparity check -` and `--stdin-filename`: the source comes from standard input and is checked as that
file of its project (the other files from disk); with --fix the fixed source is the only thing on standard
output and no file is written. What reaches each stream, byte for byte, and the exit codes are checked on real
processes (`run`, forked from a warm interpreter), so that they are what a caller sees; which file is read and
what it is found to hold are checked in this process (`run_here`, click's CliRunner)."""

import json
import os
import subprocess

import pytest
from click.testing import CliRunner

from evalparity.cli import cli

TRAIN = (
    "from torchvision import transforms as T\n"
    "\n"
    "MEAN = (0.485, 0.456, 0.406)\n"
    "STD = (0.229, 0.224, 0.225)\n"
    "train_tf = T.Compose([T.RandomCrop(32, padding=4), T.ToTensor(), T.Normalize(MEAN, STD)])\n"
)
# Its Normalize differs from the one in data.py: only a check that reads data.py can tell.
EVAL_DRIFTED = (
    "from torchvision import transforms as T\n"
    "\n"
    "from data import train_tf\n"
    "\n"
    "val_tf = T.Compose([\n"
    "    T.ToTensor(),\n"
    "    T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),\n"
    "])\n"
)
EVAL_GOOD = (
    "from torchvision import transforms as T\n"
    "\n"
    "from data import MEAN, STD, train_tf\n"
    "\n"
    "val_tf = T.Compose([\n"
    "    T.ToTensor(),\n"
    "    T.Normalize(MEAN, STD),\n"
    "])\n"
)
# A random flip in an evaluation pipeline: EP101 within the file alone, with an unsafe fix.
EVAL_FLIP = (
    "from torchvision import transforms as T\n"
    "\n"
    "val_tf = T.Compose([\n"
    "    T.RandomHorizontalFlip(),\n"
    "    T.ToTensor(),\n"
    "])\n"
)
EVAL_FLIP_FIXED = EVAL_FLIP.replace("    T.RandomHorizontalFlip(),\n", "")


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
    (tmp_path / "data.py").write_text(TRAIN, encoding="utf-8")
    return tmp_path


def run(warm, cwd, *args, stdin: str | bytes):
    """`evalparity check` in a real process of its own (forked from a warm one: tests/warm_start.py)."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return warm.run(["check", *args], cwd=cwd, input=data)


def run_here(cwd, *args, stdin: str | bytes):
    """`run`'s command in this process (click's runner); the same result fields (exit code, standard output
    and error as bytes)."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, ["check", *args], input=data)
    finally:
        os.chdir(previous)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout_bytes, result.stderr_bytes)


def findings(out: bytes) -> list[dict]:
    return json.loads(out.decode())["findings"]


def test_stdin_is_checked_as_the_named_file_within_its_project(project):
    (project / "evaluate.py").write_text(EVAL_GOOD, encoding="utf-8")  # on disk: nothing to report
    out = run_here(project, "--stdin-filename", "evaluate.py", "--format", "json", "-", stdin=EVAL_DRIFTED)
    assert out.returncode == 1, out.stderr
    [finding] = findings(out.stdout)
    assert (finding["code"], finding["path"], finding["line"]) == ("EP201", "evaluate.py", 7)
    assert [r["path"] for r in finding["related"]] == ["data.py"]  # the other side, read from disk


def test_no_path_with_stdin_filename_reads_stdin_too(project):
    out = run_here(project, "--stdin-filename", "evaluate.py", "--format", "json", stdin=EVAL_DRIFTED)
    assert out.returncode == 1, out.stderr
    assert [f["path"] for f in findings(out.stdout)] == ["evaluate.py"]


def test_stdin_replaces_the_file_on_disk(project):
    (project / "evaluate.py").write_text(EVAL_DRIFTED, encoding="utf-8")  # on disk: EP201
    out = run_here(project, "--stdin-filename", "evaluate.py", "--format", "json", "-", stdin=EVAL_GOOD)
    assert out.returncode == 0, out.stderr
    assert findings(out.stdout) == []


def test_stdin_filename_in_a_subfolder_is_named_as_given(project):
    (project / "pkg").mkdir()
    (project / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    out = run_here(project, "--stdin-filename", "pkg/evaluate.py", "--format", "concise", "-", stdin=EVAL_FLIP)
    assert out.returncode == 1
    assert out.stdout.decode().startswith("pkg/evaluate.py:4:5: EP101 ")


def test_dash_alone_is_named_dash_and_checked_on_its_own(project):
    out = run_here(project, "--format", "json", "-", stdin=EVAL_FLIP)
    assert out.returncode == 1, out.stderr
    assert [(f["code"], f["path"]) for f in findings(out.stdout)] == [("EP101", "-")]
    alone = run_here(project, "--format", "json", "-", stdin=EVAL_DRIFTED)  # data.py is not its context
    assert (alone.returncode, findings(alone.stdout)) == (0, [])


def test_fix_writes_only_the_fixed_source_to_stdout_and_never_the_file(project, warm_process):
    target = project / "evaluate.py"
    target.write_text(EVAL_FLIP, encoding="utf-8")
    before = target.stat().st_mtime_ns
    out = run(warm_process, project, "--stdin-filename", "evaluate.py", "--fix", "--unsafe-fixes", "-",
              stdin=EVAL_FLIP)
    assert out.returncode == 0, out.stderr
    assert out.stdout == EVAL_FLIP_FIXED.encode()
    assert "Fixed 1 finding in 1 file." in out.stderr.decode()
    assert target.read_text(encoding="utf-8") == EVAL_FLIP and target.stat().st_mtime_ns == before


def test_fix_across_files_imports_the_training_constants(project):
    out = run_here(project, "--stdin-filename", "evaluate.py", "--fix", "--unsafe-fixes", "-", stdin=EVAL_DRIFTED)
    assert out.returncode == 0, out.stderr
    assert b"T.Normalize(MEAN, STD)" in out.stdout and b"from data import MEAN, STD" in out.stdout
    assert not (project / "evaluate.py").exists()  # a file that exists only in the editor stays there


def test_fix_reports_what_remains_on_stderr_and_exits_1(project, warm_process):
    out = run(warm_process, project, "--stdin-filename", "evaluate.py", "--fix", "--format", "concise", "-",
              stdin=EVAL_FLIP)
    assert out.returncode == 1  # the flip's fix is unsafe: without --unsafe-fixes it remains
    assert out.stdout == EVAL_FLIP.encode()  # unchanged, byte for byte
    assert "evaluate.py:4:5: EP101" in out.stderr.decode()


def test_fix_keeps_crlf_and_the_bytes_outside_the_fix(project, warm_process):
    crlf = EVAL_FLIP.replace("\n", "\r\n").encode()
    out = run(warm_process, project, "--stdin-filename", "evaluate.py", "--fix", "--unsafe-fixes", "-q", "-",
              stdin=crlf)
    assert (out.returncode, out.stdout) == (0, EVAL_FLIP_FIXED.replace("\n", "\r\n").encode())


def test_diff_on_stdin_prints_the_diff_and_writes_nothing(project):
    out = run_here(project, "--stdin-filename", "evaluate.py", "--diff", "--unsafe-fixes", "-", stdin=EVAL_FLIP)
    assert out.returncode == 1
    assert "-    T.RandomHorizontalFlip(),\n" in out.stdout.decode()
    assert not (project / "evaluate.py").exists()


def test_syntax_error_on_stdin_is_ep901_under_the_given_name(project):
    out = run_here(project, "--stdin-filename", "evaluate.py", "--format", "json", "-", stdin="def broken(:\n")
    assert out.returncode == 1
    assert [(f["code"], f["path"]) for f in findings(out.stdout)] == [("EP901", "evaluate.py")]


@pytest.mark.parametrize("args", [("-", "data.py"), ("--stdin-filename", "x.py", "data.py"),
                                  ("--stdin-filename", ".", "-")])
def test_stdin_with_files_is_a_usage_error(project, warm_process, args):
    out = run(warm_process, project, *args, stdin=EVAL_FLIP)
    assert out.returncode == 2
    assert out.stderr.decode().startswith("evalparity: error: ") and out.stderr.decode().count("\n") == 1
    assert out.stdout == b""


def test_silent_fix_prints_the_fixed_source_and_nothing_else(project, warm_process):
    out = run(warm_process, project, "--stdin-filename", "evaluate.py", "--fix", "--unsafe-fixes", "--silent", "-",
              stdin=EVAL_FLIP)
    assert (out.returncode, out.stdout, out.stderr) == (0, EVAL_FLIP_FIXED.encode(), b"")


def test_an_excluded_stdin_filename_is_passed_through_unchanged_with_force_exclude(project):
    (project / "pyproject.toml").write_text('[tool.evalparity]\nextend-exclude = ["legacy"]\n', encoding="utf-8")
    args = ("--stdin-filename", "legacy/evaluate.py", "--force-exclude", "--fix", "--unsafe-fixes", "-")
    out = run_here(project, *args, stdin=EVAL_FLIP)
    assert (out.returncode, out.stdout) == (0, EVAL_FLIP.encode())
    checked = run_here(project, "--stdin-filename", "legacy/evaluate.py", "--format", "json", "-", stdin=EVAL_FLIP)
    assert [f["code"] for f in findings(checked.stdout)] == ["EP101"]  # named, so checked without --force-exclude
