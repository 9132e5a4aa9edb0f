"""Summaries of project-defined transforms: a class with `__call__` (or `forward`) and a module function,
read from their bodies into the steps of the knowledge base's vocabulary, so that a pipeline step that is
a project class (`custom_transforms.Normalize(mean, std)`) can be compared like a library one.

From the collector's records only (its classes and scopes, no walk of its own): the method's statements are
followed like a hand-written chain (extract/handprep.py) starting from the first parameter, to what it
returns. `self.mean` folds to the constructor parameter it is bound to in `__init__` (a `param` Value that the
relate stage fills in from the call that builds the transform) or to the constant assigned there. A draw at
random in the body (extract/datasets.py's draws) puts a `RandomOp` step first. Whatever is not understood
is an unknown step (precision first); a body where nothing is understood gives no summary at all."""

from __future__ import annotations

import libcst as cst

from evalparity.extract.handprep import HAND, _Chains
from evalparity.extract.scopes import Scope
from evalparity.facts import Step, TransformSummary, Value
from evalparity.vocabulary.naming import is_tta

MAX_STATEMENTS = 40
WRAPS = {"np.array", "np.asarray", "numpy.array", "numpy.asarray", "torch.tensor", "torch.Tensor", "torch.FloatTensor",
         "torch.as_tensor", "list", "tuple", "np.float32"}

RESHAPES = {"view", "reshape", "to", "cuda", "float", "unsqueeze", "type_as", "clone"}


class _Folder:
    """The Builder's folder, with `self.<attr>` read from `__init__` and loop names from `zip(x, a, b)`."""

    def __init__(self, folder, text) -> None:
        self.folder, self.text = folder, text
        self.attributes: dict[str, Value] = {}
        self.aliases: dict[str, cst.BaseExpression] = {}

    def fold(self, expr, scope) -> Value:
        expr = self._unwrapped(expr)
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name) and expr.value.value == "self":
            found = self.attributes.get(expr.attr.value)
            return found if found is not None else Value("unknown", text=self.text(expr))
        if isinstance(expr, cst.Name) and expr.value in self.aliases:
            return self.fold(self.aliases[expr.value], scope)
        return self.folder.fold(expr, scope)


    def _unwrapped(self, expr):
        """`torch.tensor(self.mean)[:, None, None]`, `self.mean.view(3, 1, 1)`: the values of `self.mean`."""
        for _ in range(4):
            if isinstance(expr, cst.Subscript) and all(
                    isinstance(e.slice, cst.Slice) and e.slice.lower is None and e.slice.upper is None and
                    e.slice.step is None or isinstance(e.slice, cst.Index) and self.text(e.slice.value) == "None"
                    for e in expr.slice):
                expr = expr.value
            elif isinstance(expr, cst.Call) and self.text(expr.func) in WRAPS and len(expr.args) >= 1 and \
                    expr.args[0].keyword is None and all(a.keyword is not None for a in expr.args[1:]):
                expr = expr.args[0].value
            elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and \
                    expr.func.attr.value in RESHAPES:
                expr = expr.func.value
            else:
                break
        return expr


class _Summary(_Chains):
    def __init__(self, path, kb, folder, steps, text, loc) -> None:
        super().__init__(path, kb, folder, steps, text, loc, [])
        self.returned: list[tuple[Step, ...] | None] = []

    def _small(self, node) -> None:
        if isinstance(node, cst.Return):
            value = node.value
            if isinstance(value, cst.Tuple) and value.elements:  # `return img, target`
                chains = [self.chain(e.value) for e in value.elements]
                chains = [c for c in chains if c is not None]
                self.returned.append(chains[0] if len(chains) == 1 else None)
            else:
                self.returned.append(self.chain(value) if value is not None else None)
            return
        if isinstance(node, cst.Expr) and isinstance(node.value, cst.Call):
            root = _root(node.value)
            if root is not None and root in self.env:  # `x.sub_(m).div_(s)` in place
                chain = self.chain(node.value)
                if chain is not None:
                    self.env[root] = chain
                    return
        super()._small(node)

    def _block(self, statements) -> None:
        for statement in statements:
            if isinstance(statement, cst.For) and self._zip_loop(statement):
                continue
            if isinstance(statement, (cst.For, cst.While, cst.Try, cst.With)):
                self.returned.append(None)  # not straight-line enough
                return
            super()._block([statement])

    def _zip_loop(self, node: cst.For) -> bool:
        """`for t, m, s in zip(x, self.mean, self.std): t.sub_(m).div_(s)`: the channels of x normalised."""
        it, target = node.iter, node.target
        if not (isinstance(it, cst.Call) and self.text(it.func) == "zip" and len(it.args) == 3 and
                isinstance(target, cst.Tuple) and len(target.elements) == 3 and
                all(isinstance(e.value, cst.Name) for e in target.elements)):
            return False
        source = it.args[0].value
        chain = self.chain(source)
        if chain is None or not isinstance(source, cst.Name):
            return False
        names = [e.value.value for e in target.elements]
        self.folder.aliases[names[1]] = it.args[1].value
        self.folder.aliases[names[2]] = it.args[2].value
        self.env[names[0]] = chain
        before = len(self.returned)
        super()._block(node.body.body)
        after = self.env.pop(names[0], chain)
        if len(self.returned) != before or after is chain:
            return False
        self.env[source.value] = after
        return True


def _tta(name: str) -> bool:
    """A test-time augmentation (`TTAFlip`, `flip_tta`): its draws are the point."""
    return is_tta(name) or "TTA" in name


def _root(call: cst.Call) -> str | None:
    expr = call
    while isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        expr = expr.func.value
    return expr.value if isinstance(expr, cst.Name) else None


def _params(node: cst.FunctionDef) -> list[cst.Param]:
    params = node.params
    found = [*params.posonly_params, *params.params, *params.kwonly_params]
    return found[1:] if found and found[0].name.value in ("self", "cls") else found


def _statements(node) -> list:
    return list(node.body.body) if isinstance(node, cst.FunctionDef) and isinstance(node.body, cst.IndentedBlock) \
        else []


def summarise(builder, datasets) -> list[TransformSummary]:
    """The summaries of one file's transform classes and module functions."""
    data, folder = builder.data, _Folder(builder.folder, builder.text)
    chains = _Summary(builder.path, builder.kb, folder, builder.steps, builder.text, builder.loc)
    found: list[TransformSummary] = []
    for node, scope in data.classes:
        if scope.parent is None or scope.parent.kind != "module":
            continue
        methods = {b.defines.name: b.defines for bindings in scope.bindings.values() for b in bindings
                   if b.defines is not None and b.defines.kind == "function"}
        method = methods.get("__call__") or methods.get("forward")
        if method is None or "__getitem__" in methods:
            continue
        init = methods.get("__init__")
        params, defaults = (), ()
        folder.attributes = {}
        if init is not None and isinstance(init.node, cst.FunctionDef):
            params, defaults = _init(init, folder, builder)
        summary = _one(chains, folder, method, datasets, builder, scope.qualname, "class", params, defaults,
                       tta=_tta(scope.name))
        if summary is not None:
            found.append(summary)
    folder.attributes = {}
    for bindings in data.module_scope.bindings.values():
        for binding in bindings:
            fn = binding.defines
            if fn is not None and fn.kind == "function" and len(bindings) == 1:
                summary = _one(chains, folder, fn, datasets, builder, fn.qualname, "function", (), (),
                               tta=_tta(fn.name))
                if summary is not None:
                    found.append(summary)
    return found


def _self_assignments(target: cst.BaseExpression, value: cst.BaseExpression | None):
    """`self.mean = m` and `self.mean, self.std = m, s`: each attribute with its value (None: not known)."""
    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == "self":
        yield target.attr.value, value
    elif isinstance(target, (cst.Tuple, cst.List)):
        values = value.elements if isinstance(value, (cst.Tuple, cst.List)) else None
        known = values is not None and len(values) == len(target.elements) and \
            not any(isinstance(e, cst.StarredElement) for e in (*values, *target.elements))
        for i, element in enumerate(target.elements):
            yield from _self_assignments(element.value, values[i].value if known else None)


def _init(init: Scope, folder: _Folder, builder) -> tuple[tuple[str, ...], tuple]:
    node = init.node
    params = _params(node)
    names = tuple(p.name.value for p in params)
    defaults = tuple((p.name.value, builder.folder.fold(p.default, init)) for p in params if p.default is not None)
    assigned: dict[str, list] = {}
    for statement in _statements(node):
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                for attr, value in _self_assignments(small.targets[0].target, small.value):
                    assigned.setdefault(attr, []).append(value)
    for attr, values in assigned.items():
        if len(values) != 1:
            continue
        value = values[0]
        if value is None:
            continue
        if isinstance(value, cst.Call) and builder.text(value.func) in WRAPS and len(value.args) == 1 and \
                value.args[0].keyword is None:
            value = value.args[0].value
        if isinstance(value, cst.Name) and value.value in names:
            folder.attributes[attr] = Value("param", key=value.value, text=value.value)
        else:
            folded = builder.folder.fold(value, init)
            if folded.kind in ("const", "ref"):
                folder.attributes[attr] = folded
    return names, defaults


def _one(chains: _Summary, folder: _Folder, fn: Scope, datasets, builder, qualname: str, kind: str,
         params, defaults, tta: bool) -> TransformSummary | None:
    node = fn.node
    statements = _statements(node)
    inputs = _params(node) if isinstance(node, cst.FunctionDef) else []
    if not statements or not inputs or len(statements) > MAX_STATEMENTS:
        return None
    chains.scope, chains.conds, chains.returned = fn, [], []
    chains.env = {inputs[0].name.value: ()}
    folder.aliases = {}
    chains._block(statements)
    if len(chains.returned) != 1 or chains.returned[0] is None:
        return None
    steps = chains.returned[0]
    draws = [d for d in datasets._function(fn, helpers=False).draws if not d.conditions and not d.index]
    if draws and not tta:
        first = draws[0]
        steps = (Step(f"{HAND}.RandomOp", "RandomOp", (), first.location),) + steps
    if not any(s.qualname is not None for s in steps):
        return None
    return TransformSummary(qualname, kind, builder.loc(node.name), steps, params, defaults)
