"""Whether a model's mode matters: the layers that behave differently in training and evaluation
(BatchNorm, Dropout, an RNN with dropout, InstanceNorm with running statistics, code reading
`self.training`) found in the class that builds it, its parts and its bases, through the project's
files. Asked only for the few models a mode finding names, so files are parsed on demand with
CPython's parser and kept for the run.

The answer is `some` (with the first layers found), `none` (every part resolved, none mode-dependent)
or `unknown` (a part built by a library or anything not followed): only `none` weakens a finding."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from evalparity.facts import Location
from evalparity.relate.project import Project
from evalparity.relate.syntax_trees import class_def, functions, syntax_tree
from evalparity.vocabulary.ast_names import dotted_name

SOME, NONE, UNKNOWN = "some", "none", "unknown"
MODE_LAYER = re.compile(r"^(?:Sync)?BatchNorm\w*$|^\w*Dropout\w*$|^InstanceNorm\dd$|^LazyBatchNorm\w*$|^(?:RNN|LSTM|GRU)$")
CONTAINERS = {"Sequential", "ModuleList", "ModuleDict"}
METHOD_WRAPPERS = {"to", "cuda", "cpu", "float", "double", "half", "train", "eval"}  # return the model itself
WRAPPERS = {"DataParallel", "DistributedDataParallel", "DDP", "compile"}
BUILTINS = {"super", "range", "len", "int", "float", "str", "list", "tuple", "dict", "set", "zip", "enumerate",
            "getattr", "setattr", "hasattr", "isinstance", "print", "min", "max", "sum", "abs", "round", "sorted",
            "reversed", "map", "filter", "any", "all", "bool", "type", "format", "iter", "next", "open"}
MAX_DEPTH = 4


@dataclass(frozen=True)
class Layers:
    verdict: str
    found: tuple[tuple[str, Location], ...] = ()
    model: str = ""  # the class or constructor that builds the model

    def describe(self) -> str:
        """`Net` has `nn.Dropout` (models.py:12)"""
        name, where = self.found[0]
        return f"`{self.model}` has `{name}` ({where.path}:{where.line})"


def _location(path: str, node: ast.AST) -> Location:
    return Location(path, node.lineno, node.col_offset + 1, node.end_lineno or node.lineno,
                    (node.end_col_offset or node.col_offset) + 1)


def _const_zero(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in (0, 0.0, False)


class _Modules:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.answers: dict[tuple[str, str], Layers] = {}

    def tree(self, path: str) -> ast.Module | None:
        return syntax_tree(self.project, path)

    def definition(self, path: str, name: str, depth: int = 0):
        """(file, the class or function definition) a name means in `path`: defined there or imported."""
        tree = self.tree(path)
        if tree is None or depth > MAX_DEPTH:
            return None
        if "." in name:
            return self._in_module(path, tree, name, depth)
        for node in tree.body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name == name:
                return path, node
        for node in tree.body:
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if (alias.asname or alias.name) == name:
                        target = self.project.module_file(path, "." * node.level + (node.module or ""))
                        return self.definition(target, alias.name, depth + 1) if target else None
        for node in tree.body:  # `from src.base_net import *`
            if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
                target = self.project.module_file(path, "." * node.level + (node.module or ""))
                found = self.definition(target, name, depth + 1) if target else None
                if found is not None:
                    return found
        return None

    def _in_module(self, path: str, tree: ast.Module, name: str, depth: int):
        """`models.Net` where `models` is a project module imported by this file (`import models`,
        `from pkg import models`)."""
        head, _, last = name.rpartition(".")
        if "." in head:
            return None
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    if (alias.asname or alias.name) != head:
                        continue
                    module = alias.name if isinstance(node, ast.Import) else \
                        "." * node.level + (f"{node.module}." if node.module else "") + alias.name
                    target = self.project.module_file(path, module)
                    return self.definition(target, last, depth + 1) if target else None
        return None

    # --- what a call builds -------------------------------------------------------------------
    def built(self, path: str, call: ast.Call, depth: int) -> Layers:
        name = dotted_name(call.func)
        last = name.rpartition(".")[2]
        head = name.partition(".")[0]
        if MODE_LAYER.match(last) and (head in ("nn", "torch") or "." not in name and self.definition(path, last) is None):
            return self._layer(path, call, last)
        layer = head == "nn" or name.startswith("torch.nn.")
        if layer and last in CONTAINERS:
            return self.combine([self.expression(path, a, depth) for a in call.args], last)
        if layer or (head in ("torch", "F") and depth > 0):
            return Layers(NONE, model=last)  # a layer, or a tensor function called inside a model's code
        found = self.definition(path, name)
        if found is None and depth > 0 and _from_torch(self.tree(path), name):
            return Layers(NONE, model=last)  # `Variable(…)`, `relu(…)` imported from torch in a model's code
        if found is None:
            return Layers(UNKNOWN, model=last)
        key = (found[0], found[1].name)
        if key not in self.answers:
            self.answers[key] = Layers(UNKNOWN)  # recursion guard
            self.answers[key] = self.body(found[0], found[1], depth + 1)
        answer = self.answers[key]
        return Layers(answer.verdict, answer.found, last)

    def _layer(self, path: str, call: ast.Call, last: str) -> Layers:
        keywords = {k.arg: k.value for k in call.keywords if k.arg}
        if last.startswith("InstanceNorm") and not (
                "track_running_stats" in keywords and not _const_zero(keywords["track_running_stats"])):
            return Layers(NONE, model=last)
        if last in ("RNN", "LSTM", "GRU") and ("dropout" not in keywords or _const_zero(keywords["dropout"])):
            return Layers(NONE, model=last)
        where = _location(path, call)
        return Layers(SOME, ((f"nn.{last}", where),), last)

    def expression(self, path: str, node: ast.AST, depth: int) -> Layers:
        node = _unwrapped(node)
        return self.built(path, node, depth) if isinstance(node, ast.Call) else Layers(UNKNOWN)

    def body(self, path: str, definition, depth: int) -> Layers:
        """Every call in a class (its methods included) or builder function, and the class's bases."""
        if depth > MAX_DEPTH:
            return Layers(UNKNOWN)
        parts = []
        if isinstance(definition, ast.ClassDef):
            for base in definition.bases:
                name = dotted_name(base)
                if name.rpartition(".")[2] in ("Module", "object") or not name:
                    continue
                found = self.definition(path, name) if "." not in name else None
                parts.append(self.body(found[0], found[1], depth + 1) if found else Layers(UNKNOWN))
        for node in ast.walk(definition):
            if isinstance(node, ast.Attribute) and node.attr == "training" and isinstance(node.ctx, ast.Load):
                parts.append(Layers(SOME, (("self.training", _location(path, node)),)))
            elif isinstance(node, ast.Assign) and any(dotted_name(t).startswith("self.") for t in node.targets):
                value = node.value
                value = _unwrapped(value)
                name = dotted_name(value.func) if isinstance(value, ast.Call) else ""
                if "." in name and name.partition(".")[0] not in ("nn", "torch", "F", "self"):
                    parts.append(Layers(UNKNOWN))  # `self.backbone = models.resnet50()`: a library's model
            elif isinstance(node, ast.Call):
                name = dotted_name(node.func)
                if not name or name in BUILTINS or name.startswith("self.") or "." in name and \
                        name.partition(".")[0] not in ("nn", "torch", "F"):
                    continue
                parts.append(self.built(path, node, depth))
        return self.combine(parts, definition.name)

    # --- where the model comes from -------------------------------------------------------------
    def of_model(self, path: str, function: str, receiver: str, depth: int = 0) -> Layers:
        """The layers of the model a function calls `receiver`: the value assigned to that name in the
        function or at module level (a script), to `self.<name>` in the class's methods, or passed for
        that parameter by every caller (`Trainer(Net(), …)` for `self.model = model`)."""
        name = receiver.removesuffix(".module")
        tree = self.tree(path)
        if tree is None or depth > MAX_DEPTH:
            return Layers(UNKNOWN)
        if name.startswith("self.") and "." in function:
            attribute = name.removeprefix("self.")
            return self.attribute(path, function.rpartition(".")[0], attribute, depth) \
                if attribute.isidentifier() else Layers(UNKNOWN)
        if not name.isidentifier():
            return Layers(UNKNOWN)
        scopes = [tree] if function == "<module>" else [n for n in functions(tree, function)] + [tree]
        for scope in scopes:
            values = [node.value for node in _own_nodes(scope) if isinstance(node, ast.Assign)
                      and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)]
            values = [v for v in values if dotted_name(_unwrapped(v)) != name]  # `model = model.to(device)`
            if values:
                results = [self.value(path, function, v, depth + 1) for v in values]
                return self.combine(results, next((r.model for r in reversed(results) if r.model), name))
            if scope is not tree and any(a.arg == name for a in scope.args.args + scope.args.kwonlyargs):
                return self.passed(path, function, name, depth) if scope is scopes[0] else Layers(UNKNOWN)
        return Layers(UNKNOWN)

    def value(self, path: str, function: str, node: ast.AST, depth: int) -> Layers:
        """The layers of the model an expression gives: a name or `self.<name>` followed, a call built."""
        node = _unwrapped(node)
        name = dotted_name(node) if isinstance(node, (ast.Name, ast.Attribute)) else ""
        if name.isidentifier() or name.startswith("self.") and name.count(".") == 1:
            return self.of_model(path, function, name, depth)
        return self.expression(path, node, 0)

    def attribute(self, path: str, cls: str, attribute: str, depth: int) -> Layers:
        """What the class's methods assign to `self.<attribute>`."""
        definition = class_def(self.tree(path), cls)
        if definition is None:
            return Layers(UNKNOWN)
        results = []
        for method in definition.body:
            if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                results += [self.value(path, f"{cls}.{method.name}", node.value, depth + 1)
                            for node in _own_nodes(method) if isinstance(node, ast.Assign)
                            and any(dotted_name(t) == f"self.{attribute}" for t in node.targets)]
        if not results:
            return Layers(UNKNOWN)  # set by a base class or from outside
        return self.combine(results, next((r.model for r in reversed(results) if r.model), attribute))

    def passed(self, path: str, function: str, param: str, depth: int) -> Layers:
        """What every caller passes for a parameter; unknown when a caller passes nothing (the default)
        or there is no caller in the analysed files."""
        if function.endswith(".__init__"):
            sites = self.constructions(path, function.removesuffix(".__init__"))
        else:
            sites = self.call_sites(path, function)
        definition = next(iter(functions(self.tree(path), function)), None)
        if not sites or definition is None:
            return Layers(UNKNOWN)
        results = []
        for where, caller, call in sites:
            argument = _argument(definition, call, param)
            results.append(Layers(UNKNOWN) if argument is None else self.value(where, caller, argument, depth + 1))
        return self.combine(results, next((r.model for r in reversed(results) if r.model), param))

    def call_sites(self, path: str, function: str) -> list[tuple[str, str, ast.Call]]:
        from evalparity.relate.callgraph import call_graph

        found = []
        for (where, caller), edge in call_graph(self.project).callers.get((path, function), []):
            call = self.call_at(where, edge.location.line, edge.location.column)
            if call is None:
                return []
            found.append((where, caller, call))
        return found

    def call_at(self, path: str, line: int, column: int) -> ast.Call | None:
        tree = self.tree(path)
        return next((node for node in ast.walk(tree) if isinstance(node, ast.Call) and node.lineno == line
                     and node.col_offset + 1 == column), None) if tree is not None else None

    def constructions(self, path: str, cls: str) -> list[tuple[str, str, ast.Call]]:
        """`Cls(…)` calls in the analysed files that build this class (read where the name is spelled)."""
        last = cls.rpartition(".")[2]
        spelled = f"{last}("
        found = []
        for where, facts in self.project.files.items():
            if not any(spelled in line for line in facts.lines):
                continue
            for scope, call in _scoped_calls(self.tree(where)):
                name = dotted_name(call.func)
                if name == last and (self.definition(where, last) or (None, None))[1] is class_def(self.tree(path), cls):
                    found.append((where, scope, call))
        return found

    @staticmethod
    def combine(parts: list[Layers], model: str) -> Layers:
        found = tuple(f for p in parts if p.verdict == SOME for f in p.found)
        if found:
            return Layers(SOME, found[:3], model)
        if any(p.verdict == UNKNOWN for p in parts):
            return Layers(UNKNOWN, model=model)
        return Layers(NONE, model=model)


def _unwrapped(node: ast.AST) -> ast.AST:
    """`Net().to(device)`, `nn.DataParallel(net)`: the model inside the wrapping calls."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in METHOD_WRAPPERS:
        node = node.func.value
    if isinstance(node, ast.Call) and dotted_name(node.func).rpartition(".")[2] in WRAPPERS and node.args:
        node = _unwrapped(node.args[0])
    return node


def _from_torch(tree: ast.Module | None, name: str) -> bool:
    """`name` is imported from a torch module other than torch.nn's layer modules."""
    for node in getattr(tree, "body", []):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.partition(".")[0] == "torch" and \
                not node.module.startswith("torch.nn.modules") and node.module != "torch.nn":
            if any((alias.asname or alias.name) == name for alias in node.names):
                return True
    return False


def _argument(definition, call: ast.Call, param: str) -> ast.AST | None:
    """The expression a call passes for a parameter of `definition` (a method's `self` is not passed)."""
    for keyword in call.keywords:
        if keyword.arg == param:
            return keyword.value
    names = [a.arg for a in definition.args.posonlyargs + definition.args.args]
    if names and names[0] in ("self", "cls"):
        names = names[1:]
    if param not in names or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    index = names.index(param)
    return call.args[index] if index < len(call.args) else None


def _scoped_calls(tree: ast.Module | None):
    """Every call with the qualified name of the function it is in (`<module>` at top level)."""
    if tree is None:
        return
    stack: list[tuple[ast.AST, str]] = [(tree, "")]
    while stack:
        node, scope = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                stack.append((child, f"{scope}.{child.name}" if scope else child.name))
                continue
            if isinstance(child, ast.Call):
                yield (scope if scope and not _is_class_scope(tree, scope) else "<module>"), child
            stack.append((child, scope))


def _is_class_scope(tree: ast.Module, scope: str) -> bool:
    return class_def(tree, scope) is not None


def _own_nodes(scope: ast.AST):
    """The nodes of a function or module, not those of the functions and classes nested in it."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


def off_by_default(project: Project, path: str, cls: str, attribute: str) -> bool:
    """`self.<attribute>` is set in `cls.__init__` from a parameter whose default is False, None or 0."""
    tree = project.derived(_build).tree(path)
    init = functions(tree, f"{cls}.__init__") if tree is not None else []
    if not init:
        return False
    node = init[0]
    params = node.args.args + node.args.kwonlyargs
    defaults = dict(zip([a.arg for a in node.args.args][len(node.args.args) - len(node.args.defaults):],
                        node.args.defaults))
    defaults.update({a.arg: d for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults) if d is not None})
    for statement in _own_nodes(node):
        if isinstance(statement, ast.Assign) and any(dotted_name(t) == f"self.{attribute}" for t in statement.targets):
            value = statement.value
            return isinstance(value, ast.Name) and value.id in {p.arg for p in params} and \
                isinstance(defaults.get(value.id), ast.Constant) and not defaults[value.id].value
    return False


def class_switches(project: Project, path: str, cls: str, attribute: str) -> bool:
    """The class (or a project base class) switches `self.<attribute>` itself somewhere (`set_mode_train`
    calling `self.model.eval()`): it manages the mode, and its callers are expected to use that. A base
    class that cannot be followed counts as one that may."""
    modules = project.derived(_build)
    found = modules.definition(path, cls)
    seen = set()
    while found is not None and found[1].name not in seen and isinstance(found[1], ast.ClassDef):
        where, node = found
        seen.add(node.name)
        for call in ast.walk(node):
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and \
                    call.func.attr in ("eval", "train") and dotted_name(call.func.value) in (f"self.{attribute}", "self"):
                return True
        bases = [dotted_name(b) for b in node.bases if dotted_name(b).rpartition(".")[2] not in ("Module", "object")]
        if not bases:
            return False
        found = modules.definition(where, bases[0]) if "." not in bases[0] else None
        if found is None:
            return True  # a base class not followed may manage the mode: say nothing
    return False


def consequence(layers: Layers, default: str) -> tuple[str, str | None]:
    """What running in the wrong mode does to this model, and the severity cap: a model whose every
    part is known and none depends on the mode is a note."""
    if layers.verdict == SOME:
        return f"{layers.describe()}, which behaves differently in training mode", None
    if layers.verdict == NONE:
        return (f"`{layers.model}` has no BatchNorm, Dropout or other mode-dependent layer, so the mode changes nothing "
                "until one is added", "info")
    return default, None


def _build(project: Project) -> _Modules:
    return _Modules(project)


def model_layers(project: Project, path: str, function: str, receiver: str) -> Layers:
    return project.derived(_build).of_model(path, function, receiver)
