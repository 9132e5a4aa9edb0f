"""Notebooks: code cells joined as one module, IPython syntax neutralised without shifting lines, and
findings named by cell and line in the cell in every format."""

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import ROOT

from evalparity.cli import cli
from evalparity.discovery.notebooks import NotebookError, neutralise, notebook_source

CELLS = [
    ("markdown", "# Training a CIFAR model\n"),
    ("code", "%matplotlib inline\n!pip install -q torchvision\nimport torchvision.transforms as T\n"),
    ("code", "train_tf = T.Compose([\n"
             "    T.RandomCrop(32, padding=4),\n"
             "    T.ToTensor(),\n"
             "])\n"
             "test_tf = T.Compose([T.RandomCrop(32), T.ToTensor()])\n"),
    ("code", "%%time\nfor epoch in range(2):\n    !echo {epoch}\n"),
]


def notebook(cells=CELLS, indent=1) -> str:
    return json.dumps({
        "cells": [{"cell_type": kind, "metadata": {}, "source": text.splitlines(keepends=True),
                   **({"outputs": [], "execution_count": None} if kind == "code" else {})} for kind, text in cells],
        "metadata": {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }, indent=indent)


def run(tmp_path, in_dir, fmt):
    (tmp_path / "nb.ipynb").write_text(notebook())
    in_dir(tmp_path)
    return CliRunner().invoke(cli, ["check", "nb.ipynb", "--format", fmt])


def test_cells_are_joined_and_magics_neutralised_line_for_line():
    source = notebook_source(notebook())
    lines = source.code.splitlines()
    assert lines[0] == "pass  # %matplotlib inline" and lines[1] == "pass  # !pip install -q torchvision"
    assert lines[7] == "test_tf = T.Compose([T.RandomCrop(32), T.ToTensor()])"
    assert lines[9:] == ["for epoch in range(2):", "    pass  # !echo {epoch}"]
    assert source.locate(8) == (3, 5) and source.locate(1) == (2, 1)
    compile(source.code, "nb", "exec")


def test_neutralise_keeps_python_cells_and_handles_other_ipython_syntax():
    assert neutralise(["x = '%d' % 3", "y = !ls"]) == ["x = '%d' % 3", "y = None  # !ls"]
    assert neutralise(["%%bash", "echo hi"]) == ["# %%bash", "# echo hi"]
    assert neutralise(["model?", "print(1)"]) == ["pass  # model?", "print(1)"]
    assert neutralise(["print('%time')"]) == ["print('%time')"]


def test_text_and_concise_name_the_cell_and_the_line_in_the_cell(tmp_path, in_dir):
    concise = run(tmp_path, in_dir, "concise")
    assert concise.exit_code == 1
    assert concise.output.startswith("nb.ipynb:cell 3:5:22: EP101 [error] `RandomCrop` in the evaluation pipeline")
    assert "(see nb.ipynb:cell 3:1)" in concise.output  # the role evidence on the flagged line is not listed again
    text = run(tmp_path, in_dir, "text").output
    assert "nb.ipynb:cell 3:5:22:" in text and "\n5 | test_tf = T.Compose" in text


def test_a_finding_with_no_related_place_is_named_by_its_cell(tmp_path, in_dir):
    """The cell map is read for every notebook a finding or a related place is in, not only for both."""
    cells = [("code", "import torch\n"),
             ("code", "def evaluate(model, loader):\n    model.eval\n    with torch.no_grad():\n"
                      "        for x, y in loader:\n            model(x)\n")]
    (tmp_path / "nb.ipynb").write_text(notebook(cells))
    in_dir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "nb.ipynb", "--no-cache", "--format", "concise"])
    assert result.output.splitlines()[0] == "nb.ipynb:cell 2:2:5: EP504 [error] [*] `model.eval` without parentheses"


def test_json_has_the_cell(tmp_path, in_dir):
    finding = json.loads(run(tmp_path, in_dir, "json").output)["findings"][0]
    assert (finding["path"], finding["cell"], finding["line"], finding["column"]) == ("nb.ipynb", 3, 5, 22)
    assert finding["related"][-1]["cell"] == 3 and finding["related"][-1]["line"] == 1


def test_machine_formats_point_into_the_notebook_file(tmp_path, in_dir):
    raw = notebook().splitlines()
    expected_line = next(i for i, line in enumerate(raw, 1) if "test_tf = T.Compose" in line)
    sarif = json.loads(run(tmp_path, in_dir, "sarif").output)
    jsonschema.validate(sarif, json.loads((ROOT / "tests" / "sarif-schema-2.1.0.json").read_text()))
    result = sarif["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == expected_line
    assert result["properties"] == {"cell": 3, "cellLine": 5, "cellColumn": 22}
    assert result["message"]["text"].startswith("cell 3, line 5: ")
    github = run(tmp_path, in_dir, "github").output
    assert f"file=nb.ipynb,line={expected_line}," in github and "nb.ipynb:cell 3:5:22" in github
    gitlab = json.loads(run(tmp_path, in_dir, "gitlab").output)[0]
    assert gitlab["location"]["lines"]["begin"] == expected_line and "cell 3:5" in gitlab["description"]
    junit = ET.fromstring(run(tmp_path, in_dir, "junit").output)
    assert "nb.ipynb:cell 3:5" in junit.find(".//testcase").get("name")
    assert junit.find(".//testcase").get("line") == str(expected_line)  # the notebook file's line, not the cell's


def test_notebooks_are_discovered_in_folders(tmp_path, in_dir):
    (tmp_path / "nb.ipynb").write_text(notebook(indent=None))
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "nb-checkpoint.ipynb").write_text(notebook())
    in_dir(tmp_path)
    data = json.loads(CliRunner().invoke(cli, ["check", ".", "--format", "json"]).output)
    assert [(f["path"], f["cell"], f["line"]) for f in data["findings"]] == [("nb.ipynb", 3, 5)]


def test_noqa_in_a_notebook_cell(tmp_path, in_dir):
    cells = CELLS[:2] + [("code", "test_tf = T.Compose([T.RandomCrop(32), T.ToTensor()])  # noqa: EP101\n")]
    (tmp_path / "nb.ipynb").write_text(notebook(cells))
    assert CliRunner().invoke(cli, ["check", str(tmp_path)]).exit_code == 0


def test_broken_and_foreign_notebooks(tmp_path):
    (tmp_path / "broken.ipynb").write_text("{not json")
    (tmp_path / "r.ipynb").write_text(json.dumps({"cells": [{"cell_type": "code", "source": "x <- 1"}],
                                                  "metadata": {"kernelspec": {"language": "R"}}}))
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--format", "concise"])
    assert result.exit_code == 1
    assert "broken.ipynb:1:1: EP903 [error] not a notebook (invalid JSON" in result.output
    assert "r.ipynb" not in result.output
    with pytest.raises(NotebookError):
        notebook_source(b"[]")


def test_noqa_in_a_notebook_cell_hides_exactly_its_finding(tmp_path, in_dir):
    """The suppressed pipeline disappears, the other one stays, and the comment counts as used."""
    cells = CELLS[:2] + [("code", "test_tf = T.Compose([T.RandomCrop(32), T.ToTensor()])  # noqa: EP101\n"),
                         ("markdown", "Validation\n"),
                         ("code", "# a second evaluation pipeline\nval_tf = T.Compose([T.RandomRotation(5), T.ToTensor()])\n")]
    (tmp_path / "nb.ipynb").write_text(notebook(cells))
    in_dir(tmp_path)

    def findings(*extra):
        result = CliRunner().invoke(cli, ["check", ".", "--isolated", "--no-cache", "--format", "json", *extra])
        return [(f["path"], f["cell"], f["line"], f["code"], f["message"].split(",")[0])
                for f in json.loads(result.output)["findings"]]

    assert findings() == [("nb.ipynb", 5, 2, "EP101", "`RandomRotation` in the evaluation pipeline `val_tf`")]
    assert findings("--extend-select", "EP902") == [("nb.ipynb", 5, 2, "EP101", "`RandomRotation` in the evaluation pipeline `val_tf`")]
    (tmp_path / "nb.ipynb").write_text(notebook([(k, t.replace("  # noqa: EP101", "")) for k, t in cells]))
    assert findings() == [("nb.ipynb", 3, 1, "EP101", "`RandomCrop` in the evaluation pipeline `test_tf`"),
                          ("nb.ipynb", 5, 2, "EP101", "`RandomRotation` in the evaluation pipeline `val_tf`")]


def test_a_location_outside_every_cell_keeps_its_line_and_points_at_the_file_start():
    from evalparity.facts import Location
    from evalparity.report.locations import place

    source = notebook_source(notebook())
    where = place(Location("nb.ipynb", 40, 3, 41, 7), {"nb.ipynb": source})
    assert (where.line, where.column, where.end_line, where.end_column) == (40, 3, 41, 7)
    assert (where.cell, where.file_line, where.file_end_line) == (None, 1, 1)
    inside = place(Location("nb.ipynb", 4, 1, 4, 5), {"nb.ipynb": source})
    assert inside.cell == 3 and inside.line == 1 and inside.file_line > 1
