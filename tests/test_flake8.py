"""The flake8 plugin reports the per-file findings with the same lines and columns as `evalparity check`.
flake8 runs in this process (its command's `main`, which finds the plugin through its entry point as the
`flake8` command does), with its standard streams captured."""

import io
import subprocess
import sys

import pytest
from click.testing import CliRunner

from evalparity.cli import cli

SOURCE = """import torchvision.transforms as T

train_tf = T.Compose([T.RandomCrop(8), T.ToTensor(), T.Normalize((0.5,), (0.5,))])
val_tf = T.Compose([
    T.RandomHorizontalFlip(),
    T.ToTensor(),
    T.Normalize((0.4,), (0.5,)),
])
test_tf = T.Compose([T.RandomCrop(8), T.ToTensor()])  # noqa: EP101
"""

pytest.importorskip("flake8")


@pytest.fixture
def flake8(monkeypatch, capsys):
    from flake8.main.cli import main
    from flake8.utils import stdin_get_value

    def run(args, cwd, stdin=None) -> subprocess.CompletedProcess:
        monkeypatch.chdir(cwd)
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
            stdin_get_value.cache_clear()  # flake8 reads standard input once per process
        code = main(["--select=EP", *args])
        out = capsys.readouterr()
        return subprocess.CompletedProcess(["flake8", *args], code, out.out, out.err)

    return run


def test_flake8_reports_the_same_lines_and_columns(tmp_path, in_dir, flake8):
    (tmp_path / "a.py").write_text(SOURCE)
    out = flake8(["a.py"], tmp_path)
    assert out.returncode == 1, out.stderr
    flake8_places = [line.split(" ", 2)[:2] for line in out.stdout.splitlines()]
    in_dir(tmp_path)
    concise = CliRunner().invoke(cli, ["check", "a.py", "--format", "concise", "--quiet"]).output
    check_places = [line.split(" ", 2)[:2] for line in concise.splitlines()]
    assert flake8_places == check_places and len(check_places) == 3
    assert {code for _, code in flake8_places} == {"EP101", "EP201", "EP202"}


def test_flake8_reads_standard_input(tmp_path, flake8):
    out = flake8(["-"], tmp_path, stdin=SOURCE)
    assert out.returncode == 1
    assert out.stdout.splitlines()[0].startswith("stdin:5:5: EP101 `RandomHorizontalFlip` in the evaluation pipeline")
