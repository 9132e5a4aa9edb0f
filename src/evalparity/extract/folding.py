"""Static value of an expression (architecture.md, "Resolving names and values")."""

from __future__ import annotations

import ast
import operator
from typing import Callable

import libcst as cst

from evalparity.extract.scopes import IMPORT, Scope, dotted, qualified_name, single_value
from evalparity.facts import Array, Location, Value
from evalparity.vocabulary.values import NAMESPACE_NAMES, config_key, config_part, const, format_const, unknown

MAX_DEPTH = 8
ARRAY_CALLS = {
    "torch.tensor", "torch.Tensor", "torch.as_tensor", "torch.FloatTensor", "numpy.array", "numpy.asarray",
    "numpy.float32", "builtins.list", "builtins.tuple",
}
BUILTIN_WRAPPERS = {"list", "tuple"}
# configuration files read into a mapping: the stream (or path) is the first argument
DATA_LOADS = {"yaml.safe_load": "yaml", "yaml.load": "yaml", "yaml.full_load": "yaml", "yaml.unsafe_load": "yaml",
              "json.load": "json"}
PATH_LOADS = {"omegaconf.OmegaConf.load": "yaml"}
OPENERS = {"open", "io.open", "codecs.open"}
# attribute-style views of a mapping: `EasyDict(yaml.safe_load(f))` reads `cfg.VAL.BATCH_SIZE` as `cfg['VAL'][…]`
MAPPING_WRAPPERS = {"EasyDict", "edict", "Munch", "munchify", "DotMap", "AttrDict", "Box", "ConfigDict", "Dict",
                    "dict", "OmegaConf.create"}
PARSE_METHODS = {"parse_args", "parse_known_args"}
OPS: dict[type, Callable] = {
    cst.Add: operator.add, cst.Subtract: operator.sub, cst.Multiply: operator.mul,
    cst.Divide: operator.truediv, cst.FloorDivide: operator.floordiv, cst.Power: operator.pow,
}


def _elementwise(op: Callable, left, right):
    if isinstance(left, tuple) and isinstance(right, tuple):
        if len(left) != len(right):
            raise ValueError("shape")
        return Array(op(a, b) for a, b in zip(left, right))
    if isinstance(left, tuple):
        return Array(op(a, right) for a in left)
    return Array(op(left, b) for b in right)


def apply(op_node: cst.BaseBinaryOp, left, right):
    op = OPS.get(type(op_node))
    if op is None:
        raise ValueError("operator")
    if isinstance(left, Array) or isinstance(right, Array):
        return _elementwise(op, left, right)
    if isinstance(left, tuple) and isinstance(right, int) and isinstance(op_node, cst.Multiply):
        return tuple(left) * right
    if isinstance(left, tuple) and isinstance(right, tuple) and isinstance(op_node, cst.Add):
        return tuple(left) + tuple(right)
    if isinstance(left, tuple) or isinstance(right, tuple):
        if isinstance(op_node, (cst.Divide, cst.Multiply, cst.Subtract)):
            return _elementwise(op, left, right)
        raise ValueError("operator")
    if isinstance(left, bool) or isinstance(right, bool):
        raise ValueError("bool")
    return op(left, right)


class Folder:
    """Folds expressions of one file; `text` and `loc` come from the extractor."""

    def __init__(self, text: Callable[[cst.CSTNode], str], loc: Callable[[cst.CSTNode], Location],
                 library_constant: Callable[[str], tuple[float, ...] | None]) -> None:
        self.text = text
        self.loc = loc
        self.library_constant = library_constant

    def fold(self, expr: cst.BaseExpression, scope: Scope, env: dict | None = None, depth: int = 0) -> Value:
        if depth > MAX_DEPTH:
            return unknown(self.text(expr))
        try:
            return self._fold(expr, scope, env or {}, depth)
        except (ValueError, TypeError, ZeroDivisionError, OverflowError, ArithmeticError, SyntaxError):
            return unknown(self.text(expr))

    def _fold(self, expr, scope, env, depth) -> Value:
        text = self.text(expr)
        if isinstance(expr, (cst.Integer, cst.Float)):
            return const(ast.literal_eval(expr.value), expr.value)
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            value = expr.evaluated_value
            return const(value) if isinstance(value, str) else unknown(text)
        if isinstance(expr, (cst.Tuple, cst.List)):
            return self._sequence(expr, [e.value for e in expr.elements], scope, env, depth,
                                  any(isinstance(e, cst.StarredElement) for e in expr.elements))
        if isinstance(expr, cst.UnaryOperation):
            inner = self.fold(expr.expression, scope, env, depth + 1)
            if inner.is_const and isinstance(expr.operator, (cst.Minus, cst.Plus)):
                sign = -1 if isinstance(expr.operator, cst.Minus) else 1
                raw = inner.const
                folded = type(raw)(sign * v for v in raw) if isinstance(raw, tuple) else sign * raw
                return const(folded, text)
            return self._opaque(inner, text)
        if isinstance(expr, cst.BinaryOperation):
            left = self.fold(expr.left, scope, env, depth + 1)
            right = self.fold(expr.right, scope, env, depth + 1)
            if left.is_const and right.is_const:
                return const(apply(expr.operator, left.const, right.const), text)
            return self._opaque(left if not left.is_const else right, text)
        if isinstance(expr, cst.Name):
            return self._name(expr, scope, env, depth)
        if isinstance(expr, (cst.Attribute, cst.Subscript)):
            read = self._config_read(expr, scope, env, depth)
            if read is not None:
                return read
        if isinstance(expr, cst.Attribute):
            qualname = qualified_name(scope, expr)
            known = self.library_constant(qualname) if qualname else None
            if known is not None:
                return const(known, text)
            if qualname and not qualname.startswith(("torch.", "numpy.", "math.")):
                return Value("ref", key=qualname, text=text)
            return unknown(text)
        if isinstance(expr, cst.Call):
            return self._call(expr, scope, env, depth)
        if isinstance(expr, (cst.ListComp, cst.GeneratorExp)):
            return self._comprehension(expr, scope, env, depth)
        return unknown(text)

    @staticmethod
    def _opaque(part: Value, text: str) -> Value:
        if part.kind == "symbol":
            return Value("symbol", key=f"{part.key}|{text}", text=text, origin=part.origin)
        return unknown(text)

    def _sequence(self, expr, items, scope, env, depth, starred) -> Value:
        if starred:
            return unknown(self.text(expr))
        values = [self.fold(item, scope, env, depth + 1) for item in items]
        if all(v.is_const for v in values):
            return const(tuple(v.const for v in values), self.text(expr))
        symbols = [v for v in values if v.kind == "symbol"]
        if symbols and all(v.kind in ("symbol", "const") for v in values):
            key = "(" + ",".join(v.key if not v.is_const else format_const(v.const) for v in values) + ")"
            return Value("symbol", key=key, text=self.text(expr), origin=symbols[0].origin)
        return unknown(self.text(expr))

    def _name(self, expr: cst.Name, scope: Scope, env: dict, depth: int) -> Value:
        name = expr.value
        if name in env:
            return env[name]
        if name in ("True", "False", "None") and scope.lookup(name) is None:
            return const({"True": True, "False": False, "None": None}[name], name)
        binding, ok = single_value(scope, name)
        if ok:
            value = self.fold(binding.value, scope_of(binding, scope), {}, depth + 1)
            if value.kind == "unknown" and isinstance(binding.value, (cst.Call, cst.BinaryOperation, cst.Subscript)):
                origin = self.loc(binding.node)
                return Value("symbol", key=f"{origin.path}:{origin.line}:{origin.column}:{name}", text=name,
                             origin=origin)
            if value.is_const:
                return Value("const", const=value.const, text=name, origin=self.loc(binding.node))
            return value
        bindings = scope.lookup(name) or []
        if bindings and all(b.kind == IMPORT for b in bindings):
            qualname = qualified_name(scope, expr)
            known = self.library_constant(qualname) if qualname else None
            if known is not None:
                return const(known, name)
            if qualname:
                return Value("ref", key=qualname, text=name)
        return unknown(name)

    def _call(self, expr: cst.Call, scope: Scope, env: dict, depth: int) -> Value:
        qualname = qualified_name(scope, expr.func)
        name = expr.func.value if isinstance(expr.func, cst.Name) else None
        wraps = qualname in ARRAY_CALLS or (qualname is None and name in BUILTIN_WRAPPERS and
                                            scope.lookup(name) is None)
        if wraps and len(expr.args) >= 1 and expr.args[0].keyword is None and not expr.args[0].star:
            inner = self.fold(expr.args[0].value, scope, env, depth + 1)
            if inner.is_const and isinstance(inner.const, tuple):
                raw = Array(inner.const) if qualname and not qualname.startswith("builtins") else tuple(inner.const)
                return const(raw, self.text(expr))
            return inner
        return unknown(self.text(expr))

    def _comprehension(self, expr, scope, env, depth) -> Value:
        comp = expr.for_in
        if comp.inner_for_in is not None or comp.ifs or not isinstance(comp.target, cst.Name):
            return unknown(self.text(expr))
        source = self.fold(comp.iter, scope, env, depth + 1)
        if not (source.is_const and isinstance(source.const, tuple)):
            return unknown(self.text(expr))
        results = []
        for item in source.const:
            value = self.fold(expr.elt, scope, {**env, comp.target.value: const(item)}, depth + 1)
            if not value.is_const:
                return unknown(self.text(expr))
            results.append(value.const)
        return const(tuple(results), self.text(expr))


    # configuration reads ---------------------------------------------------------------------------
    def _config_read(self, expr, scope: Scope, env: dict, depth: int) -> Value | None:
        """A literal-keyed read of configuration, left for the project stage to resolve (`config` Value):
        `args.bs` on the result of `parser.parse_args()`, or on a parameter or attribute named like a
        namespace (`args`, `opt`, `self.args`); `cfg['val']['bs']` / `cfg.VAL.BS` on what `yaml.safe_load`
        or `json.load` read from a file named by a literal path (through `EasyDict(…)` and the like); an
        item of an imported module's mapping (`C['val']`, a `ref`). None: not such a read."""
        chain = _chain(expr)
        if chain is None:
            return None
        root, keys = chain
        if not keys or not all(config_part(k) for k in keys):
            return None
        text = self.text(expr)
        if not isinstance(root, cst.Name) or root.value in env:
            return None
        name = root.value
        if name == "self":  # `self.args.bs`, `self.hparams.batch_size`
            if len(keys) == 2 and keys[0] in NAMESPACE_NAMES and isinstance(expr, cst.Attribute):
                return Value("config", key=config_key("argparse", "any", (keys[1],)), text=text)
            return None
        bindings = scope.lookup(name)
        if not bindings:
            return None
        if all(b.kind == IMPORT for b in bindings):
            if isinstance(expr, cst.Attribute) or any("." in k or not k.isidentifier() for k in keys):
                return None  # attributes of imports: folded as `ref` below
            qualname = qualified_name(scope, root)
            return Value("ref", key=f"{qualname}.{'.'.join(keys)}", text=text) if qualname else None
        binding, ok = single_value(scope, name)
        if ok:
            source = self._source(binding.value, scope_of(binding, scope), depth)
            if source is not None:
                kind, where = source
                if kind == "argparse" and (len(keys) != 1 or not isinstance(expr, cst.Attribute)):
                    return None
                return Value("config", key=config_key(kind, where, tuple(keys)), text=text,
                             origin=self.loc(binding.node))
            parsed = isinstance(binding.value, cst.Call) and isinstance(binding.value.func, cst.Attribute) and \
                binding.value.func.attr.value in PARSE_METHODS  # from a list written in the code
            if isinstance(binding.value, cst.Call) and not parsed and name in NAMESPACE_NAMES and len(keys) == 1 \
                    and isinstance(expr, cst.Attribute):  # `args = get_args()`, `opt = TrainOptions().parse()`
                return Value("config", key=config_key("argparse", "any", tuple(keys)), text=text)
            return None
        parameter = len(bindings) == 1 and isinstance(bindings[0].node, cst.Param)
        if parameter and name in NAMESPACE_NAMES and len(keys) == 1 and isinstance(expr, cst.Attribute):
            return Value("config", key=config_key("argparse", "any", tuple(keys)), text=text)
        return None

    def _source(self, value, scope: Scope, depth: int) -> tuple[str, str] | None:
        """What a configuration object was made from: ("argparse", "local") for `parser.parse_args()`,
        (kind, literal path) for a data file read by a literal path; None for anything else."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(value, cst.Subscript) and isinstance(value.value, cst.Call):  # `parse_known_args()[0]`
            found = self._source(value.value, scope, depth + 1)
            return found if found is not None and found[0] == "argparse" else None
        if not isinstance(value, cst.Call):
            return None
        func = value.func
        if isinstance(func, cst.Attribute) and func.attr.value in PARSE_METHODS:
            if all(a.keyword is None and self.text(a.value) in ("sys.argv[1:]", "None") for a in value.args):
                return "argparse", "local"
            return None  # parsed from a list written in the code, or into a namespace given
        qualname = qualified_name(scope, func) or ""
        positional = [a for a in value.args if a.keyword is None and not a.star]
        if qualname in DATA_LOADS and positional:
            path = self._opened(positional[0].value, scope, depth + 1)
            return (DATA_LOADS[qualname], path) if path is not None else None
        if qualname in PATH_LOADS and positional:
            path = self.fold(positional[0].value, scope, {}, depth + 1)
            return (PATH_LOADS[qualname], path.const) if path.is_const and isinstance(path.const, str) else None
        name = dotted(func) or ""
        short = name.rpartition(".")[2]
        if (short in MAPPING_WRAPPERS or name in MAPPING_WRAPPERS) and len(value.args) == 1 and positional:
            found = self._source(positional[0].value, scope, depth + 1)
            return found if found is not None and found[0] != "argparse" else None
        return None

    def _opened(self, stream, scope: Scope, depth: int) -> str | None:
        """The literal path a stream was opened from: `open('configs/x.yaml')`, or the name bound to it
        (`with open(path) as f:` with `path` a constant)."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(stream, cst.Name):
            bindings = scope.lookup(stream.value) or []
            if len(bindings) == 1 and bindings[0].value is not None:
                return self._opened(bindings[0].value, scope_of(bindings[0], scope), depth + 1)
            return None
        if not isinstance(stream, cst.Call) or not stream.args or stream.args[0].keyword is not None:
            return None
        name = dotted(stream.func) or ""
        if name not in OPENERS or (name == "open" and scope.lookup("open") is not None):
            if (qualified_name(scope, stream.func) or "") not in OPENERS:
                return None
        path = self.fold(stream.args[0].value, scope, {}, depth + 1)
        return path.const if path.is_const and isinstance(path.const, str) else None


def _chain(expr) -> tuple[cst.BaseExpression, list[str]] | None:
    """`cfg['val'].BATCH_SIZE` → (cfg, ['val', 'BATCH_SIZE']); None when an item is not a string literal."""
    keys = []
    while isinstance(expr, (cst.Attribute, cst.Subscript)):
        if isinstance(expr, cst.Attribute):
            keys.append(expr.attr.value)
        else:
            if len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
                return None
            index = expr.slice[0].slice.value
            if not isinstance(index, cst.SimpleString):
                return None
            key = index.evaluated_value
            if not isinstance(key, str):
                return None
            keys.append(key)
        expr = expr.value
    keys.reverse()
    return expr, keys


def scope_of(binding, fallback: Scope) -> Scope:
    """Values are folded in the scope where they were assigned; bindings remember theirs."""
    return getattr(binding, "scope", None) or fallback
