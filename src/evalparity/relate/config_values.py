"""Values read from configuration the project holds: argparse defaults, keys of YAML/JSON files named by
a literal path, constants of a configuration module (`from config import cfg`; `cfg.VAL.BS`).

The extract stage leaves such a read as a `config` Value (or a `ref` to a dotted module constant); here it
becomes a constant when the project says so unambiguously, with `source` saying where from. Anything else
stays unknown, never guessed: an option no parser defines, or that parsers define with different
defaults; a namespace or mapping that the project writes to (`args.bs = …`, `setattr(args, k, v)`,
`cfg.merge_from_file(…)`, `update_config(cfg, args)`); a path that is absolute, outside the folder the
run was started in, missing, or found in two places with different contents; a key the file lacks or a
value that is not a plain scalar. Data files are read here, on each run and only when a read names them,
so no cached fact depends on them: editing one changes the next run's findings."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import PurePosixPath

from evalparity.facts import Location, Option, Value
from evalparity.vocabulary.values import NAMESPACE_NAMES, format_const, split_config_key

MAX_BYTES = 1_000_000
MAX_LEVELS = 4  # folders above the reading file where a relative path may be rooted (the run's directory)
SCALARS = (bool, int, float, str, type(None))


class ConfigValues:
    def __init__(self, project) -> None:
        self.project = project
        self._options: dict[str, list[tuple[str, Option]]] | None = None
        self._scanned: set[str] = set()
        self._writes: dict[str, list[tuple[str, str, bool]]] | None = None
        self._parsers: dict[str, bytes] = {}  # deferred files with an argparse parser, not extracted yet
        self._data: dict[str, tuple[object, object] | None] = {}

    # ---- the project's facts --------------------------------------------------------------------
    def _index(self) -> None:
        """Options and writes of the analysed files, plus the deferred files that define options (read
        only now, when a read of an option needs them)."""
        if self._options is not None and self._scanned >= set(self.project.files):
            return
        if self._options is None:
            self._options, self._writes = {}, {}
            self._parsers = self.project.deferred_parsers()
        for path in list(self.project.files):
            if path in self._scanned:
                continue
            self._scanned.add(path)
            facts = self.project.files[path]
            for option in facts.options:
                self._options.setdefault(option.dest, []).append((path, option))
            for write in facts.config_writes:
                self._writes.setdefault(write[0], []).append((path, write[1], write[2]))

    def written(self, roots: set[str], key: str, defining: str | None = None) -> bool:
        """Some file writes `key` (or any key) of an object by one of these names; module-level writes in
        `defining` (the configuration module's own assignments) excepted."""
        self._index()
        return any(k in (key, "*") and not (path == defining and not in_function)
                   for root in roots for path, k, in_function in self._writes.get(root, ()))

    # ---- resolution -----------------------------------------------------------------------------
    def resolve(self, importer: str, value: Value) -> Value:
        kind, where, keys = split_config_key(value.key)
        if kind == "argparse" and len(keys) == 1:
            found = self._argparse(importer, where, keys[0], read_root(value.text))
        elif kind in ("yaml", "json") and keys:
            found = self._data_file(importer, kind, where, keys, read_root(value.text))
        else:
            found = None
        return value if found is None else dataclasses.replace(found, text=value.text)

    def _load_parsers(self, dest: str) -> None:
        """Extract the deferred files whose parsers may define `dest` (they mention it), only now."""
        self._index()
        wanted = (dest.encode(), dest.replace("_", "-").encode())
        found = [path for path, data in self._parsers.items() if any(w in data for w in wanted) or
                 b"set_defaults" in data]
        for path in found:
            del self._parsers[path]
            self.project.facts(path)
        if found:
            self._index()

    def _argparse(self, importer: str, where: str, dest: str, root: str) -> Value | None:
        self._index()
        local = where == "local" and any(path == importer for path, _ in self._options.get(dest, []))
        if not local and not self._settled_unknown(dest, root):
            self._load_parsers(dest)  # only when the deferred parsers can still change the answer
        if self._options.get("*") or self.written(NAMESPACE_NAMES | {root}, dest):
            return None
        defined = self._options.get(dest, [])
        if where == "local" and any(path == importer for path, _ in defined):
            defined = [(path, option) for path, option in defined if path == importer]
        defaults = [option.default for _, option in defined]
        if not defaults or not all(d.is_const for d in defaults):
            return None
        first = defaults[0]
        if any(d.const != first.const or type(d.const) is not type(first.const) for d in defaults):
            return None
        option = defined[0][1]
        source = f"the argparse default of `{option.flag or dest}` ({option.location.short()})"
        return Value("const", const=first.const, origin=option.location, source=source)

    def _settled_unknown(self, dest: str, root: str) -> bool:
        """Whether the analysed files alone leave `dest` unknown whatever the deferred ones say: a default
        from a mapping, a write to it, a default that is not a constant, or two that differ."""
        if self._options.get("*") or self.written(NAMESPACE_NAMES | {root}, dest):
            return True
        defaults = [option.default for _, option in self._options.get(dest, [])]
        if any(not d.is_const for d in defaults):
            return True
        return any(d.const != defaults[0].const or type(d.const) is not type(defaults[0].const) for d in defaults)

    def _data_file(self, importer: str, kind: str, literal: str, keys: tuple[str, ...], root: str) -> Value | None:
        if self.written({root}, keys[0]):
            return None
        path = self._locate(importer, literal)
        if path is None:
            return None
        loaded = self._load(path, kind)
        if loaded is None:
            return None
        data, tree = loaded
        for key in keys:
            if not isinstance(data, dict) or key not in data:
                return None
            data = data[key]
            tree = _child(tree, key)
        if isinstance(data, list) and all(isinstance(v, SCALARS) for v in data):
            data = tuple(data)
        elif not isinstance(data, SCALARS) or (isinstance(data, str) and "${" in data):
            return None  # a section, or an interpolation resolved at run time
        line, column = (tree.start_mark.line + 1, tree.start_mark.column + 1) if tree is not None else (1, 1)
        location = Location(path, line, column, line, column)
        shown = ".".join(keys)
        return Value("const", const=data, text=format_const(data), origin=location,
                     source=f"`{shown}` in {location.short()}")

    def _locate(self, importer: str, literal: str) -> str | None:
        """The one file a relative path names, read from the reading file's folder or one above it (where
        the script runs from), never outside the folder the run started in."""
        if not literal or os.path.isabs(literal) or "://" in literal or "\x00" in literal:
            return None
        importer = importer.replace("\\", "/")
        here = PurePosixPath(importer).parent
        relative = not PurePosixPath(importer).is_absolute()
        found: dict[bytes, str] = {}
        for level in range(MAX_LEVELS + 1):
            candidate = os.path.normpath(str(here / literal))
            if relative and (candidate == ".." or candidate.startswith("../")):
                break
            if os.path.isfile(candidate):
                try:
                    if os.path.getsize(candidate) <= MAX_BYTES:
                        with open(candidate, "rb") as stream:
                            found.setdefault(stream.read(), candidate.replace(os.sep, "/"))
                except OSError:
                    pass
            if here == here.parent or (relative and str(here) == "."):
                break
            here = here.parent
        return next(iter(found.values())) if len(found) == 1 else None

    def _load(self, path: str, kind: str):
        if path not in self._data:
            self._data[path] = _parse(path, kind)
        return self._data[path]


def _parse(path: str, kind: str):
    """(data, node tree for positions) of a YAML or JSON file; None when it does not parse."""
    try:
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
        if kind == "json":
            return json.loads(text), None
        import yaml

        from evalparity.vocabulary.resources import load_yaml

        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return load_yaml(text), yaml.compose(text, Loader=loader)
    except Exception:  # an unreadable or malformed file: its values stay unknown
        return None


def _child(node, key: str):
    if node is None or not hasattr(node, "value") or not isinstance(node.value, list):
        return None
    for pair in node.value:
        if isinstance(pair, tuple) and len(pair) == 2 and getattr(pair[0], "value", None) == key:
            return pair[1]
    return None


def read_root(text: str) -> str:
    """The name a read starts from: `cfg['val']['bs']` → cfg, `self.args.bs` → args."""
    head = text.split("[", 1)[0]
    parts = head.split(".")
    if parts[0] == "self" and len(parts) > 1:
        parts = parts[1:]
    return parts[0].strip()


def _build(project) -> ConfigValues:
    return ConfigValues(project)


def config_values(project) -> ConfigValues:
    return project.derived(_build)
