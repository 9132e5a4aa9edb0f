"""The text report in Ruff's shape, on a few representative findings, as golden files at 80 and 200
columns, piped (plain) and on a terminal (colour): a one-clause header, frames labelled by what they
are, a second annotation on a line already shown joins its frame, the offending keyword of a multi-line
call is what the caret points at, and a label too wide for the console moves under its carets.
Regenerate with EVALPARITY_UPDATE_GOLDEN=1 and review the diff."""

import io
import os
import re

import pytest
from conftest import FIXTURES, ROOT
from rich.console import Console

from evalparity.engine import check, enabled_codes
from evalparity.report import text

GOLDEN = ROOT / "tests" / "golden" / "text"
# (rule folder, file): a factory call site whose role is the call itself and whose setting is in the
# factory; a multi-line DataLoader flagged at its keyword; an evaluation reached through a call site
# after a mode switch; one finding for a DistributedSampler that pads and shuffles
CASES = [("EP401", "factory.py"), ("EP401", "val_loader_drop_last.py"), ("EP501", "classic_missing_eval.py"),
         ("EP402", "distributed_default_shuffles.py")]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _render(width: int, terminal: bool, in_dir) -> str:
    out = []
    for folder, name in CASES:
        in_dir(FIXTURES / folder)
        result = check([name], select=tuple(enabled_codes()) + (folder,))
        stream = io.StringIO()
        console = Console(file=stream, width=width, force_terminal=terminal, no_color=not terminal,
                          color_system="standard" if terminal else None, highlight=False, emoji=False)
        text.render(result, result.sources, console, quiet=True)
        out.append(stream.getvalue())
    return "".join(out)


@pytest.mark.parametrize("width", [80, 200])
@pytest.mark.parametrize("terminal", [False, True], ids=["piped", "terminal"])
def test_golden_text(width, terminal, in_dir):
    output = _render(width, terminal, in_dir)
    golden = GOLDEN / f"{width}-{'terminal' if terminal else 'piped'}.txt"
    if os.environ.get("EVALPARITY_UPDATE_GOLDEN"):
        golden.write_text(output, encoding="utf-8")
        pytest.skip(f"rewrote {golden.name}: review the diff, then run again without EVALPARITY_UPDATE_GOLDEN")
    assert output == golden.read_text(encoding="utf-8")
    assert ("\x1b[" in output) == terminal


def test_labels_fit_the_console_and_the_terminal_only_adds_colour(in_dir):
    piped, terminal = _render(80, False, in_dir), _render(80, True, in_dir)
    assert ANSI.sub("", terminal) == piped
    for line in piped.splitlines():
        source = re.match(r"\s*\d+ \|", line)
        carets_only = re.fullmatch(r"\s*\| [ ^-]*", line)
        if not source and not carets_only and not re.match(r"\S+:\d+:\d+: EP", line):
            assert len(line) <= 80, line
    assert "EP402" in piped and "EP403" not in piped  # one finding for the DistributedSampler


def test_frames_say_what_they_are_and_never_show_a_line_twice(in_dir):
    piped = _render(200, False, in_dir)
    assert "other side" not in piped.replace("other side:", "")  # only as a label of a pair's other side
    for block in piped.split("\n\n"):
        shown = re.findall(r"^\s*::: (\S+:\d+):", block, re.M)
        assert len(shown) == len(set(shown)), block
    # the call site is both the flagged line and the role's evidence: one frame, two annotations
    assert "^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ EP401 eval-loader-drop-last\n   |               - role: evaluation" in piped
    assert "call site: `test(…)` called without `.eval()` before it" in piped
    assert "mode switch: `net.train()` (in `train()`), the last one before" in piped
    assert "drop_last=True,\n   |     ^^^^^^^^^^^^^^ EP401" in piped  # the keyword of the multi-line call
