"""The edit helpers of evalparity.fixes on their own: each test builds the edits for one span of a small
source and checks the text they produce once applied (the fix pairs in tests/fixes/ cover them through
the rules; these reach the layouts no rule's fixture happens to have)."""

from types import SimpleNamespace

from evalparity.facts import Arg, Import, Location, Value
from evalparity.findings import Finding
from evalparity.fixes import Source, insert_after, keyword_spans, remove_element, replace_element
from evalparity.fixes.apply import FileChange, apply_fixes, fix_file, plan, unified_diff
from evalparity.fixes.rules import _import_edits, _portable, _resize, call_parens, eval_before_loop


def _span(text: str, part: str, occurrence: int = 0) -> Location:
    """The location of `part` in `text` (its `occurrence`-th appearance), 1-based, end exclusive."""
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(part, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    end = index + len(part)
    end_line = text.count("\n", 0, end) + 1
    end_column = end - (text.rfind("\n", 0, end) + 1) + 1
    return Location("a.py", line, column, end_line, end_column)


def _edited(text: str, edits) -> str:
    assert edits is not None
    fixed, applied = apply_fixes(text, [SimpleNamespace(fix={"edits": edits})])
    assert len(applied) == 1
    return fixed


def _src(text: str) -> Source:
    return Source("a.py", text.splitlines())


# insert_after ----------------------------------------------------------------------------------------
def test_insert_after_an_element_inside_a_line():
    text = "val_tf = T.Compose([T.ToTensor()])\n"
    edits = insert_after(_src(text), _span(text, "T.ToTensor()"), "T.Normalize(m, s)")
    assert _edited(text, edits) == "val_tf = T.Compose([T.ToTensor(), T.Normalize(m, s)])\n"


def test_insert_after_an_element_on_its_own_line_adds_a_line():
    text = "val_tf = T.Compose([\n    T.ToTensor(),  # to [0, 1]\n    T.Lambda(f),\n])\n"
    edits = insert_after(_src(text), _span(text, "T.ToTensor()"), "T.Normalize(m, s)")
    assert _edited(text, edits) == ("val_tf = T.Compose([\n    T.ToTensor(),  # to [0, 1]\n"
                                    "    T.Normalize(m, s),\n    T.Lambda(f),\n])\n")


def test_insert_after_the_last_element_on_its_own_line_without_a_comma():
    text = "val_tf = T.Compose([\n    T.ToTensor()\n])\n"
    edits = insert_after(_src(text), _span(text, "T.ToTensor()"), "T.Normalize(m, s)")
    assert _edited(text, edits) == "val_tf = T.Compose([\n    T.ToTensor(), T.Normalize(m, s)\n])\n"


def test_insert_after_something_that_is_not_an_element_is_refused():
    text = "conversion = T.ToTensor()\n"
    assert insert_after(_src(text), _span(text, "T.ToTensor()"), "T.Normalize(m, s)") is None


# owns_lines: the whole line goes only when the element is alone on it ---------------------------------
def test_an_element_after_another_on_its_line_is_removed_alone():
    """Code before the element (the list's first element): only the element and its comma go, even though
    what follows it on the line is just a comma and a comment."""
    text = "tf = T.Compose([T.Resize(32), T.RandomCrop(32),  # eval\n    T.ToTensor()])\n"
    src = _src(text)
    loc = _span(text, "T.RandomCrop(32)")
    assert not src.owns_lines(loc)
    assert _edited(text, remove_element(src, loc)) == "tf = T.Compose([T.Resize(32), # eval\n    T.ToTensor()])\n"


def test_an_element_first_on_its_line_with_another_after_it_is_removed_alone():
    text = "tf = T.Compose([\n    T.RandomCrop(32), T.ToTensor(),\n])\n"
    src = _src(text)
    loc = _span(text, "T.RandomCrop(32)")
    assert not src.owns_lines(loc)
    assert _edited(text, remove_element(src, loc)) == "tf = T.Compose([\n    T.ToTensor(),\n])\n"


def test_an_element_alone_on_its_line_takes_the_line_with_it():
    text = "tf = T.Compose([\n    T.RandomCrop(32),  # eval\n    T.ToTensor(),\n])\n"
    src = _src(text)
    loc = _span(text, "T.RandomCrop(32)")
    assert src.owns_lines(loc)
    assert _edited(text, remove_element(src, loc)) == "tf = T.Compose([\n    T.ToTensor(),\n])\n"


def test_replacing_an_element_after_another_on_its_line_stays_on_that_line():
    text = "tf = T.Compose([T.Resize(36), T.RandomCrop(32),\n    T.ToTensor()])\n"
    edits = replace_element(_src(text), _span(text, "T.RandomCrop(32)"), ["T.CenterCrop(32)", "T.Lambda(f)"])
    assert _edited(text, edits) == "tf = T.Compose([T.Resize(36), T.CenterCrop(32), T.Lambda(f),\n    T.ToTensor()])\n"


def test_replacing_an_element_alone_on_its_line_puts_one_per_line():
    text = "tf = T.Compose([\n    T.RandomCrop(32),\n    T.ToTensor(),\n])\n"
    edits = replace_element(_src(text), _span(text, "T.RandomCrop(32)"), ["T.Resize(36)", "T.CenterCrop(32)"])
    assert _edited(text, edits) == "tf = T.Compose([\n    T.Resize(36),\n    T.CenterCrop(32),\n    T.ToTensor(),\n])\n"


def test_the_edits_of_one_fix_are_applied_from_the_end_of_the_file():
    """Applied last to first, so each edit's offsets still hold when it is written."""
    text = "model.eval\nfor x in data:\n    run(x)\n"
    src = _src(text)
    edits = [src.insert(2, 1, "model.eval()\n"), src.insert(1, 1, "# evaluation\n"), src.replace(_span(text, "x"), "batch")]
    assert _edited(text, edits) == "# evaluation\nmodel.eval\nmodel.eval()\nfor batch in data:\n    run(x)\n"


# EP101's Resize before a centre crop: the size divided by the crop ratio ---------------------------------
def _size(text: str, const=None):
    value = Value("const", const, text=text) if const is not None else Value("unknown", text=text)
    return Arg("size", 0, value, Location("a.py", 1, 1, 1, 1))


def test_the_resize_of_a_known_size_is_computed():
    assert _resize(_size("224", 224), 0.875) == "256"
    assert _resize(_size("(224, 160)", (224, 160)), 0.875) == "(256, 182)"


def test_the_resize_of_a_size_known_at_run_time_is_an_expression():
    assert _resize(_size("cfg.size"), 0.875) == "int(cfg.size / 0.875)"


def test_no_resize_for_a_tuple_of_sizes_not_all_known():
    """`int((width, 160) / 0.875)` would raise where the random crop ran: no fix rather than a broken one."""
    assert _resize(_size("(width, 160)"), 0.875) is None
    assert _resize(_size("[width, 160]"), 0.875) is None
    assert _resize(_size("size  # the crop\n"), 0.875) is None
    assert _resize(_size("*sizes"), 0.875) is None  # not one expression


# EP501: eval() before the loop, train() after it ------------------------------------------------------------
LOOP = "def check(model, data):\n    {loop} x in data:\n        model(x)\n    return 1\n"


def _loop_fix(text, receiver="model", line=2, column=5):
    project = SimpleNamespace(facts=lambda path: SimpleNamespace(lines=text.splitlines()))
    loop = Location("a.py", line, column, 3, 17)
    return eval_before_loop(project, SimpleNamespace(call=SimpleNamespace(callee=receiver),
                                                     loop=SimpleNamespace(location=loop)))


def test_eval_before_a_loop_and_train_after_it():
    for loop in ("for", "async for"):
        text = LOOP.format(loop=loop)
        fix = _loop_fix(text)
        assert fix["description"] == "Call `model.eval()` before the evaluation loop and `model.train()` after it"
        assert _edited(text, fix["edits"]) == (f"def check(model, data):\n    model.eval()\n    {loop} x in data:\n"
                                               "        model(x)\n    model.train()\n    return 1\n")


def test_no_eval_before_a_loop_that_does_not_start_its_line_or_a_receiver_that_is_not_a_name():
    assert _loop_fix(LOOP.format(loop="for"), receiver="self.nets[0]") is None
    assert _loop_fix(LOOP.format(loop="while"), column=5) is None
    assert _loop_fix("def check(model, data):\n    x = 1; for y in data:\n        model(x)\n", column=12) is None


def test_missing_parentheses_are_added_unless_they_follow():
    def parens(text):
        project = SimpleNamespace(facts=lambda path: SimpleNamespace(lines=text.splitlines()))
        loc = _span(text, "model.eval") if text else Location("a.py", 1, 1, 1, 11)
        return call_parens(project, SimpleNamespace(location=loc, text="model.eval"))

    text = "model.eval  # evaluate\n"
    fix = parens(text)
    assert (fix["applicability"], fix["description"]) == ("safe", "Call `model.eval()`")
    assert _edited(text, fix["edits"]) == "model.eval()  # evaluate\n"
    assert parens("model.eval ()\n") is None
    assert parens("") is None  # no source lines: no fix


def test_keyword_spans_of_a_keyword_and_of_a_positional_argument():
    text = "DataLoader(ds, 64, drop_last = True, shuffle=False)\n"
    src = _src(text)
    assert keyword_spans(src, _span(text, "drop_last = True"), "drop_last") == (
        _span(text, "drop_last = True"), _span(text, "True"))
    assert keyword_spans(src, _span(text, "64"), "batch_size") == (None, _span(text, "64"))
    assert keyword_spans(src, _span(text, "shuffle=False"), "drop_last") == (None, _span(text, "shuffle=False"))


def test_the_last_line_of_a_file_without_a_final_newline_can_be_edited():
    for text in ("x = 1\ny = 2", "x = 1\r\ny = 2", "x = 1\ry = 2"):
        src = Source("a.py", text.splitlines())
        assert _edited(text, [src.replace(Location("a.py", 2, 5, 2, 6), "20")]) == text[:-1] + "20"


# the applier: which fixes go to which file, and what it writes ---------------------------------------------
def _fixed(code, path, line, applicability="safe"):
    """A finding whose fix replaces `x` at the start of `line` by `y`."""
    return Finding(code, "m", Location(path, line, 1, line, 1),
                   fix={"applicability": applicability, "description": "d",
                        "edits": [{"path": path, "line": line, "column": 1, "end_line": line, "end_column": 2,
                                   "content": "y", "original": "x"}]})


def test_plan_groups_fixes_by_file_and_leaves_out_what_it_must():
    a, b = _fixed("EP504", "a.py", 1), _fixed("EP405", "b.py", 1)
    unsafe = _fixed("EP101", "b.py", 2, applicability="unsafe")
    spread = Finding("EP201", "m", Location("a.py", 3, 1, 3, 1), fix={
        "applicability": "safe", "description": "d", "edits": a.fix["edits"] + b.fix["edits"]})
    assert plan([a, b, unsafe, spread], unsafe=False) == {"a.py": [a], "b.py": [b]}
    assert plan([a, b, unsafe, spread], unsafe=True) == {"a.py": [a], "b.py": [b, unsafe]}
    assert plan([a, b], unsafe=False, allowed={"b.py"}) == {"b.py": [b]}


def test_an_eval_mode_fix_waits_while_a_parentheses_fix_is_pending_in_its_file():
    """`model.eval` → `model.eval()` may put the model in eval mode already: EP501's fix waits for the next
    round in that file, not in another one."""
    parens, loop = _fixed("EP504", "a.py", 1), _fixed("EP501", "a.py", 5, applicability="unsafe")
    elsewhere = _fixed("EP501", "b.py", 5, applicability="unsafe")
    assert plan([parens, loop, elsewhere], unsafe=True) == {"a.py": [parens], "b.py": [elsewhere]}


def test_a_file_that_cannot_be_read_or_whose_fix_cannot_be_encoded_is_left_alone(tmp_path):
    missing = fix_file(str(tmp_path / "gone.py"), [_fixed("EP504", "gone.py", 1)])
    assert (missing.fixed, missing.error.startswith("cannot read: ")) == (0, True)
    finding = _fixed("EP504", "a.py", 2)
    finding.fix["edits"][0]["content"] = "€"
    before = "# -*- coding: latin-1 -*-\nx = 1\n".encode("latin-1")
    change = fix_file("a.py", [finding], current=before)
    assert (change.after, change.fixed) == (before, 0)
    assert change.error == "the fixed text cannot be written as iso-8859-1: ordinal not in range(256)"


def test_a_diff_marks_a_last_line_without_a_newline():
    change = FileChange("a.py", b"x = 1\ny = 2", b"x = 1\ny = 3", 1)
    assert unified_diff(change) == ("--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n x = 1\n-y = 2\n"
                                    "\\ No newline at end of file\n+y = 3\n\\ No newline at end of file\n")


def test_the_only_element_of_a_list_is_removed_and_an_empty_replacement_removes_it():
    text = "tf = T.Compose([T.RandomCrop(64)])\n"
    loc = _span(text, "T.RandomCrop(64)")
    assert _edited(text, remove_element(_src(text), loc)) == "tf = T.Compose([])\n"
    text = "tf = T.Compose([T.Resize(64), T.RandomCrop(64), T.ToTensor()])\n"
    edits = replace_element(_src(text), _span(text, "T.RandomCrop(64)"), [])
    assert _edited(text, edits) == "tf = T.Compose([T.Resize(64), T.ToTensor()])\n"


def test_a_tuple_value_is_replaced_with_its_parentheses():
    for text, part, whole in (("T.Normalize((0.5, 0.5, 0.5), std)\n", "0.5, 0.5, 0.5", "(0.5, 0.5, 0.5)"),
                              ("T.Normalize(mean=(\n    0.5, 0.5), std=s)\n", "0.5, 0.5", "(\n    0.5, 0.5)")):
        src = _src(text)  # libcst's span of a tuple leaves its parentheses out
        loc = src.value_span(_span(text, part))
        assert src.text(loc.line, loc.column, loc.end_line, loc.end_column) == whole
    text = "T.Normalize(((0.5, 0.5, 0.5)), std)\n"
    src = _src(text)
    already = _span(text, "(0.5, 0.5, 0.5)")  # in parentheses of its own: the outer pair is not taken
    assert src.value_span(already) == already
    number = _span(text, "std")  # not a tuple
    assert src.value_span(number) == number


def test_an_edit_at_the_end_of_a_file_without_a_newline_and_one_beyond_it():
    text = "model.eval"
    src = Source("a.py", [text])
    assert _edited(text, [src.insert(2, 1, "\n# end\n")]) == "model.eval\n# end\n"  # the file's own newline: none
    beyond = src.edit(3, 1, 3, 1, "x")
    assert apply_fixes(text, [SimpleNamespace(fix={"edits": [beyond]})]) == (text, [])


def test_a_file_whose_fixes_are_all_stale_is_unchanged():
    before = b"x = 1\n"
    change = fix_file("a.py", [_fixed("EP504", "a.py", 1)], current=b"z = 1\n")
    assert (change.before, change.after, change.fixed, change.error) == (b"z = 1\n", b"z = 1\n", 0, None)
    assert fix_file("a.py", [_fixed("EP504", "a.py", 1)], current=before).after == b"y = 1\n"


# EP201/EP202's imports: one statement per module, each name once, where a module-level import can go ------
def test_imports_for_a_fix_are_grouped_by_module_at_the_import_line():
    text = '"""Doc."""\nimport torch\n\nx = 1\n'
    facts = SimpleNamespace(lines=text.splitlines(), import_line=2)
    project = SimpleNamespace(facts=lambda path: facts)
    imports = ["from stats import MEAN", "from stats import STD", "from stats import MEAN", "from .cfg import SIZE"]
    edits = _import_edits(project, "a.py", imports)
    assert _edited(text, edits) == ('"""Doc."""\nfrom stats import MEAN, STD\nfrom .cfg import SIZE\nimport torch\n\n'
                                    "x = 1\n")
    assert _import_edits(project, "a.py", []) == []
    facts.import_line = 0  # no place known for an import: no fix
    assert _import_edits(project, "a.py", imports) is None


# EP201/EP202: the training side's statistics as text usable in the evaluation file --------------------------
def _portable_in(eval_imports, eval_constants=(), train_import=Import("MEAN", "stats", "MEAN")):
    facts = {"train.py": SimpleNamespace(imports=[train_import], constants={}),
             "eval.py": SimpleNamespace(imports=list(eval_imports), constants=dict.fromkeys(eval_constants))}
    project = SimpleNamespace(facts=facts.get, files=facts,
                              module_file=lambda importer, name: {"stats": "stats.py", "other": "other.py"}.get(name))
    side = lambda path: SimpleNamespace(pipeline=SimpleNamespace(path=path, scope=path))  # noqa: E731
    arg = Arg("mean", 0, Value("ref", text="MEAN"), Location("train.py", 5, 1, 5, 5))
    return _portable(project, side("train.py"), side("eval.py"), arg)


def test_an_imported_statistic_is_imported_where_the_evaluation_file_lacks_it():
    assert _portable_in([]) == ("MEAN", "from stats import MEAN")
    assert _portable_in([], train_import=Import("MEAN", "stats", "IMAGENET_MEAN")) == (
        "MEAN", "from stats import IMAGENET_MEAN as MEAN")


def test_an_imported_statistic_the_evaluation_file_already_imports_needs_no_import():
    assert _portable_in([Import("MEAN", "stats", "MEAN")]) == ("MEAN", None)


def test_no_statistic_whose_name_means_something_else_in_the_evaluation_file():
    assert _portable_in([Import("MEAN", "other", "MEAN")]) is None
    assert _portable_in([Import("MEAN", "stats", "STD")]) is None
    assert _portable_in([], eval_constants=["MEAN"]) is None
