"""OpenMMLab-style configuration files (mmengine / mmcv `Config`): pipelines and loaders written as data,
`train_pipeline = [dict(type='RandomFlip', prob=0.5), …]`, `val_dataloader = dict(sampler=dict(…), …)`.

A cheap text test (`looks_like_config`) picks the candidates from their bytes, like the prefilter; then
CPython's parser reads the module-level assignments into plain data (`ConfigFile`, `CfgNode`), evaluated the
way the file would build them: names defined earlier in the file are substituted, `dict(a, k=v)`,
`{**a, 'k': v}`, `dict(type='Normalize', **img_norm_cfg)`, list concatenation, `copy.deepcopy(x)`, a
constant's arithmetic, `x[0]` / `x['k']`. A name the file does not define and `_base_.x` / `{{_base_.x}}`
are references to the base configuration, resolved in the project stage (relate/mmconfig.py), where the
`_base_` chain is merged. Nothing is run or imported.

Precision first: a variable changed in place (`train_pipeline[2]['scale'] = …`, `x.pop(…)`) becomes unknown,
and so does every variable holding it (`train_dataloader` after `pipeline=train_pipeline`); a module-level
loop or condition, or a change of the base configuration (`_base_.x.y = …`), makes the file opaque: nothing
of it is read. It lives here, with the other readers of raw text, because both the extraction (for the files it
screens in) and the project stage (for base files nothing else extracted) read configurations.
"""

from __future__ import annotations

import ast
import re

from evalparity.facts import CfgNode, ConfigFile, Location

# a module-level variable an OpenMMLab configuration defines for pipelines and loaders
_CONFIG_NAME = re.compile(rb"^(?:\w*_pipeline|\w*_dataloader|data|data_preprocessor|img_norm_cfg)\s*=", re.M)
_TYPE_DICT = re.compile(rb"dict\(\s*type\s*=")
_BASE = re.compile(rb"^_base_\s*=", re.M)
_TOP_DICT = re.compile(rb"^\w+\s*=\s*dict\(", re.M)
PLAIN_CALLS = frozenset({"dict", "copy.deepcopy", "deepcopy", "copy.copy", "list", "tuple", "round", "int", "float",
                         "str", "len", "range", "min", "max", "abs", "sum", "zip", "enumerate", "print"})
CONFIG_NAMES = ("_pipeline", "_dataloader")
OPENMMLAB_PACKAGES = ("mmcv", "mmengine", "mmdet", "mmpretrain", "mmcls", "mmseg", "mmpose", "mmyolo", "mmrotate",
                      "mmocr", "mmaction", "mmtrack", "mmdet3d", "mmselfsup", "mmedit", "mmagic", "mmfewshot")
MUTATORS = frozenset({"append", "insert", "extend", "pop", "remove", "clear", "update", "setdefault", "__setitem__"})
MAX_NODES = 20000


def looks_like_config(data: bytes) -> bool:
    """From the bytes alone: a `_base_ = …` line, a new-style `read_base()`, or `dict(type=…)` entries under
    a module-level pipeline, loader, `data = dict(` or any `name = dict(` (a model or schedule file that
    configurations name as their base: read once and cached, not on every run)."""
    if _BASE.search(data) is not None or b"read_base()" in data:
        return True
    return _TYPE_DICT.search(data) is not None and (_CONFIG_NAME.search(data) is not None or
                                                    _TOP_DICT.search(data) is not None)


class _Opaque(Exception):
    pass


class _Reader:
    def __init__(self, path: str, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        self.env: dict[str, CfgNode] = {}
        self.order: list[str] = []
        self.holders: dict[str, set[str]] = {}  # variable → the variables whose values hold it (share its object)
        self.current: str | None = None  # the variable being assigned
        self.imports: dict[str, str] = {}  # new-style configs: name → import path of a class
        self.bases: list[str] = []
        self.has_bases = False
        self.count = 0
        self.code = False

    def loc(self, node: ast.AST) -> Location:
        line, column = node.lineno, node.col_offset
        end_line = getattr(node, "end_lineno", None) or line
        end_column = getattr(node, "end_col_offset", None)
        end_column = column if end_column is None else end_column
        return Location(self.path, line, self._char(line, column) + 1, end_line, self._char(end_line, end_column) + 1)

    def _char(self, line: int, offset: int) -> int:
        """ast's columns count UTF-8 bytes; findings count characters."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if text.isascii():
            return offset
        return len(text.encode("utf-8")[:offset].decode("utf-8", "ignore"))

    def text(self, node: ast.AST) -> str:
        """The node's source text, sliced from the lines (ast.unparse costs ten times more), on one line."""
        line, end_line = node.lineno, getattr(node, "end_lineno", None) or node.lineno
        start, end = node.col_offset, getattr(node, "end_col_offset", None)
        if not 0 < line <= end_line <= len(self.lines) or end is None or end_line - line > 20:
            return "…"
        if line == end_line:
            raw = self.lines[line - 1].encode("utf-8")[start:end]
        else:
            parts = [self.lines[line - 1].encode("utf-8")[start:]]
            parts += [text.encode("utf-8") for text in self.lines[line:end_line - 1]]
            parts.append(self.lines[end_line - 1].encode("utf-8")[:end])
            raw = b" ".join(part.strip() for part in parts)
        text = " ".join(raw.decode("utf-8", "replace").split())
        return text if len(text) <= 200 else text[:199] + "…"

    # expressions ------------------------------------------------------------------------------------
    def value(self, node: ast.expr) -> CfgNode:
        self.count += 1
        if self.count > MAX_NODES:
            raise _Opaque("too large")
        where = self.loc(node)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, (str, int, float, bool)) or node.value is None:
                return CfgNode("const", where, const=node.value, text=repr(node.value))
            return CfgNode("unknown", where, text=self.text(node))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = self.value(node.operand)
            if inner.kind == "const" and isinstance(inner.const, (int, float)) and not isinstance(inner.const, bool):
                return CfgNode("const", where, const=-inner.const, text=self.text(node))
            return CfgNode("unknown", where, text=self.text(node))
        if isinstance(node, (ast.List, ast.Tuple)):
            parts = []
            for element in node.elts:
                if not isinstance(element, ast.Starred):
                    parts.append(self.value(element))
                    continue
                spread = self.value(element.value)  # `[*pre_transform, dict(type='Mosaic')]` (mmyolo)
                if spread.kind != "list":
                    return CfgNode("unknown", where, text=self.text(node))
                parts.extend(spread.items)
            items = tuple(parts)
            return CfgNode("list", where, items=items, text=self.text(node), refs=_has_refs(items))
        if isinstance(node, ast.Dict):
            items: dict[str, CfgNode] = {}
            delete = False
            for key, val in zip(node.keys, node.values):
                if key is None:
                    spread = self.value(val)
                    if spread.kind != "dict":
                        return CfgNode("unknown", where, text=self.text(node))
                    items.update(spread.items)
                    continue
                if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                    return CfgNode("unknown", where, text=self.text(node))
                if key.value == "_delete_":
                    delete = _true(val)
                    continue
                items[key.value] = self.value(val)
            return CfgNode("dict", where, items=tuple(items.items()), delete=delete, refs=_has_refs(items.values()))
        if isinstance(node, ast.Set) and len(node.elts) == 1 and isinstance(node.elts[0], ast.Set) \
                and len(node.elts[0].elts) == 1:
            # `{{_base_.train_pipeline}}`: mmengine's text substitution of a base variable
            dotted = _dotted(node.elts[0].elts[0])
            if dotted and dotted.startswith("_base_."):
                return CfgNode("ref", where, text=dotted[len("_base_."):])
            return CfgNode("unknown", where, text=self.text(node))
        if isinstance(node, ast.Name):
            if node.id in self.env:
                if self.current is not None and self.current != node.id:
                    self.holders.setdefault(node.id, set()).add(self.current)
                return self.env[node.id]
            if node.id in self.imports:
                return CfgNode("cls", where, text=self.imports[node.id])
            if self.has_bases:
                return CfgNode("ref", where, text=node.id)
            return CfgNode("unknown", where, text=node.id)
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if dotted and dotted.startswith("_base_."):
                return CfgNode("ref", where, text=dotted[len("_base_."):])
            if dotted and dotted.partition(".")[0] in self.imports:
                head, _, rest = dotted.partition(".")
                return CfgNode("cls", where, text=f"{self.imports[head]}.{rest}")
            return CfgNode("unknown", where, text=self.text(node))
        if isinstance(node, ast.Call):
            return self.call(node, where)
        if isinstance(node, ast.BinOp):
            return self.binop(node, where)
        if isinstance(node, ast.Subscript):
            return self.subscript(node, where)
        return CfgNode("unknown", where, text=self.text(node))

    def call(self, node: ast.Call, where: Location) -> CfgNode:
        name = _dotted(node.func) or ""
        if name == "dict":
            items: dict[str, CfgNode] = {}
            for arg in node.args:
                base = self.value(arg)
                if base.kind != "dict" or len(node.args) > 1:
                    return CfgNode("unknown", where, text=self.text(node))
                items.update(base.items)
            delete = False
            for keyword in node.keywords:
                if keyword.arg is None:
                    spread = self.value(keyword.value)
                    if spread.kind != "dict":
                        return CfgNode("unknown", where, text=self.text(node))
                    items.update(spread.items)
                elif keyword.arg == "_delete_":
                    delete = _true(keyword.value)
                else:
                    items[keyword.arg] = self.value(keyword.value)
            return CfgNode("dict", where, items=tuple(items.items()), delete=delete, refs=_has_refs(items.values()))
        if name in ("copy.deepcopy", "deepcopy", "copy.copy", "list", "tuple") and len(node.args) == 1 \
                and not node.keywords:
            inner = self.value(node.args[0])
            if name in ("list", "tuple") and inner.kind != "list":
                return CfgNode("unknown", where, text=self.text(node))
            return inner
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("copy", "deepcopy") and not node.args:
            return self.value(node.func.value)
        if name not in PLAIN_CALLS and not (isinstance(node.func, ast.Attribute) and node.func.attr in MUTATORS):
            self.code = True  # `T.Compose([...])`: Python a configuration does not write; read as code too
        return CfgNode("unknown", where, text=self.text(node))

    def binop(self, node: ast.BinOp, where: Location) -> CfgNode:
        left, right = self.value(node.left), self.value(node.right)
        if isinstance(node.op, ast.Add) and left.kind == "list" and right.kind == "list":
            return CfgNode("list", where, items=left.items + right.items, text=self.text(node),
                           refs=left.refs or right.refs)
        if left.kind == "const" and right.kind == "const" and _number(left.const) and _number(right.const):
            op = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
                  ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b}.get(type(node.op))
            try:
                if op is not None:
                    return CfgNode("const", where, const=op(left.const, right.const), text=self.text(node))
            except (ZeroDivisionError, OverflowError):
                pass
        return CfgNode("unknown", where, text=self.text(node))

    def subscript(self, node: ast.Subscript, where: Location) -> CfgNode:
        container, index = self.value(node.value), node.slice
        if container.kind == "list" and isinstance(index, ast.Constant) and isinstance(index.value, int) \
                and not isinstance(index.value, bool) and -len(container.items) <= index.value < len(container.items):
            return container.items[index.value]
        if container.kind == "dict" and isinstance(index, ast.Constant) and isinstance(index.value, str):
            found = dict(container.items).get(index.value)
            if found is not None:
                return found
        if container.kind == "ref" and isinstance(index, ast.Constant) and isinstance(index.value, str):
            return CfgNode("ref", where, text=f"{container.text}.{index.value}")
        return CfgNode("unknown", where, text=self.text(node))

    # statements -------------------------------------------------------------------------------------
    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign):
            if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                if name == "_base_":
                    self.bases.extend(_strings(node.value))
                    return
                self.current = name
                try:
                    self._bind(name, self.value(node.value))
                finally:
                    self.current = None
                return
            for target in node.targets:
                self._mutated(target)
            return
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            self._bind(node.target.id, self.value(node.value))
            return
        if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            self._mutated(node.target)
            return
        if isinstance(node, ast.Expr):
            if isinstance(node.value, ast.Constant):
                return  # a docstring
            call = node.value
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
                self._method(call)
                return
            if isinstance(call, ast.Call):
                return  # a call for its side effects on nothing of the configuration (`print`)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            self._import(node)
            return
        if isinstance(node, ast.With) and any(_dotted(item.context_expr.func if isinstance(item.context_expr, ast.Call)
                                                      else item.context_expr) == "read_base" for item in node.items):
            for inner in node.body:
                if isinstance(inner, ast.ImportFrom):
                    self._base_import(inner)
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Pass)):
            return
        if isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.env.pop(target.id, None)
                else:
                    self._mutated(target)
            return
        raise _Opaque(f"a module-level `{type(node).__name__.lower()}` statement")

    def _bind(self, name: str, value: CfgNode) -> None:
        if name not in self.env:
            self.order.append(name)
        self.env[name] = value

    def _root(self, target: ast.AST) -> str | None:
        while isinstance(target, (ast.Subscript, ast.Attribute)):
            target = target.value
        return target.id if isinstance(target, ast.Name) else None

    def _mutated(self, target: ast.AST) -> None:
        """`x['k'] = v`, `x[0] = v`, `x.k = v`, `x.pop(…)`: `x` becomes unknown, and so does every variable that
        holds it (they share its object); a change of the base configuration (`_base_.x.y = v`) or of a name
        the file does not define makes the whole file opaque."""
        root = self._root(target)
        if root is None or root not in self.env:
            raise _Opaque(f"`{self.text(target)}` is changed in place")
        self._invalidate(root, target)

    def _invalidate(self, name: str, where: ast.AST, seen: set | None = None) -> None:
        seen = set() if seen is None else seen
        if name in seen or name not in self.env:
            return
        seen.add(name)
        self.env[name] = CfgNode("unknown", self.loc(where), text=f"{name} (changed in place)")
        for holder in self.holders.get(name, ()):
            self._invalidate(holder, where, seen)

    def _method(self, call: ast.Call) -> None:
        root = self._root(call.func.value)
        if call.func.attr not in MUTATORS or root is None:
            return
        if root not in self.env:
            if root == "_base_":
                raise _Opaque(f"`{self.text(call)}` changes the base configuration")
            return  # a method of something that is not a configuration value (an import)
        target = self.env[root]
        if call.func.attr == "update" and isinstance(call.func.value, ast.Name) and not self.holders.get(root) and \
                target.kind == "dict" and len(call.args) <= 1:
            # new-style configs: `train_dataloader.update(batch_size=8)` merges like a child configuration
            parts = [self.value(a) for a in call.args]
            parts.append(self.value(ast.Call(func=ast.Name("dict", ctx=ast.Load()), args=[], keywords=call.keywords,
                                             lineno=call.lineno, col_offset=call.col_offset,
                                             end_lineno=call.end_lineno, end_col_offset=call.end_col_offset)))
            merged = target
            for part in parts:
                if part.kind != "dict":
                    self._invalidate(root, call)
                    return
                merged = merge(merged, part)
            self.env[root] = merged
            return
        self._invalidate(root, call)

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name != "*":
                    self.imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                self.imports[alias.asname or alias.name.partition(".")[0]] = \
                    alias.name if alias.asname else alias.name.partition(".")[0]

    def _base_import(self, node: ast.ImportFrom) -> None:
        """`from .._base_.datasets.coco import *` inside `with read_base():` → `../_base_/datasets/coco.py`."""
        self.has_bases = True
        if not node.level or not node.module:
            self.bases.append(f"<package {node.module}>")  # a base in an installed package: not followed
            return
        prefix = "./" if node.level == 1 else "../" * (node.level - 1)
        self.bases.append(prefix + node.module.replace(".", "/") + ".py")


def _has_refs(items) -> bool:
    return any(item.kind == "ref" or item.refs for item in items)


def _true(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _strings(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def merge(base: CfgNode | None, child: CfgNode) -> CfgNode:
    """mmengine's merge of a child's value into its base's: dicts key by key (recursively), unless the
    child says `_delete_=True`; anything else (a list included) replaces."""
    if base is None or child.kind != "dict" or base.kind != "dict" or child.delete:
        return child if not child.delete else CfgNode(child.kind, child.location, child.items, child.const,
                                                       child.text, refs=child.refs)
    items = dict(base.items)
    for key, value in child.items:
        items[key] = merge(items.get(key), value)
    return CfgNode("dict", child.location, tuple(items.items()), refs=_has_refs(items.values()))


def _shaped_like_config(tree: ast.Module) -> bool:
    """No class; bases, or a pipeline, loader or `data` variable, or else nothing but assignments, imports
    and docstrings (a model or schedule file that configurations name as their base)."""
    names = set()
    plain = True
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            return False
        if isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.With):
            names.add("_base_")
        elif not isinstance(node, (ast.Import, ast.ImportFrom, ast.Expr)) or \
                (isinstance(node, ast.Expr) and not isinstance(node.value, ast.Constant)):
            plain = False
    return "_base_" in names or "data" in names or any(n.endswith(CONFIG_NAMES) for n in names) or \
        (plain and bool(names))


def read_config(path: str, source: bytes | str, base: bool = False) -> ConfigFile | None:
    """The configuration a file declares, or None when it is not one (or does not parse). `base`: the file is
    named by another configuration's `_base_`, so any module-level assignments make it one
    (`default_runtime.py` with `default_scope = 'mmdet'` only)."""
    try:
        tree = compile(source, "<config>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, UnicodeDecodeError, MemoryError, RecursionError):
        return None
    if not (_shaped_like_config(tree) or (base and not any(isinstance(n, ast.ClassDef) for n in tree.body))):
        return None
    text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
    reader = _Reader(path, text.splitlines())
    reader.has_bases = any(isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_base_"
                                                             for t in n.targets) for n in tree.body) or \
        any(isinstance(n, ast.With) for n in tree.body)
    first = Location(path, 1, 1, 1, 1)
    lazy = any(isinstance(n, ast.With) for n in tree.body)
    try:
        for node in tree.body:
            reader.statement(node)
    except _Opaque as why:
        return ConfigFile(tuple(reader.bases), (), opaque=str(why), lazy=lazy, location=first)
    except RecursionError:
        return ConfigFile(tuple(reader.bases), (), opaque="nested too deeply", lazy=lazy, location=first)
    variables = tuple((name, reader.env[name]) for name in reader.order if name in reader.env
                      and not name.startswith("__"))
    code = reader.code or any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) for n in tree.body)
    return ConfigFile(tuple(reader.bases), variables, lazy=lazy, location=first, code=code)
