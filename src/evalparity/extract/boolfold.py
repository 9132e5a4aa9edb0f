"""Static value of the expressions loader settings are written with: comparisons, `not`, `and`/`or`,
`x if c else y`, `is None` — on top of folding.Folder, which handles literals and names."""

from __future__ import annotations

import operator

import libcst as cst

from evalparity.extract.folding import Folder
from evalparity.extract.scopes import Scope
from evalparity.extract.walk import walk
from evalparity.facts import Value
from evalparity.vocabulary.values import const, unknown

_COMPARE = {
    cst.Equal: operator.eq, cst.NotEqual: operator.ne, cst.Is: operator.is_, cst.IsNot: operator.is_not,
    cst.LessThan: operator.lt, cst.GreaterThan: operator.gt, cst.LessThanEqual: operator.le,
    cst.GreaterThanEqual: operator.ge,
}


class BoolFolder:
    def __init__(self, folder: Folder, text) -> None:
        self.folder = folder
        self.text = text

    def fold(self, expr: cst.BaseExpression, scope: Scope, env: dict | None = None) -> Value:
        env = env or {}
        try:
            return self._fold(expr, scope, env, 0)
        except (TypeError, ValueError):
            return unknown(self.text(expr))

    def _fold(self, expr, scope, env, depth) -> Value:
        if depth > 8:
            return unknown(self.text(expr))
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Not):
            inner = self._fold(expr.expression, scope, env, depth + 1)
            return const(not inner.const, self.text(expr)) if inner.is_const else unknown(self.text(expr))
        if isinstance(expr, cst.BooleanOperation):
            left = self._fold(expr.left, scope, env, depth + 1)
            is_and = isinstance(expr.operator, cst.And)
            if left.is_const and bool(left.const) != is_and:
                return left  # short circuit: `False and x`, `True or x`
            right = self._fold(expr.right, scope, env, depth + 1)
            if left.is_const:
                return right
            if right.is_const and bool(right.const) != is_and and isinstance(right.const, bool):
                return right  # `x and False` is falsy whatever x is; `x or True` truthy
            return unknown(self.text(expr))
        if isinstance(expr, cst.IfExp):
            test = self._fold(expr.test, scope, env, depth + 1)
            if test.is_const:
                return self._fold(expr.body if test.const else expr.orelse, scope, env, depth + 1)
            body = self._fold(expr.body, scope, env, depth + 1)
            orelse = self._fold(expr.orelse, scope, env, depth + 1)
            if body.is_const and orelse.is_const and body.const == orelse.const and \
                    type(body.const) is type(orelse.const):
                return const(body.const, self.text(expr))
            return unknown(self.text(expr))
        if isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1:
            target = expr.comparisons[0]
            left = self._fold(expr.left, scope, env, depth + 1)
            right = self._fold(target.comparator, scope, env, depth + 1)
            if not (left.is_const and right.is_const):
                return unknown(self.text(expr))
            op = type(target.operator)
            if op in _COMPARE:
                if op in (cst.Is, cst.IsNot) and None not in (left.const, right.const) and \
                        not isinstance(left.const, bool):
                    return unknown(self.text(expr))
                return const(bool(_COMPARE[op](left.const, right.const)), self.text(expr))
            if op in (cst.In, cst.NotIn) and isinstance(right.const, (tuple, str)):
                found = left.const in right.const
                return const(found if op is cst.In else not found, self.text(expr))
            return unknown(self.text(expr))
        if isinstance(expr, cst.Name) and expr.value in env:
            return env[expr.value]
        return self.folder.fold(expr, scope, env)


class _Names:
    def __init__(self) -> None:
        self.found: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.found.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        walk(node.value, self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        walk(node.value, self)
        return False


def names_in(expr: cst.CSTNode) -> set[str]:
    """Every plain name read by an expression (not attribute parts)."""
    names = _Names()
    walk(expr, names)
    return names.found
