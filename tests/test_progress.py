"""The progress bar draws on a terminal above its threshold, shows the count done, and erases itself."""

import io
import re

from evalparity.report.progress import progress_bar


def _plain(drawn: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn)


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_bar_draws_the_count_done_and_erases_itself():
    stream = Terminal()
    with progress_bar(True, threshold=2, stream=stream) as update:
        update(0, 5)
        update(5, 5)
    drawn = stream.getvalue()
    assert "checking" in drawn and "━" in drawn
    assert "0/5" in _plain(drawn) and "5/5" in _plain(drawn)
    # transient: after the last frame the cursor goes back up and the line is cleared
    assert drawn.endswith("\x1b[1A\x1b[2K")


def test_nothing_is_drawn_up_to_the_threshold():
    stream = Terminal()
    with progress_bar(True, threshold=3, stream=stream) as update:
        update(0, 3)
        update(3, 3)
    assert stream.getvalue() == ""


def test_a_disabled_bar_has_no_callback_and_draws_nothing():
    stream = Terminal()
    with progress_bar(False, threshold=0, stream=stream) as update:
        assert update is None
    assert stream.getvalue() == ""


def test_one_bar_for_the_whole_run():
    stream = Terminal()
    with progress_bar(True, threshold=1, stream=stream) as update:
        for done in range(6):
            update(done, 5 if done < 5 else 6)
    drawn = stream.getvalue()
    assert drawn.count("\x1b[?25l") == 1  # the cursor is hidden once: one bar, updated in place
    assert re.search(r"5/6 \d+:\d\d:\d\d$", _plain(drawn).rstrip())  # the total may grow as files are found
