"""[tool.evalparity] in pyproject.toml, --config, --isolated, excludes and .gitignore, and the gates
(--fail-on, --exit-zero, --statistics, --quiet), all through click's runner."""

import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from evalparity.cli import cli
from evalparity.config import ConfigError, GlobSet, glob_match, load_config
from evalparity.vocabulary.naming import role_of_name, role_words

RANDOM_IN_EVAL = "import torchvision.transforms as T\nval_tf = T.Compose([T.RandomCrop(8), T.ToTensor()])\n"
# `dev` is not an eval word by default; `fit` not a train word
DEV_PAIR = ("import torchvision.transforms as T\n"
            "fit_tf = T.Compose([T.RandomCrop(8), T.ToTensor(), T.Normalize((0.5,), (0.5,))])\n"
            "dev_tf = T.Compose([T.CenterCrop(8), T.ToTensor()])\n")


def invoke(*args, **kwargs):
    return CliRunner().invoke(cli, list(args), **kwargs)


def project(tmp_path, config: str, files: dict[str, str] | None = None):
    (tmp_path / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n[tool.evalparity]\n{config}\n")
    for name, text in (files or {"a.py": RANDOM_IN_EVAL}).items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return tmp_path


def codes(result) -> set[str]:
    return {f["code"] for f in json.loads(result.output)["findings"]}


def test_config_is_found_walking_up_from_the_paths(tmp_path, in_dir):
    project(tmp_path, 'ignore = ["EP101"]', {"pkg/sub/a.py": RANDOM_IN_EVAL})
    in_dir(tmp_path / "pkg")
    assert invoke("check", "sub").exit_code == 0
    assert invoke("check", "sub", "--isolated").exit_code == 1


def test_pyproject_without_the_table_is_skipped(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "a.py").write_text(RANDOM_IN_EVAL)
    assert invoke("check", str(tmp_path)).exit_code == 1


def test_explicit_config_file_and_isolated_conflict(tmp_path):
    (tmp_path / "a.py").write_text(RANDOM_IN_EVAL)
    other = tmp_path / "evalparity.toml"
    other.write_text('ignore = ["EP1"]\n')
    assert invoke("check", str(tmp_path), "--config", str(other)).exit_code == 0
    result = invoke("check", str(tmp_path), "--config", str(other), "--isolated")
    assert result.exit_code == 2 and "cannot be used together" in result.output


@pytest.mark.parametrize("config, expected", [
    ('selct = ["EP1"]', "unknown key `selct` (did you mean `select`?)"),
    ('select = "EP1"', 'select: expected a list of rule codes or prefixes'),
    ('select = ["EP999"]', "select: unknown rule code or prefix: EP999"),
    ('fail-on = "fatal"', "fail-on: expected one of \"error\", \"warning\", \"info\", got 'fatal'"),
    ('knowledge = ["missing.yaml"]', "knowledge: file not found: missing.yaml"),
    ('per-file-ignores = {"tests/*" = "EP1"}', 'per-file-ignores."tests/*": expected a list of rule codes'),
    ('role-hints = {test = ["dev"]}', "role-hints.test: unknown key; expected one of: train, eval"),
    ('role-hints = {eval = ["Dev Set"]}', "role-hints.eval: expected a list of lower-case words"),
    ('respect-gitignore = "yes"', "respect-gitignore: expected true or false"),
    ("select = [", "invalid TOML"),
])
def test_bad_config_exits_2_naming_file_key_and_expectation(tmp_path, in_dir, config, expected):
    project(tmp_path, config)
    in_dir(tmp_path)
    result = invoke("check", ".")
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert line.startswith("evalparity: error: pyproject.toml: ") and expected in line and len(line.splitlines()) == 1


def test_select_ignore_and_extend_select_layers(tmp_path, in_dir):
    project(tmp_path, 'select = ["EP2"]\nextend-select = ["EP101"]')
    in_dir(tmp_path)
    assert invoke("check", ".").exit_code == 1
    assert invoke("check", ".", "--ignore", "EP101").exit_code == 0
    # the command line's --select replaces the configured selection
    assert invoke("check", ".", "--select", "EP2").exit_code == 0
    assert invoke("check", ".", "--isolated", "--select", "EP2", "--extend-select", "EP1").exit_code == 1


def test_per_file_ignores(tmp_path, in_dir):
    project(tmp_path, '[tool.evalparity.per-file-ignores]\n"legacy/**" = ["EP1"]\n"old_*.py" = ["EP101"]',
            {"legacy/deep/a.py": RANDOM_IN_EVAL, "old_b.py": RANDOM_IN_EVAL, "c.py": RANDOM_IN_EVAL})
    in_dir(tmp_path)
    data = json.loads(invoke("check", ".", "--format", "json").output)
    assert [f["path"] for f in data["findings"]] == ["c.py"]


def test_exclude_extend_exclude_and_defaults(tmp_path, in_dir):
    files = {"a.py": RANDOM_IN_EVAL, "build/b.py": RANDOM_IN_EVAL, "gen/c.py": RANDOM_IN_EVAL,
             "x.egg-info/d.py": RANDOM_IN_EVAL}
    project(tmp_path, 'extend-exclude = ["gen"]', files)
    in_dir(tmp_path)
    paths = {f["path"] for f in json.loads(invoke("check", ".", "--format", "json").output)["findings"]}
    assert paths == {"a.py"}
    # `exclude` replaces the defaults
    project(tmp_path, 'exclude = ["a.py"]', files)
    paths = {f["path"] for f in json.loads(invoke("check", ".", "--format", "json").output)["findings"]}
    assert paths == {"build/b.py", "gen/c.py", "x.egg-info/d.py"}
    # a file named explicitly is checked anyway, unless --force-exclude
    assert invoke("check", "a.py").exit_code == 1
    assert invoke("check", "a.py", "--force-exclude").exit_code == 0
    assert invoke("check", ".", "--isolated", "--exclude", "a.py,build,gen,*.egg-info").exit_code == 0


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_gitignore_is_respected_inside_a_git_repository(tmp_path, in_dir):
    project(tmp_path, 'fail-on = "error"', {"a.py": RANDOM_IN_EVAL, "scratch/b.py": RANDOM_IN_EVAL,
                                            "tmp_c.py": RANDOM_IN_EVAL})
    (tmp_path / ".gitignore").write_text("scratch/\ntmp_*.py\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    in_dir(tmp_path)
    paths = {f["path"] for f in json.loads(invoke("check", ".", "--format", "json").output)["findings"]}
    assert paths == {"a.py"}
    project(tmp_path, "respect-gitignore = false", {})
    paths = {f["path"] for f in json.loads(invoke("check", ".", "--format", "json").output)["findings"]}
    assert paths == {"a.py", "scratch/b.py", "tmp_c.py"}


def test_knowledge_from_config(tmp_path, in_dir):
    kb = tmp_path / "kb.yaml"
    kb.write_text("library: mylib.aug\nsource: https://example.org\ntransforms:\n"
                  "  Jitter:\n    random: true\n")
    project(tmp_path, 'knowledge = ["kb.yaml"]', {
        "a.py": "from mylib.aug import Jitter\nimport torchvision.transforms as T\n"
                "val_tf = T.Compose([Jitter(), T.ToTensor()])\n"})
    in_dir(tmp_path)
    assert codes(invoke("check", ".", "--format", "json")) == {"EP101"}
    assert codes(invoke("check", ".", "--format", "json", "--isolated")) == set()


def test_role_hints_name_extra_train_and_eval_words(tmp_path, in_dir):
    project(tmp_path, '[tool.evalparity.role-hints]\ntrain = ["fit"]\neval = ["dev"]', {"a.py": DEV_PAIR})
    in_dir(tmp_path)
    assert codes(invoke("check", ".", "--format", "json")) == {"EP202"}
    assert codes(invoke("check", ".", "--format", "json", "--isolated")) == set()
    # the hints last for one run only
    assert role_of_name("dev_tf") is None and "dev" not in role_words()[1]
    view = invoke("pipelines", ".")
    assert "Pair 1: same module" in view.output and "bound to `dev_tf`: decisive evidence for eval" in view.output
    assert "No train/eval pipeline pairs found." in invoke("pipelines", ".", "--isolated").output


def test_fail_on_and_exit_zero(tmp_path, in_dir):
    project(tmp_path, 'fail-on = "error"')
    in_dir(tmp_path)
    assert invoke("check", ".").exit_code == 1
    assert invoke("check", ".", "--exit-zero").exit_code == 0
    info_only = tmp_path / "info"
    info_only.mkdir()
    (info_only / "b.py").write_text("x = 1  # noqa: EP101\n")
    # EP902 is info: a note passes with the default (warning) and with fail-on = "error"
    assert invoke("check", "info", "--extend-select", "EP902").exit_code == 0
    assert invoke("check", "info", "--extend-select", "EP902", "--fail-on", "info").exit_code == 1
    assert invoke("check", "info", "--isolated", "--extend-select", "EP902").exit_code == 0
    assert invoke("check", "info", "--isolated", "--extend-select", "EP902", "--fail-on", "info").exit_code == 1


def test_internal_errors_exit_2_even_with_exit_zero(tmp_path, monkeypatch):
    (tmp_path / "a.py").write_text(RANDOM_IN_EVAL)
    import evalparity.checks.random_transform_in_eval as rule

    def boom(context):
        raise RuntimeError("bug")

    monkeypatch.setattr(rule, "check", boom)
    result = invoke("check", str(tmp_path), "--exit-zero")
    assert result.exit_code == 2 and "EP101: RuntimeError: bug" in result.output


def test_statistics(tmp_path):
    (tmp_path / "a.py").write_text(RANDOM_IN_EVAL)
    (tmp_path / "b.py").write_text(RANDOM_IN_EVAL.replace("val_tf", "test_tf"))
    result = invoke("check", str(tmp_path), "--statistics")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "2  EP101  [error]  random-transform-in-eval"
    data = json.loads(invoke("check", str(tmp_path), "--statistics", "--format", "json").output)
    assert data == [{"code": "EP101", "name": "random-transform-in-eval", "severity": "error", "count": 2}]
    assert invoke("check", str(tmp_path), "--statistics", "--format", "sarif").exit_code == 2


def test_quiet_prints_findings_only(tmp_path):
    (tmp_path / "a.py").write_text(RANDOM_IN_EVAL)
    result = invoke("check", str(tmp_path), "--quiet", "--format", "concise")
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    (tmp_path / "a.py").write_text("x = 1\n")
    assert invoke("check", str(tmp_path), "-q").output == ""


def test_no_progress_bar_when_not_a_terminal(tmp_path, monkeypatch):
    for i in range(5):
        (tmp_path / f"m{i}.py").write_text("x = 1\n")
    from evalparity.report import progress
    monkeypatch.setattr(progress, "THRESHOLD", 1)
    result = CliRunner().invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code == 0 and "checking" not in result.output


def test_progress_bar_draws_on_a_terminal_above_the_threshold(tmp_path):
    import io

    from evalparity.report.progress import progress_bar

    stream = io.StringIO()
    with progress_bar(True, threshold=2, stream=stream) as update:
        update(0, 1)
    assert stream.getvalue() == ""
    with progress_bar(True, threshold=2, stream=stream) as update:
        update(0, 5)
        update(5, 5)
    with progress_bar(False) as update:
        assert update is None


def test_load_config_reads_a_plain_toml_file(tmp_path):
    path = tmp_path / "evalparity.toml"
    path.write_text('select = ["EP1"]\n[role-hints]\neval = ["dev"]\n')
    config = load_config(path)
    assert config.select == ("EP1",) and config.eval_words == ("dev",) and config.root == tmp_path
    (tmp_path / "pyproject.toml").write_text("[project]\n")
    with pytest.raises(ConfigError, match="no \\[tool.evalparity\\] table"):
        load_config(tmp_path / "pyproject.toml")


@pytest.mark.parametrize("pattern, path, expected", [
    ("tests/**", "tests/a/b.py", True), ("tests/**", "src/tests.py", False), ("*.py", "a/b/c.py", True),
    ("build", "x/build/a.py", True), ("src/*.py", "src/a.py", True), ("src/*.py", "src/a/b.py", False),
    ("**/conftest.py", "conftest.py", True), ("legacy/", "legacy/a.py", True), ("a?.py", "ab.py", True),
])
def test_glob_match(pattern, path, expected):
    assert glob_match(pattern, path) is expected


def test_glob_set_agrees_with_glob_match_on_every_pattern():
    patterns = ["build", "*.egg-info", "tests/**", "src/*.py", "legacy/", "**/conftest.py", "a?.py", "./gen",
                " docs\\api ", "x/y/z", "[ab]*.py", "*"]
    paths = ["a.py", "ab.py", "build/a.py", "x/build/a.py", "pkg.egg-info/x.py", "tests/a/b.py", "src/a.py",
             "src/a/b.py", "legacy/a.py", "legacy", "deep/conftest.py", "conftest.py", "gen/a.py", "x/gen/a.py",
             "docs/api/a.py", "x/y/z/w.py", "x/y/a.py", "b1.py", "c/d/e/f.py"]
    for size in range(len(patterns) + 1):
        globs = GlobSet(patterns[:size])
        for _ in range(2):  # the second round answers folders from memory
            for path in paths:
                assert globs.match(path) == any(glob_match(p, path) for p in patterns[:size]), (size, path)


def test_excluder_and_display_paths_read_paths_as_pathlib_does(tmp_path, monkeypatch, in_dir):
    from pathlib import Path

    from evalparity.discovery import paths as discover_module
    from evalparity.discovery.paths import Excluder, display_path

    root = tmp_path / "proj"
    (root / "build").mkdir(parents=True)
    in_dir(root)
    cases = [root, root / "build", root / "build" / "a.py", root / "a.py", root / "sub" / ".." / "a.py",
             tmp_path / "build", tmp_path / "projx" / "build" / "b.py", tmp_path / "a.py", Path("/"), Path("a.py"),
             "build/c.py", "./build"]
    patterns = ["build", "a.py", "sub/*.py"]

    def answers():
        excluder = Excluder(patterns, root=root, gitignore=False)
        return [(excluder.excluded(p, False), display_path(p)) for p in cases]

    fast = answers()
    monkeypatch.setattr(discover_module, "_PLAIN_SEPARATORS", False)
    assert fast == answers()
    assert fast[0] == (False, ".") and fast[2] == (True, "build/a.py") and fast[5][0] and not fast[6][0]
