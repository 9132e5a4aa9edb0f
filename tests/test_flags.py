"""The flags and conventions a Ruff user expects (#18): each test fails when its feature is removed."""

import json
import re

import pytest
from click.testing import CliRunner

from evalparity import __version__
from evalparity.cli import cli
from evalparity.vocabulary.rulebook import load_rules

RANDOM_IN_EVAL = "import torchvision.transforms as T\nval_tf = T.Compose([T.RandomCrop(8), T.ToTensor()])\n"
# EP401 (safe fix) and EP101 (unsafe fix) in one file
LOADER = ("from torch.utils.data import DataLoader\n"
          "val_loader = DataLoader(val_set, batch_size=64, drop_last=True)\n")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def invoke(*args, env=None, **kwargs):
    return CliRunner().invoke(cli, list(args), env=env, **kwargs)


@pytest.fixture
def findings_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    (tmp_path / "a.py").write_text(RANDOM_IN_EVAL)
    return tmp_path


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag):
    result = invoke(flag)
    assert result.exit_code == 0 and result.stdout == f"evalparity {__version__}\n"


def test_output_format_is_an_alias_of_format(findings_dir):
    by_alias = invoke("check", str(findings_dir), "--output-format", "json")
    by_format = invoke("check", str(findings_dir), "--format", "json")
    assert by_alias.exit_code == 1 and json.loads(by_alias.stdout)["findings"][0]["code"] == "EP101"
    assert by_alias.stdout == by_format.stdout


@pytest.mark.parametrize("env, flag, coloured", [
    ({}, None, False),  # piped, no variable: plain
    ({}, "always", True),
    ({}, "never", False),
    ({"FORCE_COLOR": "1"}, None, True),
    ({"NO_COLOR": "1"}, None, False),
    ({"NO_COLOR": "1"}, "always", True),  # the flag wins over the environment
    ({"FORCE_COLOR": "1"}, "never", False),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, None, True),  # FORCE_COLOR wins over NO_COLOR
    ({"NO_COLOR": ""}, "auto", False),  # an empty variable counts as unset
])
def test_color_flag_and_environment(findings_dir, env, flag, coloured):
    args = ["check", str(findings_dir)] + (["--color", flag] if flag else [])
    result = invoke(*args, env=env)
    assert result.exit_code == 1
    assert bool(ANSI.search(result.stdout)) is coloured, result.stdout
    assert "EP101" in ANSI.sub("", result.stdout)


def test_color_applies_to_the_rules_listing(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert ANSI.search(invoke("rules", "--color", "always").stdout)
    assert not ANSI.search(invoke("rules", "--color", "never", env={"FORCE_COLOR": "1"}).stdout)


@pytest.mark.parametrize("flags", [["--silent"], ["-s"], ["-qq"], ["-q", "-q"]])
def test_silent_prints_nothing_and_keeps_the_exit_code(findings_dir, flags):
    result = invoke("check", str(findings_dir), *flags)
    assert result.exit_code == 1 and result.stdout == "" and result.stderr == ""
    (findings_dir / "a.py").write_text("x = 1\n")
    result = invoke("check", str(findings_dir), *flags)
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""


def test_quiet_still_prints_the_findings_only(findings_dir):
    result = invoke("check", str(findings_dir), "-q", "--format", "concise")
    assert result.exit_code == 1 and result.stdout.count("\n") == 1 and "EP101" in result.stdout


def test_silent_still_writes_the_output_file(findings_dir, tmp_path):
    target = tmp_path / "report.json"
    result = invoke("check", str(findings_dir), "--silent", "--format", "json", "-o", str(target))
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(target.read_text())["findings"][0]["code"] == "EP101"


def test_silent_fix_prints_nothing(tmp_path):
    (tmp_path / "a.py").write_text(LOADER)
    result = invoke("check", str(tmp_path), "--fix", "--silent")
    assert result.stdout == "" and result.stderr == "" and result.exit_code == 0
    assert "drop_last" not in (tmp_path / "a.py").read_text()


def test_show_fixes_lists_the_available_fixes(tmp_path):
    (tmp_path / "a.py").write_text(LOADER + RANDOM_IN_EVAL)
    result = invoke("check", str(tmp_path), "--format", "concise", "--show-fixes")
    assert "2 fixes available" in result.stdout
    assert f"- {tmp_path / 'a.py'}:" in result.stdout.splitlines()
    assert "    1 × EP401 (eval-loader-drop-last) [safe]" in result.stdout
    assert "    1 × EP101 (random-transform-in-eval) [unsafe]" in result.stdout
    assert "fixes available" not in invoke("check", str(tmp_path), "--format", "concise").stdout


def test_show_fixes_lists_the_fixes_applied(tmp_path):
    (tmp_path / "a.py").write_text(LOADER + RANDOM_IN_EVAL)
    result = invoke("check", str(tmp_path), "--fix", "--show-fixes")
    assert result.exit_code == 1  # EP101's fix is unsafe: still there
    lines = result.stdout.splitlines()
    start = lines.index("Fixed 1 finding:")
    assert lines[start + 1].startswith("- ") and lines[start + 1].endswith("a.py:")
    assert lines[start + 2] == "    1 × EP401 (eval-loader-drop-last)"
    assert "Fixed 1 finding:" not in invoke("check", str(tmp_path), "--fix").stdout


def test_show_settings_prints_the_resolved_settings_and_exits_0(findings_dir, in_dir):
    (findings_dir / "pyproject.toml").write_text('[tool.evalparity]\nextend-select = ["EP902"]\n'
                                                 'extend-exclude = ["legacy"]\nfail-on = "error"\n')
    in_dir(findings_dir)
    result = invoke("check", "--show-settings", "--cache-dir", "somewhere")
    assert result.exit_code == 0, result.output
    settings = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in result.stdout.splitlines())
    assert settings["config file"] == "pyproject.toml"
    assert "EP902" in settings["select"].split(", ") and "EP101" in settings["select"].split(", ")
    assert "EP302" in settings["not selected"]
    assert "legacy" in settings["exclude"].split(", ") and ".git" in settings["exclude"].split(", ")
    assert settings["fail-on"] == "error"
    assert settings["cache dir"] == "somewhere/evalparity"
    assert "EP101" not in invoke("check", "--show-settings", "--ignore", "EP1").stdout.split("not selected")[0]
    isolated = invoke("check", "--show-settings", "--isolated", "--no-cache").stdout.splitlines()
    assert isolated[:2] == ["config file        none (the defaults)", "project root       none (no configuration file)"]
    assert isolated[4:] == ["per-file-ignores   none", isolated[5], "respect-gitignore  true",
                            "force-exclude      false", "fail-on            warning",
                            "knowledge          the built-in knowledge base", "role-hints         none",
                            "cache dir          none (--no-cache)"]


def test_show_settings_every_row_from_a_full_configuration(tmp_path, in_dir):
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "extra.yaml").write_text("library: mylib\ntransforms:\n  MyResize:\n    kind: identity\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.evalparity]\nselect = ["EP1", "EP401"]\n'
        'per-file-ignores = {"tests/**" = ["EP101", "EP102"], "scripts/*.py" = ["EP401"]}\n'
        'extend-exclude = ["legacy"]\nrespect-gitignore = false\nfail-on = "info"\nknowledge = ["kb/extra.yaml"]\n'
        'role-hints = {train = ["fit"], eval = ["dev", "holdout"]}\n')
    in_dir(tmp_path)
    result = invoke("check", "--show-settings", "--force-exclude", "--cache-dir", "c")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == ["config file        pyproject.toml", "project root       .",
                         "select             EP101, EP102, EP401"]
    assert lines[3].startswith("not selected       EP201, EP202, ") and lines[3].endswith(", EP902, EP903")
    assert lines[4:5] == ["per-file-ignores   tests/** = EP101, EP102; scripts/*.py = EP401"]
    assert lines[5].startswith("exclude            *.egg-info, .eggs, ") and ", dist, legacy, " in lines[5]
    assert lines[6:] == ["respect-gitignore  false", "force-exclude      true", "fail-on            info",
                         "knowledge          kb/extra.yaml",
                         "role-hints         train = ['fit'], eval = ['dev', 'holdout']",
                         "cache dir          c/evalparity"]


def test_show_files_lists_the_files_and_exits_0(findings_dir, in_dir):
    (findings_dir / "pyproject.toml").write_text('[tool.evalparity]\nextend-exclude = ["legacy"]\n')
    (findings_dir / "legacy").mkdir()
    (findings_dir / "legacy" / "old.py").write_text(RANDOM_IN_EVAL)
    (findings_dir / "nb.ipynb").write_text('{"cells": []}')
    (findings_dir / "notes.txt").write_text("")
    in_dir(findings_dir)
    result = invoke("check", "--show-files")
    assert result.exit_code == 0 and result.stdout.splitlines() == ["a.py", "nb.ipynb"]
    assert invoke("check", "--show-files", "--isolated").stdout.splitlines() == ["a.py", "legacy/old.py", "nb.ipynb"]
    # a file named on the command line is listed even when excluded, unless --force-exclude
    assert invoke("check", "--show-files", "legacy/old.py").stdout.splitlines() == ["legacy/old.py"]
    assert invoke("check", "--show-files", "--force-exclude", "legacy/old.py").stdout.splitlines() == []


def test_select_all_means_every_rule_including_the_ones_off_by_default(findings_dir, in_dir):
    off = sorted(code for code, rule in load_rules().items() if not rule.default)
    assert off  # otherwise this test shows nothing
    in_dir(findings_dir)
    for args in (["--select", "ALL"], ["--select", "all"], ["--select", "EP1,ALL"]):
        settings = invoke("check", "--show-settings", "--isolated", *args).stdout
        assert "not selected       none" in settings, (args, settings)
    (findings_dir / "pyproject.toml").write_text('[tool.evalparity]\nselect = ["ALL"]\nignore = ["EP9"]\n')
    settings = invoke("check", "--show-settings").stdout
    assert all(code in settings.split("not selected")[0] for code in off if not code.startswith("EP9"))
    # a suppression comment that suppresses nothing: EP902, off by default, is reported under ALL
    (findings_dir / "b.py").write_text("x = 1  # noqa: EP101\n")
    codes = {f["code"] for f in json.loads(invoke("check", ".", "--isolated", "--select", "ALL",
                                                   "--format", "json").stdout)["findings"]}
    assert "EP902" in codes


def test_rules_as_json():
    result = invoke("rules", "--format", "json")
    assert result.exit_code == 0
    rules = json.loads(result.stdout)
    assert [r["code"] for r in rules] == sorted(load_rules())
    assert set(rules[0]) == {"code", "name", "severity", "default", "fixable", "summary"}
    by_code = {r["code"]: r for r in rules}
    assert by_code["EP401"]["fixable"] == "safe" and by_code["EP101"]["fixable"] == "unsafe"
    assert by_code["EP102"]["fixable"] == "none" and by_code["EP902"]["default"] is False
    assert invoke("rules", "--output-format", "json").stdout == result.stdout


def test_rules_table_has_a_fixable_column():
    out = invoke("rules").stdout
    assert "fixable" in out.splitlines()[1]
    row = next(line for line in out.splitlines() if "EP401" in line)
    assert "safe" in row and "unsafe" not in row
    assert "unsafe" in next(line for line in out.splitlines() if "EP101" in line)


def test_rule_fix_metadata_agrees_with_the_fixes_the_rules_make(tmp_path, in_dir):
    """`fix:` in rules/*.yaml is what the findings carry: the per-fix fixtures and the examples."""
    import shutil

    from conftest import ROOT

    shutil.copytree(ROOT / "tests" / "fixes", tmp_path / "fixes")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    in_dir(tmp_path)
    seen = {}
    for folder in ("fixes", "examples"):
        report = json.loads(invoke("check", folder, "--isolated", "--select", "ALL", "--format", "json").stdout)
        for finding in report["findings"]:
            seen.setdefault(finding["code"], set()).add(finding["fix"]["applicability"] if finding["fix"] else "none")
    rules = load_rules()
    fixable = {code for code, rule in rules.items() if rule.fix != "none"}
    assert fixable <= set(seen), "every fixable rule has a fixture that shows its fix"
    for code, kinds in seen.items():
        assert kinds - {"none"} <= {rules[code].fix}, (code, kinds)


def _config_file(invoke_result) -> str:
    return next(line for line in invoke_result.stdout.splitlines() if line.startswith("config file")).split()[-1]


@pytest.mark.parametrize("present, chosen", [
    ({"pyproject.toml"}, "pyproject.toml"),
    ({"evalparity.toml", "pyproject.toml"}, "evalparity.toml"),
    ({".evalparity.toml", "evalparity.toml", "pyproject.toml"}, ".evalparity.toml"),
    ({".evalparity.toml", "pyproject.toml"}, ".evalparity.toml"),
])
def test_evalparity_toml_is_found_before_pyproject_in_the_same_folder(findings_dir, in_dir, present, chosen):
    for name in present:
        body = '[tool.evalparity]\nignore = ["EP1"]\n' if name == "pyproject.toml" else 'ignore = ["EP1"]\n'
        (findings_dir / name).write_text(body)
    (findings_dir / "sub").mkdir()
    (findings_dir / "sub" / "b.py").write_text(RANDOM_IN_EVAL)
    in_dir(findings_dir / "sub")
    result = invoke("check", "--show-settings")
    assert _config_file(result) == str(findings_dir / chosen)
    assert invoke("check", ".").exit_code == 0  # its ignore applies
    assert invoke("check", ".", "--isolated").exit_code == 1


def test_evalparity_toml_keys_are_at_the_top_level(findings_dir, in_dir):
    in_dir(findings_dir)
    (findings_dir / "evalparity.toml").write_text('select = ["EP2"]\n[per-file-ignores]\n"a.py" = ["EP201"]\n')
    (findings_dir / "pyproject.toml").write_text('[tool.evalparity]\nselect = ["EP1"]\n')
    assert invoke("check", ".").exit_code == 0  # EP2 only, from evalparity.toml: EP101 not selected
    (findings_dir / "evalparity.toml").write_text('[tool.evalparity]\nselect = ["EP2"]\n')
    result = invoke("check", ".")
    assert result.exit_code == 2
    assert "evalparity.toml: a [tool.*] table belongs in pyproject.toml" in result.stderr
    (findings_dir / "evalparity.toml").write_text('selct = ["EP2"]\n')
    result = invoke("check", ".")
    assert result.exit_code == 2 and "evalparity.toml: unknown key `selct` (did you mean `select`?)" in result.stderr


def test_a_nearer_pyproject_wins_over_a_farther_evalparity_toml(findings_dir, in_dir):
    (findings_dir / "evalparity.toml").write_text('ignore = ["EP1"]\n')
    (findings_dir / "pkg").mkdir()
    (findings_dir / "pkg" / "pyproject.toml").write_text('[tool.evalparity]\nfail-on = "error"\n')
    (findings_dir / "pkg" / "b.py").write_text(RANDOM_IN_EVAL)
    in_dir(findings_dir / "pkg")
    assert _config_file(invoke("check", "--show-settings")) == "pyproject.toml"
    assert invoke("check", ".").exit_code == 1


def test_sarif_uris_are_relative_to_the_repository_root(tmp_path, in_dir):
    import jsonschema
    from conftest import ROOT

    (tmp_path / ".git").mkdir()
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "sub" / "a b.py").write_text(RANDOM_IN_EVAL)
    outside = tmp_path.parent / f"{tmp_path.name}-outside.py"
    outside.write_text(RANDOM_IN_EVAL)
    in_dir(tmp_path / "pkg")  # run from a folder below the root: the URIs still start at the root
    result = invoke("check", "sub", str(outside), "--format", "sarif", "--isolated")
    data = json.loads(result.stdout)
    jsonschema.validate(data, json.loads((ROOT / "tests" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")))
    run = data["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert {"uri": "pkg/sub/a%20b.py", "uriBaseId": "%SRCROOT%"} in locations
    assert {"uri": outside.as_uri()} in locations
    outside.unlink()


PAIR = ("import torchvision.transforms as T\n"
        "train_tf = T.Compose([T.RandomCrop(32, padding=4), T.ToTensor(),\n"
        "                      T.Normalize((0.4914, 0.4822, 0.4465, 0.1111, 0.2222, 0.3333), (0.247, 0.2435, 0.2616))])\n"
        "test_tf = T.Compose([T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])\n")


def test_pipelines_is_readable_without_colour(tmp_path, monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    (tmp_path / "a.py").write_text(PAIR)
    result = invoke("pipelines", str(tmp_path))
    assert result.exit_code == 0 and not ANSI.search(result.stdout)
    lines = result.stdout.splitlines()
    header = next(line for line in lines if "difference" in line)
    assert [c.strip() for c in header.strip("┃").split("┃")] == ["#", "train", "eval", "difference"]
    rows = [line for line in lines if line.startswith("│") and line.split("│")[1].strip()]  # numbered rows
    assert [row.split("│")[4].strip() for row in rows] == ["train only", "", "differs"]
    table = [line for line in lines if line.startswith(("│", "┃", "┏", "└"))]
    assert max(len(line) for line in table) <= 4 + 2 * 51 + 14  # the step columns are capped at 48
    assert "    - bound to `train_tf`: decisive evidence for train" in lines
    assert "    - bound to `test_tf`: decisive evidence for eval" in lines
    assert not re.search(r"\+\d", result.stdout)  # no numeric weights
    assert ANSI.search(invoke("pipelines", str(tmp_path), "--color", "always").stdout)


def test_pipelines_say_when_a_role_has_no_evidence(tmp_path, monkeypatch):
    (tmp_path / "a.py").write_text("import torchvision.transforms as T\ntf = T.Compose([T.ToTensor()])\n")
    monkeypatch.chdir(tmp_path)
    assert invoke("pipelines", "a.py").stdout.splitlines() == [
        "No train/eval pipeline pairs found.", "Pipelines not paired:", "  a.py:2 `tf`: role unknown — no evidence"]


def test_pipelines_keep_long_lines_whole_and_show_a_wrapper_with_its_steps(tmp_path, monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    (tmp_path / "a.py").write_text(
        "import torchvision.transforms as T\n"
        "train_transform_for_the_augmented_imagenet_subset = T.Compose([\n"
        "    T.RandomChoice([T.RandomCrop(32), T.CenterCrop(32)]), T.ToTensor()])\n"
        "validation_transform_for_the_augmented_imagenet_subset = T.Compose([T.CenterCrop(32), T.ToTensor()])\n")
    monkeypatch.chdir(tmp_path)
    lines = invoke("pipelines", "a.py").stdout.splitlines()
    assert lines[:3] == ["Pair 1: same module", "  train: a.py:2 `train_transform_for_the_augmented_imagenet_subset`",
                         "  eval:  a.py:4 `validation_transform_for_the_augmented_imagenet_subset`"]
    assert lines[6].startswith("│ 1 │ RandomChoice([RandomCrop(32), CenterCrop(32)])   │ CenterCrop(32) ")
    # on an 80-column terminal too: a line of evidence is never cut in two
    coloured = invoke("pipelines", "a.py", "--color", "always", env={"COLUMNS": "80"}).stdout
    assert ANSI.sub("", coloured).splitlines()[:3] == lines[:3]
    assert ANSI.sub("", coloured).splitlines()[-5:] == lines[-5:] == [
        "  train role, from:",
        "    - bound to `train_transform_for_the_augmented_imagenet_subset`: decisive evidence for train",
        "  eval role, from:",
        "    - bound to `validation_transform_for_the_augmented_imagenet_subset`: decisive evidence for eval", ""]


def test_pipelines_keep_an_unpaired_pipeline_whole_on_an_80_column_terminal(tmp_path, monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    name = "transform_for_the_augmented_imagenet_subset_that_nothing_names_as_a_split"
    (tmp_path / "a.py").write_text(f"import torchvision.transforms as T\n{name} = T.Compose([T.ToTensor()])\n")
    monkeypatch.chdir(tmp_path)
    coloured = invoke("pipelines", "a.py", "--color", "always", env={"COLUMNS": "80"}).stdout
    assert ANSI.sub("", coloured).splitlines()[-1] == f"  a.py:2 `{name}`: role unknown — no evidence"


def test_pipelines_as_json(tmp_path):
    (tmp_path / "a.py").write_text(PAIR)
    result = invoke("pipelines", str(tmp_path), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["version"] == 1 and len(data["pairs"]) == 1 and data["unpaired"] == []
    pair = data["pairs"][0]
    assert pair["train"]["binding"] == "train_tf" and pair["eval"]["binding"] == "test_tf"
    assert pair["train"]["line"] == 2 and pair["eval"]["role"] == "eval"
    assert {"role": "eval", "strength": "decisive"}.items() <= pair["eval"]["evidence"][0].items()
    assert [s["difference"] for s in pair["steps"]] == ["train only", "same", "differs"]
    first = pair["steps"][0]
    assert first["eval"] is None and first["train"]["random"] is True
    assert first["train"]["step"] == "RandomCrop(32, padding=4)" and first["train"]["after"].startswith("image")
    assert invoke("pipelines", str(tmp_path), "--output-format", "json").stdout == result.stdout


PROJECT_NORMALIZE = ("import torch\n\n\n"
                     "class Standardize:\n"
                     "    def __init__(self, mean, std):\n"
                     "        self.mean, self.std = mean, std\n\n"
                     "    def __call__(self, x):\n"
                     "        return (x - self.mean) / self.std\n")
PROJECT_PAIR = ("import torchvision.transforms as T\n"
                "from prep import Standardize\n"
                "train_tf = T.Compose([T.ToTensor(), Standardize(0.4, 0.2)])\n"
                "test_tf = T.Compose([T.ToTensor(), Standardize(0.5, 0.5)])\n")


def test_pipelines_show_a_project_defined_step_with_the_line_of_its_code(tmp_path, monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    (tmp_path / "prep.py").write_text(PROJECT_NORMALIZE)
    (tmp_path / "run.py").write_text(PROJECT_PAIR)
    data = json.loads(invoke("pipelines", str(tmp_path), "--format", "json").stdout)
    steps = data["pairs"][0]["steps"]
    assert [s["difference"] for s in steps] == ["same", "differs"]
    train, evaluation = steps[1]["train"], steps[1]["eval"]
    assert train["defined"] == evaluation["defined"] == {"path": str(tmp_path / "prep.py"), "line": 9}  # the summarised return
    assert steps[0]["train"]["defined"] is None
    assert train["step"].startswith("Standardize: Normalize(mean=0.4, std=0.2) (project-defined, ")
    monkeypatch.chdir(tmp_path)
    lines = invoke("pipelines", ".").stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("│ 2 "))
    cells = [line.split("│")[2:4] for line in lines[start:] if line.startswith("│") and "→" not in line]
    assert [" ".join(c[i].strip() for c in cells) for i in (0, 1)] == [
        "Standardize: Normalize(mean=0.4, std=0.2) (project-defined, prep.py:9)",
        "Standardize: Normalize(mean=0.5, std=0.5) (project-defined, prep.py:9)"]


TRAIN_CELL = ("import torch\n\n\n"
              "def train(model, train_loader, val_loader, optimizer):\n"
              "    for epoch in range(10):\n"
              "        model.train()\n"
              "        for images, labels in train_loader:\n"
              "            loss = torch.nn.functional.cross_entropy(model(images), labels)\n"
              "            optimizer.zero_grad()\n"
              "            loss.backward()\n"
              "            optimizer.step()\n"
              "        validate(model, val_loader)\n")
VALIDATE_CELL = ("def validate(model, val_loader):  # réglé\n"  # non-ASCII, written escaped in the JSON
                 "    with torch.no_grad():\n"
                 "        for images, labels in val_loader:\n"
                 "            print(model(images).argmax(1) == labels)")  # no newline at the end of the cell
LOADER_CELL = "%time x = 1\nval_loader = DataLoader(val_set, batch_size=64, drop_last=True)\n"


def _notebook_text() -> str:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Notes\n", "\n"]},
        {"cell_type": "code", "execution_count": 1, "metadata": {"tags": ["x"]},
         "outputs": [{"name": "stdout", "output_type": "stream", "text": ["\n", "validate(model, val_loader)\n"]}],
         "source": TRAIN_CELL.splitlines(keepends=True)},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": VALIDATE_CELL.splitlines(keepends=True)},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": "from torch.utils.data import DataLoader\n" + LOADER_CELL},  # one string, not a list
    ]
    return json.dumps({"cells": cells, "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
                       "nbformat": 4, "nbformat_minor": 5}, indent=1, ensure_ascii=True) + "\n"


def test_fix_rewrites_the_cells_of_a_notebook_and_nothing_else(tmp_path, in_dir):
    original = _notebook_text()
    (tmp_path / "nb.ipynb").write_text(original, encoding="utf-8")
    in_dir(tmp_path)
    before = json.loads(invoke("check", "nb.ipynb", "--format", "json").stdout)["findings"]
    assert {(f["code"], f["cell"]) for f in before} == {("EP501", 3), ("EP401", 4)}
    result = invoke("check", "nb.ipynb", "--fix", "--unsafe-fixes", "--show-fixes")
    assert result.exit_code == 0, result.output
    assert "Fixed 2 findings:" in result.stdout and "1 × EP401" in result.stdout and "1 × EP501" in result.stdout
    text = (tmp_path / "nb.ipynb").read_text(encoding="utf-8")
    fixed = json.loads(text)
    expected = json.loads(original)
    expected["cells"][2]["source"] = [
        "def validate(model, val_loader):  # réglé\n",
        "    with torch.no_grad():\n",
        "        model.eval()\n",
        "        for images, labels in val_loader:\n",
        "            print(model(images).argmax(1) == labels)\n",
        "        model.train()",  # inserted at the end of the cell, which had no final newline
    ]
    expected["cells"][3]["source"] = ("from torch.utils.data import DataLoader\n%time x = 1\n"
                                      "val_loader = DataLoader(val_set, batch_size=64)\n")
    assert fixed == expected
    # byte for byte: the file as json.dumps would write the expected notebook, in the file's own style
    assert text == json.dumps(expected, indent=1, ensure_ascii=True) + "\n"
    assert "\\u00e9" in text  # the file's escaping of non-ASCII text is kept
    assert invoke("check", "nb.ipynb").exit_code == 0


def test_diff_on_a_notebook_shows_the_json_change_and_writes_nothing(tmp_path, in_dir):
    original = _notebook_text()
    (tmp_path / "nb.ipynb").write_text(original, encoding="utf-8")
    in_dir(tmp_path)
    result = invoke("check", "nb.ipynb", "--diff")
    assert result.exit_code == 1
    assert '-   "source": "from torch.utils.data import DataLoader\\n%time x = 1\\nval_loader = DataLoader(val_set, ' \
           'batch_size=64, drop_last=True)\\n"' in result.stdout
    assert (tmp_path / "nb.ipynb").read_text(encoding="utf-8") == original
