"""Helpers shared by the DataLoader checks (EP4)."""

from __future__ import annotations

import re

from evalparity.checks.common import strongest
from evalparity.facts import Arg, FunctionFacts, Location, Loop
from evalparity.findings import ROLE, Related
from evalparity.relate.callgraph import argument_for, call_graph
from evalparity.relate.loader_roles import RoledLoader, loader_roles
from evalparity.relate.mode_flow import inside
from evalparity.vocabulary.naming import unit_test_file
from evalparity.vocabulary.values import format_const


def torch_loaders(ctx, role: str | None = None) -> list[RoledLoader]:
    """Loaders resolved to torch.utils.data.DataLoader, with a decided role when one is asked for (then
    never in unit tests, whose loaders exercise code rather than train or evaluate models)."""
    return [item for item in loader_roles(ctx.project).items
            if item.loader.torch and (role is None or (item.role == role and
                                                         not unit_test_file(item.site_path or item.path)))]


def const_setting(item: RoledLoader, name: str):
    """(True, value) when the setting is a known constant, (True, default) when it is not written and
    nothing is spread in, (False, None) when it cannot be known."""
    arg = item.setting(name)
    if arg is not None:
        return (True, arg.value.const) if arg.value.is_const else (False, None)
    if item.loader.spread:
        return False, None
    return True, None


def at(item: RoledLoader, arg: Arg | None) -> Location:
    """Where to report a setting: the argument when it is written out, else the loader (or the factory call)."""
    if arg is not None and item.site is None:
        return arg.location
    return item.where


ROLE_WORDS = {"eval": "evaluation", "train": "training"}


def role_related(item: RoledLoader, role: str, setting: Arg | None = None) -> list[Related]:
    """The loader in its factory when the finding is at a call site (at the setting itself, `setting`,
    when it is written there, so a multi-line `DataLoader(` call shows the offending argument), and the
    strongest evidence for its role."""
    related = []
    if item.site is not None:
        if setting is not None and setting.location.path == item.loader.location.path:
            related.append(Related(setting.location, "set in the factory's DataLoader"))
        else:
            related.append(Related(item.loader.location, "the loader is built here, in the factory"))
    evidence = strongest(item.evidence, role)
    if evidence is not None and evidence.location is not None:
        related.append(Related(evidence.location, f"{ROLE_WORDS.get(role, role)}, {evidence.reason}", ROLE))
    return related


def _loops_by_file(project) -> dict[str, list]:
    graph = call_graph(project)
    found: dict[str, list] = {}
    for key, fn in list(graph.functions.items()):
        for loop in fn.loops:
            found.setdefault(key[0], []).append((key, fn, loop))
    return found


def loops_over(ctx, item: RoledLoader) -> list[tuple[str, FunctionFacts, Loop]]:
    """The loops that iterate the loader: by name in its own file, or as the parameter of a function it
    is passed to (`adjust_shifts(args, adjust_loader, …)` iterating `adjust_loader`)."""
    graph, roles = call_graph(ctx.project), loader_roles(ctx.project)
    by_file = ctx.project.derived(_loops_by_file)
    path = item.site_path or item.path
    scope = item.site_scope if item.site is not None else item.loader.scope
    name = (item.site.binding if item.site is not None else None) or item.loader.binding
    found = [(key[0], fn, loop) for key, fn, loop in by_file.get(path, []) if item in roles.matching(path, fn, loop)]
    if not name:
        return found
    for edge, target in graph.callees((path, scope)):
        fn = graph.functions[target]  # callees resolve to known functions only
        for param in fn.params:
            if argument_for(fn, edge, param) != name:
                continue
            found += [(target[0], fn, loop) for loop in fn.loops
                      if (loop.iter_name or "").partition(".")[0] == param and not loop.iter_key
                      and (target[0], fn, loop) not in found]
    return found


def never_used(ctx, item: RoledLoader) -> bool:
    """Bound to a name that nothing in its file mentions again and not returned: dead code, whose
    settings change no result."""
    name = item.name if item.site is not None else item.loader.binding
    scope = item.site_scope if item.site is not None else item.loader.scope
    if not name or not name.isidentifier():
        return False
    facts = ctx.project.files.get(item.site_path or item.path)
    if not name or facts is None or scope == "<module>" or (item.site is None and item.loader.returned):
        return False  # a module's loader may be imported elsewhere
    mention = re.compile(rf"\b{re.escape(name)}\b")
    return not any(mention.search(text) for number, text in enumerate(facts.lines, 1) if number != item.where.line)


def only_inspected(ctx, item: RoledLoader) -> bool:
    """Seen iterated, never by a loop that calls the model or a function of the project, and named nowhere
    else in its file (a comprehension, a call): the data is looked at (plotted, counted), not predicted
    on, so its order and its last batch change no metric."""
    loops = loops_over(ctx, item)
    name = (item.site.binding if item.site is not None else None) or item.loader.binding
    facts = ctx.project.files.get(item.site_path or item.path)
    if not loops or not name or facts is None:
        return False
    known = {item.where.line, item.loader.location.line, *(loop.location.line for _, _, loop in loops)}
    mention = re.compile(rf"\b{re.escape(name.rpartition('.')[2])}\b")
    if any(mention.search(text) for number, text in enumerate(facts.lines, 1) if number not in known):
        return False
    graph = call_graph(ctx.project)
    for path, fn, loop in loops:
        if any(inside(loop.location, call.location) for call in fn.model_calls):
            return False
        if any(inside(loop.location, edge.location) and graph.resolve(path, edge) is not None for edge in fn.calls):
            return False
    return True


def config_notes(item: RoledLoader, *names: str) -> list[str]:
    """Where the settings a finding relies on were read from, when configuration gave them:
    `drop_last=True from the argparse default of `--drop-last` (train.py:12)`."""
    notes = []
    for name in names:
        arg = item.setting(name)
        if arg is not None and arg.value.is_const and arg.value.source:
            notes.append(f"`{name}={format_const(arg.value.const)}` from {arg.value.source}")
    return notes


_BRANCH = re.compile(r"\((when|unless) (.*)\)$")


def branch_notes(arg: Arg | None) -> list[str]:
    """`shuffle: True (when use_cuda)` merged in from a dict updated under a branch: the finding holds on
    that path only, and says so."""
    found = _BRANCH.search(arg.value.text) if arg is not None else None
    return [f"set only {found.group(1)} `{found.group(2)}`"] if found and found.group(1) == "when" else \
        [f"unless `{found.group(2)}`"] if found else []
