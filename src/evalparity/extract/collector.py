"""One pass over a module: scopes and bindings, branch conditions, list building, and the calls
that may construct pipelines, datasets, splits and loaders. The records keep CST nodes; build.py
turns them into plain facts."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from evalparity.extract.scopes import ASSIGN, IMPORT, OTHER, Binding, Scope, dotted
from evalparity.extract.walk import walk
from evalparity.vocabulary.call_names import SPECIAL_CALLS, TRANSFORM_KEYWORDS

LIST_METHODS = {"append", "extend", "insert"}
# methods that change a configuration object in place (yacs, EasyDict, dict, OmegaConf, argparse namespaces)
CONFIG_MUTATORS = {"update", "merge_from_file", "merge_from_list", "merge_from_other_cfg", "merge_with", "merge",
                   "setdefault", "pop", "popitem", "clear", "defrost", "__setattr__", "__setitem__", "set_new_allowed",
                   "load_from_file", "update_from_file", "override", "set"}
# helpers that fill a configuration object passed to them: `update_config(cfg, args)`, `merge_a_into_b(y, C)`
_FILLING_WORDS = ("merge", "update", "override", "from_file", "from_list", "from_args", "load_cfg", "load_config",
                  "setattr")
SHUFFLES = {"shuffle", "permutation", "randperm"}  # `np.random.shuffle(self.samples)` in a dataset's method
# model constructions that may load pretrained weights (extract/pretrained.py decides)
PRETRAINED_KEYWORDS = frozenset({"pretrained", "weights"})
PRETRAINED_CALLS = frozenset({"create_model", "create_model_and_transforms", "create_model_from_pretrained"})


@dataclass(frozen=True)
class Cond:
    test: cst.BaseExpression
    positive: bool


@dataclass
class Context:
    kind: str  # assign | unpack | dict | item (`d['key'] = …`) | arg | return
    name: str | None = None
    key: str | None = None
    parent: cst.CSTNode | None = None
    attr: bool = False
    names: tuple[str, ...] = ()  # unpack: the names `a, b = f()` binds, in order ("" for other targets)


@dataclass
class CallSite:
    node: cst.Call
    scope: Scope
    conds: tuple[Cond, ...]


@dataclass
class ListOp:
    scope: Scope
    name: str
    kind: str  # assign | append | extend | insert | iadd
    values: tuple[cst.BaseExpression, ...]
    conds: tuple[Cond, ...]
    node: cst.CSTNode


@dataclass
class TupleAssign:
    targets: tuple[str, ...]
    value: cst.BaseExpression
    scope: Scope


@dataclass
class ImportRecord:
    local: str
    module: str
    name: str | None
    level: int


@dataclass
class Collected:
    module_scope: Scope
    calls: list[CallSite] = field(default_factory=list)
    list_ops: list[ListOp] = field(default_factory=list)
    dict_updates: list[ListOp] = field(default_factory=list)  # `kwargs.update(cuda_kwargs)`
    item_writes: list[tuple[Scope, str]] = field(default_factory=list)  # `kwargs['shuffle'] = True`
    contexts: dict[int, Context] = field(default_factory=dict)
    tuple_assigns: list[TupleAssign] = field(default_factory=list)
    imports: list[ImportRecord] = field(default_factory=list)
    retransformed: list[tuple[str, str]] = field(default_factory=list)
    shuffling_classes: list[str] = field(default_factory=list)
    shuffled_names: list[tuple[str, str]] = field(default_factory=list)  # (scope, name) of `random.shuffle(name.items)`
    drawn_once: set[int] = field(default_factory=set)
    classes: list[tuple[cst.ClassDef, Scope]] = field(default_factory=list)  # each class with its own scope
    function_calls: list[CallSite] = field(default_factory=list)  # every call inside a function (draws, helpers)
    class_calls: list[CallSite] = field(default_factory=list)  # calls of capitalised names (class instantiations)
    self_assigns: list[tuple[Scope, str, cst.BaseExpression, tuple[Cond, ...]]] = field(default_factory=list)
    options: list[CallSite] = field(default_factory=list)  # `parser.add_argument(…)`, `parser.set_defaults(…)`
    config_writes: list[tuple[str, str, bool]] = field(default_factory=list)  # see FileFacts.config_writes
    # module-level `C.VAL.BS = 1`: (dotted target, value, target, under a branch)
    attr_assigns: list[tuple[str, cst.BaseExpression, cst.CSTNode, bool]] = field(default_factory=list)
    pretrained_calls: list[CallSite] = field(default_factory=list)  # see PRETRAINED_KEYWORDS
    carved: list[tuple[Scope, str]] = field(default_factory=list)  # `split_dataset(ds, …)`: ds is divided up  # calls consumed by `next(iter(…))`: one batch, a preview


def _config_root(target: cst.BaseExpression) -> tuple[str, str] | None:
    """`args.bs` → ('args', 'bs'); `self.args.bs` → ('args', 'bs'); `cfg['val']['bs']` → ('cfg', 'val');
    a bare `cfg` → ('cfg', '*'); None for `self.x` and anything not rooted at a name."""
    parts = []
    while isinstance(target, (cst.Attribute, cst.Subscript)):
        if isinstance(target, cst.Attribute):
            parts.append(target.attr.value)
        else:
            index = target.slice[0].slice if len(target.slice) == 1 else None
            value = index.value if isinstance(index, cst.Index) else None
            parts.append(value.evaluated_value if isinstance(value, cst.SimpleString) and
                         isinstance(value.evaluated_value, str) else "*")
        target = target.value
    if not isinstance(target, cst.Name):
        return None
    parts.append(target.value)
    parts.reverse()
    if parts[0] == "self":
        parts = parts[1:]
        if len(parts) < 2:
            return None
    key = parts[1] if len(parts) > 1 else "*"
    return parts[0], "*" if key == "__dict__" else key


def _terminates(body: cst.BaseSuite) -> bool:
    statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
    if not statements:
        return False
    last = statements[-1]
    small = last.body if isinstance(last, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) else []
    return any(isinstance(s, (cst.Return, cst.Raise, cst.Continue, cst.Break)) for s in small)


def _call_name(call: cst.Call) -> str:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return ""


def _shuffled_root(call: cst.Call) -> str | None:
    """The variable a shuffle reorders: `random.shuffle(train_set.samples)` → train_set, `ds.shuffle()` → ds."""
    if call.args:
        target = call.args[0].value
    elif isinstance(call.func, cst.Attribute):
        target = call.func.value
    else:
        return None
    while isinstance(target, (cst.Attribute, cst.Subscript)):
        target = target.value
    if isinstance(target, cst.Name) and target.value not in ("self", "random", "np", "numpy", "torch"):
        return target.value
    return None


class Collector:
    def __init__(self, interesting_names: set[str]) -> None:
        self.interesting = interesting_names | SPECIAL_CALLS
        self.scope = Scope("module", "<module>")
        self.data = Collected(self.scope)
        self.conds: list[Cond] = []
        self.short: list[Cond] = []  # `flag and draw()`: the operands a call's evaluation waits for
        self._blocks: list[int] = []
        self._saved: list[tuple[list[Cond], list[int]]] = []
        self._elifs: set[int] = set()

    # scopes -------------------------------------------------------------------------------------
    def _push(self, kind: str, name: str, node: cst.CSTNode) -> None:
        binding = Binding(OTHER, node=node)
        self.scope.bind(name, binding)
        self.scope = binding.defines = Scope(kind, name, self.scope, node=node)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._push("class", node.name.value, node)
        self.data.classes.append((node, self.scope))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.scope = self.scope.parent

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._push("function", node.name.value, node)
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            self.scope.bind(param.name.value, Binding(OTHER, node=param))
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                self.scope.bind(star.name.value, Binding(OTHER, node=star))
        self._saved.append((self.conds, self._blocks))
        self.conds, self._blocks = [], []

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scope = self.scope.parent
        self.conds, self._blocks = self._saved.pop()

    # imports ------------------------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted(alias.name)
            if not full:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local, target = alias.asname.name.value, full
            else:
                local = target = full.partition(".")[0]
            self.scope.bind(local, Binding(IMPORT, target=target, node=alias))
            self.data.imports.append(ImportRecord(local, full if alias.asname else target, None, 0))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        level = len(node.relative)
        module = dotted(node.module) if node.module is not None else ""
        module = module or ""
        prefix = "." * level + module
        if isinstance(node.names, cst.ImportStar):
            if level == 0 and module:
                self.scope.module.star_imports.append(module)
            return
        for alias in node.names:
            name = dotted(alias.name) or ""
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            target = f"{prefix}.{name}" if module else f"{prefix}{name}"
            self.scope.bind(local, Binding(IMPORT, target=target, node=alias))
            self.data.imports.append(ImportRecord(local, module, name, level))

    # bindings -----------------------------------------------------------------------------------
    def _config_write(self, target: cst.BaseExpression) -> None:
        found = _config_root(target)
        if found is not None and found[1] != "*" or (found is not None and isinstance(target, cst.Subscript)):
            self.data.config_writes.append((*found, self.scope.kind != "module"))

    def _bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if isinstance(target, (cst.Attribute, cst.Subscript)):
            self._config_write(target)
            name = dotted(target) if isinstance(target, cst.Attribute) else None
            if name is not None and value is not None and self.scope.kind == "module" and \
                    not name.startswith("self."):
                self.data.attr_assigns.append((name, value, target, bool(self.conds)))
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            self.data.item_writes.append((self.scope, target.value.value))
        if isinstance(target, cst.Name):
            self.scope.bind(target.value, Binding(ASSIGN if value is not None else OTHER, value=value,
                                                  node=target, conds=tuple(self.conds)))
            if value is not None:
                self.data.contexts.setdefault(id(value), Context("assign", target.value))
                self.data.list_ops.append(ListOp(self.scope, target.value, "assign", (value,),
                                                 tuple(self.conds), target))
        elif isinstance(target, cst.Attribute) and value is not None:
            self.data.contexts.setdefault(id(value), Context("assign", target.attr.value, attr=True))
            if self.scope.name == "__init__" and isinstance(target.value, cst.Name) and target.value.value == "self":
                self.data.self_assigns.append((self.scope, target.attr.value, value, tuple(self.conds)))
            base = dotted(target.value)
            if target.attr.value in ("transform", "transforms") and base:
                # `valid_data.dataset.transform = test_tf`: the dataset's pipeline is replaced later
                self.data.retransformed.append((self.scope.qualname, base.partition(".")[0]))
        elif isinstance(target, cst.Subscript) and value is not None and len(target.slice) == 1 and \
                isinstance(target.slice[0].slice, cst.Index) and isinstance(target.slice[0].slice.value, cst.SimpleString):
            key = target.slice[0].slice.value.evaluated_value
            if isinstance(key, str):  # `t['val_train'] = Compose(…)`
                self.data.contexts.setdefault(id(value), Context("item", dotted(target.value), key=key))
        elif isinstance(target, (cst.Tuple, cst.List)):
            names = []
            parallel = (isinstance(value, (cst.Tuple, cst.List)) and len(value.elements) == len(target.elements)
                        and not any(isinstance(e, cst.StarredElement) for e in value.elements))
            for index, element in enumerate(target.elements):
                inner = element.value
                if isinstance(inner, cst.Name):
                    # `a, b = x, y` binds each name to its own value; `a, b = f()` to one run-time result
                    if parallel:
                        part = value.elements[index].value
                    else:
                        part = value if isinstance(value, cst.Call) else None
                    kind = ASSIGN if part is not None else OTHER
                    self.scope.bind(inner.value, Binding(kind, value=part, node=inner, conds=tuple(self.conds)))
                    names.append(inner.value)
                else:  # `self.files, self.split = files, split` binds each attribute to its own value too
                    self._bind_target(inner, value.elements[index].value if parallel else None)
                    names.append("")
            if value is not None:
                self.data.tuple_assigns.append(TupleAssign(tuple(names), value, self.scope))
                if isinstance(value, cst.Call):
                    self.data.contexts.setdefault(id(value), Context("unpack", names=tuple(names)))

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind_target(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, (cst.Attribute, cst.Subscript)):
            self._config_write(node.target)
        if isinstance(node.target, cst.Name) and isinstance(node.operator, cst.AddAssign):
            self.data.list_ops.append(ListOp(self.scope, node.target.value, "iadd", (node.value,),
                                             tuple(self.conds), node))

    def visit_For(self, node: cst.For) -> None:
        self._bind_target(node.target, None)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None and isinstance(node.asname.name, cst.Name):
            # not an assignment (`__enter__` may return anything), but what was opened is kept: folding
            # follows `with open('configs/x.yaml') as f: cfg = yaml.safe_load(f)` to the path
            self.scope.bind(node.asname.name.value, Binding(OTHER, value=node.item, node=node.asname.name,
                                                           conds=tuple(self.conds)))
        elif node.asname is not None:
            self._bind_target(node.asname.name, None)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, node.value)

    # branches -----------------------------------------------------------------------------------
    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._blocks.append(len(self.conds))

    def leave_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        del self.conds[self._blocks.pop():]

    def visit_If(self, node: cst.If) -> bool:
        depth = len(self.conds)
        is_elif = id(node) in self._elifs
        walk(node.test, self)
        self.conds.append(Cond(node.test, True))
        walk(node.body, self)
        del self.conds[depth:]
        if node.orelse is not None:
            self.conds.append(Cond(node.test, False))
            if isinstance(node.orelse, cst.If):
                self._elifs.add(id(node.orelse))
            walk(node.orelse, self)
            del self.conds[depth:]
        elif _terminates(node.body) and self._blocks and not is_elif:
            # `if is_train: return …` — the rest of the block runs only when the test is false
            self.conds.append(Cond(node.test, False))
        return False

    def visit_IfExp(self, node: cst.IfExp) -> bool:
        context = self.data.contexts.get(id(node))
        if context is not None:
            self.data.contexts.setdefault(id(node.body), context)
            self.data.contexts.setdefault(id(node.orelse), context)
        depth = len(self.conds)
        walk(node.test, self)
        self.conds.append(Cond(node.test, True))
        walk(node.body, self)
        del self.conds[depth:]
        self.conds.append(Cond(node.test, False))
        walk(node.orelse, self)
        del self.conds[depth:]
        return False

    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> bool:
        """`self.augment and random.random() < p`: the right operand runs only when the left one allows
        it (kept apart from `conds`, for the calls of functions and classes only)."""
        walk(node.left, self)
        self.short.append(Cond(node.left, isinstance(node.operator, cst.And)))
        walk(node.right, self)
        self.short.pop()
        return False

    # contexts -----------------------------------------------------------------------------------
    def visit_Dict(self, node: cst.Dict) -> None:
        for element in node.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                key = element.key.evaluated_value
                if isinstance(key, str):
                    self.data.contexts.setdefault(id(element.value), Context("dict", key=key, parent=node))

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None and self.scope.kind == "function":
            self.data.contexts.setdefault(id(node.value), Context("return", self.scope.name))
            self.scope.returns.append(node.value)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if (isinstance(func, cst.Attribute) and func.attr.value in LIST_METHODS
                and isinstance(func.value, cst.Name) and node.args):
            values = tuple(a.value for a in node.args)
            self.data.list_ops.append(ListOp(self.scope, func.value.value, func.attr.value, values,
                                             tuple(self.conds), node))
        if isinstance(func, cst.Attribute) and func.attr.value == "update" and isinstance(func.value, cst.Name):
            self.data.dict_updates.append(ListOp(self.scope, func.value.value, "update",
                                                 tuple(a.value for a in node.args), tuple(self.conds), node))
        name = _call_name(node)
        self._config_call(node, name)
        if name == "next" and node.args and isinstance(node.args[0].value, cst.Call) and \
                _call_name(node.args[0].value) == "iter" and node.args[0].value.args:
            self.data.drawn_once.add(id(node.args[0].value.args[0].value))
        if name not in SPECIAL_CALLS and "split" in name.lower() and node.args and \
                isinstance(node.args[0].value, cst.Name):
            self.data.carved.append((self.scope, node.args[0].value.value))
        if (name in SHUFFLES or "shuffle" in name.lower()) and (root := _shuffled_root(node)) is not None and \
                (self.scope.qualname, root) not in self.data.shuffled_names:
            self.data.shuffled_names.append((self.scope.qualname, root))
        if name in SHUFFLES and self.scope.kind == "function" and self.scope.parent is not None and \
                self.scope.parent.kind == "class" and self.scope.parent.qualname not in self.data.shuffling_classes:
            self.data.shuffling_classes.append(self.scope.parent.qualname)
        if self.scope.kind == "function" or name[:1].isupper():
            site = CallSite(node, self.scope, tuple(self.conds) + tuple(self.short))
            if self.scope.kind == "function":
                self.data.function_calls.append(site)
            if name[:1].isupper():
                self.data.class_calls.append(site)
        keywords = {a.keyword.value for a in node.args if a.keyword is not None}
        if keywords & PRETRAINED_KEYWORDS or name in PRETRAINED_CALLS or \
                (name == "load" and isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)
                 and func.value.value == "clip"):
            self.data.pretrained_calls.append(CallSite(node, self.scope, tuple(self.conds)))
        inline_pipeline = any(isinstance(a.value, cst.Call) and _call_name(a.value) in self.interesting
                              for a in node.args)
        if name in self.interesting or keywords & TRANSFORM_KEYWORDS or inline_pipeline:
            self.data.calls.append(CallSite(node, self.scope, tuple(self.conds)))
            for index, arg in enumerate(node.args):
                key = arg.keyword.value if arg.keyword is not None else str(index)
                self.data.contexts.setdefault(id(arg.value), Context("arg", key=key, parent=node))


    def _config_call(self, node: cst.Call, name: str) -> None:
        """argparse options, and calls that change a configuration object: `cfg.merge_from_file(…)`,
        `setattr(args, k, v)`, `vars(args).update(…)`, `update_config(cfg, args)`."""
        func = node.func
        in_function = self.scope.kind != "module"
        if name in ("add_argument", "set_defaults") and isinstance(func, cst.Attribute):
            self.data.options.append(CallSite(node, self.scope, tuple(self.conds)))
            return
        if isinstance(func, cst.Attribute) and name in CONFIG_MUTATORS:
            receiver = func.value
            if isinstance(receiver, cst.Call) and _call_name(receiver) == "vars" and receiver.args:
                receiver = receiver.args[0].value
            found = _config_root(receiver) if isinstance(receiver, (cst.Attribute, cst.Subscript)) else (
                (receiver.value, "*") if isinstance(receiver, cst.Name) else None)
            if found is not None:
                self.data.config_writes.append((*found, in_function))
            return
        if name == "setattr" and node.args:
            target = node.args[0].value
            found = (target.value, "*") if isinstance(target, cst.Name) else _config_root(target)
            if found is not None:
                key = node.args[1].value if len(node.args) > 1 else None
                literal = key.evaluated_value if isinstance(key, cst.SimpleString) else None
                if isinstance(target, cst.Name) and isinstance(literal, str):
                    found = (found[0], literal)
                self.data.config_writes.append((*found, in_function))
            return
        lowered = name.lower()
        if any(word in lowered for word in _FILLING_WORDS):
            for arg in node.args:
                if isinstance(arg.value, cst.Name):
                    self.data.config_writes.append((arg.value.value, "*", in_function))
                elif isinstance(arg.value, cst.Attribute) and (found := _config_root(arg.value)) is not None:
                    self.data.config_writes.append((found[0], "*", in_function))


def collect(module: cst.Module, interesting_names: set[str]) -> Collected:
    collector = Collector(interesting_names)
    walk(module, collector)
    return collector.data
