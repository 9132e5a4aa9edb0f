"""Dataset classes, the module functions that draw at random, and the calls that instantiate classes.

From the records of the collector's one walk (no walk of its own): for each class that subclasses a
Dataset-like base or defines `__getitem__`, its constructor's parameters and defaults, the attributes
`__init__` sets (`self.split = split`, `self.augment = split == 'train'`) with the conditions around
them, and for `__getitem__` and the methods it reaches what they draw at random and whom they call,
each with its enclosing conditions as text. The relate stage folds those conditions per instantiation
(relate/dataset_classes.py)."""

from __future__ import annotations

import sys

import libcst as cst

from evalparity.extract.collector import CallSite, Cond
from evalparity.extract.scopes import Scope, dotted, qualified_name, single_value
from evalparity.facts import ClassCall, DatasetClass, Draw, FunctionDraws, HelperCall
from evalparity.vocabulary.knowledge import KnowledgeBase

PYTHON_RANDOM = frozenset({"random", "randint", "uniform", "choice", "choices", "shuffle", "sample", "gauss",
                           "normalvariate", "randrange", "betavariate", "triangular", "expovariate", "lognormvariate",
                           "vonmisesvariate", "gammavariate", "getrandbits"})
NUMPY_NOT_DRAWS = frozenset({"seed", "RandomState", "default_rng", "Generator", "get_state", "set_state",
                             "SeedSequence", "PCG64", "MT19937", "Philox", "SFC64", "BitGenerator"})
TORCH_RANDOM = frozenset({"rand", "randn", "randint", "randperm", "bernoulli", "rand_like", "randn_like",
                          "randint_like", "multinomial", "normal", "poisson"})
SEEDS = frozenset({"random.seed", "numpy.random.seed", "torch.manual_seed", "torch.random.manual_seed"})
# a draw passed to these seeds a generator (`RandomState(seed=random.randint(0, 1024))`): what the
# generator draws is followed no further, and the seed itself is no augmentation
GENERATORS = frozenset({"numpy.random.RandomState", "numpy.random.default_rng", "numpy.random.Generator",
                        "numpy.random.seed", "random.Random", "random.seed", "torch.Generator", "torch.manual_seed"})
DRAW_NAMES = PYTHON_RANDOM | TORCH_RANDOM | {"get_params", "permutation", "random_sample", "ranf", "integers",
                                             "binomial", "beta", "rayleigh", "exponential", "standard_normal"}
# libraries whose functions a dataset method calls without them being project helpers
LIBRARIES = frozenset(sys.stdlib_module_names) | {
    "numpy", "torch", "torchvision", "cv2", "PIL", "skimage", "scipy", "pandas", "albumentations", "h5py",
    "sklearn", "imageio", "matplotlib", "tqdm", "decord", "librosa", "torchaudio", "soundfile", "nibabel",
    "SimpleITK", "transformers", "timm", "kornia", "monai", "lmdb", "pycocotools", "yaml", "json", "av",
}
MAX_REACH = 3  # methods followed from `__getitem__`
_RANDOM_TRANSFORMS: dict[int, frozenset[str]] = {}


def random_transform_names(kb: KnowledgeBase) -> frozenset[str]:
    """Short names of the random library transforms (`RandomCrop`, `ColorJitter`): a call by another
    name is not looked up in the knowledge base."""
    names = _RANDOM_TRANSFORMS.get(id(kb))
    if names is None:
        names = _RANDOM_TRANSFORMS[id(kb)] = frozenset(
            e.name for e in kb.all_entries() if e.random and e.kind not in ("compose", "factory"))
    return names


def _base_names(node: cst.ClassDef) -> tuple[str, ...]:
    return tuple(d for arg in node.bases if (d := dotted(arg.value)))


def is_dataset_class(node: cst.ClassDef) -> bool:
    bases = _base_names(node)
    if any("Dataset" in b.rpartition(".")[2] and "Iterable" not in b for b in bases):
        return True
    return any(isinstance(s, cst.FunctionDef) and s.name.value == "__getitem__" for s in _body(node))


def _body(node: cst.ClassDef):
    return node.body.body if isinstance(node.body, cst.IndentedBlock) else ()


class DatasetFacts:
    """Filled from a Builder: its text, locations, folder and dataset evidence."""

    def __init__(self, builder) -> None:
        self.b = builder
        self.data = builder.data
        self.by_scope: dict[int, list[CallSite]] = {}
        for site in self.data.function_calls:
            self.by_scope.setdefault(id(site.scope), []).append(site)

    def build(self) -> None:
        facts = self.b.facts
        classes = [(node, scope) for node, scope in self.data.classes if is_dataset_class(node)]
        module = self.data.module_scope
        self.local_functions = {b.defines.qualname: b.defines for bindings in module.bindings.values()
                                for b in bindings if b.defines is not None and b.defines.kind == "function"}
        self.summaries: dict[int, FunctionDraws] = {}
        for node, scope in classes:
            summary = self._class(node, scope)
            if summary is not None:
                facts.dataset_classes.append(summary)
        for qualname, scope in self.local_functions.items():
            summary = self._function(scope, helpers=False)
            if summary.draws:
                facts.random_functions.append(summary)
        self._class_calls()

    # conditions ---------------------------------------------------------------------------------
    def _conditions(self, conds: tuple[Cond, ...]) -> tuple[str, ...]:
        return tuple(self.b._cond_text(c) for c in conds)

    # functions ----------------------------------------------------------------------------------
    def _function(self, scope: Scope, helpers: bool = True) -> FunctionDraws:
        """A method's or module function's draws and, with `helpers`, the helpers it calls."""
        cached = self.summaries.get(id(scope))
        if cached is not None and (cached.calls or not helpers):
            return cached
        draws, calls, seeded = [], [], False
        node = scope.node
        randoms = random_transform_names(self.b.kb)
        seeds: set[int] = set()
        for site in self.by_scope.get(id(scope), []):
            if id(site.node) in seeds:
                continue
            call = site.node
            func = call.func
            last = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) \
                else ""
            if not helpers and last not in DRAW_NAMES and last not in randoms and last not in ("seed", "manual_seed"):
                continue
            qualname = qualified_name(scope, func)
            if qualname in GENERATORS:
                seeds.update(id(n) for a in call.args for n in _calls_in(a.value))
            if qualname in SEEDS:
                seeded = True
                continue
            draw = self._draw(call, qualname, last, randoms) if last in DRAW_NAMES or last in randoms else None
            if draw:
                draws.append(Draw(self.b.loc(call), self.b.text(call.func), self._conditions(site.conds),
                                  _draws_index(call)))
                continue
            helper = self._helper(call, scope, qualname) if helpers else None
            if helper is not None:
                kind, name = helper
                args, position = [], 0
                for arg in call.args:
                    if arg.star:
                        continue
                    key = arg.keyword.value if arg.keyword is not None else str(position)
                    position += arg.keyword is None
                    args.append((key, self.b.text(arg.value)))
                calls.append(HelperCall(self.b.loc(call), kind, name, tuple(args), self._conditions(site.conds)))
        params = node.params if isinstance(node, cst.FunctionDef) else None
        names = tuple(p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)) \
            if params is not None else ()
        if names and names[0] in ("self", "cls"):
            names = names[1:]
        summary = FunctionDraws(scope.qualname, scope.name, self.b.loc(node.name) if node is not None else None,
                                names, tuple(draws), tuple(calls), seeded)
        self.summaries[id(scope)] = summary
        return summary

    def _draw(self, call: cst.Call, qualname: str | None, last: str, randoms: frozenset[str]) -> bool | None:
        if qualname is None:
            return None
        head = qualname.rpartition(".")[0]
        if head == "random" and last in PYTHON_RANDOM:
            return True
        if head == "numpy.random" and last not in NUMPY_NOT_DRAWS:
            return True
        if head in ("torch", "torch.random") and last in TORCH_RANDOM:
            return True
        if last == "get_params":
            info = self.b.kb.lookup(head)
            return True if info is not None and info.random else None
        info = self.b.kb.lookup(qualname)
        return True if info is not None and info.random and info.kind not in ("compose", "factory") else None

    def _helper(self, call: cst.Call, scope: Scope, qualname: str | None):
        func = call.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
            return "method", func.attr.value
        if isinstance(func, cst.Name):
            bindings = scope.lookup(func.value) or []
            if len(bindings) == 1 and bindings[0].defines is not None and bindings[0].defines.kind == "function" \
                    and bindings[0].defines.parent is not None and bindings[0].defines.parent.kind == "module":
                return "local", bindings[0].defines.qualname
        if qualname and qualname.lstrip(".").partition(".")[0] not in LIBRARIES and \
                not qualname.rpartition(".")[2][:1].isupper():
            return "import", qualname
        return None

    # classes ------------------------------------------------------------------------------------
    def _class(self, node: cst.ClassDef, scope: Scope) -> DatasetClass | None:
        methods = {b.defines.name: b.defines for bindings in scope.bindings.values() for b in bindings
                   if b.defines is not None and b.defines.kind == "function"}
        getitem = methods.get("__getitem__")
        reached: list[FunctionDraws] = []
        if getitem is not None:
            todo, seen = [(getitem, 0)], {"__getitem__"}
            while todo:
                method, depth = todo.pop(0)
                summary = self._function(method)
                reached.append(summary)
                for call in summary.calls:
                    if call.kind == "method" and call.name in methods and call.name not in seen and depth < MAX_REACH:
                        seen.add(call.name)
                        todo.append((methods[call.name], depth + 1))
        init = methods.get("__init__")
        params, defaults, attributes, pipelines = (), [], [], []
        if init is not None and isinstance(init.node, cst.FunctionDef):
            ps = init.node.params
            every = [*ps.posonly_params, *ps.params, *ps.kwonly_params]
            params = tuple(p.name.value for p in [*ps.posonly_params, *ps.params])
            if params and params[0] == "self":
                params = params[1:]
            for param in every:
                if param.default is None:
                    continue
                name = param.name.value
                found = self.b.by_node.get(id(param.default))
                if found:
                    pipelines.extend((name, p.id) for p in found)
                value = self.b.folder.fold(param.default, init)
                if value.is_const:
                    defaults.append((name, value))
                elif isinstance(param.default, cst.Name) and found is None:
                    binding, ok = single_value(init, param.default.value)
                    if ok and id(binding.value) in self.b.by_node:
                        pipelines.extend((name, p.id) for p in self.b.by_node[id(binding.value)])
            for where, attr, value, conds in self.data.self_assigns:
                if where is init:
                    attributes.append((attr, self.b.text(value), self._conditions(conds)))
        if not any(m.draws or m.calls for m in reached) and not pipelines:
            return None
        return DatasetClass(scope.qualname, self.b.loc(node.name), _base_names(node), params, tuple(defaults),
                            tuple(attributes), tuple(reached), tuple(pipelines))

    # instantiations -----------------------------------------------------------------------------
    def _class_calls(self) -> None:
        for site in self.data.class_calls:
            call, scope = site.node, site.scope
            func = call.func
            if isinstance(func, cst.Name):
                bindings = scope.lookup(func.value) or []
                if len(bindings) == 1 and bindings[0].defines is not None:
                    if bindings[0].defines.kind != "class":
                        continue
                    key, name = "local", bindings[0].defines.qualname
                else:
                    key, name = "import", qualified_name(scope, func)
            elif isinstance(func, cst.Attribute):
                key, name = "import", qualified_name(scope, func)
            else:
                continue
            if not name or (key == "import" and name.lstrip(".").partition(".")[0] in LIBRARIES):
                continue
            if key == "local" and not any(c.qualname == name for c in self.b.facts.dataset_classes):
                continue
            consts, choices, position, spread = [], [], 0, False
            for arg in call.args:
                if arg.star:
                    spread = True
                    continue
                k = arg.keyword.value if arg.keyword is not None else str(position)
                position += arg.keyword is None
                value = self.b.folder.fold(arg.value, scope)
                consts.append((k, value))
                if not value.is_const and isinstance(arg.value, cst.Name):
                    options = self._choices(scope, arg.value.value)
                    if options:
                        choices.append((k, options))
            context = self.b._context(call)
            binding = context.name if context is not None and context.kind == "assign" and not context.attr \
                else None
            evidence = self.b._dataset_evidence(site, binding, context, ())
            self.b.facts.class_calls.append(ClassCall(
                self.b.loc(call), self.b.text(func), key, name, scope.qualname, binding, tuple(consts), spread,
                tuple(evidence), tuple(choices)))

    def _choices(self, scope: Scope, name: str):
        """`mode = 'train'` / `mode = 'validation'` in branches of this function: every constant the
        name can hold, where it is assigned; None when any assignment is not a constant."""
        bindings = scope.bindings.get(name) or []
        if len(bindings) < 2 or scope.kind != "function":
            return None
        found = []
        for binding in bindings:
            if binding.value is None or not isinstance(binding.value, cst.SimpleString):
                if binding.value is not None and isinstance(binding.value, cst.Name) and binding.value.value == "None":
                    continue
                return None
            found.append((binding.value.evaluated_value, self.b.loc(binding.value)))
        return tuple(found)


def _draws_index(call: cst.Call) -> bool:
    """`randint(len(self))`, `randint(self.__len__())`, `randint(0, len(self.items) - 1)`: a sample index
    of the dataset drawn again (a retry), not augmentation; `len(video)` of a local is a clip's range."""
    for arg in call.args:
        stack = [arg.value]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.BinaryOperation):
                stack.extend((node.left, node.right))
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in ("len", "range"):
                if node.func.value == "range":
                    stack.extend(a.value for a in node.args)
                elif node.args and _rooted_at_self(node.args[0].value):
                    return True
            elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
                    node.func.attr.value == "__len__" and _rooted_at_self(node.func.value):
                return True
    return False


def _calls_in(node: cst.BaseExpression) -> list[cst.Call]:
    """The calls inside an argument (its own nested calls included), without a full walk."""
    found, stack = [], [node]
    while stack:
        item = stack.pop()
        if isinstance(item, cst.Call):
            found.append(item)
            stack.extend(a.value for a in item.args)
        elif isinstance(item, cst.BinaryOperation):
            stack.extend((item.left, item.right))
        elif isinstance(item, cst.UnaryOperation):
            stack.append(item.expression)
    return found


def _rooted_at_self(node: cst.BaseExpression) -> bool:
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    return isinstance(node, cst.Name) and node.value == "self"
