"""Pipelines returned by project functions, specialised per call site.

`transform=get_transform(28)` hands the dataset whatever `get_transform` returns for these arguments:
the steps whose condition the call's constants (or the parameters' defaults) make false are dropped,
and so are returned pipelines built under such a condition. Each call site's role then belongs to its
own instance, so one factory used for both splits (`cifar_transformer()` for the training and the test
set) is a training pipeline at one call and an evaluation pipeline at the other.

A factory is specialised only when what it returns is clear: pipelines returned directly or through a
name the function returns, with no role of their own (a builder that picks by `is_train` already has
one). The function's parameters and defaults are read with CPython's parser, on demand."""

from __future__ import annotations

import ast
from dataclasses import replace

from evalparity.facts import DatasetUse, FileFacts, Pipeline, Step, Value
from evalparity.relate.project import Project, walk_steps
from evalparity.relate.syntax_trees import functions, syntax_tree


class _Factories:
    def __init__(self, project: Project) -> None:
        self.project = project

    def function(self, facts: FileFacts, use: DatasetUse) -> tuple[str, str] | None:
        """(file, qualified name) of the function a `call` reference names."""
        if use.ref.key == "local":
            return facts.path, use.ref.name
        found = self.project.split_qualname(facts.path, use.ref.name)
        return found if found is not None and "." not in found[1] else None

    def instances(self, facts: FileFacts, use: DatasetUse, undecided) -> list[tuple[Pipeline, Pipeline]]:
        """(the factory's pipeline, its instance for this call) for every pipeline the call can return."""
        found = self.function(facts, use)
        if found is None:
            return []
        path, qualname = found
        target = self.project.facts(path)
        definition = next(iter(functions(syntax_tree(self.project, path), qualname)), None)
        if target is None or definition is None:
            return []
        returned = _returned_names(definition)
        candidates = [p for p in target.pipelines if p.scope == qualname and p.binding in returned
                      and not p.container]
        if not candidates or not all(undecided(p) for p in candidates):
            return []
        env = _arguments(definition, use.ref.consts)
        result = []
        for pipeline in candidates:
            if any(_truth(c, env) is False for c in pipeline.conditions):
                continue
            steps = _specialised(pipeline.steps, env)
            kept = ",".join(f"{s.location.line}:{s.location.column}" for s in walk_steps(steps))
            instance = replace(pipeline, id=f"{pipeline.id}@{kept}", steps=steps, evidence=[],
                               conditions=tuple(c for c in pipeline.conditions if _truth(c, env) is None))
            result.append((pipeline, instance))
        return result


def _returned_names(definition) -> set[str]:
    """The function's own name (`return Compose(…)`) and the names it returns (`return tf`)."""
    names = {definition.name}
    stack = list(definition.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Name):
            names.add(node.value.id)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))
    return names


def _arguments(definition, consts: tuple[tuple[str, Value], ...]) -> dict[str, object]:
    """What each parameter holds at this call: the constant passed, else a literal default; a parameter
    passed anything else is absent (unknown)."""
    args = definition.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    if positional and positional[0] in ("self", "cls"):
        positional = positional[1:]
    defaults = list(zip([a.arg for a in args.posonlyargs + args.args][-len(args.defaults):], args.defaults)) \
        if args.defaults else []
    defaults += [(a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    literal: dict[str, object] = {}
    for name, node in defaults:
        try:
            literal[name] = ast.literal_eval(node)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            pass
    return bind_arguments(positional, literal, consts)


def bind_arguments(positional: list[str] | tuple[str, ...], defaults: dict[str, object],
                   consts: tuple[tuple[str, Value], ...], spread: bool = False) -> dict[str, object]:
    """Parameter → value at one call: the constant passed (by position or keyword), else the literal
    default; a parameter passed a run-time value is absent (unknown), and so is every default when the
    call spreads `*args`/`**kwargs`."""
    env: dict[str, object] = {} if spread else dict(defaults)
    for key, value in consts:
        name = positional[int(key)] if key.isdigit() and int(key) < len(positional) else key
        if value.is_const:
            env[name] = value.const
        else:
            env.pop(name, None)  # passed a run-time value: not the default
    return env


def _truth(condition: str, env: dict[str, object]) -> bool | None:
    """Whether a condition's text holds for these parameter values; None when it cannot be told."""
    try:
        tree = ast.parse(condition, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return evaluate_condition(tree, env)


MISSING = object()


def condition_value(node: ast.AST, env: dict[str, object]):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return env.get(node.id, MISSING)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):  # `self.split`, set by `__init__`
        return env.get(f"{node.value.id}.{node.attr}", MISSING)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        items = [condition_value(e, env) for e in node.elts]
        return MISSING if any(i is MISSING for i in items) else tuple(items)
    return MISSING


def evaluate_condition(node: ast.AST, env: dict[str, object]) -> bool | None:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = evaluate_condition(node.operand, env)
        return None if inner is None else not inner
    if isinstance(node, ast.BoolOp):
        parts = [evaluate_condition(v, env) for v in node.values]
        if isinstance(node.op, ast.And):
            return False if False in parts else (None if None in parts else True)
        return True if True in parts else (None if None in parts else False)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, right = condition_value(node.left, env), condition_value(node.comparators[0], env)
        if left is MISSING or right is MISSING:
            return None
        op = node.ops[0]
        try:
            if isinstance(op, ast.Eq):
                return left == right
            if isinstance(op, ast.NotEq):
                return left != right
            if isinstance(op, ast.In):
                return left in right
            if isinstance(op, ast.NotIn):
                return left not in right
            if isinstance(op, ast.Is):
                return left is right
            if isinstance(op, ast.IsNot):
                return left is not right
        except TypeError:
            return None
        return None
    value = condition_value(node, env)
    return None if value is MISSING else bool(value)


def _specialised(steps: tuple[Step, ...], env: dict[str, object]) -> tuple[Step, ...]:
    kept = []
    for step in steps:
        truth = None
        if step.condition:
            parts = [_truth(part, env) for part in step.condition.split(" and ")]
            truth = False if False in parts else (True if all(p is True for p in parts) else None)
        if truth is False:
            continue
        children = _specialised(step.children, env) if step.children else step.children
        kept.append(replace(step, children=children, condition=None if truth else step.condition))
    return tuple(kept)


def factories(project: Project) -> _Factories:
    return project.derived(_Factories)
