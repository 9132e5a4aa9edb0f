"""Every `--format` on one result built by hand, against golden files (tests/golden/handbuilt.*): what the
analysed examples rarely hold at once — a finding in a notebook cell whose related location is in another
cell, one whose end lies in a later cell, notes and help, a fix, each severity, two files with findings, a
file that could not be parsed and an internal error without a file. No analysis runs: the reporters alone.
Regenerate with EVALPARITY_UPDATE_GOLDEN=1 and review the diff."""

import io
import json
import os

import pytest
from conftest import ROOT
from rich.console import Console

from evalparity.discovery.notebooks import notebook_source
from evalparity.discovery.paths import FileError
from evalparity.facts import Location
from evalparity.findings import Finding, Related, Result
from evalparity.report import FORMATS, concise, github, gitlab, json_format, junit, sarif, text

GOLDEN = ROOT / "tests" / "golden"
SUFFIX = {"text": "txt", "concise": "txt", "json": "json", "sarif": "json", "github": "txt", "gitlab": "json",
          "junit": "xml"}
CELLS = [("code", "import torchvision.transforms as T\n"), ("markdown", "# Evaluation\n"),
         ("code", "x = 1\ntest_tf = T.Compose([T.RandomCrop(32)])\n")]
SOURCES = {"nb.ipynb": ("import torchvision.transforms as T", "x = 1", "test_tf = T.Compose([T.RandomCrop(32)])"),
           "a.py": ("import torch", "val_loader = DataLoader(val_set, batch_size=64, drop_last=True)"),
           "b.py": ("train_loader = DataLoader(train_set, batch_size=64)",)}
FIX = {"applicability": "safe", "description": "Remove `drop_last=True` from the evaluation loader",
       "edits": [{"path": "a.py", "line": 2, "column": 50, "end_line": 2, "end_column": 65, "content": ""}]}


def _notebook():
    cells = [{"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True),
              **({"outputs": [], "execution_count": None} if kind == "code" else {})} for kind, source in CELLS]
    return notebook_source(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5},
                                      indent=1).encode())


def _result() -> Result:
    crop = Finding("EP101", "`RandomCrop` in the evaluation pipeline [random: 50%]",
                   Location("nb.ipynb", 3, 22, 3, 39),
                   [Related(Location("nb.ipynb", 1, 1, 1, 35), "evaluation, named `test_tf`", "role")],
                   name="random-aug-in-eval", severity="error", fingerprint="f1",
                   notes=["the crop's position changes every run"], help="use `CenterCrop(32)`")
    spans = Finding("EP210", "a note: 100% of \"the\" cells, a:b", Location("nb.ipynb", 1, 1, 3, 5),
                    name="some-rule", severity="info", fingerprint="f2")
    loader = Finding("EP401", "`drop_last=True` on evaluation loader `val_loader`", Location("a.py", 2, 50, 2, 65),
                     [Related(Location("b.py", 1, 16, 1, 52), "the training loader", "pair")],
                     name="eval-loader-drop-last", severity="warning", fix=FIX, fingerprint="f3")
    errors = [FileError("c.py", "syntax", "invalid syntax (line 3)"),
              FileError("<stdin>", "internal", "EP101: KeyError")]
    return Result([loader, crop, spans], errors, 4, {}, {"nb.ipynb": _notebook()}, files_analysed=3)


def _render(fmt: str) -> str:
    result = _result()
    if fmt == "text":
        stream = io.StringIO()
        console = Console(file=stream, width=100, no_color=True, highlight=False, emoji=False)
        text.render(result, SOURCES, console, quiet=False)
        return stream.getvalue()
    lines = []
    reporter = {"concise": concise, "json": json_format, "sarif": sarif, "github": github, "gitlab": gitlab,
                "junit": junit}[fmt]
    reporter.render(result, SOURCES, lines.append, quiet=False)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("fmt", FORMATS)
def test_handbuilt_golden(fmt, in_dir, tmp_path):
    (tmp_path / ".git").mkdir()  # SARIF's URIs are relative to the repository root
    in_dir(tmp_path)
    output = _render(fmt).replace(json.dumps(tmp_path.as_uri() + "/"), '"file:///REPOSITORY/"')
    golden = GOLDEN / f"handbuilt.{fmt}.{SUFFIX[fmt]}"
    if os.environ.get("EVALPARITY_UPDATE_GOLDEN"):
        golden.write_text(output, encoding="utf-8")
        pytest.skip(f"rewrote {golden.name}: review the diff, then run again without EVALPARITY_UPDATE_GOLDEN")
    assert output == golden.read_text(encoding="utf-8")


def test_junit_without_findings_or_errors_is_one_passing_case():
    assert junit.as_xml(Result([], [], 4)).splitlines() == [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="evalparity" tests="1" failures="0" errors="0">',
        '  <testsuite name="evalparity" tests="1" failures="0" errors="0">',
        '    <testcase classname="evalparity" name="no findings in 4 files" />',
        "  </testsuite>",
        "</testsuites>"]
