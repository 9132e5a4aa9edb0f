"""Roles of DataLoaders (TRAIN, EVAL or UNKNOWN) from weighted evidence, like pipelines: the local
evidence recorded at extraction, where the loader is iterated or passed, and for a loader factory
(`def make_loader(ds, is_train): return DataLoader(…, shuffle=is_train)`) one instance per call site,
with the settings its arguments select."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from evalparity.facts import (
    EVAL,
    TRAIN,
    UNKNOWN,
    Arg,
    CallEdge,
    Evidence,
    FunctionFacts,
    LoaderUse,
    Location,
    Loop,
    Value,
)
from evalparity.relate.callgraph import CallGraph, Key, argument_for, call_graph, const_for
from evalparity.relate.project import Project
from evalparity.relate.roles import decide
from evalparity.vocabulary.naming import role_of_flag, role_of_name, role_of_string, role_parameter

W_SITE_NAME, W_SITE_FLAG, W_USE, W_PARAMETER = 2.0, 3.0, 1.0, 2.0
_SUBSCRIPT = re.compile(r"([\w.]+)\[['\"]?([\w.]+)['\"]?\]")


@dataclass
class RoledLoader:
    path: str
    loader: LoaderUse
    role: str = UNKNOWN
    evidence: list[Evidence] = field(default_factory=list)
    site: CallEdge | None = None  # the factory call this instance was built for
    site_path: str | None = None
    site_scope: str | None = None

    @property
    def name(self) -> str:
        if self.site is not None and _returned_name(self.site, self.loader):
            return _returned_name(self.site, self.loader)
        if self.loader.binding:
            return self.loader.binding + (f"['{self.loader.key}']" if self.loader.key else "")
        if self.loader.key:
            return f"the '{self.loader.key}' loader"
        return "this DataLoader"

    @property
    def label(self) -> str:
        name = self.name
        return name if name.startswith("the ") or name == "this DataLoader" else f"`{name}`"

    @property
    def where(self) -> Location:
        return self.site.location if self.site is not None else self.loader.location

    def setting(self, name: str) -> Arg | None:
        return next((a for a in self.loader.args if a.name == name), None)

    def reason(self) -> str:
        """The strongest evidence of the loader's role (the first of equals); asked only of a loader whose role
        decide() gave, which always has some."""
        return max((e for e in self.evidence if e.role == self.role), key=lambda e: e.weight).reason


def _site_evidence(fn: FunctionFacts, edge: CallEdge, loader: LoaderUse, consts: dict, site: CallEdge) -> list[Evidence]:
    """What the call that builds this instance says of its role: the name it is returned to, and the
    role arguments passed (`consts`, followed through wrappers to `site`, where they are written)."""
    evidence = []
    where = site.location
    name = _returned_name(site, loader)
    if name and role_of_name(name):
        evidence.append(Evidence(role_of_name(name), W_SITE_NAME, f"returned to `{name}`", where))
    for param in loader.params:
        value = consts.get(param)
        if value is not None and isinstance(value.const, bool) and role_of_flag(param):
            role = role_of_flag(param) if value.const else (EVAL if role_of_flag(param) == TRAIN else TRAIN)
            evidence.append(Evidence(role, W_SITE_FLAG, f"`{site.callee}(…, {param}={value.const})`", where))
        elif value is not None and isinstance(value.const, str) and role_of_string(value.const) and \
                role_parameter(param):
            evidence.append(Evidence(role_of_string(value.const), W_SITE_FLAG,
                                     f"`{site.callee}(…, {param}='{value.const}')`", where))
        text = argument_for(fn, edge, param) if param == loader.dataset else None
        if text and role_of_name(text.rpartition(".")[2]):
            evidence.append(Evidence(role_of_name(text.rpartition(".")[2]), W_SITE_NAME,
                                     f"receives `{text}`", where))
    return evidence


def _returned_name(site: CallEdge, loader: LoaderUse) -> str | None:
    """The name the call's result is bound to: `val_loader = make(…)`, or `_, val_loader = make(…)`."""
    if site.binding:
        return site.binding
    if loader.return_index is not None and loader.return_index < len(site.targets):
        return site.targets[loader.return_index] or None
    return None


def _contradicts(value: Value | None, truth: bool) -> bool:
    return value is not None and value.is_const and isinstance(value.const, (bool, int, str, type(None))) and \
        bool(value.const) != truth


def _instance(loader: LoaderUse, consts: dict) -> LoaderUse:
    args = {a.name: a for a in loader.args}
    for dependence in loader.depends:
        value = consts.get(dependence.param)
        if value is None:
            continue
        case = value if dependence.direct else next(
            (v for c, v in dependence.cases if c == value.const and type(c) is type(value.const)), None)
        old = args.get(dependence.setting)
        if case is not None and old is not None:
            args[dependence.setting] = dataclasses.replace(old, value=Value(
                "const", const=case.const, text=f"{case.text} with {dependence.param}={value.text}",
                origin=case.origin))
    return dataclasses.replace(loader, args=tuple(args.values()))


def _resolved(project: Project, path: str, loader: LoaderUse) -> LoaderUse:
    """The loader with settings read from configuration or imported (`batch_size=args.val_batch_size`,
    `shuffle=cfg.VAL.SHUFFLE`) replaced by the constants the project gives them, where it does."""
    if not any(a.value.kind in ("ref", "config") for a in loader.args):
        return loader
    args = tuple(dataclasses.replace(a, value=resolved) if a.value.kind in ("ref", "config") and
                 (resolved := project.resolve_value(path, a.value)).is_const else a for a in loader.args)
    return dataclasses.replace(loader, args=args)


class LoaderRoles:
    def __init__(self, project: Project, graph: CallGraph) -> None:
        self.project, self.graph = project, graph
        self.items: list[RoledLoader] = []
        for path in list(project.files):
            for loader in project.files[path].loaders:
                self.items.extend(self._instances(path, _resolved(project, path, loader)))
        from evalparity.relate.mmconfig import config_items  # loaders declared in configuration files

        configured = config_items(project).loaders
        self._by_binding: dict[tuple[str, str], list[RoledLoader]] = {}
        for item in self.items:
            if item.site is not None and item.site.binding:
                self._by_binding.setdefault((item.site_path, item.site.binding), []).append(item)
            elif item.site is None and item.loader.binding:
                self._by_binding.setdefault((item.path, item.loader.binding), []).append(item)
        self._use_evidence()
        for item in self.items:
            item.role = UNKNOWN if item.loader.drawn_once else decide(item.evidence)
        self.items.extend(configured)

    def _instances(self, path: str, loader: LoaderUse) -> list[RoledLoader]:
        base = RoledLoader(path, loader, evidence=list(loader.evidence))
        if not loader.returned or loader.function is None:
            return [base]
        key = (path, loader.function)
        fn = self.graph.function(key)
        callers = self.graph.callers.get(key, [])
        if fn is None or not callers:
            return [base]
        found = []
        for edge, site, (caller_path, caller_scope), consts in self._sites(key, fn):
            if any(_contradicts(consts.get(param), truth) for param, truth in loader.guards):
                continue  # this call passes a constant that skips the branch holding the loader
            evidence = list(loader.evidence) + _site_evidence(fn, edge, loader, consts, site)
            site_role = decide([e for e in evidence if e.location == site.location])
            if loader.branch is not None and site_role not in (UNKNOWN, loader.branch):
                continue  # this call takes the other branch of the factory
            found.append(RoledLoader(path, _instance(loader, consts), evidence=evidence, site=site,
                                     site_path=caller_path, site_scope=caller_scope))
        return found

    def _sites(self, key: Key, fn: FunctionFacts, depth: int = 0):
        """(the call of `fn`, the call where its arguments are written, that call's caller, {parameter:
        constant passed}) for each call of a factory; a wrapper that passes its own parameter on
        (`def _get_data(self, flag): return data_provider(self.args, flag)`) is followed to its callers."""
        for caller, edge in self.graph.callers.get(key, []):
            consts = {p: v for p in fn.params if (v := const_for(fn, edge, p)) is not None}
            caller_fn = self.graph.function(caller)
            forwarded = {p: text for p in fn.params if p not in consts and (text := argument_for(fn, edge, p))
                         and caller_fn is not None and text in caller_fn.params}
            outer = list(self._sites(caller, caller_fn, depth + 1)) if forwarded and depth < 3 else []
            if not outer:
                yield edge, edge, caller, consts
                continue
            for _, site, site_caller, outer_consts in outer:
                merged = dict(consts)
                merged.update({p: outer_consts[text] for p, text in forwarded.items() if text in outer_consts})
                yield edge, site, site_caller, merged

    def _use_evidence(self) -> None:
        """A loader iterated in, or passed to, a function named validate/evaluate/test (or train), or
        passed for a parameter that names its role (`evaluate(model, test_loader=finetune_loader)`)."""
        for (path, qualname), fn in list(self.graph.functions.items()):
            role = role_of_name(fn.name) if not fn.name.startswith("test_") else None
            if role is not None:
                for loop in fn.loops:
                    for item in self.matching(path, fn, loop):
                        item.evidence.append(Evidence(role, W_USE, f"iterated in `{fn.name}()`", loop.location))
            for (caller_path, _), edge in self.graph.callers.get((path, qualname), []):
                if role is not None:
                    for text in (*edge.args, *(t for _, t in edge.kwargs)):
                        for item in self._by_binding.get((caller_path, text.rpartition(".")[2]), []):
                            item.evidence.append(Evidence(role, W_USE, f"passed to `{fn.name}()`", edge.location))
                for param in fn.params:
                    param_role = role_of_name(param) if "loader" in param.lower() else None
                    text = argument_for(fn, edge, param) if param_role else None
                    for item in self._by_binding.get((caller_path, text.rpartition(".")[2]), []) if text else []:
                        item.evidence.append(Evidence(param_role, W_PARAMETER, f"passed as `{param}`", edge.location))

    def matching(self, path: str, fn: FunctionFacts, loop: Loop) -> list[RoledLoader]:
        """Loaders a loop iterates by name in its own file: `val_loader`, `self.val_loader`, `loaders['val']`."""
        if not loop.iter_name:
            return []
        name = loop.iter_name.rpartition(".")[2]
        found = []
        for item in self._by_binding.get((path, name), []):
            scope = item.site_scope if item.site is not None else item.loader.scope
            visible = (loop.iter_name.startswith("self.") or scope in ("<module>", fn.qualname) or
                       fn.qualname.startswith(scope + "."))
            if not visible:
                continue
            if item.loader.key is not None and loop.iter_key is not None and item.loader.key != loop.iter_key:
                continue
            if item.loader.key is not None and loop.iter_key is None:
                continue
            found.append(item)
        return found

    def loop_role(self, key: Key, loop: Loop, depth: int = 0) -> tuple[str, str]:
        """The role of the data a loop iterates, and why."""
        fn = self.graph.function(key)
        items = self.matching(key[0], fn, loop) if fn else []
        roles = {i.role for i in items}
        if len(roles) == 1 and UNKNOWN not in roles:
            item = items[0]
            return item.role, f"{item.label} ({item.reason()})"
        head = (loop.iter_name or "").partition(".")[0]
        if fn is not None and head in fn.params and depth < 3 and not loop.iter_key:
            passed = set()
            for caller, edge in self.graph.callers.get(key, []):
                text = argument_for(fn, edge, head)
                if text is None:
                    passed.add((UNKNOWN, ""))
                    continue
                caller_fn = self.graph.function(caller)
                match = _SUBSCRIPT.fullmatch(text)
                fake = Loop(edge.location, text, match.group(1) if match else text, match.group(2) if match else None)
                passed.add(self.loop_role(caller, fake, depth + 1) if caller_fn else (UNKNOWN, ""))
            roles = {r for r, _ in passed}
            if len(roles) == 1 and UNKNOWN not in roles:
                return roles.pop(), next(w for _, w in passed)
        role = role_of_name(loop.iter_name.rpartition(".")[2]) if loop.iter_name else None
        if role is not None and not items:
            return role, f"`{loop.iter_name}`"
        return UNKNOWN, ""


def _build(project: Project) -> LoaderRoles:
    return LoaderRoles(project, call_graph(project))


def loader_roles(project: Project) -> LoaderRoles:
    return project.derived(_build)
