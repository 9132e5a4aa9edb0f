"""A rich progress bar on standard error for long runs on a terminal; silent otherwise.

`progress_bar(enabled)` yields a callback `(done, total)` (or None when disabled). The bar appears only
when more than `THRESHOLD` files are being checked, so short runs never flicker."""

from __future__ import annotations

import contextlib
import sys
from typing import Callable, Iterator

THRESHOLD = 300

Callback = Callable[[int, int], None]


@contextlib.contextmanager
def progress_bar(enabled: bool, threshold: int = THRESHOLD, stream=None) -> Iterator[Callback | None]:
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=stream or sys.stderr)
    state: dict = {}

    def update(done: int, total: int) -> None:
        if total <= threshold:
            return
        if "bar" not in state:
            bar = Progress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                           console=console, transient=True)
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task("files", total=total)
        state["bar"].update(state["task"], completed=done, total=total)

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].stop()
