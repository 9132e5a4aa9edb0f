"""The project's call graph: which function a call reaches (same file, a method of the same class or a
base class in the file, or a function imported from another project module), and who calls whom."""

from __future__ import annotations

from pathlib import Path

from evalparity.discovery.paths import FileError, read_source
from evalparity.facts import EVAL, CallEdge, FunctionFacts
from evalparity.relate.project import Project
from evalparity.vocabulary.naming import role_of_name

Key = tuple[str, str]  # (path, function qualname); "<module>" for module-level code
MAX_HOPS = 4
WORTH_LOADING = (b".backward(", b".step(", b"loader", b"no_grad", b"inference_mode", b".train(", b".eval(")


def _evaluation_loop(data: bytes, definition: int, name: str) -> bool:
    """`def eval_net(net, pairs): for … in …: net(…)`: a function named for evaluation whose own text has a
    loop (up to the next top-level definition), worth parsing even though nothing mentions loaders."""
    if role_of_name(name.rpartition(".")[2]) != EVAL:
        return False
    end = min((i for i in (data.find(b"\ndef ", definition + 1), data.find(b"\nclass ", definition + 1)) if i >= 0),
              default=len(data))
    body = data[definition:end]
    return b" for " in body and b" in " in body


class CallGraph:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.functions: dict[Key, FunctionFacts] = {}
        self.callers: dict[Key, list[tuple[Key, CallEdge]]] = {}
        self._resolved: dict[tuple[str, int], Key | None] = {}
        self._bases: dict[tuple[str, str], tuple[str, ...]] = {}
        self._indexed: set[str] = set()
        self._asked: dict[tuple[str, str, str], object] = {}  # answers about deferred files, by question
        self._methods: dict[str, list[Key]] | None = None  # method name → the classes' methods of that name
        for path in list(project.files):
            self._index(path)
        for path in list(project.files):
            for fn in project.files[path].functions:
                for edge in fn.calls:
                    target = self.resolve(path, edge)
                    if target is not None:
                        self.callers.setdefault(target, []).append(((path, fn.qualname), edge))

    def _index(self, path: str) -> bool:
        if path in self._indexed:
            return True
        facts = self.project.facts(path)
        if facts is None:
            return False
        self._indexed.add(path)
        for fn in facts.functions:
            self.functions[(path, fn.qualname)] = fn
            if fn.cls:
                self._bases.setdefault((path, fn.cls), fn.bases)
        return True

    def _ask(self, question: str, path: str, name: str):
        key = (question, path, name)
        if key not in self._asked:
            self._asked[key] = (self._worth_loading if question == "worth" else self._reexport)(path, name)
        return self._asked[key]

    def _worth_loading(self, path: str, name: str) -> bool:
        """A file the prefilter skipped is parsed only when the function looked up may matter: it is defined
        there, the file trains, iterates loaders or disables gradients, and the function (or one of the
        file it calls) does something the rules look at (callees.function_matters)."""
        data = read_source(Path(path))
        if isinstance(data, FileError):
            return False
        wanted = name.encode()
        definition = data.find(b"def " + wanted + b"(")
        if definition < 0:
            return False
        if not any(m in data for m in WORTH_LOADING) and not _evaluation_loop(data, definition, name):
            return False
        from evalparity.relate.callees import function_matters

        return function_matters(data, name)

    def _reexport(self, path: str, name: str) -> tuple[str, str | None]:
        """A package that only re-exports the name is followed without being extracted."""
        from evalparity.relate.callees import reexport  # CPython's parser, for this one question

        data = read_source(Path(path))
        return ("absent", None) if isinstance(data, FileError) else reexport(data, name)

    def function(self, key: Key) -> FunctionFacts | None:
        return self.functions.get(key)

    def resolve(self, path: str, edge: CallEdge) -> Key | None:
        memo = (path, id(edge))
        if memo not in self._resolved:
            self._resolved[memo] = self._resolve(path, edge)
        return self._resolved[memo]

    def _resolve(self, path: str, edge: CallEdge) -> Key | None:
        if edge.local:
            if (path, edge.local) in self.functions:
                return path, edge.local
            if edge.method:
                cls, _, name = edge.local.rpartition(".")
                for base in self._bases.get((path, cls), ()):
                    candidate = f"{base.rpartition('.')[2]}.{name}"
                    if (path, candidate) in self.functions:
                        return path, candidate
            return None
        if edge.qualname:
            return self.lookup(path, edge.qualname)
        return self._by_method_name(edge)

    def _by_method_name(self, edge: CallEdge) -> Key | None:
        """`model.val_start()` on a name of unknown type: the method, when one class of the analysed files
        alone defines it (the extract stage records such calls only for methods named for a role)."""
        receiver, _, name = edge.callee.rpartition(".")
        if not receiver or "." in receiver or edge.method:
            return None
        if self._methods is None:
            self._methods = {}
            for key in self.functions:
                if key[1].count(".") == 1:
                    self._methods.setdefault(key[1].partition(".")[2], []).append(key)
        found = self._methods.get(name, [])
        return found[0] if len(found) == 1 else None

    def lookup(self, importer: str, qualname: str, hops: int = 0) -> Key | None:
        """A module-level function named through imports (`pkg.engine.evaluate`), following re-exports."""
        found = self.project.split_qualname(importer, qualname)
        if found is None or hops > MAX_HOPS:
            return None
        path, name = found
        if path not in self._indexed and path not in self.project.files:
            if path.endswith("__init__.py"):
                how, target = self._ask("reexport", path, name)
                if how == "absent":
                    return None
                if how == "imported":
                    return self.lookup(path, target, hops + 1) if target != qualname else None
            if not self._ask("worth", path, name):
                return None
        if not self._index(path):
            return None
        if (path, name) in self.functions and "." not in name:
            return path, name
        for record in self.project.facts(path).imports:
            if record.local == name and record.name:
                target = "." * record.level + (f"{record.module}." if record.module else "") + record.name
                if target != qualname:
                    return self.lookup(path, target, hops + 1)
        return None

    def callees(self, key: Key) -> list[tuple[CallEdge, Key]]:
        fn = self.functions.get(key)
        if fn is None:
            return []
        found = []
        for edge in fn.calls:
            target = self.resolve(key[0], edge)
            if target is not None and target != key:
                found.append((edge, target))
        return found


def call_graph(project: Project) -> CallGraph:
    return project.derived(CallGraph)


def argument_for(fn: FunctionFacts, edge: CallEdge, param: str) -> str | None:
    """The text a call passes for one of the callee's parameters (methods skip `self`)."""
    params = list(fn.params)
    if fn.cls and params and params[0] in ("self", "cls"):
        params = params[1:]
    for name, text in edge.kwargs:
        if name == param:
            return text
    if param in params:
        index = params.index(param)
        if index < len(edge.args):
            return edge.args[index]
    return None


def const_for(fn: FunctionFacts, edge: CallEdge, param: str):
    """The folded constant a call passes for a parameter, or None."""
    params = list(fn.params)
    if fn.cls and params and params[0] in ("self", "cls"):
        params = params[1:]
    consts = dict(edge.consts)
    if param in consts:
        return consts[param]
    if param in params:
        index = params.index(param)
        # positional keys count every argument before it; keywords never precede positionals
        return consts.get(str(index))
    return None
