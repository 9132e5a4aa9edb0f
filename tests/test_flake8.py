"""The flake8 plugin reports the per-file findings with the same lines and columns as `evalparity check`."""

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


def flake8(args, cwd, stdin=None):
    return subprocess.run([sys.executable, "-m", "flake8", "--select=EP", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_flake8_reports_the_same_lines_and_columns(tmp_path, in_dir):
    (tmp_path / "a.py").write_text(SOURCE)
    out = flake8(["a.py"], tmp_path)
    assert out.returncode == 1, out.stderr
    flake8_places = [line.split(" ", 2)[:2] for line in out.stdout.splitlines()]
    in_dir(tmp_path)
    concise = CliRunner().invoke(cli, ["check", "a.py", "--format", "concise", "--quiet"]).output
    check_places = [line.split(" ", 2)[:2] for line in concise.splitlines()]
    assert flake8_places == check_places and len(check_places) == 3
    assert {code for _, code in flake8_places} == {"EP101", "EP201", "EP202"}


def test_flake8_reads_standard_input(tmp_path):
    out = flake8(["-"], tmp_path, stdin=SOURCE)
    assert out.returncode == 1
    assert out.stdout.splitlines()[0].startswith("stdin:5:5: EP101 `RandomHorizontalFlip` in the evaluation pipeline")
