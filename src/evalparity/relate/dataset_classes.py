"""Project Dataset classes, evaluated once per instantiation.

`VideoDataset(split='val')` runs `VideoDataset.__getitem__` with `self.split == 'val'`: the constructor's
parameters get the constants the call passes (else their literal defaults, as for pipeline factories:
relate/factories.py), `__init__`'s attribute assignments are folded with them in order
(`self.train = split == 'train'`, `if mode in ['train']: self.aug = True`), and every random draw
reached from `__getitem__` (directly, in the methods it calls, or one level into a project function) is
kept when its conditions do not fold to false. A condition that cannot be decided keeps the draw only
when it says nothing about the split: a comparison of a setting with a word that is not a split name
(`self.representation == 'iframe'`) or a run-time test (`img is None`) is noted; an unknown flag
(`if self.augment:`), a parameter or attribute named for the role, or a comparison with a split name
keeps the draw out (precision first). A function seeded in place (`np.random.seed(index)`) draws
nothing random. The instantiation's role comes from its own evidence (arguments, the name it is bound
to, the loader it is passed to) and from the split its constructor receives."""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from evalparity.facts import (
    EVAL,
    TRAIN,
    UNKNOWN,
    ClassCall,
    DatasetClass,
    Evidence,
    FileFacts,
    FunctionDraws,
    HelperCall,
    Location,
    Pipeline,
)
from evalparity.relate.callees import reexport
from evalparity.relate.factories import MISSING, bind_arguments, condition_value, evaluate_condition
from evalparity.relate.loader_roles import loader_roles
from evalparity.relate.project import Project
from evalparity.relate.roles import decide
from evalparity.vocabulary.naming import (
    is_tta,
    role_of_flag,
    role_of_name,
    role_of_string,
    role_parameter,
    words,
)

W_ARGUMENT, W_LOADER, W_CHOICE = 2.0, 2.0, 3.0
MAX_HOPS = 4
ROLE_WORDS = frozenset({"aug", "augment", "augmentation", "augmentations", "augs", "jitter", "random", "rand"})


@dataclass
class Reach:
    """One random operation an instance runs: a draw, or a random step of a default pipeline."""

    entry: Location  # the statement of `__getitem__` that leads to it
    location: Location  # the draw (or the pipeline)
    name: str
    function: str  # the function that draws (`VideoDataset.crop`, `color_aug`)
    conditions: tuple[str, ...] = ()  # undecided conditions that say nothing about the split
    pipeline: Pipeline | None = None
    parameter: str | None = None  # the constructor parameter whose default the pipeline is
    chosen: tuple[str, ...] = ()  # conditions that turn it on by naming an evaluation split (`mode == 'test-aug'`)


@dataclass
class DatasetInstance:
    path: str
    call: ClassCall
    cls: DatasetClass
    cls_path: str
    role: str = UNKNOWN
    evidence: list[Evidence] = field(default_factory=list)
    reaches: list[Reach] = field(default_factory=list)
    choice: tuple[str, Any, Location] | None = None  # (parameter, value, where it is assigned)
    env: dict = field(default_factory=dict)  # the constructor's parameters and `self.<attr>` as this call sets them

    def holds(self, condition: str) -> bool | None:
        """Whether a condition written in the class (`self.split == "train"`) is true for this instance."""
        node = _parse(condition)
        return evaluate_condition(node, self.env) if node is not None else None

    @property
    def label(self) -> str:
        return f"`{self.call.binding}`" if self.call.binding else ""


@lru_cache(maxsize=4096)
def _parse(text: str) -> ast.AST | None:
    try:
        return ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


class _Substitute(ast.NodeTransformer):
    def __init__(self, names: dict[str, ast.AST]) -> None:
        self.names = names

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return self.names.get(node.id, node)


def _substituted(text: str, subst: dict[str, ast.AST]) -> ast.AST | None:
    tree = _parse(text)
    if tree is None or not subst:
        return tree
    return _Substitute(subst).visit(copy.deepcopy(tree))


def _role_reference(name: str) -> bool:
    last = name.rpartition(".")[2]
    return role_parameter(last) or role_of_name(last) is not None or any(w in ROLE_WORDS for w in words(last))


def _references(node: ast.AST) -> list[str]:
    """Names and `self.x` attributes a condition reads, not the functions it calls (`torch.rand(1) < p`)."""
    found, stack = [], [node]
    while stack:
        sub = stack.pop()
        if isinstance(sub, ast.Call):
            stack.extend(sub.args)
            stack.extend(k.value for k in sub.keywords)
        elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
            found.append(f"{sub.value.id}.{sub.attr}")
        elif isinstance(sub, ast.Name):
            found.append(sub.id)
        else:
            stack.extend(ast.iter_child_nodes(sub))
    return found


def _settles(node: ast.AST, env: dict, known: set[str]) -> bool | None | str:
    """True / False when the condition folds; "loose" when it cannot but says nothing about the
    split; None when it cannot and may depend on the split."""
    truth = evaluate_condition(node, env)
    if truth is not None:
        return truth
    bare = node.operand if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) else node
    references = _references(node)
    if any(_role_reference(r) for r in references):
        return None
    if isinstance(bare, (ast.Name, ast.Attribute)) and any(r in known or r.startswith("self.")
                                                            for r in _references(bare)):
        return None  # an unknown flag of the dataset or the caller: `if self.crop_random:`
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and role_of_string(sub.value):
            return None
    return "loose"


def _chosen(texts, subst: dict[str, ast.AST], env: dict) -> tuple[str, ...]:
    """The conditions that hold for this instance because they name an evaluation split next to another
    mode (`self.mode == 'inpainting' or self.mode == 'inpaint-eval'`, `split in ('train', 'val')`): the
    authors shared the draw with evaluation on purpose. A branch for evaluation alone that draws
    (`elif self.mode == 'validation':`) is not one: that is where a slip hides."""
    picked = []
    for text in texts:
        node = _substituted(text, subst)
        if node is None or evaluate_condition(node, env) is not True:
            continue
        named = {role_of_string(c.value) for sub in ast.walk(node) if isinstance(sub, ast.Compare)
                 and all(isinstance(op, (ast.Eq, ast.In)) for op in sub.ops)
                 for side in (sub.left, *sub.comparators) for c in ast.walk(side)
                 if isinstance(c, ast.Constant) and isinstance(c.value, str)}
        if EVAL in named and named - {EVAL}:  # an evaluation split next to another mode
            picked.append(text)
    return tuple(picked)


def _subst_for(fn: FunctionDraws, call: HelperCall, outer: dict[str, ast.AST]) -> dict[str, ast.AST]:
    """The callee's parameters → the argument expressions of this call (in the caller's terms)."""
    subst: dict[str, ast.AST] = {}
    for key, text in call.args:
        name = fn.params[int(key)] if key.isdigit() and int(key) < len(fn.params) else key
        if name not in fn.params:
            continue
        node = _substituted(text, outer)
        if node is not None:
            subst[name] = node
    for name in fn.params:
        subst.setdefault(name, ast.Name(id=f"<{name}>"))  # not passed, or a default: unknown here
    return subst


class DatasetClasses:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.instances: list[DatasetInstance] = []
        self._loaders = None
        for path in list(project.files):
            facts = project.files[path]
            for call in facts.class_calls:
                if not _worth(call, facts):
                    continue
                found = self.resolve(facts, call)
                if found is None:
                    continue
                cls_path, cls = found
                self.instances.extend(self._instances(path, facts, call, cls_path, cls))

    # classes ------------------------------------------------------------------------------------
    def resolve(self, facts: FileFacts, call: ClassCall) -> tuple[str, DatasetClass] | None:
        if call.key == "local":
            cls = next((c for c in facts.dataset_classes if c.qualname == call.name), None)
            return (facts.path, cls) if cls is not None else None
        return self._imported(facts.path, call.name, 0)

    def _imported(self, importer: str, qualname: str, hops: int) -> tuple[str, DatasetClass] | None:
        found = self.project.split_qualname(importer, qualname)
        if found is None or hops > MAX_HOPS:
            return None
        path, name = found
        data = self.project.deferred_source(path)
        if data is not None and not (b"class " + name.rpartition(".")[2].encode() in data and b"__getitem__" in data):
            how, target = reexport(data, name)  # a deferred file is extracted only for a Dataset class
            return self._imported(path, target, hops + 1) if how == "imported" and target != qualname else None
        facts = self.project.facts(path)
        if facts is None:
            return None
        cls = next((c for c in facts.dataset_classes if c.qualname == name), None)
        if cls is not None:
            return path, cls
        for record in facts.imports:
            if record.local == name and record.name:
                target = "." * record.level + (f"{record.module}." if record.module else "") + record.name
                return self._imported(path, target, hops + 1) if target != qualname else None
        return None

    def _function(self, path: str, kind: str, name: str) -> tuple[str, FunctionDraws] | None:
        if kind == "local":
            facts = self.project.facts(path)
            fn = next((f for f in facts.random_functions if f.qualname == name), None) if facts else None
            return (path, fn) if fn is not None else None
        found = self.project.split_qualname(path, name)
        if found is None:
            return None
        target, short = found
        data = self.project.deferred_source(target)
        if data is not None and not (b"def " + short.rpartition(".")[2].encode() in data and b"random" in data):
            return None
        facts = self.project.facts(target)
        if facts is None:
            return None
        fn = next((f for f in facts.random_functions if f.qualname == short), None)
        if fn is not None:
            return target, fn
        for record in facts.imports:
            if record.local == short and record.name and record.level + len(record.module) > 0:
                inner = "." * record.level + (f"{record.module}." if record.module else "") + record.name
                found = self.project.split_qualname(target, inner)
                if found is not None and (more := self.project.facts(found[0])) is not None:
                    fn = next((f for f in more.random_functions if f.qualname == found[1]), None)
                    return (found[0], fn) if fn is not None else None
        return None

    # instances ----------------------------------------------------------------------------------
    def _instances(self, path, facts, call: ClassCall, cls_path, cls: DatasetClass) -> list[DatasetInstance]:
        if any(is_tta(part) for part in call.scope.split(".")):
            return []
        defaults = {name: value.const for name, value in cls.defaults}
        base_env = bind_arguments(cls.params, defaults, call.consts, call.spread)
        evidence = list(call.evidence) + self._loader_evidence(path, facts, call)
        variants: list[tuple[dict, list[Evidence], tuple | None]] = []
        for key, options in call.choices:
            name = cls.params[int(key)] if key.isdigit() and int(key) < len(cls.params) else key
            for value, where in options:
                role = role_of_string(value) if isinstance(value, str) and role_parameter(name) else None
                if role is None:
                    continue
                env = dict(base_env, **{name: value})
                reason = f"`{name}` is '{value}' here"
                variants.append((env, evidence + [Evidence(role, W_CHOICE, reason, where)], (name, value, where)))
            break
        if not variants:
            variants.append((base_env, evidence + self._parameter_evidence(call, cls, base_env), None))
        result = []
        for env, found, choice in variants:
            role = decide(found)
            instance = DatasetInstance(path, call, cls, cls_path, role, found, choice=choice,
                                       env=self._attributes(cls, env))
            if role == EVAL:
                instance.reaches = self._reaches(cls_path, cls, call, instance.env)
            result.append(instance)
        return result

    def _parameter_evidence(self, call: ClassCall, cls: DatasetClass, env: dict) -> list[Evidence]:
        """The split the constructor receives by position or from its default (by keyword it is already
        the call's own evidence)."""
        keywords = {k for k, _ in call.consts if not k.isdigit()}
        positional = {cls.params[int(k)] for k, _ in call.consts if k.isdigit() and int(k) < len(cls.params)}
        found = []
        for name in cls.params + tuple(n for n, _ in cls.defaults if n not in cls.params):
            if name in keywords or name not in env:
                continue
            value = env[name]
            how = "built with" if name in positional else "constructed with the default"
            if isinstance(value, bool) and role_of_flag(name):
                role = role_of_flag(name) if value else (EVAL if role_of_flag(name) == TRAIN else TRAIN)
                found.append(Evidence(role, W_ARGUMENT, f"dataset {how} {name}={value}", call.location))
            elif isinstance(value, str) and role_parameter(name) and role_of_string(value):
                found.append(Evidence(role_of_string(value), W_ARGUMENT, f"dataset {how} {name}='{value}'",
                                      call.location))
        return found

    def _loader_evidence(self, path: str, facts: FileFacts, call: ClassCall) -> list[Evidence]:
        """The role of the DataLoader the dataset is given to, by name or inline."""
        relevant = [lo for lo in facts.loaders if lo.dataset_location == call.location or
                    (call.binding and lo.dataset == call.binding and lo.scope == call.scope)]
        if not relevant:
            return []
        if self._loaders is None:
            self._loaders = loader_roles(self.project)
        found = []
        for item in self._loaders.items:
            if item.path == path and item.loader in relevant and item.role != UNKNOWN:
                found.append(Evidence(item.role, W_LOADER, f"dataset given to {item.label} ({item.reason()})",
                                      item.where))
        return found

    @staticmethod
    def _attributes(cls: DatasetClass, env: dict) -> dict:
        """The constructor's environment with `self.<attr>` folded from `__init__`'s assignments."""
        env = dict(env)
        for attr, text, conditions in cls.attributes:
            truths = [evaluate_condition(t, env) if (t := _parse(c)) is not None else None for c in conditions]
            if False in truths:
                continue
            key = f"self.{attr}"
            node = _parse(text)
            value = condition_value(node, env) if node is not None else MISSING
            if value is MISSING and node is not None and isinstance(node, (ast.Compare, ast.BoolOp, ast.UnaryOp)):
                truth = evaluate_condition(node, env)
                value = MISSING if truth is None else truth
            if value is MISSING or None in truths:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def _reaches(self, cls_path: str, cls: DatasetClass, call: ClassCall, env: dict) -> list[Reach]:
        methods = {m.name: m for m in cls.methods}
        getitem = methods.get("__getitem__")
        if getitem is None:
            return []
        known = {f"self.{a}" for a, _, _ in cls.attributes} | set(cls.params)
        found: list[Reach] = []
        self._walk(cls_path, cls, getitem, {}, (), None, env, known, methods, call, found, 0, False)
        found.sort(key=lambda r: (r.entry.line, r.entry.column, r.location.path, r.location.line))
        return found

    def _walk(self, path, cls, fn: FunctionDraws, subst, conditions, entry, env, known, methods, call, found,
              depth, seeded, chosen=()) -> None:
        if is_tta(fn.name):
            return
        seeded = seeded or fn.seeded
        if not seeded:
            for draw in fn.draws:
                if draw.index:
                    continue
                loose = self._conditions(draw.conditions, subst, env, known)
                if loose is None:
                    continue
                found.append(Reach(entry or draw.location, draw.location, draw.name, fn.qualname,
                                   conditions + loose, chosen=chosen + _chosen(draw.conditions, subst, env)))
        if depth > MAX_HOPS:
            return
        for helper in fn.calls:
            loose = self._conditions(helper.conditions, subst, env, known)
            if loose is None:
                continue
            where = entry or helper.location
            picked = chosen + _chosen(helper.conditions, subst, env)
            if helper.kind == "method" and helper.name in methods:
                callee = methods[helper.name]
                self._walk(path, cls, callee, _subst_for(callee, helper, subst), conditions + loose, where, env,
                           known, methods, call, found, depth + 1, seeded, picked)
            elif helper.kind == "method":
                self._default_pipeline(path, cls, helper, call, env, conditions + loose, where, found)
            elif not seeded:
                target = self._function(path, helper.kind, helper.name)
                if target is None:
                    continue
                callee_path, callee = target
                inner = _subst_for(callee, helper, subst)
                for draw in callee.draws:
                    more = self._conditions(draw.conditions, inner, env, known)
                    if more is None or draw.index or callee.seeded or is_tta(callee.name):
                        continue
                    found.append(Reach(where, draw.location, draw.name, callee.qualname, conditions + loose + more,
                                       chosen=picked + _chosen(draw.conditions, inner, env)))

    def _conditions(self, texts, subst, env, known) -> tuple[str, ...] | None:
        """The conditions that stay undecided but say nothing about the split; None when one is false
        or may depend on the split."""
        loose = []
        for text in texts:
            node = _substituted(text, subst)
            if node is None:
                return None
            settled = _settles(node, env, known | {f"<{k}>" for k in subst})
            if settled is False or settled is None:
                return None
            if settled == "loose":
                loose.append(text)
        return tuple(loose)

    def _default_pipeline(self, path, cls: DatasetClass, helper: HelperCall, call: ClassCall, env, conditions,
                          entry, found) -> None:
        """`self.transform(img)` where `__init__` stored a parameter whose default is a pipeline, and the
        call does not pass that parameter."""
        defaults = dict(cls.default_pipelines)
        if not defaults or call.spread:
            return
        params = {text for attr, text, conds in cls.attributes if attr == helper.name and not conds}
        passed = {k for k, _ in call.consts if not k.isdigit()} | \
            {cls.params[int(k)] for k, _ in call.consts if k.isdigit() and int(k) < len(cls.params)}
        facts = self.project.facts(path)
        for param in params:
            if param not in defaults or param in passed or facts is None:
                continue
            ids = {pid for name, pid in cls.default_pipelines if name == param}
            for pipeline in facts.pipelines:
                if pipeline.id in ids:
                    found.append(Reach(entry, pipeline.location, param, cls.qualname, conditions,
                                       pipeline=self.project.resolve_steps(pipeline), parameter=param))


def _worth(call: ClassCall, facts: FileFacts) -> bool:
    """A call that can have a role: evidence of its own, a constant that can select a split, constants
    assigned in branches, or a loader it is given to."""
    if call.evidence or call.choices:
        return True
    if any(isinstance(v.const, (str, bool)) for _, v in call.consts if v.is_const):
        return True
    return any(lo.dataset_location == call.location or (call.binding and lo.dataset == call.binding)
               for lo in facts.loaders)


def _build(project: Project) -> DatasetClasses:
    return DatasetClasses(project)


def dataset_classes(project: Project) -> DatasetClasses:
    return project.derived(_build)
