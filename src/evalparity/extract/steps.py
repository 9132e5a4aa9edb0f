"""Turn the expressions of a transform list into Steps, following names, nested Compose, wrappers,
conditional elements and lists built step by step (`t = []`, `t.append(…)`, `t += […]`)."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from evalparity.extract.collector import Collected, Cond, ListOp
from evalparity.extract.conditions import condition_role
from evalparity.extract.folding import Folder
from evalparity.extract.scopes import Scope, qualified_name, single_value
from evalparity.facts import Arg, Step
from evalparity.vocabulary.knowledge import KnowledgeBase, TransformInfo

MAX_DEPTH = 6
SEQUENTIAL = {"torch.nn.Sequential", "torch.nn.modules.container.Sequential"}


@dataclass
class Draft:
    step: Step
    conds: tuple[Cond, ...]


class StepBuilder:
    def __init__(self, data: Collected, kb: KnowledgeBase, folder: Folder, text, loc, position) -> None:
        self.data = data
        self.kb = kb
        self.folder = folder
        self.text = text
        self.loc = loc
        self.position = position
        self.consumed: set[int] = set()
        self._ops: dict[tuple[int, str], list[ListOp]] = {}
        for op in data.list_ops:
            self._ops.setdefault((id(op.scope), op.name), []).append(op)

    # public -------------------------------------------------------------------------------------
    def info(self, scope: Scope, call: cst.Call) -> tuple[str | None, TransformInfo | None]:
        qualname = qualified_name(scope, call.func)
        return qualname, self.kb.lookup(qualname)

    def is_pipeline_call(self, scope: Scope, call: cst.Call) -> bool:
        qualname, info = self.info(scope, call)
        if info is not None:
            return info.kind in ("compose", "factory")
        return qualname in SEQUENTIAL and self._sequential_of_transforms(scope, call)

    def children_exprs(self, scope: Scope, call: cst.Call, info: TransformInfo | None):
        """The expression(s) holding a compose/wrapper's children: a list, or positional args."""
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        if info is None or (info.children is not None and info.children.name == "args"):
            return positional, True
        name = info.children.name if info.children else "transforms"
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == name:
                return arg.value, False
        position = info.position_of(name)
        position = 0 if position is None else position
        return (positional[position] if len(positional) > position else None), False

    def drafts_for_list(self, expr, scope: Scope, at: cst.CSTNode, depth: int = 0) -> tuple[list[Draft], bool]:
        """Drafts of a transform list expression, and whether the list is fully known."""
        if depth > MAX_DEPTH or expr is None:
            return [], False
        if isinstance(expr, (cst.List, cst.Tuple)):
            drafts, complete = [], True
            for element in expr.elements:
                if isinstance(element, cst.StarredElement):
                    inner, ok = self.drafts_for_list(element.value, scope, at, depth + 1)
                    drafts += inner
                    complete &= ok
                else:
                    drafts += self.drafts_for_element(element.value, scope, (), depth + 1)
            return drafts, complete
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
            left, ok_left = self.drafts_for_list(expr.left, scope, at, depth + 1)
            right, ok_right = self.drafts_for_list(expr.right, scope, at, depth + 1)
            return left + right, ok_left and ok_right
        if isinstance(expr, cst.IfExp):
            body, ok_body = self.drafts_for_list(expr.body, scope, at, depth + 1)
            orelse, ok_else = self.drafts_for_list(expr.orelse, scope, at, depth + 1)
            return ([Draft(d.step, (Cond(expr.test, True),) + d.conds) for d in body]
                    + [Draft(d.step, (Cond(expr.test, False),) + d.conds) for d in orelse]), ok_body and ok_else
        if isinstance(expr, cst.Name):
            return self._built_list(expr.value, scope, at, depth)
        return [], False

    def drafts_for_element(self, expr, scope: Scope, conds: tuple[Cond, ...], depth: int) -> list[Draft]:
        if isinstance(expr, cst.IfExp):
            return (self.drafts_for_element(expr.body, scope, conds + (Cond(expr.test, True),), depth + 1)
                    + self.drafts_for_element(expr.orelse, scope, conds + (Cond(expr.test, False),), depth + 1))
        if isinstance(expr, cst.Name) and expr.value == "None":
            return []
        step = self.step(expr, scope, depth)
        return [Draft(step, conds)] if step is not None else []

    def step(self, expr, scope: Scope, depth: int = 0) -> Step | None:
        if isinstance(expr, cst.Name):
            binding, ok = single_value(scope, expr.value)
            if ok and isinstance(binding.value, cst.Call) and depth <= MAX_DEPTH:
                return self.step(binding.value, binding.scope or scope, depth + 1)
            return Step(None, expr.value, (), self.loc(expr))
        if not isinstance(expr, cst.Call):
            return Step(None, self.text(expr), (), self.loc(expr))
        qualname, info = self.info(scope, expr)
        children: tuple[Step, ...] = ()
        if info is not None and info.kind in ("compose", "wrapper") or (
                info is None and qualname in SEQUENTIAL):
            self.consumed.add(id(expr))
            exprs, positional = self.children_exprs(scope, expr, info)
            if positional:
                drafts = [d for e in exprs for d in self.drafts_for_element(e, scope, (), depth + 1)]
            else:
                drafts, _ = self.drafts_for_list(exprs, scope, expr, depth + 1)
            children = tuple(d.step for d in drafts)
        return Step(qualname, self.text(expr.func), self.args(expr, scope, info), self.loc(expr), children)

    def args(self, call: cst.Call, scope: Scope, info: TransformInfo | None) -> tuple[Arg, ...]:
        result = []
        position = 0
        for arg in call.args:
            if arg.star:
                result.append(Arg(None, None, self.folder.fold(arg.value, scope), self.loc(arg.value)))
                continue
            if arg.keyword is not None:
                name, index = arg.keyword.value, None
            else:
                index = position
                name = info.params[index] if info is not None and index < len(info.params) else None
                position += 1
            if info is not None and info.kind in ("compose", "wrapper") and info.children and \
                    name == info.children.name:
                continue
            result.append(Arg(name, index, self.folder.fold(arg.value, scope), self.loc(arg.value)))
        return tuple(result)

    # internals ----------------------------------------------------------------------------------
    def _sequential_of_transforms(self, scope: Scope, call: cst.Call) -> bool:
        for arg in call.args:
            if isinstance(arg.value, cst.Call):
                _, info = self.info(scope, arg.value)
                if info is not None:
                    return True
        return False

    def _built_list(self, name: str, scope: Scope, at: cst.CSTNode, depth: int) -> tuple[list[Draft], bool]:
        owner = next((s for s in scope.chain() if name in s.bindings), None)
        if owner is None:
            return [], False
        limit = self.position(at)
        ops = [op for op in self._ops.get((id(owner), name), []) if self.position(op.node) < limit]
        assigns = [op for op in ops if op.kind == "assign"]
        if not assigns:
            return [], False
        # The last unconditional assignment starts the list; earlier ones are overwritten.
        start = max((i for i, op in enumerate(ops) if op.kind == "assign" and not op.conds), default=None)
        if start is None:
            start = ops.index(assigns[0])
        drafts: list[Draft] = []
        complete = True
        for op in ops[start:]:
            if op.kind == "assign" and op is not ops[start] and branch_role(op.conds)[0] is None:
                complete = False
            if op.kind == "assign" and op is not ops[start] and (grown := _grown(op.values[0], name)) is not None:
                # `tf = tf + [x]` / `tf = [x] + tf` under `if`: the list grows on that path, like `tf += [x]`
                added, before = grown
                inner, ok = self.drafts_for_list(added, op.scope, op.node, depth + 1)
                complete &= ok
                new = [Draft(d.step, op.conds + d.conds) for d in inner]
                drafts = new + drafts if before else drafts + new
                continue
            if op.kind == "assign" or op.kind in ("extend", "iadd"):
                value = op.values[0]
                if isinstance(value, cst.Name) and value.value == name:
                    continue
                inner, ok = self.drafts_for_list(value, op.scope, op.node, depth + 1)
                complete &= ok
                new = [Draft(d.step, op.conds + d.conds) for d in inner]
                if op.kind == "assign" and op is not ops[start]:
                    # `tf = [...]` or `tf = tf + [...]` again under `if`: that branch's list replaces the one
                    # built so far, which the other paths keep
                    outside = _negation(op.conds[len(ops[start].conds):])
                    drafts = [Draft(d.step, d.conds + (outside,)) for d in drafts] if outside else []
            elif op.kind == "append":
                new = [Draft(d.step, op.conds + d.conds)
                       for d in self.drafts_for_element(op.values[0], op.scope, (), depth + 1)]
            else:  # insert(index, value)
                if len(op.values) < 2:
                    continue
                new = [Draft(d.step, op.conds + d.conds)
                       for d in self.drafts_for_element(op.values[1], op.scope, (), depth + 1)]
                index = self.folder.fold(op.values[0], op.scope)
                if index.is_const and index.const == 0:
                    drafts = new + drafts
                    continue
                complete = False
            drafts += new
        return drafts, complete


def branch_role(conds) -> tuple[str | None, cst.BaseExpression | None, bool]:
    """The role implied by the first role-deciding condition, with its test and polarity."""
    for cond in conds:
        role = condition_role(cond.test, cond.positive)
        if role is not None:
            return role, cond.test, cond.positive
    return None, None, True


def _grown(value: cst.BaseExpression, name: str) -> tuple[cst.BaseExpression, bool] | None:
    """`name + [x]` → ([x], False); `[x] + name` → ([x], True): what is added, and whether in front."""
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
        if isinstance(value.left, cst.Name) and value.left.value == name:
            return value.right, False
        if isinstance(value.right, cst.Name) and value.right.value == name:
            return value.left, True
    return None


def _negation(conds: tuple[Cond, ...]) -> Cond | None:
    """The condition under which a branch with these conditions is not taken."""
    if not conds:
        return None
    if len(conds) == 1:
        return Cond(conds[0].test, not conds[0].positive)
    tests = [c.test if c.positive else cst.UnaryOperation(cst.Not(), c.test) for c in conds]
    joined = tests[0]
    for test in tests[1:]:
        joined = cst.BooleanOperation(joined, cst.And(), test)
    return Cond(joined, False)
