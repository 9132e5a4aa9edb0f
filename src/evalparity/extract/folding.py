"""Static value of an expression (architecture.md, "Resolving names and values")."""

from __future__ import annotations

import ast
import operator
from typing import Callable

import libcst as cst

from evalparity.extract.scopes import IMPORT, Scope, qualified_name, single_value
from evalparity.facts import Array, Location, Value
from evalparity.vocabulary.values import const, format_const, unknown

MAX_DEPTH = 8
ARRAY_CALLS = {
    "torch.tensor", "torch.Tensor", "torch.as_tensor", "torch.FloatTensor", "numpy.array", "numpy.asarray",
    "numpy.float32", "builtins.list", "builtins.tuple",
}
BUILTIN_WRAPPERS = {"list", "tuple"}
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


def scope_of(binding, fallback: Scope) -> Scope:
    """Values are folded in the scope where they were assigned; bindings remember theirs."""
    return getattr(binding, "scope", None) or fallback
