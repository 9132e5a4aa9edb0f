"""pre-commit: the hook definition, changed files checked in the context of their project, and one real
`pre-commit try-repo` run on a temporary git repository (offline: the hook's environment borrows this
environment's packages instead of downloading them)."""

import os
import shutil
import subprocess
import sys
import sysconfig

import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT

from evalparity.cli import cli

AUGMENT = "import torchvision.transforms as T\n\ncrop_tf = T.Compose([T.RandomCrop(32), T.ToTensor()])\n"
TRAIN = ('from torchvision import datasets\nfrom data.augment import crop_tf\n\n'
         'test_set = datasets.CIFAR10("data", train=False, transform=crop_tf)\n')
GIT = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]


def make_project(path):
    (path / "data").mkdir(parents=True)
    (path / "data" / "__init__.py").write_text("")
    (path / "data" / "augment.py").write_text(AUGMENT)
    (path / "train.py").write_text(TRAIN)
    (path / "other.py").write_text("import os\n")
    (path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    return path


def test_hook_definition():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "evalparity")
    assert hook["entry"].startswith("evalparity check") and hook["language"] == "python"
    assert set(hook["types_or"]) == {"python", "jupyter"} and hook["require_serial"] is True


@pytest.mark.parametrize("changed", [["train.py"], ["data/augment.py"], ["train.py", "other.py"]])
def test_changed_files_are_checked_in_the_context_of_their_project(tmp_path, in_dir, changed):
    in_dir(make_project(tmp_path))
    result = CliRunner().invoke(cli, ["check", "--force-exclude", "--format", "concise", *changed])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("data/augment.py:3:22: EP101 [error] `RandomCrop` in the evaluation pipeline `crop_tf`")
    assert "(see train.py:4)" in result.output
    assert f"; {len(changed)} file{'s' if len(changed) != 1 else ''} checked" in result.output


def test_findings_elsewhere_in_the_project_are_not_reported(tmp_path, in_dir):
    in_dir(make_project(tmp_path))
    result = CliRunner().invoke(cli, ["check", "other.py"])
    assert result.exit_code == 0 and "All checks passed; 1 file checked." in result.output


def test_without_a_project_only_the_file_is_analysed(tmp_path, in_dir):
    (tmp_path / "train.py").write_text(TRAIN)
    in_dir(tmp_path)
    assert CliRunner().invoke(cli, ["check", "train.py"]).exit_code == 0


def _hook_repo(target):
    """A git repository with this checkout's package, as pre-commit would clone it."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    shutil.copytree(ROOT / "src", target / "src", ignore=ignore)
    shutil.copytree(ROOT / "rules", target / "rules", ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, target / name)
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    subprocess.run(["git", "add", "-A"], cwd=target, check=True)
    subprocess.run(GIT + ["commit", "-q", "-m", "hook"], cwd=target, check=True)
    return target


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_pre_commit_try_repo_fails_the_commit_with_the_finding(tmp_path):
    pytest.importorskip("pre_commit")
    hook = _hook_repo(tmp_path / "hook")
    project = make_project(tmp_path / "project")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    (project / "train.py").unlink()
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    subprocess.run(GIT + ["commit", "-q", "-m", "base"], cwd=project, check=True)
    (project / "train.py").write_text(TRAIN)  # the change: the crop pipeline now feeds a test set
    subprocess.run(["git", "add", "train.py"], cwd=project, check=True)
    paths = sysconfig.get_paths()
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"), PIP_NO_INDEX="1", PIP_NO_DEPS="1",
               PIP_NO_BUILD_ISOLATION="0", PIP_DISABLE_PIP_VERSION_CHECK="1",
               PYTHONPATH=os.pathsep.join(dict.fromkeys([paths["purelib"], paths["platlib"]])))
    out = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hook), "evalparity"],
                         cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "evalparity" in out.stdout and "Failed" in out.stdout
    assert "data/augment.py:3:22: EP101 `RandomCrop` in the evaluation pipeline `crop_tf`" in out.stdout
    assert "::: train.py:4:12" in out.stdout
