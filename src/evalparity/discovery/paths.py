"""Paths → Python files and notebooks to lint, and the YAML and JSON files that may declare pipelines
(discovery/dataconfig.py); excludes; files that cannot be read become per-file errors."""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

DEFAULT_EXCLUDES = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", ".eggs", "build", "dist", "node_modules",
    "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".evalparity_cache", "site-packages",
    ".ipynb_checkpoints", "*.egg-info",
})
SUFFIXES = (".py", ".ipynb", ".yaml", ".yml", ".json")  # YAML/JSON: screened by their text (dataconfig.py)
MAX_BYTES = 5 * 1024 * 1024


class UsageError(Exception):
    """A path given on the command line does not exist."""


@dataclass(frozen=True)
class FileError:
    path: str
    kind: str
    message: str


UNREADABLE_KINDS = frozenset({"missing", "unreadable", "binary", "invalid-notebook"})  # reported as EP903


def display_path(path: Path | str) -> str:
    """Relative to the current directory when below it, with / separators."""
    absolute = os.path.abspath(path)
    here = os.getcwd()
    if absolute == here:
        return "."
    if absolute.startswith(here.rstrip(os.sep) + os.sep):
        return _posix(absolute[len(here.rstrip(os.sep)) + 1:])
    return _posix(absolute)


def _posix(normalised: str) -> str:
    """Path(normalised).as_posix() for a path os.path.abspath has already normalised."""
    return normalised if _PLAIN_SEPARATORS else Path(normalised).as_posix()


_PLAIN_SEPARATORS = os.sep == "/" and os.altsep is None  # abspath's output is already what pathlib prints


class Excluder:
    """Which files and folders discovery skips: patterns (names anywhere, or globs relative to `root`)
    plus, when `gitignore` is set and the folder is inside a git work tree, what git ignores."""

    def __init__(self, patterns: Iterable[str] = DEFAULT_EXCLUDES, root: Path | None = None,
                 gitignore: bool = True) -> None:
        from evalparity.config import GlobSet

        self.patterns = tuple(patterns)
        self._globs = GlobSet(self.patterns)
        self.root = Path(os.path.abspath(root or Path.cwd()))
        self._inside = str(self.root).rstrip(os.sep) + os.sep
        self.gitignore = gitignore

    def excluded(self, path: Path | str, is_dir: bool | None = None, ancestors: bool = True) -> bool:
        """Whether a pattern or git excludes the path. `ancestors=False` during a walk: the folders above
        were judged on the way down, and a folder named on the command line is walked even when a
        pattern excludes it (as Ruff does, unless --force-exclude)."""
        absolute = os.path.abspath(path)
        if _PLAIN_SEPARATORS:  # the same as the pathlib branch, in string operations
            if absolute == str(self.root):
                relative = "."
            elif absolute.startswith(self._inside):
                relative = absolute[len(self._inside):]
            else:
                relative = os.path.basename(absolute)
        else:
            try:
                relative = Path(absolute).relative_to(self.root).as_posix()
            except ValueError:
                relative = Path(absolute).name
        if relative not in ("", ".") and self._globs.match(relative, ancestors):
            return True
        return self.gitignore and _git_ignored(absolute, os.path.isdir(absolute) if is_dir is None else is_dir)


@lru_cache(maxsize=4096)
def _git_root(folder: Path) -> Path | None:
    """The nearest folder from `folder` up that has .git (each folder is looked at once per run)."""
    if (folder / ".git").exists():
        return folder
    return None if folder.parent == folder else _git_root(folder.parent)


@lru_cache(maxsize=16)
def _ignored_in(top: Path) -> frozenset[str]:
    """Paths under `top` that git ignores (folders end with /), from one `git ls-files` call."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"],
                             cwd=top, capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    if out.returncode != 0:
        return frozenset()
    return frozenset(p for p in out.stdout.decode("utf-8", "surrogateescape").split("\0") if p)


@lru_cache(maxsize=4096)
def _git_root_of(folder: str) -> Path | None:
    return _git_root(Path(folder))


def _git_ignored(absolute: str, is_dir: bool) -> bool:
    top = _git_root_of(os.path.dirname(absolute))
    if top is None:
        return False
    ignored = _ignored_in(top)
    if not ignored:
        return False
    relative = Path(absolute).relative_to(top).as_posix()
    parts = relative.split("/")
    if (relative + "/" if is_dir else relative) in ignored:
        return True
    return any("/".join(parts[:n]) + "/" in ignored for n in range(1, len(parts)))


def clear_git_cache() -> None:
    _ignored_in.cache_clear()


def discover(paths: list[str], excludes: frozenset[str] | Excluder = DEFAULT_EXCLUDES,
             force_exclude: bool = False) -> tuple[list[Path], list[FileError]]:
    """Files below the folders in `paths`, minus excluded ones. Files named explicitly are linted even
    when a pattern excludes them, unless `force_exclude` (for pre-commit, which names every file)."""
    excluder = excludes if isinstance(excludes, Excluder) else Excluder(excludes, gitignore=False)
    files: list[Path] = []
    errors: list[FileError] = []
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if not path.exists() and not path.is_symlink() and not overridden(path):
            errors.append(FileError(display_path(path), "missing", "path does not exist"))
            continue
        if path.is_dir():
            if force_exclude and excluder.excluded(path, True):
                continue
            for root, dirs, names in os.walk(path, onerror=lambda e: errors.append(
                    FileError(display_path(Path(e.filename)), "unreadable", e.strerror or str(e)))):
                dirs[:] = sorted(d for d in dirs if not excluder.excluded(os.path.join(root, d), True, False))
                for name in sorted(names):
                    if name.endswith(SUFFIXES) and not excluder.excluded(os.path.join(root, name), False, False):
                        _add(Path(root) / name, files, errors, seen)
        elif not (force_exclude and _excluded_with_parents(excluder, path)):
            _add(path, files, errors, seen)
    return files, errors


def _excluded_with_parents(excluder: Excluder, path: Path) -> bool:
    absolute = Path(os.path.abspath(path))
    if excluder.excluded(absolute, False):
        return True
    for parent in absolute.parents:
        if parent == excluder.root or excluder.root not in parent.parents:
            break
        if excluder.excluded(parent, True):
            return True
    return False


def _add(path: Path, files: list[Path], errors: list[FileError], seen: set[str]) -> None:
    key = os.path.abspath(path)
    if key in seen:
        return
    seen.add(key)
    try:
        regular = stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        regular = False
    if regular or overridden(path):  # the common case, in one system call
        files.append(path)
        return
    shown = display_path(path)
    if path.is_symlink() and not path.exists():
        errors.append(FileError(shown, "unreadable", "broken symbolic link"))
    elif path.is_dir():
        errors.append(FileError(shown, "unreadable", "is a directory"))
    elif not path.is_file():
        errors.append(FileError(shown, "unreadable", "not a regular file"))
    else:
        files.append(path)


_OVERRIDES: dict[str, bytes] = {}  # absolute path → content to analyse instead of the file's


@contextlib.contextmanager
def overriding(contents: dict[str, bytes] | None):
    """Analyse these contents (by path) instead of what the files hold: fixes not yet written, stdin."""
    previous = dict(_OVERRIDES)
    _OVERRIDES.update({os.path.abspath(path): data for path, data in (contents or {}).items()})
    try:
        yield
    finally:
        _OVERRIDES.clear()
        _OVERRIDES.update(previous)


def overridden(path: Path | str) -> bool:
    return bool(_OVERRIDES) and os.path.abspath(path) in _OVERRIDES


def overrides() -> dict[str, bytes]:
    return dict(_OVERRIDES)


def current_bytes(path: Path | str) -> bytes:
    """The file's bytes as they are analysed: the contents that replace them, or the file's (OSError)."""
    data = _OVERRIDES.get(os.path.abspath(path)) if _OVERRIDES else None
    return Path(path).read_bytes() if data is None else data


def read_source(path: Path) -> bytes | FileError:
    """The bytes to parse: the file itself, or for a notebook its code cells joined as one module."""
    shown = display_path(path)
    data = _OVERRIDES.get(os.path.abspath(path)) if _OVERRIDES else None
    try:
        if data is None:
            size = path.stat().st_size
            if size > MAX_BYTES:
                return FileError(shown, "too-large", f"{size} bytes is over the {MAX_BYTES}-byte limit; skipped")
            data = path.read_bytes()
    except OSError as exc:
        return FileError(shown, "unreadable", exc.strerror or str(exc))
    if path.suffix == ".ipynb":
        from evalparity.discovery.notebooks import NotebookError, notebook_source

        try:
            return notebook_source(data).code.encode("utf-8")
        except NotebookError as exc:
            return FileError(shown, "invalid-notebook", str(exc))
    if b"\x00" in data:
        return FileError(shown, "binary", "contains NUL bytes; not Python source")
    return data


PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")


def project_home(start: Path | None = None) -> Path:
    """Where the project's own folders (the cache) live: the nearest folder from `start` (default: the
    current directory) up with a pyproject.toml, setup.cfg, setup.py or .git; else `start` itself."""
    start = Path(os.path.abspath(start or Path.cwd()))
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder
    return start


def project_root(paths: list[str]) -> Path | None:
    """The project the given files belong to: the nearest folder above them with a pyproject.toml,
    setup.cfg, setup.py or .git (None when there is none, or when only folders are given)."""
    files = [Path(os.path.abspath(p)) for p in paths if not Path(p).is_dir()]
    if not files:
        return None
    try:
        common = Path(os.path.commonpath([str(f.parent) for f in files]))
    except ValueError:
        return None
    for folder in (common, *common.parents):
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder
    return None
