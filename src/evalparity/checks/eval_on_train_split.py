"""EP407: evaluation on the training split — a torchvision dataset whose default split is `train` bound
to an evaluation name, `split='train'` in an evaluation context, or an evaluation function given the
training loader."""

from __future__ import annotations

import re

from evalparity.checks.common import strongest
from evalparity.facts import EVAL, TRAIN, Evidence, Location
from evalparity.findings import OTHER_SIDE, ROLE, Finding, Related
from evalparity.relate.callgraph import argument_for, call_graph
from evalparity.relate.eval_loops import eval_function
from evalparity.relate.loader_roles import loader_roles
from evalparity.relate.roles import decide
from evalparity.vocabulary.naming import role_of_name, role_of_string, unit_test_file
from evalparity.vocabulary.values import format_const

CODE = "EP407"
ORDER_ONLY = {"none", "DistributedSampler", "SequentialSampler", "RandomSampler"}  # samplers that keep every index


def _train_split(call) -> tuple[bool, str, str]:
    value = call.split.const if call.split is not None and call.split.is_const else None
    if call.split is not None and not call.split.is_const:
        return False, "", ""
    raw = call.default if call.split is None else value
    is_train = raw is True if call.split_param == "train" else isinstance(raw, str) and role_of_string(raw) == TRAIN
    short = call.qualname.rpartition(".")[2]
    if call.split is None:
        shown = f"{call.split_param}={format_const(call.default)}"
        return is_train, f"`{short}(…)`", f"without `{call.split_param}=` it loads the training split ({shown} is the default)"
    return is_train, f"`{short}(…, {call.split_param}={format_const(value)})`", ""


def _datasets(ctx):
    roles = loader_roles(ctx.project)
    for path, facts in list(ctx.project.files.items()):
        if unit_test_file(path):
            continue
        for call in facts.dataset_calls:
            if call.split_off:
                continue
            is_train, what, note = _train_split(call)
            if not is_train:
                continue
            evidence = list(call.evidence)
            consumers = [item for item in roles.items if item.path == path and call.binding
                         and item.loader.dataset == call.binding and item.loader.scope == call.scope]
            if any(s.kind not in ORDER_ONLY for item in consumers for s in (*item.loader.samplers,
                                                                             *item.loader.batch_samplers)):
                continue  # indices carve a validation part out of the training split
            for item in (i for i in consumers if i.site is None):
                named = role_of_name(item.loader.binding)
                if named:
                    evidence.append(Evidence(named, 2.0, f"consumed by `{item.loader.binding}`", item.loader.location))
            if decide(evidence) != EVAL:
                continue
            best = strongest(evidence, EVAL)
            message = f"training split {what} used for evaluation"
            related = [Related(best.location, f"evaluation, {best.reason}", ROLE)] if best else []
            yield Finding(CODE, message, call.location, related, notes=[note] if note else [])


def _calls(ctx):
    graph, roles = call_graph(ctx.project), loader_roles(ctx.project)
    for key, fn in list(graph.functions.items()):
        if not eval_function(key[0], fn, ctx.project):
            continue
        iterated = {(loop.iter_name or "").partition(".")[0] for loop in fn.loops
                    if any(loop.location.line <= c.location.line <= loop.location.end_line for c in fn.model_calls)}
        params = [p for p in fn.params if p in iterated]
        for (caller_path, caller_scope), edge in graph.callers.get(key, []):
            if role_of_name(edge.binding) != EVAL:
                continue
            for param in params:
                text = argument_for(fn, edge, param)
                items = [i for i in roles.items if (i.site_path or i.path) == caller_path and text and
                         (i.site.binding if i.site else i.loader.binding) == text.rpartition(".")[2]]
                if not items or {i.role for i in items} != {TRAIN}:
                    continue
                item = items[0]
                message = f"`{edge.binding} = {edge.callee}(…)` evaluates on training loader `{text}`"
                yield Finding(CODE, message, edge.location,
                              [Related(item.where, f"training, {item.reason()}", ROLE)])


_EVAL_WORDS = ("val", "valid", "validation", "test", "eval", "dev")


def _counterpart(facts, loader) -> tuple[str, int] | None:
    """`dataset_val` built in the same file as `dataset_train`: (its name, its line)."""
    if not loader.dataset.isidentifier():
        return None
    for word in ("train", "training", "trn"):
        pattern = re.compile(rf"(?<![A-Za-z]){word}(?![A-Za-z])")
        if not pattern.search(loader.dataset):
            continue
        for other in _EVAL_WORDS:
            name = pattern.sub(other, loader.dataset, count=1)
            assigned = re.compile(rf"^\s*{re.escape(name)}\s*=[^=]")
            line = next((n for n, text in enumerate(facts.lines, 1) if assigned.match(text)), None)
            if line is not None:
                return name, line
    return None


def _line(facts, line: int) -> Location:
    text = facts.lines[line - 1]
    return Location(facts.path, line, len(text) - len(text.lstrip()) + 1, line, len(text.rstrip()) + 1)


def _train_dataset_in_eval_loader(ctx):
    """`dataloader_val = DataLoader(dataset_train, …)` while `dataset_val` is built beside it: the
    evaluation loader reads the training dataset (a copy-paste slip)."""
    for path, facts in list(ctx.project.files.items()):
        if unit_test_file(path):
            continue
        for loader in facts.loaders:
            if role_of_name(loader.binding or "") != EVAL or role_of_name(loader.dataset) != TRAIN:
                continue
            if any(s.kind not in ORDER_ONLY for s in (*loader.samplers, *loader.batch_samplers)):
                continue  # held-out indices of the training set
            found = _counterpart(facts, loader)
            if found is None:
                continue
            name, line = found
            if any(other.dataset == name for other in facts.loaders):
                continue  # the counterpart has its own loader: this one evaluates the training part on purpose
            message = f"evaluation loader `{loader.binding}` reads training dataset `{loader.dataset}`"
            yield Finding(CODE, message, loader.dataset_location or loader.location,
                          [Related(_line(facts, line), f"`{name}` is built here and no loader reads it", OTHER_SIDE)])


def check(ctx):
    yield from _datasets(ctx)
    yield from _calls(ctx)
    yield from _train_dataset_in_eval_loader(ctx)
