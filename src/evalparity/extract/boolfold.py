"""Static value of the expressions loader settings are written with: comparisons, `not`, `and`/`or`,
`x if c else y`, `is None` — on top of folding.Folder, which handles literals and names."""

from __future__ import annotations

import operator

import libcst as cst

from evalparity.extract.folding import Folder
from evalparity.extract.scopes import ASSIGN, Scope
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
        self._use: dict[int, bool] = {}  # the branches of the expression being folded: id(test) → polarity

    def fold(self, expr: cst.BaseExpression, scope: Scope, env: dict | None = None, conds: tuple = ()) -> Value:
        """`conds`: the branches the expression is used in. With them and an `env` that fixes a parameter,
        a name assigned in several branches (`if flag == 'test': drop_last = True … else: …`) folds to
        the assignment that reaches the use for that parameter's value."""
        env = env or {}
        self._use = {id(c.test): c.positive for c in conds}
        try:
            return self._fold(expr, scope, env, 0)
        except (TypeError, ValueError):
            return unknown(self.text(expr))
        finally:
            self._use = {}

    def branch_params(self, expr: cst.CSTNode, scope: Scope) -> set[str]:
        """Names an expression depends on through the branches its names are assigned in."""
        found = set()
        for name in names_in(expr):
            for binding in scope.lookup(name) or []:
                for cond in binding.conds:
                    found |= names_in(cond.test)
                if binding.value is not None:
                    found |= names_in(binding.value)
        return found

    def _reaching(self, expr: cst.Name, scope: Scope, env: dict, depth: int) -> Value | None:
        """The value of a name assigned under branches, given what `env` fixes: the last assignment whose
        branch is certainly taken, unless a later one may be (then its value must agree, or the result
        names the condition under which it differs)."""
        bindings = scope.lookup(expr.value) or []
        if len(bindings) < 2 or not all(b.kind == ASSIGN and b.value is not None for b in bindings):
            return None
        definite, maybe = None, []
        for binding in bindings:
            taken = self._taken(binding.conds, getattr(binding, "scope", None) or scope, env, depth)
            if taken is True:
                definite, maybe = binding, []
            elif taken is None:
                maybe.append(binding)
        if definite is None:
            return None
        value = self._fold(definite.value, getattr(definite, "scope", None) or scope, env, depth + 1)
        if not value.is_const:
            return None
        unless = []
        for binding in maybe:
            other = self._fold(binding.value, getattr(binding, "scope", None) or scope, env, depth + 1)
            if other.is_const and other.const == value.const and type(other.const) is type(value.const):
                continue
            if any(names_in(c.test) & set(env) for c in binding.conds):
                return None  # the parameter itself may pick the other value
            unless.extend(self.text(c.test) if c.positive else f"not {self.text(c.test)}" for c in binding.conds
                          if id(c.test) not in self._use)
        text = self.text(expr) + (f" (unless {' or '.join(unless)})" if unless else "")
        loc = getattr(self.folder, "loc", None)
        return Value("const", const=value.const, key=APPROXIMATE if unless else "", text=text,
                     origin=loc(definite.node) if loc else None)

    def _taken(self, conds, scope, env, depth) -> bool | None:
        """Whether the branches of an assignment are taken: True, False, or None (run-time)."""
        certain = True
        for cond in conds:
            if id(cond.test) in self._use:
                if self._use[id(cond.test)] != cond.positive:
                    return False
                continue
            test = self._fold(cond.test, scope, env, depth + 1)
            if not test.is_const:
                certain = None
            elif bool(test.const) != cond.positive:
                return False
        return certain

    def _fold(self, expr, scope, env, depth) -> Value:
        if depth > 8:
            return unknown(self.text(expr))
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Not):
            inner = self._fold(expr.expression, scope, env, depth + 1)
            return const(not inner.const, self.text(expr)) if _certain(inner) else unknown(self.text(expr))
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
            if _certain(test):
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
            if not (_certain(left) and _certain(right)):
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
        if isinstance(expr, cst.Name) and env:
            reaching = self._reaching(expr, scope, env, depth)
            if reaching is not None:
                return reaching
        return self.folder.fold(expr, scope, env)


APPROXIMATE = "unless"  # a name's value on the usual path, other branches aside: shown, never used to decide


def _certain(value: Value) -> bool:
    return value.is_const and value.key != APPROXIMATE


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
