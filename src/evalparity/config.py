"""Configuration: `.evalparity.toml`, `evalparity.toml` or `[tool.evalparity]` in pyproject.toml: rule
selection, per-file ignores, excludes, fail-on, knowledge files and role hints.

The file is found by walking up from the linted paths to the first folder that has a `.evalparity.toml`,
an `evalparity.toml` (both with the keys at their top level) or a pyproject.toml with a `[tool.evalparity]`
table, in that order of precedence within one folder, as Ruff reads `.ruff.toml`, `ruff.toml` and
pyproject.toml (`--config FILE` names one; `--isolated` ignores them all). Relative paths and
globs in it are relative to the file's folder. An unknown key or a bad value is a `ConfigError` whose
message names the file, the key and what was expected (the command line turns it into exit code 2).
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from evalparity.vocabulary.rulebook import SEVERITIES, load_rules

TABLE = "tool.evalparity"
CODE_LIST = "a list of rule codes or prefixes, e.g. [\"EP101\", \"EP2\"]"
EXPECTED = {
    "select": CODE_LIST,
    "extend-select": CODE_LIST,
    "ignore": CODE_LIST,
    "per-file-ignores": "a table of glob = [codes], e.g. {\"tests/**\" = [\"EP1\"]}",
    "exclude": "a list of file or folder patterns, e.g. [\"build\", \"notebooks/old/**\"]",
    "extend-exclude": "a list of file or folder patterns, e.g. [\"legacy\"]",
    "respect-gitignore": "true or false",
    "fail-on": "one of \"error\", \"warning\", \"info\"",
    "knowledge": "a list of knowledge-base files (YAML), relative to this file",
    "role-hints": "a table with `train` and/or `eval`: lists of lower-case words, e.g. {eval = [\"dev\"]}",
}
HINT_KEYS = ("train", "eval")
# Files of evalparity's own, in their order of precedence within one folder (pyproject.toml comes last).
OWN_FILES = (".evalparity.toml", "evalparity.toml")
WORD = re.compile(r"^[a-z][a-z0-9]*$")
CODE = re.compile(r"^[A-Z]+[0-9]*$")


class ConfigError(Exception):
    """A configuration file is missing, malformed, or has an unknown key or a bad value."""


@dataclass(frozen=True)
class Config:
    """One configuration layer. `None` means "not set here"."""

    path: Path | None = None
    root: Path = field(default_factory=Path.cwd)
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    fail_on: str | None = None
    knowledge: tuple[Path, ...] = ()
    train_words: tuple[str, ...] = ()
    eval_words: tuple[str, ...] = ()

    def ignored_for(self, path: str) -> tuple[str, ...]:
        """Codes or prefixes that `per-file-ignores` switches off for a file (a display path)."""
        if not self.per_file_ignores:
            return ()
        relative = _relative(path, self.root)
        found: list[str] = []
        for pattern, codes in self.per_file_ignores:
            if glob_match(pattern, relative):
                found.extend(codes)
        return tuple(found)


def find_config(paths: Iterable[str]) -> Path | None:
    """The nearest configuration file, walking up from the linted paths: in each folder a
    `.evalparity.toml`, else an `evalparity.toml`, else a pyproject.toml with a [tool.evalparity] table."""
    starts = [Path(os.path.abspath(p)) for p in paths] or [Path.cwd()]
    try:
        common = Path(os.path.commonpath([str(p) for p in starts]))
    except ValueError:  # different drives
        common = starts[0]
    folder = common if common.is_dir() else common.parent
    for candidate in (folder, *folder.parents):
        for name in OWN_FILES:
            if (candidate / name).is_file():
                return candidate / name
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _has_table(pyproject):
            return pyproject
    return None


def _has_table(path: Path) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    if b"evalparity" not in data:
        return False
    try:
        return isinstance(tomllib.loads(data.decode("utf-8")).get("tool", {}).get("evalparity"), dict)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return True  # malformed: let load_config say so


def load_config(path: Path | str) -> Config:
    """Read `[tool.evalparity]` from a pyproject.toml, the top level of an `evalparity.toml` or
    `.evalparity.toml` (where a `[tool.evalparity]` table is an error, as `[tool.ruff]` is in ruff.toml),
    or either from any other TOML file named with `--config`."""
    path = Path(path)
    shown = _shown(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{shown}: configuration file not found") from None
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{shown}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown}: invalid TOML: {exc}") from None
    if path.name in OWN_FILES:
        if "tool" in data:
            raise ConfigError(f"{shown}: a [tool.*] table belongs in pyproject.toml; in {path.name} write the keys "
                              "at the top level, e.g. select = [\"EP1\"]")
        return parse_table(data, path)
    table = data.get("tool", {}).get("evalparity") if isinstance(data.get("tool"), dict) else None
    prefix = f"[{TABLE}] "
    if table is None:
        if path.name == "pyproject.toml":
            raise ConfigError(f"{shown}: no [{TABLE}] table")
        table, prefix = data, ""
    if not isinstance(table, dict):
        raise ConfigError(f"{shown}: [{TABLE}] must be a table")
    return parse_table(table, path, prefix)


def parse_table(table: dict[str, Any], path: Path, prefix: str = "") -> Config:
    shown = _shown(path)
    root = Path(os.path.abspath(path)).parent

    def fail(key: str, why: str = "") -> ConfigError:
        return ConfigError(f"{shown}: {prefix}{key}: {why or 'expected ' + EXPECTED[key.split('.')[0]]}")

    for key in table:
        if key not in EXPECTED:
            close = difflib.get_close_matches(key.replace("_", "-"), list(EXPECTED), n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            raise ConfigError(f"{shown}: {prefix}unknown key `{key}`{hint}; expected one of: {', '.join(EXPECTED)}")

    def strings(key: str) -> tuple[str, ...] | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise fail(key)
        return tuple(v.strip() for v in value)

    def codes(key: str, value: Any = None) -> tuple[str, ...] | None:
        items = strings(key) if value is None else value
        if items is None:
            return None
        for code in items:
            problem = code_problem(code)
            if problem:
                raise fail(key, f"{problem}; expected {CODE_LIST}")
        return tuple(c.upper() for c in items)

    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise fail("per-file-ignores")
    per_file_ignores = []
    for pattern, value in per_file.items():
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(f"per-file-ignores.\"{pattern}\"", f"expected {CODE_LIST}")
        per_file_ignores.append((pattern, codes(f"per-file-ignores.\"{pattern}\"", tuple(value))))

    fail_on = table.get("fail-on")
    if fail_on is not None and fail_on not in SEVERITIES:
        raise fail("fail-on", f"expected one of \"error\", \"warning\", \"info\", got {fail_on!r}")
    gitignore = table.get("respect-gitignore", True)
    if not isinstance(gitignore, bool):
        raise fail("respect-gitignore")

    knowledge = []
    for item in strings("knowledge") or ():
        file = Path(item) if os.path.isabs(item) else root / item
        if not file.is_file():
            raise fail("knowledge", f"file not found: {item} (relative paths are relative to {shown})")
        knowledge.append(file)

    hints = table.get("role-hints", {})
    if not isinstance(hints, dict):
        raise fail("role-hints")
    words: dict[str, tuple[str, ...]] = {}
    for key, value in hints.items():
        if key not in HINT_KEYS:
            raise fail(f"role-hints.{key}", f"unknown key; expected one of: {', '.join(HINT_KEYS)}")
        if not isinstance(value, list) or not all(isinstance(v, str) and WORD.match(v) for v in value):
            raise fail(f"role-hints.{key}", "expected a list of lower-case words (letters and digits), "
                                            "e.g. [\"dev\", \"heldout\"]")
        words[key] = tuple(value)
    clash = set(words.get("train", ())) & set(words.get("eval", ()))
    if clash:
        raise fail("role-hints", f"`{sorted(clash)[0]}` is listed for both train and eval")

    return Config(
        path=path, root=root, select=codes("select"), extend_select=codes("extend-select") or (),
        ignore=codes("ignore") or (), per_file_ignores=tuple(per_file_ignores), exclude=strings("exclude"),
        extend_exclude=strings("extend-exclude") or (), respect_gitignore=gitignore, fail_on=fail_on,
        knowledge=tuple(knowledge), train_words=words.get("train", ()), eval_words=words.get("eval", ()),
    )


def code_problem(code: str) -> str | None:
    """Why `code` is not a rule code, a prefix of one or ALL (None when it is fine)."""
    upper = code.strip().upper()
    if upper == "ALL":
        return None
    if not CODE.match(upper) or not any(known.startswith(upper) for known in load_rules()):
        return f"unknown rule code or prefix: {code}"
    return None


def select_codes(layers: Iterable[tuple[tuple[str, ...] | None, tuple[str, ...], tuple[str, ...]]]) -> set[str]:
    """Apply (select, extend-select, ignore) layers in order, defaults first: a layer's `select` replaces
    the set, `extend-select` adds to it and `ignore` removes from it (within a layer, ignore wins).
    `ALL` means every rule, the ones off by default included, as does a prefix (`EP`, `EP9`)."""
    rules = load_rules()

    def matching(prefixes: tuple[str, ...]) -> set[str]:
        if "ALL" in prefixes:
            return set(rules)
        return {code for code in rules if any(code.startswith(p) for p in prefixes)}

    codes = {code for code, rule in rules.items() if rule.default}
    for select, extend, ignore in layers:
        if select is not None:
            codes = matching(select)
        codes |= matching(extend)
        codes -= {code for code in codes if "ALL" in ignore or any(code.startswith(p) for p in ignore)}
    return codes


# ---- globs ---------------------------------------------------------------------------------------

def glob_match(pattern: str, relative: str) -> bool:
    """Gitignore-like globs on a /-separated path: `*` and `?` stay within one part, `**` spans parts;
    a pattern without `/` matches the file name (or any folder name) anywhere; a pattern that names a
    folder matches everything below it."""
    by_name, regex = _glob(pattern)
    parts = relative.split("/")
    if by_name:
        return any(regex.fullmatch(part) for part in parts)
    return any(regex.fullmatch("/".join(parts[:n])) for n in range(1, len(parts) + 1))


def _glob(pattern: str) -> tuple[bool, re.Pattern[str]]:
    """(whether the pattern matches a name anywhere, its regex), as glob_match reads it."""
    pattern = pattern.strip().replace("\\", "/")
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if "/" not in pattern.rstrip("/"):
        return True, _compile(pattern.rstrip("/"))
    return False, _compile(pattern.strip("/"))


class GlobSet:
    """Whether any of several patterns glob_match a path, for the many paths of a walk: what the parts
    of a folder match is worked out once for all the files below it."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(patterns)
        self._names: list[re.Pattern[str]] | None = None
        self._paths: list[re.Pattern[str]] = []
        self._folders: dict[str, bool] = {}

    def match(self, relative: str, ancestors: bool = True) -> bool:
        """`ancestors=False`: the path itself only (a walk has already judged the folders above it)."""
        if self._names is None:  # compiled on first use, as glob_match does
            compiled = [_glob(pattern) for pattern in self.patterns]
            self._names = [regex for by_name, regex in compiled if by_name]
            self._paths = [regex for by_name, regex in compiled if not by_name]
        folder, _, name = relative.rpartition("/")
        if folder and ancestors:
            hit = self._folders.get(folder)
            if hit is None:
                hit = self._folders[folder] = self.match(folder)
            if hit:
                return True
        return any(regex.fullmatch(name) for regex in self._names) or \
            any(regex.fullmatch(relative) for regex in self._paths)


_CACHE: dict[str, re.Pattern[str]] = {}


def _compile(pattern: str) -> re.Pattern[str]:
    cached = _CACHE.get(pattern)
    if cached is not None:
        return cached
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1:end]
                body = "^" + body[1:] if body.startswith("!") else body
                out.append(f"[{body}]")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    compiled = re.compile("".join(out))
    _CACHE[pattern] = compiled
    return compiled


def _relative(path: str, root: Path) -> str:
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix().lstrip("/")


def _shown(path: Path) -> str:
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()
