"""A lean name resolver: import aliases and local bindings per scope, filled in one pass.

It answers what libcst's QualifiedNameProvider answers for the names evalparity cares about
(`T.RandomCrop` → `torchvision.transforms.RandomCrop`), at a fraction of the cost, and it makes no
claim when a name is also bound locally (a local class named `ToTensor` is not torchvision's).
Two deliberate differences: `except ImportError: A = None` fallbacks do not hide the import, and a
name not bound anywhere resolves through a single `from lib import *`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

IMPORT = "import"
ASSIGN = "assign"
OTHER = "other"


@dataclass
class Binding:
    kind: str
    target: str | None = None  # qualified name, for imports
    value: cst.BaseExpression | None = None
    node: cst.CSTNode | None = None
    conds: tuple = ()
    scope: "Scope | None" = field(default=None, repr=False, compare=False)
    defines: "Scope | None" = field(default=None, repr=False, compare=False)


@dataclass
class Scope:
    kind: str  # module | class | function
    name: str
    parent: "Scope | None" = None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    star_imports: list[str] = field(default_factory=list)
    imported: set[str] = field(default_factory=set)  # names with an import among their bindings here
    node: cst.CSTNode | None = None
    returns: list = field(default_factory=list)

    @property
    def qualname(self) -> str:
        parts = []
        scope: Scope | None = self
        while scope is not None and scope.kind != "module":
            parts.append(scope.name)
            scope = scope.parent
        return ".".join(reversed(parts)) or "<module>"

    @property
    def function(self) -> str | None:
        return self.name if self.kind == "function" else None

    @property
    def enclosing_class(self) -> str | None:
        scope: Scope | None = self
        while scope is not None:
            if scope.kind == "class":
                return scope.name
            scope = scope.parent
        return None

    @property
    def module(self) -> "Scope":
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def bind(self, name: str, binding: Binding) -> None:
        binding.scope = self
        self.bindings.setdefault(name, []).append(binding)
        if binding.kind == IMPORT:
            self.imported.add(name)

    def chain(self):
        """Scopes searched for a name used here (class bodies do not enclose their methods)."""
        yield self
        scope = self.parent
        while scope is not None:
            if scope.kind != "class":
                yield scope
            scope = scope.parent

    def lookup(self, name: str) -> list[Binding] | None:
        for scope in self.chain():
            if name in scope.bindings:
                return scope.bindings[name]
        return None


def _is_none_fallback(binding: Binding) -> bool:
    return binding.kind == ASSIGN and isinstance(binding.value, cst.Name) and binding.value.value == "None"


def dotted(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def qualified_name(scope: Scope, node: cst.BaseExpression) -> str | None:
    """The library-qualified name of a Name/Attribute expression, or None when not an import."""
    path = dotted(node)
    if path is None:
        return None
    head, _, rest = path.partition(".")
    bindings = scope.lookup(head)
    if bindings is None:
        stars = scope.module.star_imports
        if len(stars) == 1:
            return f"{stars[0]}.{path}"
        return None
    if len(bindings) == 1 and bindings[0].kind == ASSIGN and isinstance(bindings[0].value, cst.Call):
        target = _module_factory(scope, bindings[0].value)
        if target is not None:
            return f"{target}.{rest}" if rest else target
    targets = {b.target for b in bindings if b.kind == IMPORT}
    others = [b for b in bindings if b.kind != IMPORT and not _is_none_fallback(b)]
    if others or len(targets) != 1:
        return None
    target = targets.pop()
    return f"{target}.{rest}" if rest else target


def _module_factory(scope: Scope, call: cst.Call) -> str | None:
    """`T = get_module(use_v2)` where get_module returns `torchvision.transforms.v2` or
    `torchvision.transforms`: the shortest returned module, when every other one extends it."""
    if not isinstance(call.func, cst.Name):
        return None
    bindings = scope.lookup(call.func.value) or []
    if len(bindings) != 1 or bindings[0].defines is None:
        return None
    function = bindings[0].defines
    returned = [qualified_name(function, value) for value in function.returns]
    if not returned or None in returned:
        return None
    shortest = min(returned, key=len)
    return shortest if all(r == shortest or r.startswith(shortest + ".") for r in returned) else None


def single_value(scope: Scope, name: str) -> tuple[Binding | None, bool]:
    """The one assignment reaching `name` (binding, True), or (None, False) when there are several or
    the name is a parameter, a definition or an import."""
    bindings = scope.lookup(name)
    if not bindings:
        return None, False
    if len(bindings) == 1 and bindings[0].kind == ASSIGN and bindings[0].value is not None:
        return bindings[0], True
    return None, False
