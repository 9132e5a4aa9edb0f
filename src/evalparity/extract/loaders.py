"""DataLoader calls with their settings folded, the samplers they receive and the local evidence of
their role; known library datasets built with or without their split argument."""

from __future__ import annotations

import dataclasses
from pathlib import PurePath

import libcst as cst

from evalparity.extract.boolfold import APPROXIMATE, BoolFolder, names_in
from evalparity.extract.build import FILE_ROLES, ROLE_KEYWORDS_BOOL, ROLE_KEYWORDS_STR
from evalparity.extract.collector import CallSite, Collected
from evalparity.extract.conditions import condition_role
from evalparity.extract.loopvisitor import Records
from evalparity.extract.scopes import ASSIGN, Scope, dotted, qualified_name, single_value
from evalparity.extract.steps import branch_role
from evalparity.facts import Arg, DatasetCall, Evidence, LoaderUse, ParamDependence, Sampler, Value
from evalparity.vocabulary.call_names import TORCH_SAMPLERS
from evalparity.vocabulary.naming import (
    opposite,
    role_of_flag,
    role_of_name,
    role_of_string,
    role_parameter,
    words,
)
from evalparity.vocabulary.values import const

LOADER_QUALNAMES = {"torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader"}
LOADER_PARAMS = ("dataset", "batch_size", "shuffle", "sampler", "batch_sampler", "num_workers", "collate_fn",
                 "pin_memory", "drop_last", "timeout", "worker_init_fn", "multiprocessing_context", "generator")
ITERABLE_WORDS = {"iter", "iterator", "iterable", "stream", "streaming", "pipe", "datapipe", "webdataset", "shards",
                  "wds"}
SYNTHETIC_WORDS = {"random", "randn", "rand", "randint", "fake", "dummy", "synthetic", "boring", "toy", "mock"}
ITERABLE_LIBRARIES = ("torchtext.", "torchdata.", "webdataset.")
CANDIDATES = (True, False, "train", "val", "valid", "validation", "test", "eval", None)
W_BRANCH, W_KEY, W_NAME, W_DATASET, W_SCOPE = 3.0, 2.0, 2.0, 2.0, 1.0
# torchvision dataset → (split parameter, its position, its default)
DATASET_SPLITS = {
    **{name: ("train", 1, True) for name in ("MNIST", "FashionMNIST", "KMNIST", "CIFAR10", "CIFAR100", "USPS",
                                             "Kitti")},
    **{name: ("split", 1, "train") for name in ("SVHN", "STL10", "ImageNet", "Flowers102", "Food101",
                                                "StanfordCars", "DTD", "GTSRB", "CelebA", "Country211", "FER2013",
                                                "PCAM", "RenderedSST2", "CLEVRClassification", "Cityscapes",
                                                "Imagenette")},
    "OxfordIIITPet": ("split", 1, "trainval"), "FGVCAircraft": ("split", 1, "trainval"),
    "Places365": ("split", 1, "train-standard"), "EMNIST": ("train", None, True),
    "VOCSegmentation": ("image_set", 2, "train"), "VOCDetection": ("image_set", 2, "train"),
}


class LoaderExtractor:
    def __init__(self, path: str, data: Collected, records: Records, folder: BoolFolder, text, loc) -> None:
        self.path, self.data, self.records, self.folder, self.text, self.loc = path, data, records, folder, text, loc
        self.subset_sources: set[tuple[int, str]] = set()
        for site in data.calls:
            name = dotted(site.node.func) or ""
            if name.rpartition(".")[2] in ("Subset", "random_split") and site.node.args:
                first = site.node.args[0].value
                if isinstance(first, cst.Name):
                    self.subset_sources.add((id(site.scope), first.value))
        self.subset_sources.update((id(scope), name) for scope, name in data.carved)

    # loaders -------------------------------------------------------------------------------------
    def loaders(self) -> list[LoaderUse]:
        result = []
        for site in self.data.calls:
            if (dotted(site.node.func) or "").rpartition(".")[2] != "DataLoader":
                continue
            keyed = self.records.comp_keys.get(id(site.node))
            keys = self._keys(keyed, site.scope) if keyed else None
            if keys is None:
                result.append(self._loader(site, {}, None))
            else:
                result.extend(self._loader(site, {keyed[0]: const(k)}, k, keyed[2]) for k in keys)
        return result

    def _keys(self, keyed, scope: Scope) -> tuple[str, ...] | None:
        value = self.folder.fold(keyed[1], scope)
        if value.is_const and isinstance(value.const, tuple) and all(isinstance(k, str) for k in value.const):
            return value.const
        return None

    def _loader(self, site: CallSite, env: dict, key: str | None, container=None) -> LoaderUse:
        call, scope = site.node, site.scope
        qualname = qualified_name(scope, call.func)
        args, spread, exprs = [], False, {}
        for index, arg in enumerate(call.args):
            if arg.star:
                merged = self._merged(arg, scope, call, site.conds) if arg.star == "**" else None
                if merged is None or any(conditional and setting.name in ("dataset", "sampler", "batch_sampler")
                                         for setting, _, conditional in merged):
                    spread = True
                    continue
                for setting, expr, _ in merged:
                    if setting.name not in exprs:
                        args.append(setting)
                        exprs[setting.name] = expr
                continue
            name = arg.keyword.value if arg.keyword is not None else (
                LOADER_PARAMS[index] if index < len(LOADER_PARAMS) else f"#{index}")
            exprs[name] = arg.value
            args.append(Arg(name, None if arg.keyword else index, self.folder.fold(arg.value, scope, env),
                            self.loc(arg)))
        dataset = exprs.get("dataset")
        context = self.data.contexts.get(id(container if container is not None else call))
        binding = context.name if context is not None and context.kind == "assign" else None
        if container is not None and context is not None and context.kind == "return":
            context = None
        function = scope if scope.kind == "function" else None
        params = _params(function)
        returned = function is not None and (
            (context is not None and context.kind == "return") or
            (binding is not None and any(isinstance(r, cst.Name) and r.value == binding for r in function.returns)))
        return_index = _returned_at(function, binding) if function is not None and not returned else None
        returned = returned or return_index is not None
        role, test, positive = branch_role(site.conds)
        evidence = self._evidence(site, context, binding, key, dataset, env)
        depends = tuple(d for name, expr in exprs.items()
                        if (d := self._depends(name, expr, scope, params, env, site.conds)))
        return LoaderUse(
            location=self.loc(call), dataset=dataset.value if isinstance(dataset, cst.Name) else "",
            binding=binding, scope=scope.qualname, torch=qualname in LOADER_QUALNAMES, args=tuple(args),
            spread=spread, samplers=self._samplers(exprs.get("sampler"), scope, env),
            batch_samplers=self._samplers(exprs.get("batch_sampler"), scope, env),
            dataset_text=self.text(dataset) if dataset is not None else "",
            dataset_location=self.loc(dataset) if dataset is not None else None, key=key,
            evidence=tuple(evidence), branch=role, function=function.qualname if function else None,
            params=params, returned=returned, return_index=return_index, depends=depends, iterable=self._iterable(dataset, scope, exprs),
            synthetic=self._synthetic(dataset, scope), dataset_class=self._dataset_class(dataset, scope),
            guards=_guards(site.conds, params), drawn_once=id(call) in self.data.drawn_once,
        )

    def _merged(self, arg: cst.Arg, scope: Scope, call: cst.Call, conds) -> list[tuple] | None:
        """`DataLoader(ds, **train_kwargs)` with `train_kwargs = {…}` and `train_kwargs.update(cuda_kwargs)`
        calls before it: the settings the dict holds there. A key set only under a branch that the loader
        is not in is shown with its condition (`True (when use_cuda)`); anything else done to the dict,
        or a dict not written out as a literal, leaves the settings unknown (None)."""
        if not isinstance(arg.value, cst.Name):
            return None
        name = arg.value.value
        entries = self._literal(name, scope)
        if entries is None or any(where is scope and written == name for where, written in self.data.item_writes):
            return None
        line = self.loc(call).line
        inside = {(id(c.test), c.positive) for c in conds}
        for op in self.data.dict_updates:
            if op.name != name or op.scope is not scope or self.loc(op.node).line >= line:
                continue
            value = op.values[0] if len(op.values) == 1 else None
            added = self._literal(value.value, scope) if isinstance(value, cst.Name) else (
                self._entries(value) if isinstance(value, cst.Dict) else None)
            if added is None:
                return None
            extra = tuple(c for c in op.conds if (id(c.test), c.positive) not in inside)
            entries += [(key, expr, extra) for key, expr, _ in added]
        result: dict[str, tuple] = {}
        for key, expr, when in entries:
            value = self.folder.fold(expr, scope)
            if when and value.is_const:
                shown = " and ".join(self.text(c.test) if c.positive else f"not {self.text(c.test)}" for c in when)
                value = Value("const", value.const, key=APPROXIMATE, text=f"{self.text(expr)} (when {shown})",
                              origin=value.origin)
            elif when:
                value = Value("unknown", text=self.text(expr))
            result[key] = (Arg(key, None, value, self.loc(expr)), expr, bool(when))
        return list(result.values())

    def _literal(self, name: str, scope: Scope):
        binding, ok = single_value(scope, name)
        if not ok or binding.scope is not scope or not isinstance(binding.value, cst.Dict):
            return None
        return self._entries(binding.value)

    @staticmethod
    def _entries(node: cst.Dict):
        found = []
        for element in node.elements:
            if not isinstance(element, cst.DictElement) or not isinstance(element.key, cst.SimpleString):
                return None
            key = element.key.evaluated_value
            if not isinstance(key, str):
                return None
            found.append((key, element.value, ()))
        return found

    def _dataset_class(self, dataset, scope: Scope) -> str | None:
        """`TrainDataset(…)`, inline or bound to the name passed: the class through imports, or its local name."""
        call = _constructed(dataset, scope)
        return None if call is None else qualified_name(scope, call.func) or dotted(call.func)

    def _depends(self, name, expr, scope, params, env, conds=()) -> ParamDependence | None:
        """How a setting varies with the factory's role parameter (or its one parameter the setting reads),
        through the branches that assign the names it is written with."""
        if name == "dataset":
            return None
        used = (names_in(expr) | self.folder.branch_params(expr, scope)) & set(params)
        roles = [p for p in params if role_parameter(p)]
        branched = isinstance(expr, cst.Name) and len(scope.lookup(expr.value) or []) > 1
        if len(roles) == 1 and (roles[0] in used or branched):
            param = roles[0]  # assigned in branches: specialised per role even when they test other things
        elif len(used) == 1:
            param = used.pop()
        else:
            return None
        if isinstance(expr, cst.Name) and expr.value == param:
            return ParamDependence(name, param, (), direct=True)
        cases = []
        for candidate in CANDIDATES:
            value = self.folder.fold(expr, scope, {**env, param: const(candidate)}, conds)
            if value.is_const:
                cases.append((candidate, value))
        return ParamDependence(name, param, tuple(cases)) if cases else None

    def _samplers(self, expr, scope: Scope, env: dict) -> tuple[Sampler, ...]:
        if expr is None:
            return ()
        if isinstance(expr, cst.IfExp):
            return (_in_branch(self._samplers(expr.body, scope, env), condition_role(expr.test, True))
                    + _in_branch(self._samplers(expr.orelse, scope, env), condition_role(expr.test, False)))
        if isinstance(expr, cst.Name):
            if expr.value == "None":
                return (Sampler("none", self.loc(expr), text="None"),)
            bindings = [b for b in (scope.lookup(expr.value) or [])]
            if bindings and all(b.kind == ASSIGN and b.value is not None for b in bindings) and len(bindings) <= 4:
                found = ()
                for binding in bindings:
                    found += _in_branch(self._samplers(binding.value, binding.scope or scope, env),
                                        branch_role(binding.conds)[0])
                return found
            return (Sampler("other", self.loc(expr), text=self.text(expr)),)
        if isinstance(expr, cst.Call):
            qualname = qualified_name(scope, expr.func) or ""
            short = qualname.rpartition(".")[2]
            if qualname.startswith("torch.utils.data.") and short in TORCH_SAMPLERS:
                args = []
                for index, arg in enumerate(expr.args):
                    if arg.star:
                        continue
                    name = arg.keyword.value if arg.keyword else f"#{index}"
                    args.append(Arg(name, None if arg.keyword else index, self.folder.fold(arg.value, scope, env),
                                    self.loc(arg)))
                return (Sampler(short, self.loc(expr), tuple(args), self.text(expr)),)
        return (Sampler("other", self.loc(expr), text=self.text(expr)),)

    def _synthetic(self, dataset, scope: Scope, depth: int = 0) -> bool:
        """Random or placeholder data, where the order of samples means nothing: `RandomDataset(…)`,
        `TensorDataset(x, y)` with `x = torch.randn(…)`."""
        expr = dataset
        if isinstance(dataset, cst.Name):
            binding, ok = single_value(scope, dataset.value)
            expr = binding.value if ok else dataset
        if expr is None:
            return False
        if any(w in SYNTHETIC_WORDS for w in words(self.text(expr))):
            return True
        if isinstance(expr, cst.Call) and depth < 1:
            named = [a.value for a in expr.args if isinstance(a.value, cst.Name)]
            return bool(named) and all(self._synthetic(n, scope, depth + 1) for n in named)
        return False

    def _iterable(self, dataset, scope: Scope, exprs: dict) -> bool:
        """An IterableDataset (or a stream, a datapipe, a dataset that yields batches): no shuffle to ask for."""
        batch = exprs.get("batch_size")
        if isinstance(batch, cst.Name) and batch.value == "None":
            return True
        if dataset is not None and any(w in ITERABLE_WORDS for w in words(self.text(dataset))):
            return True
        call = _constructed(dataset, scope)
        if call is None:
            return False
        name = dotted(call.func) or ""
        qualname = qualified_name(scope, call.func) or ""
        if any(w in ITERABLE_WORDS for w in words(name)) or qualname.startswith(ITERABLE_LIBRARIES):
            return True
        bindings = scope.lookup(name) or []
        for binding in bindings:
            node = binding.defines.node if binding.defines is not None else None
            if isinstance(node, cst.ClassDef) and any("Iterable" in self.text(b.value) for b in node.bases):
                return True
        return False

    # evidence ------------------------------------------------------------------------------------
    def _evidence(self, site, context, binding, key, dataset, env) -> list[Evidence]:
        call, scope = site.node, site.scope
        where = self.loc(call)
        evidence = []
        if binding and role_of_name(binding):
            evidence.append(Evidence(role_of_name(binding), W_NAME, f"bound to `{binding}`", where))
        if context is not None and context.kind == "return" and scope.kind == "function" and role_of_name(scope.name):
            evidence.append(Evidence(role_of_name(scope.name), W_NAME, f"returned by `{scope.name}()`", where))
        elif scope.kind == "function" and role_of_name(scope.name) and not _unit_test(scope.name):
            evidence.append(Evidence(role_of_name(scope.name), W_SCOPE, f"built in `{scope.name}()`", where))
        dict_key = key if key is not None else (context.key if context is not None and context.kind == "dict" else None)
        if dict_key is not None and role_of_string(dict_key):
            evidence.append(Evidence(role_of_string(dict_key), W_KEY, f"under dict key '{dict_key}'", where))
        role, test, positive = branch_role(site.conds)
        if role is not None:
            evidence.append(Evidence(role, W_BRANCH, f"built under `{'' if positive else 'not '}{self.text(test)}`",
                                     self.loc(test)))
        if dataset is not None:
            evidence.extend(self.dataset_evidence(dataset, scope, env))
        stem = PurePath(self.path).stem.lower()
        if stem in FILE_ROLES:
            evidence.append(Evidence(FILE_ROLES[stem], 1.0, f"in file `{PurePath(self.path).name}`", None))
        return evidence

    def dataset_evidence(self, expr, scope: Scope, env: dict, depth: int = 0) -> list[Evidence]:
        where = self.loc(expr)
        shown = self.text(expr)
        if isinstance(expr, cst.Name):
            found = []
            if role_of_name(expr.value):
                found.append(Evidence(role_of_name(expr.value), W_DATASET, f"receives `{expr.value}`", where))
            binding, ok = single_value(scope, expr.value)
            if ok and depth < 2 and isinstance(binding.value, (cst.Call, cst.Subscript)):
                inner = self.dataset_evidence(binding.value, binding.scope or scope, {}, depth + 1)
                found.extend(e for e in inner if not e.reason.startswith("receives"))
            return found
        if isinstance(expr, cst.Attribute):
            role = role_of_name(expr.attr.value)
            return [Evidence(role, W_DATASET, f"receives `{shown}`", where)] if role else []
        if isinstance(expr, cst.Subscript) and len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
            value = self.folder.fold(expr.slice[0].slice.value, scope, env)
            if value.is_const and isinstance(value.const, str) and role_of_string(value.const):
                return [Evidence(role_of_string(value.const), W_DATASET, f"receives `{shown}` ('{value.const}')",
                                 where)]
            return []
        if isinstance(expr, cst.Call):
            return self._keyword_evidence(expr, scope, env)
        return []

    def _keyword_evidence(self, call: cst.Call, scope: Scope, env: dict) -> list[Evidence]:
        found = []
        named = [(a.keyword.value, a) for a in call.args if a.keyword is not None]
        split = DATASET_SPLITS.get((qualified_name(scope, call.func) or "").rpartition(".")[2])
        positional = [a for a in call.args if a.keyword is None and not a.star]
        if split is not None and split[1] is not None and len(positional) > split[1]:
            named.append((split[0], positional[split[1]]))
        for keyword, arg in named:
            value = self.folder.fold(arg.value, scope, env)
            if not value.is_const:
                continue
            if keyword in ROLE_KEYWORDS_BOOL and isinstance(value.const, bool):
                role = role_of_flag(keyword) if value.const else opposite(role_of_flag(keyword))
                if role:
                    found.append(Evidence(role, W_DATASET, f"dataset built with {keyword}={value.const}",
                                          self.loc(arg)))
            elif (keyword in ROLE_KEYWORDS_STR or keyword == "image_set") and isinstance(value.const, str):
                role = role_of_string(value.const)
                if role:
                    found.append(Evidence(role, W_DATASET, f"dataset built with {keyword}='{value.const}'",
                                          self.loc(arg)))
        return found

    # datasets ------------------------------------------------------------------------------------
    def dataset_calls(self) -> list[DatasetCall]:
        result = []
        for call, scope in self.records.dataset_sites:
            qualname = qualified_name(scope, call.func) or ""
            spec = DATASET_SPLITS.get(qualname.rpartition(".")[2])
            if spec is None or any(a.star for a in call.args):
                continue
            param, position, default = spec
            positional = [a for a in call.args if a.keyword is None]
            given = next((a for a in call.args if a.keyword is not None and a.keyword.value == param), None)
            if given is None and position is not None and len(positional) > position:
                given = positional[position]
            split = self.folder.fold(given.value, scope) if given is not None else None
            context = self.data.contexts.get(id(call))
            binding = context.name if context is not None and context.kind == "assign" else None
            key = context.key if context is not None and context.kind == "dict" else None
            evidence = []
            if binding and role_of_name(binding):
                evidence.append(Evidence(role_of_name(binding), W_NAME, f"bound to `{binding}`", self.loc(call)))
            if key is not None and role_of_string(key):
                evidence.append(Evidence(role_of_string(key), W_KEY, f"under dict key '{key}'", self.loc(call)))
            split_off = binding is not None and (id(scope), binding) in self.subset_sources
            result.append(DatasetCall(self.loc(call), qualname, binding, scope.qualname, param, split, default,
                                      key, tuple(evidence), split_off))
        return result


def _returned_at(function: Scope, binding: str | None) -> int | None:
    """`return data_set, data_loader`: where the loader stands in every returned tuple (one place only)."""
    if binding is None:
        return None
    places = {next((i for i, e in enumerate(r.elements) if isinstance(e.value, cst.Name) and e.value.value == binding),
                   None) for r in function.returns if isinstance(r, cst.Tuple)}
    places.discard(None)
    return places.pop() if len(places) == 1 else None


def _params(function: Scope | None) -> tuple[str, ...]:
    node = function.node if function is not None else None
    if not isinstance(node, cst.FunctionDef):
        return ()
    params = node.params
    return tuple(p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params))


def _unit_test(name: str) -> bool:
    return name.startswith("test_")


def _in_branch(samplers: tuple[Sampler, ...], role: str | None) -> tuple[Sampler, ...]:
    return tuple(s if s.branch or role is None else dataclasses.replace(s, branch=role) for s in samplers)


def _constructed(dataset, scope: Scope) -> cst.Call | None:
    """The call that built the dataset passed: inline, or the one assignment of the name passed."""
    expr = dataset
    if isinstance(dataset, cst.Name):
        binding, ok = single_value(scope, dataset.value)
        expr = binding.value if ok else None
    return expr if isinstance(expr, cst.Call) else None


def _guards(conds, params) -> tuple[tuple[str, bool], ...]:
    """The factory parameters tested bare around the loader: `if distributed:`, `if not use_ddp:`."""
    found = []
    for cond in conds:
        test, positive = cond.test, cond.positive
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            test, positive = test.expression, not positive
        if isinstance(test, cst.Name) and test.value in params:
            found.append((test.value, positive))
    return tuple(found)
