"""Which role a branch condition selects: `if is_train:`, `X if split == "train" else Y`."""

from __future__ import annotations

import libcst as cst

from evalparity.facts import EVAL, TRAIN
from evalparity.vocabulary.naming import opposite, role_of_flag, role_of_string

_ROLE_PAIR = tuple[str | None, str | None]


def _strings(node: cst.BaseExpression) -> list[str] | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return [value] if isinstance(value, str) else None
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        items = [_strings(e.value) for e in node.elements]
        if any(i is None for i in items):
            return None
        return [s for i in items for s in i]
    return None


def _flag_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def _roles(test: cst.BaseExpression) -> _ROLE_PAIR:
    """(role when the test is true, role when it is false)."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        when_true, when_false = _roles(test.expression)
        return when_false, when_true
    if isinstance(test, cst.BooleanOperation):
        left, right = _roles(test.left), _roles(test.right)
        if isinstance(test.operator, cst.And):
            true_side = {r for r in (left[0], right[0]) if r}
            return (true_side.pop() if len(true_side) == 1 else None), None
        false_side = {r for r in (left[1], right[1]) if r}
        return None, (false_side.pop() if len(false_side) == 1 else None)
    flag = _flag_name(test)
    if flag is not None:
        role = role_of_flag(flag)
        return role, opposite(role)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        op = target.operator
        left, right = test.left, target.comparator
        strings = _strings(right) or _strings(left)
        if strings:
            roles = {role_of_string(s) for s in strings}
            if len(roles) != 1 or None in roles:
                return None, None
            role = roles.pop()
            if isinstance(op, (cst.Equal, cst.In, cst.Is)):
                return role, (opposite(role) if isinstance(op, (cst.Equal, cst.Is)) and len(strings) == 1 else None)
            if isinstance(op, (cst.NotEqual, cst.NotIn, cst.IsNot)):
                return (opposite(role) if len(strings) == 1 else None), role
            return None, None
        for side, other in ((left, right), (right, left)):
            flag = _flag_name(side)
            if flag and isinstance(other, cst.Name) and other.value in ("True", "False"):
                role = role_of_flag(flag)
                truthy = other.value == "True"
                if isinstance(op, (cst.NotEqual, cst.IsNot)):
                    truthy = not truthy
                elif not isinstance(op, (cst.Equal, cst.Is)):
                    return None, None
                return (role, opposite(role)) if truthy else (opposite(role), role)
    return None, None


def condition_role(test: cst.BaseExpression, positive: bool) -> str | None:
    when_true, when_false = _roles(test)
    return when_true if positive else when_false


__all__ = ["condition_role", "TRAIN", "EVAL"]
