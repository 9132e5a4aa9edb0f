"""Paths → Python files to lint; files that cannot be read become per-file errors."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_EXCLUDES = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", ".eggs", "build", "dist", "node_modules",
    "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".evalparity_cache", "site-packages",
})
MAX_BYTES = 5 * 1024 * 1024


class UsageError(Exception):
    """A path given on the command line does not exist."""


@dataclass(frozen=True)
class FileError:
    path: str
    kind: str
    message: str


def display_path(path: Path) -> str:
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def discover(paths: list[str], excludes: frozenset[str] = DEFAULT_EXCLUDES) -> tuple[list[Path], list[FileError]]:
    files: list[Path] = []
    errors: list[FileError] = []
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"path does not exist: {raw}")
        if path.is_dir():
            for root, dirs, names in os.walk(path, onerror=lambda e: errors.append(
                    FileError(display_path(Path(e.filename)), "unreadable", e.strerror or str(e)))):
                dirs[:] = sorted(d for d in dirs if d not in excludes and not d.endswith(".egg-info"))
                for name in sorted(names):
                    if name.endswith(".py"):
                        _add(Path(root) / name, files, errors, seen)
        else:
            _add(path, files, errors, seen)
    return files, errors


def _add(path: Path, files: list[Path], errors: list[FileError], seen: set[str]) -> None:
    key = os.path.abspath(path)
    if key in seen:
        return
    seen.add(key)
    shown = display_path(path)
    if path.is_symlink() and not path.exists():
        errors.append(FileError(shown, "unreadable", "broken symbolic link"))
    elif path.is_dir():
        errors.append(FileError(shown, "unreadable", "is a directory"))
    else:
        files.append(path)


def read_source(path: Path) -> bytes | FileError:
    shown = display_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return FileError(shown, "too-large", f"{size} bytes is over the {MAX_BYTES}-byte limit; skipped")
        data = path.read_bytes()
    except OSError as exc:
        return FileError(shown, "unreadable", exc.strerror or str(exc))
    if b"\x00" in data:
        return FileError(shown, "binary", "contains NUL bytes; not Python source")
    return data
