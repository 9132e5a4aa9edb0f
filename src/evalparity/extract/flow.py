"""A second pass over a module for what the loop does with the data: per function, its loops, model
calls, mode calls (`.eval()`, `.train()`), gradient contexts and calls to other functions (the project
call graph is built from these); plus bare `model.eval` statements, functional dropout in `forward`, the
dataset constructions and comprehension keys that extract/loaders.py needs."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from ..facts import CallEdge, DropoutCall, FunctionFacts, Location, Loop, ModeCall, ModelCall
from ..modewords import (mode_helper, model_like, non_module_receiver, optimizer_like, strip_wrappers,
                         SUBMODULE_NAMES)
from ..naming import words
from .boolfold import BoolFolder
from .collector import Collected
from .scopes import IMPORT, Scope, dotted, qualified_name

GRAD_NAMES = {"no_grad", "inference_mode", "enable_grad", "set_grad_enabled"}
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
    if not qualname or not qualname.startswith("torch.") or qualname.rpartition(".")[2] not in GRAD_NAMES:
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


class Flow(cst.CSTVisitor):
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
        self.frames.pop()

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
        if any(marker in self.text(node.test) for marker in GUARD_MARKERS):
            self.frame.guards += 1

    def leave_If(self, node: cst.If) -> None:
        if any(marker in self.text(node.test) for marker in GUARD_MARKERS):
            self.frame.guards -= 1

    def visit_DictComp(self, node: cst.DictComp) -> None:
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
        callee = dotted(func)
        qualname = qualified_name(frame.scope, func)
        short = (callee or "").rpartition(".")[2]
        if qualname and qualname.startswith("torchvision.datasets."):
            self.records.dataset_sites.append((node, frame.scope))
        if short in ("gather_for_metrics", "gather_for_eval") or short.startswith("collect_results") or (
                short == "Subset" and _remainder(node)):
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
        if isinstance(func, cst.Name) or callee.startswith("self.") or short in ("module", "forward"):
            self.pending.append((fn, ModelCall(self.loc(node), callee, self._grad(), id(node) in self.discarded)))

    def _mode(self, node: cst.Call, func: cst.Attribute, fn: FunctionFacts) -> bool:
        attr = func.attr.value
        if attr not in ("eval", "train", "requires_grad_", "apply"):
            return False
        receiver = self.text(func.value)
        args = [a for a in node.args if not a.star]
        if attr == "apply":
            if args and mode_helper(self.text(args[0].value)):
                fn.modes.append(ModeCall(self.loc(node), receiver, "unknown", text=self.text(node)))
                return True
            return False
        if non_module_receiver(receiver) or any(a.star for a in node.args):
            return False
        if attr == "requires_grad_":
            if model_like(receiver) or receiver in self.receivers:
                fn.modes.append(ModeCall(self.loc(node), receiver, "requires_grad", text=self.text(node)))
            else:
                fn.grad_uses.append(self.loc(node))
            return True
        if attr == "eval":
            if args:
                return False
            kind = "eval"
        else:
            if len(args) > 1 or (args and args[0].keyword is not None and args[0].keyword.value != "mode"):
                return False
            value = self.folder.fold(args[0].value, self.frame.scope) if args else None
            if value is None:
                kind = "train"
            elif value.is_const and isinstance(value.const, bool):
                kind = "train" if value.const else "eval"
            elif value.is_const:
                return False
            else:
                kind = "unknown"
        submodule = (self.frame.guards > 0 or receiver in self.frame.module_vars or receiver in SUBMODULE_NAMES
                     or "[" in receiver or "modules()" in receiver)
        if not submodule:
            self.receivers.add(strip_wrappers(receiver))
        fn.modes.append(ModeCall(self.loc(node), receiver, kind, submodule, self.text(node)))
        return True

    def _edge(self, node: cst.Call, callee: str, qualname: str | None, fn: FunctionFacts) -> None:
        scope = self.frame.scope
        head, _, rest = callee.partition(".")
        local, method = None, False
        if head == "self" and rest and "." not in rest:
            cls = scope.enclosing_class
            owner = scope
            while owner is not None and owner.kind != "class":
                owner = owner.parent
            if cls is None or owner is None:
                return
            local, method = f"{owner.qualname}.{rest}", True
        elif not rest:
            bindings = scope.lookup(head) or []
            defs = [b for b in bindings if b.defines is not None and b.defines.kind == "function"]
            if len(defs) == len(bindings) == 1:
                local = defs[0].defines.qualname
            elif not any(b.kind == IMPORT for b in bindings) and not mode_helper(callee):
                return
        elif qualname is None and not (mode_helper(callee) or callee.endswith("from_pretrained")):
            return
        args, kwargs, consts = [], [], []
        for index, arg in enumerate(node.args):
            if arg.star:
                continue
            text = self.text(arg.value)
            key = arg.keyword.value if arg.keyword is not None else str(index)
            if arg.keyword is None:
                args.append(text)
            else:
                kwargs.append((arg.keyword.value, text))
            value = self.folder.fold(arg.value, scope)
            if value.is_const:
                consts.append((key, value))
        context = self.data.contexts.get(id(node))
        binding = context.name if context is not None and context.kind == "assign" else None
        fn.calls.append(CallEdge(self.loc(node), callee, qualname, local, tuple(args), tuple(kwargs),
                                 tuple(consts), binding, self._grad(), method))

    def _dropout(self, node: cst.Call, qualname: str) -> None:
        function = next((f.fn for f in reversed(self.frames) if f.fn is not None), None)
        if function is None or function.name != "forward":
            return
        training, spread = None, any(a.star for a in node.args)
        positional = [a for a in node.args if a.keyword is None and not a.star]
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "training":
                training = self.folder.fold(arg.value, self.frame.scope)
        if training is None and len(positional) > 2:
            training = self.folder.fold(positional[2].value, self.frame.scope)
        self.records.dropouts.append(DropoutCall(self.loc(node), function.qualname, qualname.rpartition(".")[2],
                                                 training, spread))


def _remainder(call: cst.Call) -> bool:
    """`Subset(ds, range(covered, len(ds)))`: the indices a distributed sampler left out."""
    if len(call.args) < 2 or not isinstance(call.args[1].value, cst.Call):
        return False
    indices = call.args[1].value
    return dotted(indices.func) == "range" and len(indices.args) >= 2 and \
        isinstance(indices.args[1].value, cst.Call) and dotted(indices.args[1].value.func) == "len"


def collect_flow(module: cst.Module, path: str, data: Collected, folder: BoolFolder, text, loc) -> Records:
    flow = Flow(path, data, folder, text, loc)
    module.visit(flow)
    return flow.records
