"""A second pass over a module for what the loop does with the data: per function, its loops, model
calls, mode calls (`.eval()`, `.train()`), gradient contexts and calls to other functions (the project
call graph is built from these); plus bare `model.eval` statements, functional dropout in `forward`, the
dataset constructions and comprehension keys that extract/loaders.py needs."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from evalparity.extract.boolfold import BoolFolder, names_in
from evalparity.extract.collector import Collected
from evalparity.extract.loopcalls import CallFacts
from evalparity.extract.scopes import Scope, dotted, qualified_name
from evalparity.extract.walk import walk
from evalparity.facts import DropoutCall, FunctionFacts, Location, Loop, ModeCall, ModelCall
from evalparity.vocabulary.call_names import DEDUPLICATING
from evalparity.vocabulary.mode_words import (
    GRADIENT_CONTEXTS,
    model_like,
    non_module_receiver,
    optimizer_like,
    strip_wrappers,
)
from evalparity.vocabulary.naming import words

DROPOUTS = {"dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"}
ITER_WRAPPERS_STOP = {"range", "len", "zip_longest", "product"}
GUARD_MARKERS = ("isinstance(", "__class__", "type(", "BatchNorm", "Dropout", "_BatchNorm", "Norm)")


@dataclass
class Records:
    functions: list[FunctionFacts] = field(default_factory=list)
    misuses: list[ModeCall] = field(default_factory=list)
    dropouts: list[DropoutCall] = field(default_factory=list)
    trims: list[Location] = field(default_factory=list)
    dataset_sites: list[tuple[cst.Call, Scope]] = field(default_factory=list)
    comp_keys: dict[int, tuple] = field(default_factory=dict)  # id(call) → (var, iter, dict or None)
    scopes: dict[int, Scope] = field(default_factory=dict)


@dataclass
class _Frame:
    fn: FunctionFacts | None
    scope: Scope
    grads: list[str] = field(default_factory=list)
    keys: list[tuple[str, cst.BaseExpression]] = field(default_factory=list)
    module_vars: set[str] = field(default_factory=set)
    guards: int = 0


def scope_map(module_scope: Scope) -> dict[int, Scope]:
    found: dict[int, Scope] = {}
    stack = [module_scope]
    while stack:
        scope = stack.pop()
        for bindings in scope.bindings.values():
            for binding in bindings:
                inner = binding.defines
                if inner is not None and inner.node is not None and id(inner.node) not in found:
                    found[id(inner.node)] = inner
                    stack.append(inner)
    return found


def grad_kind(scope: Scope, expr: cst.BaseExpression, folder: BoolFolder) -> tuple[str | None, bool]:
    """(kind, called) for `torch.no_grad()`, `torch.inference_mode()`, `torch.set_grad_enabled(False)`…"""
    call = expr if isinstance(expr, cst.Call) else None
    qualname = qualified_name(scope, call.func if call else expr)
    if not qualname or not qualname.startswith("torch.") or qualname.rpartition(".")[2] not in GRADIENT_CONTEXTS:
        return None, False
    name = qualname.rpartition(".")[2]
    if call is None:
        return name, False
    args = [a for a in call.args if not a.star]
    value = folder.fold(args[0].value, scope) if args else None
    if name == "set_grad_enabled":
        if value is None or not value.is_const:
            return "unknown", True
        return ("enable_grad" if value.const else "no_grad"), True
    if name == "inference_mode" and value is not None:
        return ("inference_mode" if value.is_const and value.const else "unknown"), True
    return name, True


def _keyed_model(func: cst.BaseExpression, text) -> str | None:
    """`models['G'](x)`, `self.nets["D"](x)`: a model kept in a dict under a literal key, named as written."""
    if isinstance(func, cst.Subscript) and dotted(func.value) and len(func.slice) == 1 and \
            isinstance(func.slice[0].slice, cst.Index) and isinstance(func.slice[0].slice.value, cst.SimpleString):
        return text(func)
    return None


def _fresh_names(scope: Scope, params, candidates: set[str]) -> set[str]:
    """Locals bound to an object built here: some assignment builds it (a call that reads no model
    parameter, or a deep copy) and the others only re-wrap it (`net = nn.DataParallel(net)`); so
    `model = model.to(device)` on a parameter is never fresh."""
    found = set()
    for name in candidates:
        bindings = scope.bindings.get(name)
        if name in params or not bindings:
            continue
        models = {p for p in params if model_like(p)}
        built = 0
        for b in bindings:
            if b.kind != "assign" or not isinstance(b.value, cst.Call):
                break
            read = names_in(b.value)
            if name in read:
                continue  # `net = nn.DataParallel(net)`: the same model
            if (dotted(b.value.func) or "").endswith("deepcopy") or not read & models:
                built += 1
            else:
                break
        else:
            if built:
                found.add(name)
    return found


class Flow(CallFacts):
    def __init__(self, path: str, data: Collected, folder: BoolFolder, text, loc) -> None:
        self.path, self.folder, self.text, self.loc = path, folder, text, loc
        self.data = data
        self.records = Records(scopes=scope_map(data.module_scope))
        module_fn = FunctionFacts("<module>", "<module>", Location(path, 1, 1, 1, 1))
        self.records.functions.append(module_fn)
        self.frames = [_Frame(module_fn, data.module_scope)]
        self.receivers: set[str] = set()
        self.discarded: set[int] = set()
        self.pending: list[tuple[FunctionFacts, ModelCall]] = []
        self.training_guards = 0  # inside `if self.training:`
        self.flag_guards: list[tuple[str, cst.CSTNode]] = []  # `if self.dropout:` tests around, with their body

    @property
    def frame(self) -> _Frame:
        return self.frames[-1]

    # scopes --------------------------------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        scope = self.records.scopes.get(id(node), self.frame.scope)
        self.frames.append(_Frame(None, scope))

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.frames.pop()

    def visit_Decorator(self, node: cst.Decorator) -> bool:
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        outer = self.frame.scope
        scope = self.records.scopes.get(id(node))
        if scope is None:
            self.frames.append(_Frame(None, outer))
            return
        cls, bases = None, ()
        if outer.kind == "class":
            cls = outer.qualname
            class_node = outer.node
            if isinstance(class_node, cst.ClassDef):
                bases = tuple(qualified_name(outer.parent or outer, b.value) or self.text(b.value)
                              for b in class_node.bases)
        params = node.params
        names = tuple(p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params))
        grad = None
        for decorator in node.decorators:
            kind, _ = grad_kind(outer, decorator.decorator, self.folder)
            grad = kind or grad
        fn = FunctionFacts(scope.qualname, node.name.value, self.loc(node), cls, bases, names, grad)
        self.records.functions.append(fn)
        self.frames.append(_Frame(fn, scope, grads=[grad] if grad else []))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        frame = self.frames.pop()
        switched = {m.receiver.partition(".")[0] for m in frame.fn.modes}
        if switched:
            frame.fn.fresh = tuple(sorted(_fresh_names(frame.scope, frame.fn.params, switched)))

    def leave_Module(self, node: cst.Module) -> None:
        """Keep the calls that look like a forward pass: a model-like name, or something put in a mode."""
        for fn, call in self.pending:
            if model_like(call.callee) or strip_wrappers(call.callee) in self.receivers:
                fn.model_calls.append(call)

    # blocks --------------------------------------------------------------------------------------
    def visit_With(self, node: cst.With) -> None:
        kinds = []
        for item in node.items:
            kind, called = grad_kind(self.frame.scope, item.item, self.folder)
            if kind is None:
                continue
            if not called and kind != "set_grad_enabled":
                self.records.misuses.append(ModeCall(self.loc(item.item), self.text(item.item), "grad-not-called",
                                                     text=self.text(item.item)))
                continue
            kinds.append(kind)
            if self.frame.fn is not None:
                self.frame.fn.grads.append((kind, self.loc(node)))
        self.frame.grads.append(kinds[-1] if kinds else "")

    def leave_With(self, node: cst.With) -> None:
        self.frame.grads.pop()

    def _grad(self) -> str | None:
        return next((g for g in reversed(self.frame.grads) if g), None)

    def visit_For(self, node: cst.For) -> None:
        frame = self.frame
        iter_text = self.text(node.iter)
        name, key = self._iterated(node.iter)
        target = self.text(node.target)
        if frame.fn is not None:
            frame.fn.loops.append(Loop(self.loc(node), iter_text, name, key, target, self._grad()))
        if isinstance(node.target, cst.Name):
            if any(m in iter_text for m in (".modules()", ".children()", "named_modules(", "named_children(")):
                frame.module_vars.add(node.target.value)
            value = self.folder.fold(node.iter, frame.scope)
            if value.is_const and isinstance(value.const, tuple) and value.const and \
                    all(isinstance(v, str) for v in value.const):
                frame.keys.append((node.target.value, node.iter))
                return
        frame.keys.append(("", node.iter))

    def leave_For(self, node: cst.For) -> None:
        self.frame.keys.pop()

    def visit_If(self, node: cst.If) -> None:
        if isinstance(node.test, cst.Attribute) and isinstance(node.test.value, cst.Name) and \
                node.test.value.value == "self":
            self.flag_guards.append((node.test.attr.value, node.body))
        test = self.text(node.test)
        if any(marker in test for marker in GUARD_MARKERS):
            self.frame.guards += 1
        if ".training" in test:
            self.training_guards += 1

    def leave_If(self, node: cst.If) -> None:
        if self.flag_guards and self.flag_guards[-1][1] is node.body:
            self.flag_guards.pop()
        test = self.text(node.test)
        if any(marker in test for marker in GUARD_MARKERS):
            self.frame.guards -= 1
        if ".training" in test:
            self.training_guards -= 1

    def _comprehension_loops(self, node: cst.BaseComp | cst.DictComp) -> None:
        """`[model(x) for x, _ in val_loader]` loops like a `for` statement over its whole expression."""
        fn, comp = self.frame.fn, node.for_in
        while fn is not None and comp is not None:
            name, key = self._iterated(comp.iter)
            fn.loops.append(Loop(self.loc(node), self.text(comp.iter), name, key, self.text(comp.target), self._grad()))
            comp = comp.inner_for_in

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension_loops(node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._comprehension_loops(node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._comprehension_loops(node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._comprehension_loops(node)
        comp = node.for_in
        if isinstance(comp.target, cst.Name) and comp.inner_for_in is None and isinstance(node.value, cst.Call):
            self.records.comp_keys[id(node.value)] = (comp.target.value, comp.iter, node)

    def _iterated(self, expr: cst.BaseExpression) -> tuple[str | None, str | None]:
        """The loader-like name a `for` iterates: `enumerate(tqdm(val_loader))` → val_loader;
        `loaders['val']` → (loaders, 'val'); `loaders[phase]` → (loaders, phase)."""
        for _ in range(6):
            if not isinstance(expr, cst.Call):
                break
            name = dotted(expr.func) or ""
            if name.rpartition(".")[2] in ITER_WRAPPERS_STOP or name.endswith((".items", ".values", ".keys")):
                return None, None
            positional = [a.value for a in expr.args if a.keyword is None and not a.star]
            if not positional:
                return (name or None), None  # `self.val_dataloader()`
            expr = positional[0]
        if isinstance(expr, cst.Subscript) and len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
            index = expr.slice[0].slice.value
            key = index.evaluated_value if isinstance(index, cst.SimpleString) else dotted(index)
            return dotted(expr.value), (str(key) if key is not None else None)
        return dotted(expr), None

    # statements ----------------------------------------------------------------------------------
    def visit_Expr(self, node: cst.Expr) -> None:
        value = node.value
        if isinstance(value, cst.Attribute) and value.attr.value in ("eval", "train"):
            receiver = self.text(value.value)
            if not non_module_receiver(receiver):
                self.records.misuses.append(ModeCall(self.loc(value), receiver, "bare", text=self.text(value)))
        if isinstance(value, cst.Call):
            self.discarded.add(id(value))
            kind, called = grad_kind(self.frame.scope, value, self.folder)
            name = (dotted(value.func) or "").rpartition(".")[2]
            if kind == "no_grad" and called and name == "set_grad_enabled" and self.frame.fn is not None:
                self.frame.fn.grads.append(("global", self.loc(value)))

    def visit_Subscript(self, node: cst.Subscript) -> None:
        for element in node.slice:
            inner = element.slice
            if isinstance(inner, cst.Slice) and isinstance(inner.upper, cst.Call) and \
                    dotted(inner.upper.func) == "len":
                self.records.trims.append(self.loc(node))

    # calls ---------------------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        frame, fn = self.frame, self.frame.fn
        func = node.func
        callee = dotted(func) or _keyed_model(func, self.text)
        qualname = qualified_name(frame.scope, func)
        short = (callee or "").rpartition(".")[2]
        if qualname and qualname.startswith("torchvision.datasets."):
            self.records.dataset_sites.append((node, frame.scope))
        if short in DEDUPLICATING or short.startswith("collect_results") or _remainder(node):
            self.records.trims.append(self.loc(node))
        if qualname and qualname.startswith("torch.nn.functional.") and short in DROPOUTS:
            self._dropout(node, qualname)
        if frame.keys and frame.keys[-1][0] and short == "DataLoader":
            self.records.comp_keys.setdefault(id(node), (*frame.keys[-1], None))
        if fn is None:
            return
        if isinstance(func, cst.Attribute):
            if self._mode(node, func, fn):
                return
            if func.attr.value == "backward" or (func.attr.value == "step" and (
                    optimizer_like(self.text(func.value)) or any(optimizer_like(dotted(a.value)) for a in node.args))):
                fn.training.append(self.loc(node))
                return
        if callee and any(w == "scaler" for w in words(short)) and any(optimizer_like(dotted(a.value))
                                                                         for a in node.args):
            fn.training.append(self.loc(node))
        if qualname in ("torch.autograd.grad", "torch.autograd.backward"):
            fn.grad_uses.append(self.loc(node))
        if callee is None:
            return
        self._edge(node, callee, qualname, fn)
        if isinstance(func, (cst.Name, cst.Subscript)) or callee.startswith("self.") or short in ("module", "forward"):
            self.pending.append((fn, ModelCall(self.loc(node), callee, self._grad(), id(node) in self.discarded)))
        elif short == "generate" and callee.count(".") == 1 and not callee.startswith("self."):
            # `model.generate(…)`: decoding runs the network in whatever mode it is in
            self.pending.append((fn, ModelCall(self.loc(node), callee.rpartition(".")[0], self._grad(),
                                               id(node) in self.discarded)))


def _remainder(call: cst.Call) -> bool:
    """`range(covered, len(dataset))`: the indices a distributed sampler left out, evaluated separately."""
    return dotted(call.func) == "range" and len(call.args) >= 2 and \
        isinstance(call.args[1].value, cst.Call) and dotted(call.args[1].value.func) == "len"


def collect_flow(module: cst.Module, path: str, data: Collected, folder: BoolFolder, text, loc) -> Records:
    flow = Flow(path, data, folder, text, loc)
    walk(module, flow)
    return flow.records
