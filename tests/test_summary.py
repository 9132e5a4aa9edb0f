"""The summary lines every reporter shares (report/summary.py) and the text report's code frame, on results
built by hand: the exact words for one and for several (findings, files, fixes, baselined findings, skipped
files), which fixes count as applicable, and the `--show-fixes` listing by file and rule; the pipelines view's
step alignment."""

import io

from rich.console import Console

from evalparity.facts import Arg, Location, Step, Value
from evalparity.findings import Finding, Result
from evalparity.report import pipelines, text
from evalparity.report.summary import files_line, fixable_line, fixes_lines, severity_counts, summary_line

SAFE = {"applicability": "safe", "description": "Remove `drop_last=True`", "edits": [{"path": "a.py"}]}
UNSAFE = {"applicability": "unsafe", "description": "Call `model.eval()` first", "edits": [{"path": "a.py"}]}


def _finding(code="EP401", severity="error", path="a.py", line=1, fix=None, column=1, end_column=2):
    return Finding(code, "message", Location(path, line, column, line, end_column), severity=severity, fix=fix)


def _result(findings=(), files=1, **kwargs):
    return Result(list(findings), kwargs.pop("errors", []), files, **kwargs)


def test_summary_line_words_for_one_and_for_several():
    assert summary_line(_result()) == "All checks passed; 1 file checked."
    assert summary_line(_result(files=3, files_analysed=1)) == \
        "All checks passed; 3 files checked (2 with nothing to check)."
    assert summary_line(_result(files=3, files_analysed=3)) == "All checks passed; 3 files checked."
    assert summary_line(_result([_finding(severity="info")], files=0)) == \
        "Found 1 finding (1 info); 0 files checked."
    findings = [_finding(severity="warning"), _finding(), _finding(severity="warning")]
    assert severity_counts(_result(findings)) == {"error": 1, "warning": 2, "info": 0}
    assert summary_line(_result(findings, files=2)) == "Found 3 findings (1 error, 2 warnings); 2 files checked."


def test_summary_line_baselined_and_skipped():
    assert summary_line(_result(baselined=1)) == \
        "All checks passed; 1 file checked. 1 finding in the baseline not shown."
    assert summary_line(_result(baselined=2, errors=["x.py", "y.py"])) == (
        "All checks passed; 1 file checked. 2 findings in the baseline not shown. 2 files skipped (listed above).")
    assert summary_line(_result(errors=["x.py"])) == "All checks passed; 1 file checked. 1 file skipped (listed above)."


def test_files_line_counts_files_with_nothing_to_check_only_when_known():
    assert files_line(_result(files=2)) == "2 files checked"
    assert files_line(_result(files=2, files_analysed=2)) == "2 files checked"
    assert files_line(_result(files=1, files_analysed=0)) == "1 file checked (1 with nothing to check)"


def test_fixable_line_counts_applicable_and_hidden_fixes():
    no_edits = dict(SAFE, edits=[])
    assert fixable_line(_result([_finding(), _finding(fix=no_edits)])) == ""
    assert fixable_line(_result([_finding(fix=SAFE), _finding(fix=SAFE)])) == "[*] 2 fixable with the `--fix` option."
    assert fixable_line(_result([_finding(fix=SAFE), _finding(fix=UNSAFE)])) == (
        "[*] 1 fixable with the `--fix` option (1 hidden fix can be enabled with the `--unsafe-fixes` option).")
    assert fixable_line(_result([_finding(fix=UNSAFE), _finding(fix=UNSAFE)])) == (
        "2 hidden fixes can be enabled with the `--unsafe-fixes` option.")
    assert fixable_line(_result([_finding(fix=SAFE), _finding(fix=UNSAFE)], unsafe_fixes=True)) == (
        "[*] 2 fixable with the `--fix` option (and `--unsafe-fixes`).")
    assert fixable_line(_result([_finding(fix=SAFE)], unsafe_fixes=True)) == "[*] 1 fixable with the `--fix` option."


def test_fixes_lines_applied_by_file_and_rule():
    assert fixes_lines(_result([_finding(fix=SAFE)])) == []  # without --show-fixes
    assert fixes_lines(_result(show_fixes=True, applied_fixes=[])) == ["No fixes applied."]
    applied = [_finding(path="b.py"), _finding("EP501", path="a.py"), _finding(path="b.py", line=7),
               _finding("EP999", path="a.py")]
    assert fixes_lines(_result(show_fixes=True, applied_fixes=applied)) == [
        "Fixed 4 findings:",
        "- a.py:",
        "    1 × EP501 (eval-without-eval-mode)",
        "    1 × EP999 ()",
        "- b.py:",
        "    2 × EP401 (eval-loader-drop-last)",
    ]
    assert fixes_lines(_result(show_fixes=True, applied_fixes=applied[:1]))[0] == "Fixed 1 finding:"


def test_fixes_lines_available_with_their_applicability():
    assert fixes_lines(_result([_finding()], show_fixes=True)) == ["No fixes available."]
    findings = [_finding(fix=UNSAFE, path="a.py"), _finding(fix=SAFE, path="a.py"), _finding(fix=SAFE, path="a.py"),
                _finding(fix=dict(SAFE, edits=[]))]
    assert fixes_lines(_result(findings, show_fixes=True)) == [
        "3 fixes available (apply with `--fix`; unsafe ones need `--unsafe-fixes` too):",
        "- a.py:",
        "    2 × EP401 (eval-loader-drop-last) [safe]",
        "    1 × EP401 (eval-loader-drop-last) [unsafe]",
    ]
    assert fixes_lines(_result(findings[:1], show_fixes=True))[0] == (
        "1 fix available (apply with `--fix`; unsafe ones need `--unsafe-fixes` too):")


def test_text_frame_keeps_columns_on_a_line_indented_with_tabs():
    # columns count a tab as one character: the carets stay under `drop_last=True` whatever the tab width
    source = "\t\tloader = DataLoader(ds, drop_last=True)"
    column = source.index("drop_last") + 1
    finding = Finding("EP401", "`drop_last=True` on evaluation loader", Location("a.py", 3, column, 3, column + 14),
                      name="eval-loader-drop-last")
    stream = io.StringIO()
    console = Console(file=stream, width=100, no_color=True, highlight=False, emoji=False)
    text.render(_result([finding]), {"a.py": ("", "", source)}, console, quiet=True)
    lines = stream.getvalue().splitlines()
    assert lines[:5] == [
        f"a.py:3:{column}: EP401 `drop_last=True` on evaluation loader",
        "  |",
        "3 |   loader = DataLoader(ds, drop_last=True)",
        "  |" + " " * 27 + "^" * 14 + " EP401 eval-loader-drop-last",
        "  |",
    ]
    assert lines[3].index("^") == lines[2].index("drop_last")


def test_pipelines_view_aligns_long_pipelines_step_by_step():
    # difflib's "popular element" heuristic (on from 200 steps) would junk repeated names and pair a step
    # with whatever stands at its position: the view pairs like with like at any length
    def steps(names):
        return [Step(f"torchvision.transforms.{n}", n, (), Location("a.py", i + 1, 1, i + 1, 2))
                for i, n in enumerate(names)]

    train = [("Resize", "RandomCrop", "RandomHorizontalFlip", "ColorJitter", "Lambda")[i % 5] for i in range(200)]
    rows = list(pipelines._rows(steps(train), steps(["Grayscale", *train])))
    assert (rows[0][0], rows[0][1].name) == (None, "Grayscale")
    assert len(rows) == 201 and all(a.name == b.name for a, b in rows[1:])


def test_pipelines_step_text():
    def at(line):
        return Location("a.py", line, 1, line, 2)

    crop = Step("T.RandomCrop", "RandomCrop", (), at(1))
    flip = Step("T.RandomHorizontalFlip", "RandomHorizontalFlip", (), at(2))
    assert pipelines.step_text(Step("T.RandomChoice", "RandomChoice", (), at(3), (crop, flip))) == \
        "RandomChoice([RandomCrop(), RandomHorizontalFlip()])"
    p = Arg("p", None, Value("const", const=0.3, text="0.3"), at(4))
    long = Arg(None, 0, Value("name", text="some_module.a_rather_long_function_name_for_the_size"), at(4))  # 52
    assert pipelines.step_text(Step("T.RandomApply", "RandomApply", (long, p), at(4), (crop,), "args.augment")) == \
        "RandomApply(some_module.a_rather_long_function_name…, p=0.3, [RandomCrop()])  if args.augment"
