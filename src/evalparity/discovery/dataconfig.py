"""Pipelines and loaders declared in YAML or JSON files: Hydra / OmegaConf configurations
(`_target_: torchvision.transforms.RandomCrop`, constructor keywords as keys) and albumentations' serialised
pipelines (`A.save(transform, path)`: `{"__class_fullname__": "Compose", "transforms": [...]}`).

Most YAML and JSON files in a repository have nothing to do with pipelines (CI workflows, annotations,
metadata), so a file is read only when its bytes pass a cheap text test (`looks_like_data_config`): a
`_target_` naming a transform library or `torch.utils.data.DataLoader`, or albumentations'
`__class_fullname__`. A file over `MAX_DATA_BYTES` is not read at all (configurations are small; dataset
annotations are not). One that passes is read into the `CfgNode` tree the OpenMMLab reader also gives
(discovery/mmconfig.py): `dict`, `list`, `const`, and `unknown` for an OmegaConf interpolation (`${...}`),
each node with the place of its text. YAML is composed by PyYAML (libyaml when installed), whose nodes carry
their marks; JSON by the small reader below, which keeps each value's offset. Nothing is resolved here: the
project stage (relate/dataconfig.py) finds the pipelines, their roles and the loaders.
"""

from __future__ import annotations

import bisect
import json
import re

from evalparity.facts import CfgNode, Location

DATA_SUFFIXES = (".yaml", ".yml", ".json")
MAX_DATA_BYTES = 512 * 1024
MAX_NODES = 50000
MAX_EXPANDED = 200000  # nodes with YAML aliases expanded
_LIBRARY_TARGET = re.compile(
    rb"""_target_["']?\s*:\s*["']?(?:torchvision\.transforms|albumentations|kornia\.augmentation|"""
    rb"""timm\.data|torch\.utils\.data\.(?:dataloader\.)?DataLoader)""")
_INTERPOLATION = re.compile(r"\$\{")
_NUMBER = re.compile(r"[-+]?(?:\d[\d_]*)?\.?\d*(?:[eE][-+]?\d+)?")


def is_data_file(path: str) -> bool:
    return path.endswith(DATA_SUFFIXES)


def looks_like_data_config(data: bytes) -> bool:
    """From the bytes alone: albumentations' serialised form, or a `_target_` naming a transform library or
    torch's DataLoader. Two substring searches for the files that hold neither marker (nearly all)."""
    if b"__class_fullname__" in data:
        return True
    return b"_target_" in data and _LIBRARY_TARGET.search(data) is not None


def may_declare(path, data: bytes | None = None) -> bool:
    """Whether a YAML or JSON file is worth reading: small enough, and its text passes the screen."""
    import os

    try:
        if data is None:
            if os.stat(path).st_size > MAX_DATA_BYTES:
                return False
            with open(path, "rb") as handle:
                data = handle.read()
    except (OSError, ValueError):
        return False
    return len(data) <= MAX_DATA_BYTES and looks_like_data_config(data)


class _TooLarge(Exception):
    pass


def read_data_config(path: str, source: bytes) -> tuple[CfgNode, ...] | None:
    """The documents of a YAML or JSON file as `CfgNode` trees, or None when it does not parse."""
    try:
        text = source.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    try:
        if path.endswith(".json"):
            root = _JsonReader(path, text).document()
            return None if root is None else (root,)
        return _yaml_documents(path, text)
    except (_TooLarge, RecursionError, ValueError):
        return None


# YAML ------------------------------------------------------------------------------------------------------
def _yaml_documents(path: str, text: str) -> tuple[CfgNode, ...] | None:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        nodes = list(yaml.compose_all(text, Loader=loader))
    except yaml.YAMLError:
        return None
    converter = _YamlConverter(path, text.splitlines())
    documents = tuple(converter.node(node) for node in nodes if node is not None)
    if sum(converter.sizes.get(id(node), 1) for node in nodes if node is not None) > MAX_EXPANDED:
        raise _TooLarge  # aliases of aliases (a "billion laughs"): the later walks would visit every copy
    return documents


class _YamlConverter:
    def __init__(self, path: str, lines: list[str]) -> None:
        import yaml

        self.path = path
        self.lines = lines
        self.count = 0
        self.yaml = yaml
        self.constructor = yaml.constructor.SafeConstructor()
        self.done: dict[int, CfgNode] = {}  # an alias (`*pipeline`) is the same object as its anchor
        self.sizes: dict[int, int] = {}  # node → its size with every alias expanded

    def loc(self, node) -> Location:
        start, end = node.start_mark, node.end_mark
        end_line, end_column = end.line, end.column
        if end_column == 0 and end_line > start.line:
            # a block ends where the next token starts: end it after its own last line of text instead
            end_line -= 1
            while end_line > start.line and (not self.lines[end_line].strip() or
                                             self.lines[end_line].lstrip().startswith("#")):
                end_line -= 1
            end_column = len(self.lines[end_line].rstrip()) if end_line < len(self.lines) else 0
        return Location(self.path, start.line + 1, start.column + 1, end_line + 1, end_column + 1)

    def node(self, node) -> CfgNode:
        known = self.done.get(id(node))
        if known is not None:
            return known
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge
        yaml = self.yaml
        where = self.loc(node)
        if isinstance(node, yaml.MappingNode):
            items: dict[str, CfgNode] = {}
            for key, value in node.value:
                if key.tag == "tag:yaml.org,2002:merge":  # `<<: *defaults`
                    merged = self.node(value)
                    for part in (merged,) if merged.kind == "dict" else merged.items:
                        if part.kind == "dict":
                            for k, v in part.items:
                                items.setdefault(k, v)
                    continue
                if not isinstance(key, yaml.ScalarNode):
                    continue
                items[str(key.value)] = self.node(value)
            result = CfgNode("dict", where, items=tuple(items.items()))
            self.sizes[id(node)] = 1 + sum(self.sizes.get(id(v), 1) for _, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            result = CfgNode("list", where, items=tuple(self.node(item) for item in node.value))
            self.sizes[id(node)] = 1 + sum(self.sizes.get(id(v), 1) for v in node.value)
        else:
            result = self.scalar(node, where)
        self.done[id(node)] = result
        return result

    def scalar(self, node, where: Location) -> CfgNode:
        text = node.value
        if _INTERPOLATION.search(text):
            return CfgNode("unknown", where, text=text)  # an OmegaConf interpolation: known at run time only
        if node.tag == "tag:yaml.org,2002:str":
            if not node.style and _NUMBER.fullmatch(text) and any(c.isdigit() for c in text):
                try:  # OmegaConf reads `1e-3` as a float where YAML 1.1 reads a string
                    return CfgNode("const", where, const=float(text.replace("_", "")), text=text)
                except ValueError:
                    pass
            return CfgNode("const", where, const=text, text=repr(text))
        if not node.tag.startswith("tag:yaml.org,2002:"):
            return CfgNode("unknown", where, text=text)  # a custom tag
        try:
            value = self.constructor.construct_object(node)
        except Exception:  # noqa: BLE001 - a malformed scalar is unknown, whatever PyYAML raises
            return CfgNode("unknown", where, text=text)
        if value is None or isinstance(value, (bool, int, float, str)):
            return CfgNode("const", where, const=value, text=text)
        return CfgNode("unknown", where, text=text)


# JSON ------------------------------------------------------------------------------------------------------
_WS = re.compile(r"[ \t\n\r]*")
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_LITERALS = (("true", True), ("false", False), ("null", None), ("NaN", float("nan")),
             ("Infinity", float("inf")), ("-Infinity", float("-inf")))


class _JsonReader:
    """A JSON reader that keeps where each value is written: offsets, turned into lines and columns through
    the offsets of the line starts. Strings are decoded by the standard library's scanner."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.count = 0
        self.scan = json.decoder.scanstring

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def loc(self, start: int, end: int) -> Location:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Location(self.path, line, column, end_line, end_column)

    def skip(self, index: int) -> int:
        return _WS.match(self.text, index).end()

    def document(self) -> CfgNode | None:
        index = self.skip(0)
        if index >= len(self.text):
            return None
        node, index = self.value(index)
        if self.skip(index) != len(self.text):
            raise ValueError("extra data")
        return node

    def value(self, index: int) -> tuple[CfgNode, int]:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLarge
        text = self.text
        char = text[index:index + 1]
        if char == "{":
            items: dict[str, CfgNode] = {}
            start = index
            index = self.skip(index + 1)
            if text.startswith("}", index):
                return CfgNode("dict", self.loc(start, index + 1)), index + 1
            while True:
                if not text.startswith('"', index):
                    raise ValueError("expected a key")
                key, index = self.scan(text, index + 1)
                index = self.skip(index)
                if not text.startswith(":", index):
                    raise ValueError("expected ':'")
                node, index = self.value(self.skip(index + 1))
                items[key] = node
                index = self.skip(index)
                if text.startswith(",", index):
                    index = self.skip(index + 1)
                    continue
                if text.startswith("}", index):
                    return CfgNode("dict", self.loc(start, index + 1), items=tuple(items.items())), index + 1
                raise ValueError("expected ',' or '}'")
        if char == "[":
            parts: list[CfgNode] = []
            start = index
            index = self.skip(index + 1)
            if text.startswith("]", index):
                return CfgNode("list", self.loc(start, index + 1)), index + 1
            while True:
                node, index = self.value(index)
                parts.append(node)
                index = self.skip(index)
                if text.startswith(",", index):
                    index = self.skip(index + 1)
                    continue
                if text.startswith("]", index):
                    return CfgNode("list", self.loc(start, index + 1), items=tuple(parts)), index + 1
                raise ValueError("expected ',' or ']'")
        if char == '"':
            value, end = self.scan(text, index + 1)
            where = self.loc(index, end)
            if _INTERPOLATION.search(value):
                return CfgNode("unknown", where, text=value), end
            return CfgNode("const", where, const=value, text=repr(value)), end
        found = _JSON_NUMBER.match(text, index)
        if found is not None:
            raw = found.group()
            number = float(raw) if found.group(1) or found.group(2) else int(raw)
            return CfgNode("const", self.loc(index, found.end()), const=number, text=raw), found.end()
        for word, constant in _LITERALS:
            if text.startswith(word, index):
                end = index + len(word)
                return CfgNode("const", self.loc(index, end), const=constant, text=word), end
        raise ValueError("unexpected character")
