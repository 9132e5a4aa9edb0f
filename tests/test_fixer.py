"""Applying fixes: encodings, line endings, file mode, refusal of unparsable results, idempotence, the
command-line options, and a property test on a copy of examples/."""

import json
import os
import shutil
import stat

import libcst as cst
import pytest
import yaml
from click.testing import CliRunner
from conftest import EXAMPLES

from evalparity.cli import cli
from evalparity.facts import Location
from evalparity.findings import Finding
from evalparity.fixes.apply import apply_fixes as apply_with_findings
from evalparity.fixes.apply import fix_file
from evalparity.fixes.counterparts import default_counterparts, expand, load_counterparts
from evalparity.vocabulary.knowledge import KnowledgeError, default_knowledge


def apply_fixes(text, findings):
    fixed, applied = apply_with_findings(text, findings)
    return fixed, len(applied)

EVAL_FLIP = (
    "from torchvision import transforms as T\n"
    "train_tf = T.Compose([T.RandomCrop(32, padding=4), T.ToTensor()])\n"
    "val_tf = T.Compose([\n"
    "    T.RandomHorizontalFlip(),  # eval\n"
    "    T.ToTensor(),\n"
    "])\n"
)
FLIP_LINE = "    T.RandomHorizontalFlip(),  # eval\n"
BARE_EVAL = "import torch\n\n\ndef evaluate(model):\n    model.eval\n    return model\n"


def invoke(*args):
    return CliRunner().invoke(cli, [*args, "--isolated", "--no-cache"])


def _finding(edits, applicability="safe"):
    loc = Location("a.py", 1, 1, 1, 1)
    return Finding("EP504", "m", loc, fix={"applicability": applicability, "description": "d", "edits": edits})


def _edit(line, column, end_line, end_column, content, original):
    return {"path": "a.py", "line": line, "column": column, "end_line": end_line, "end_column": end_column,
            "content": content, "original": original}


# round trips ----------------------------------------------------------------------------------------
def test_crlf_file_keeps_crlf_outside_the_fixed_span(tmp_path, in_dir):
    path = tmp_path / "a.py"
    path.write_bytes(EVAL_FLIP.replace("\n", "\r\n").encode())
    in_dir(tmp_path)
    assert invoke("check", "a.py", "--fix", "--unsafe-fixes").exit_code == 0
    assert path.read_bytes() == EVAL_FLIP.replace(FLIP_LINE, "").replace("\n", "\r\n").encode()


def test_latin1_file_with_pep263_declaration_round_trips(tmp_path, in_dir):
    source = "# -*- coding: latin-1 -*-\n# Données d'évaluation\n" + BARE_EVAL + "label = 'mesuré'\n"
    path = tmp_path / "a.py"
    path.write_bytes(source.encode("latin-1"))
    in_dir(tmp_path)
    assert invoke("check", "a.py", "--fix").exit_code == 0
    assert path.read_bytes() == source.replace("model.eval\n", "model.eval()\n").encode("latin-1")


def test_bom_is_kept(tmp_path, in_dir):
    path = tmp_path / "a.py"
    path.write_bytes(b"\xef\xbb\xbf" + BARE_EVAL.encode())
    in_dir(tmp_path)
    assert invoke("check", "a.py", "--fix").exit_code == 0
    assert path.read_bytes() == b"\xef\xbb\xbf" + BARE_EVAL.replace("model.eval\n", "model.eval()\n").encode()


def test_file_mode_is_kept_and_no_temporary_file_is_left(tmp_path, in_dir):
    path = tmp_path / "a.py"
    path.write_text(BARE_EVAL)
    os.chmod(path, 0o750)
    in_dir(tmp_path)
    invoke("check", "a.py", "--fix")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o750
    assert "model.eval()" in path.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py"]


def test_a_symlink_stays_a_symlink(tmp_path, in_dir):
    real = tmp_path / "real.py"
    real.write_text(BARE_EVAL)
    (tmp_path / "link.py").symlink_to(real)
    in_dir(tmp_path)
    invoke("check", "link.py", "--fix")
    assert (tmp_path / "link.py").is_symlink() and "model.eval()" in real.read_text()


# the applier ----------------------------------------------------------------------------------------
def test_a_result_that_does_not_parse_is_refused(tmp_path):
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    change = fix_file(str(path), [_finding([_edit(1, 5, 1, 6, "(", "1")])])
    assert change.error and "would not parse" in change.error and change.after == change.before


def test_a_file_that_cannot_be_decoded_is_left_alone_and_counts_no_fix(tmp_path):
    path = tmp_path / "a.py"
    source = b"# -*- coding: no-such-codec -*-\nx = 1\n"
    change = fix_file(str(path), [_finding([_edit(2, 5, 2, 6, "2", "1")])], current=source)
    assert change.error and "cannot decode" in change.error
    assert (change.before, change.after, change.fixed, change.findings) == (source, source, 0, [])


def test_stale_fixes_and_overlaps_are_skipped():
    text = "abc\n"
    first = _finding([_edit(1, 1, 1, 3, "X", "ab")])
    overlapping = _finding([_edit(1, 2, 1, 4, "Y", "bc")])
    stale = _finding([_edit(1, 3, 1, 4, "Z", "q")])
    assert apply_fixes(text, [first, overlapping, stale]) == ("Xc\n", 1)


def test_two_insertions_at_one_point_wait_for_the_next_round():
    text = "a\n"
    one, two = _finding([_edit(1, 1, 1, 1, "x", "")]), _finding([_edit(1, 1, 1, 1, "y", "")])
    assert apply_fixes(text, [one, two]) == ("xa\n", 1)


def test_new_lines_in_content_use_the_file_line_ending():
    assert apply_fixes("a\r\nb\r\n", [_finding([_edit(2, 1, 2, 1, "c\n", "")])]) == ("a\r\nc\r\nb\r\n", 1)


# command line ---------------------------------------------------------------------------------------
def test_diff_prints_and_changes_nothing(tmp_path, in_dir):
    (tmp_path / "a.py").write_text(BARE_EVAL)
    in_dir(tmp_path)
    result = invoke("check", ".", "--diff")
    assert result.exit_code == 1
    assert "-    model.eval\n+    model.eval()\n" in result.output and "--- a/a.py" in result.output
    assert (tmp_path / "a.py").read_text() == BARE_EVAL
    (tmp_path / "a.py").write_text(BARE_EVAL.replace("model.eval\n", "model.eval()\n"))
    nothing = invoke("check", ".", "--diff")
    assert nothing.exit_code == 0 and nothing.stdout == "" and nothing.stderr == "No fixes available.\n"


def test_unsafe_fixes_need_the_option(tmp_path, in_dir):
    (tmp_path / "a.py").write_text(EVAL_FLIP)
    in_dir(tmp_path)
    listed = invoke("check", ".")
    assert "1 hidden fix can be enabled with the `--unsafe-fixes` option." in listed.output
    assert "[*]" not in listed.output
    assert invoke("check", ".", "--fix").exit_code == 1
    assert (tmp_path / "a.py").read_text() == EVAL_FLIP
    assert "[*] 1 fixable" in invoke("check", ".", "--unsafe-fixes").output
    assert invoke("check", ".", "--fix", "--unsafe-fixes").exit_code == 0
    assert (tmp_path / "a.py").read_text() == EVAL_FLIP.replace(FLIP_LINE, "")


def test_fix_reports_what_remains(tmp_path, in_dir):
    (tmp_path / "a.py").write_text(BARE_EVAL + EVAL_FLIP)
    in_dir(tmp_path)
    result = invoke("check", ".", "--fix", "--format", "json")
    data = json.loads(result.stdout)
    assert [f["code"] for f in data["findings"]] == ["EP101"] and result.exit_code == 1
    assert data["findings"][0]["fix"]["applicability"] == "unsafe"
    assert "Fixed 1 finding in 1 file." in result.stderr


def test_sarif_carries_the_fix(tmp_path, in_dir):
    (tmp_path / "a.py").write_text(BARE_EVAL)
    in_dir(tmp_path)
    run = json.loads(invoke("check", ".", "--format", "sarif").output)["runs"][0]
    change = run["results"][0]["fixes"][0]["artifactChanges"][0]
    assert change["replacements"][0]["insertedContent"]["text"] == "()"
    assert change["replacements"][0]["deletedRegion"] == {"startLine": 5, "startColumn": 15, "endLine": 5,
                                                          "endColumn": 15}


def test_fix_cannot_write_a_baseline(tmp_path, in_dir):
    in_dir(tmp_path)
    assert invoke("check", ".", "--fix", "--write-baseline", "b.json").exit_code == 2


def test_suppressed_findings_are_not_fixed(tmp_path, in_dir):
    """The same fix twice in one file: the unsuppressed one is applied, the suppressed one is not (a --fix
    that did nothing at all would leave both)."""
    source = ("import torch\n\n\ndef evaluate(model):\n    model.eval  # noqa: EP504\n    return model\n\n\n"
              "def validate(model):\n    model.eval\n    return model\n")
    (tmp_path / "a.py").write_text(source)
    in_dir(tmp_path)
    result = invoke("check", ".", "--fix", "--format", "json")
    assert json.loads(result.stdout)["findings"] == []
    assert (tmp_path / "a.py").read_text() == source.replace("    model.eval\n", "    model.eval()\n")
    assert "model.eval  # noqa: EP504\n" in (tmp_path / "a.py").read_text()


# property: examples/ ---------------------------------------------------------------------------------
def test_fixing_examples_leaves_nothing_fixable(tmp_path, in_dir):
    copy = tmp_path / "examples"
    shutil.copytree(EXAMPLES, copy)
    in_dir(tmp_path)
    first = invoke("check", "examples", "--fix", "--unsafe-fixes")
    assert first.exit_code in (0, 1), first.output
    changed = {p for p in copy.rglob("*.py") if p.read_bytes() != (EXAMPLES / p.relative_to(copy)).read_bytes()}
    assert changed  # the examples have fixable findings
    data = json.loads(invoke("check", "examples", "--format", "json").output)
    assert not [f for f in data["findings"] if f["fix"]], data["findings"]
    snapshot = {p: p.read_bytes() for p in copy.rglob("*.py")}
    assert invoke("check", "examples", "--fix", "--unsafe-fixes").exit_code in (0, 1)
    assert {p: p.read_bytes() for p in copy.rglob("*.py")} == snapshot
    for path in snapshot:
        cst.parse_module(path.read_bytes())


# the counterparts table -----------------------------------------------------------------------------
def test_every_counterpart_is_a_known_random_transform():
    kb = default_knowledge()
    for qualname in default_counterparts():
        info = kb.lookup(qualname)
        assert info is not None and info.qualname == qualname and info.random, qualname


@pytest.mark.parametrize("entry, problem", [
    ({"remove": True, "replace": ["CenterCrop({size})"]}, "exactly one"),
    ({"replace": ["Resize({resize})"]}, "crop_ratio"),
    ({"replace": ["CenterCrop({width})"]}, "unknown placeholder"),
    ({"remove": True, "typo": 1}, "unknown key"),
    ({"replace": ["not a call"]}, "templates"),
    ({"replace": "CenterCrop({size})"}, "templates"),
    (True, "expected a mapping, got bool"),
    ({"remove": "yes"}, "must be true or false"),
    ({"replace": ["CenterCrop({size})"], "remove_when_same_size": 1}, "must be true or false"),
    ({"replace": ["Resize({resize})"], "crop_ratio": 0}, "crop_ratio, a number in"),
    ({"replace": ["Resize({resize})"], "crop_ratio": 1.5}, "crop_ratio, a number in"),
    ({"replace": ["Resize({resize})"], "crop_ratio": True}, "crop_ratio, a number in"),
    ({"replace": ["Resize({resize})"], "crop_ratio": "0.875"}, "crop_ratio, a number in"),
])
def test_counterparts_are_validated(tmp_path, entry, problem):
    path = tmp_path / "eval_counterparts.yaml"
    path.write_text(yaml.safe_dump({"counterparts": {"torchvision.transforms.RandomCrop": entry}}))
    with pytest.raises(KnowledgeError, match=problem):
        load_counterparts(path)


def test_a_counterpart_entry_reads_every_key():
    text = yaml.safe_dump({"note": "n", "source": "s", "counterparts": {
        "torchvision.transforms.RandomResizedCrop": {"replace": ["Resize({resize}{+antialias})", "CenterCrop({size})"],
                                                     "crop_ratio": 1, "note": "n"},
        "torchvision.transforms.RandomCrop": {"replace": ["CenterCrop({size})"], "remove_when_same_size": True},
        "torchvision.transforms.RandomHorizontalFlip": {"remove": True}}})
    table = load_counterparts(_Text(text))
    resized, crop, flip = (table[f"torchvision.transforms.{n}"] for n in ("RandomResizedCrop", "RandomCrop",
                                                                            "RandomHorizontalFlip"))
    assert (resized.remove, resized.replace, resized.crop_ratio, resized.remove_when_same_size) == \
        (False, ("Resize({resize}{+antialias})", "CenterCrop({size})"), 1.0, False)
    assert (crop.remove, crop.crop_ratio, crop.remove_when_same_size) == (False, None, True)
    assert (flip.remove, flip.replace, flip.remove_when_same_size) == (True, (), False)


def test_a_counterpart_template_is_filled_in():
    template = "Resize({resize}{+interpolation}{+antialias})"
    assert expand(template, "T.RandomResizedCrop", "sz", "int(sz / 0.875)", {"interpolation": "BICUBIC", "size": "sz"}) \
        == "T.Resize(int(sz / 0.875), interpolation=BICUBIC)"
    assert expand("CenterCrop({size})", "RandomCrop", "224", "", {}) == "CenterCrop(224)"
    assert expand("CenterCrop({size})", "tv.transforms.v2.RandomCrop", "224", "", {}) == "tv.transforms.v2.CenterCrop(224)"


class _Text:
    """A file whose text is given (load_counterparts reads `name` and `read_text` only); None: unreadable."""

    name = "eval_counterparts.yaml"

    def __init__(self, text):
        self._text = text

    def read_text(self, encoding):
        if self._text is None:
            raise OSError("gone")
        return self._text


@pytest.mark.parametrize("text, problem", [
    (None, "cannot read: gone"),
    ("", "counterparts must be a mapping"),
    ("counterparts: [unclosed", "cannot read"),
    ("- a list\n", "expected a mapping with keys"),
    ("counterparts: {}\ntypo: 1\n", "expected a mapping with keys"),
    ("note: only a note\n", "counterparts must be a mapping"),
    ("counterparts: [torchvision.transforms.RandomCrop]\n", "counterparts must be a mapping"),
])
def test_a_counterparts_file_is_validated(text, problem):
    with pytest.raises(KnowledgeError, match=f"^eval_counterparts.yaml: {problem}"):
        load_counterparts(_Text(text))


def test_no_counterpart_fix_when_its_class_is_not_imported(tmp_path, in_dir):
    (tmp_path / "a.py").write_text(
        "from torchvision.datasets import ImageFolder\n"
        "from torchvision.transforms import Compose, RandomCrop, ToTensor\n"
        "train_tf = Compose([RandomCrop(224), ToTensor()])\n"
        "val_tf = Compose([RandomCrop(224), ToTensor()])\n"
        "train_set = ImageFolder('data/train', train_tf)\n"
        "val_set = ImageFolder('data/val', val_tf)\n")
    in_dir(tmp_path)
    assert "EP101" in invoke("check", ".", "--format", "concise").output
    assert invoke("check", ".", "--diff", "--unsafe-fixes").exit_code == 0


# notebooks: edits in the notebook's own line numbers (cells one after another), cells rewritten in the JSON
def _notebook(*sources):
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": s}
             for s in sources]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def _notebook_finding(line, column, end_line, end_column, content, original):
    edit = {"path": "n.ipynb", "line": line, "column": column, "end_line": end_line, "end_column": end_column,
            "content": content, "original": original}
    return Finding("EP504", "m", Location("n.ipynb", line, 1, line, 1),
                   fix={"applicability": "safe", "description": "d", "edits": [edit]})


def test_a_notebook_cell_that_would_not_parse_leaves_the_notebook_unchanged():
    before = _notebook("x = 1\n", "y = 2")
    change = fix_file("n.ipynb", [_notebook_finding(1, 5, 1, 6, "(", "1")], current=before)
    assert change.error and "cell 1 would not parse" in change.error
    assert (change.before, change.after, change.fixed) == (before, before, 0)


def test_a_notebook_whose_fixes_are_all_stale_is_unchanged():
    """The cell no longer holds the text the fix was computed from: nothing applied, nothing to write."""
    before = _notebook("x = 1\n", "y = 2")
    change = fix_file("n.ipynb", [_notebook_finding(1, 5, 1, 6, "3", "2")], current=before)
    assert (change.before, change.after, change.fixed, change.error) == (before, before, 0, None)


def test_a_fix_that_ends_a_cell_without_a_newline_is_applied():
    before = _notebook("x = 1\ny = 2\n")
    change = fix_file("n.ipynb", [_notebook_finding(2, 6, 3, 1, "  # done", "\n")], current=before)
    assert change.error is None and change.fixed == 1
    assert json.loads(change.after)["cells"][0]["source"] == "x = 1\ny = 2  # done"


def test_fixes_in_two_cells_of_a_notebook_are_both_applied_and_counted():
    before = _notebook("x = 1\n", "y = 2")
    findings = [_notebook_finding(1, 5, 1, 6, "3", "1"), _notebook_finding(2, 5, 2, 6, "4", "2")]
    change = fix_file("n.ipynb", findings, current=before)
    assert (change.error, change.fixed, change.findings) == (None, 2, findings)
    assert change.after == _notebook("x = 3\n", "y = 4")


def test_a_notebook_that_cannot_be_read_or_a_fix_across_two_cells_changes_nothing():
    broken = fix_file("n.ipynb", [_notebook_finding(1, 5, 1, 6, "3", "1")], current=b"{not json")
    assert broken.fixed == 0 and broken.after == b"{not json" and broken.error.startswith("cannot read the notebook: ")
    before = _notebook("x = 1\n", "y = 2")
    across = fix_file("n.ipynb", [_notebook_finding(1, 5, 2, 2, "3\nz", "1\ny")], current=before)
    assert (across.after, across.fixed, across.error) == (before, 0, None)


def test_a_notebook_with_a_byte_order_mark_keeps_it():
    before = b"\xef\xbb\xbf" + _notebook("x = 1\n", "y = 2")
    change = fix_file("n.ipynb", [_notebook_finding(1, 5, 1, 6, "3", "1")], current=before)
    assert change.error is None and change.fixed == 1
    assert change.after == b"\xef\xbb\xbf" + _notebook("x = 3\n", "y = 2")


def test_a_file_changed_while_it_was_being_fixed_is_left_alone(tmp_path, in_dir, monkeypatch):
    """An editor saves b.py between the analysis and the write: b.py keeps the editor's text, a.py is
    fixed, the problem goes to standard error (not into a report on standard output), and the summary and
    --show-fixes count the one file written."""
    import evalparity.fixes.rounds as rounds

    (tmp_path / "a.py").write_text(BARE_EVAL)
    (tmp_path / "b.py").write_text(BARE_EVAL)
    saved = BARE_EVAL + "# saved by an editor\n"
    settle = rounds.settle

    def settle_then_save(*args):
        outcome = settle(*args)
        (tmp_path / "b.py").write_text(saved)
        return outcome

    monkeypatch.setattr(rounds, "settle", settle_then_save)
    in_dir(tmp_path)
    result = invoke("check", ".", "--fix", "--show-fixes", "--format", "concise")
    assert (tmp_path / "a.py").read_text() == BARE_EVAL.replace("model.eval\n", "model.eval()\n")
    assert (tmp_path / "b.py").read_text() == saved
    problem = "evalparity: b.py: fixes not applied: the file changed while it was being fixed; left unchanged\n"
    assert problem in result.stderr and "fixes not applied" not in result.stdout
    assert "Fixed 1 finding in 1 file (1 fix could not be applied).\n" in result.stderr
    assert "Fixed 1 finding:\n- a.py:\n    1 × EP504" in result.stdout
    assert "b.py:5:5: EP504" in result.stdout  # b.py's finding is still there


def test_no_conversion_fix_that_would_drop_an_argument(tmp_path, in_dir):
    """EP204 between `A.ToFloat(max_value=255.0)` and `A.ToTensorV2()`: swapping the eval conversion for a
    bare `A.ToFloat()` would lose the argument (and the tensor conversion); the finding has no fix."""
    (tmp_path / "data.py").write_text(
        "import albumentations as A\n"
        "from torch.utils.data import Dataset\n\n"
        "train_tf = A.Compose([A.HorizontalFlip(), A.ToFloat(max_value=255.0), A.ToTensorV2()])\n"
        "val_tf = A.Compose([A.ToTensorV2()])\n\n\n"
        "class Images(Dataset):\n"
        "    def __init__(self, root, transform):\n"
        "        self.root, self.transform = root, transform\n\n\n"
        "train_set = Images('data/train', train_tf)\n"
        "val_set = Images('data/val', val_tf)\n")
    in_dir(tmp_path)
    findings = json.loads(invoke("check", ".", "--format", "json").stdout)["findings"]
    assert [(f["code"], f["line"], f["fix"]) for f in findings] == [("EP204", 5, None)]
