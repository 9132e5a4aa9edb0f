"""Replacing a file atomically: readers see its old content or the new one, never half of either."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def replace_file(target: str | Path, data: bytes, *, mode: int | None = None, durable: bool = False) -> None:
    """Write through a temporary file in the same folder; `durable` also flushes it to the disk first."""
    folder = os.path.dirname(os.fspath(target)) or "."
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".evalparity-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
