"""EP404: a training DataLoader neither shuffles nor has a sampler."""

from __future__ import annotations

import re

from evalparity.checks.loader_common import (
    at,
    branch_notes,
    config_notes,
    const_setting,
    loops_over,
    never_used,
    role_related,
    torch_loaders,
)
from evalparity.facts import TRAIN
from evalparity.findings import Finding
from evalparity.relate.callgraph import call_graph
from evalparity.relate.mode_flow import inside, mode_flow
from evalparity.vocabulary.naming import EVAL_WORDS, words

CODE = "EP404"


def _only_iterated_without_training(ctx, item) -> bool:
    """Seen iterated, and never by a loop that trains: feature extraction or statistics over the train set."""
    graph, flow = call_graph(ctx.project), mode_flow(ctx.project)
    loops = loops_over(ctx, item)
    trained = False
    for path, fn, loop in loops:
        trained |= any(inside(loop.location, t) for t in fn.training)
        trained |= any(inside(loop.location, e.location) and (target := graph.resolve(path, e)) is not None
                       and flow.trains(target) for e in fn.calls)
    return bool(loops) and not trained


def _shuffles_itself(ctx, item) -> bool:
    """The dataset reorders its own samples (`np.random.shuffle(self.samples)` in a method): a loader
    without shuffle=True is then how the project means it."""
    name = item.loader.dataset_class
    if not name:
        return False
    here = ctx.project.files.get(item.path)
    if here is not None and name in here.shuffling_classes:
        return True
    found = ctx.project.split_qualname(item.path, name)
    facts = ctx.project.facts(found[0]) if found is not None else None
    return facts is not None and found[1] in facts.shuffling_classes


def _dataset_reshuffled(ctx, item) -> bool:
    """The loop reorders the dataset by hand each epoch (`random.shuffle(train_set.samples)`), so a loader
    with shuffle=False is deliberate."""
    facts = ctx.project.files.get(item.path)
    if facts is None or not item.loader.dataset:
        return False
    scope = item.loader.scope
    return any(name == item.loader.dataset and (where == scope or where.startswith(scope + ".") or
                                                 scope.startswith(where + ".") or where == "<module>")
               for where, name in facts.shuffled_names)


def _evaluates(item) -> bool:
    """`eval_train_loader`, `train_eval_loader`: a loader over training data that exists to be evaluated."""
    name = (item.site.binding if item.site is not None else None) or item.loader.binding or ""
    return any(word in EVAL_WORDS for word in words(name))


_BOUNDED = re.compile(r"^\s*if\s+[\w.]+\s*(?:>=|>|==)\s*(\d+)\s*:\s*(?:break\s*)?$")
MANY_STEPS = 100


def _steps_bounded(ctx, item) -> int | None:
    """Every loop over the loader stops after a few batches (`if i >= 20: break`): a demo or a benchmark,
    where the order of samples changes nothing worth a warning. The largest bound, or None."""
    loops = loops_over(ctx, item)
    bounds = []
    for path, _, loop in loops:
        facts = ctx.project.files.get(path)
        lines = facts.lines[loop.location.line:loop.location.end_line] if facts is not None else ()
        found = None
        for index, text in enumerate(lines):
            match = _BOUNDED.match(text)
            following = lines[index + 1].strip() if index + 1 < len(lines) else ""
            if match and (text.rstrip().endswith("break") or following == "break"):
                found = int(match.group(1))
                break
        if found is None or found > MANY_STEPS:
            return None
        bounds.append(found)
    return max(bounds) if bounds else None


def check(ctx):
    for item in torch_loaders(ctx, TRAIN):
        loader = item.loader
        if loader.iterable or loader.synthetic or any(s.kind != "none" for s in (*loader.samplers, *loader.batch_samplers)):
            continue
        if _evaluates(item) or _shuffles_itself(ctx, item) or _dataset_reshuffled(ctx, item) or never_used(ctx, item):
            continue
        known, shuffle = const_setting(item, "shuffle")
        arg = item.setting("shuffle")
        if known and shuffle is True and arg is not None and arg.value.text.endswith(")") and \
                "(when " in arg.value.text and "shuffle" not in arg.value.text.partition("(when ")[2] and \
                not _only_iterated_without_training(ctx, item):
            # `shuffle: True` merged in only under a branch (`if use_cuda: train_kwargs.update(cuda_kwargs)`)
            yield Finding(CODE, f"training loader {item.label} shuffles on one branch only", at(item, arg),
                          role_related(item, TRAIN, arg),
                          notes=[*branch_notes(arg), "on the other path it reads the data in file order"])
            continue
        if not known or shuffle not in (None, False) or _only_iterated_without_training(ctx, item):
            continue
        where = at(item, arg)
        bounded = _steps_bounded(ctx, item)
        message = (f"`shuffle=False` on training loader {item.label}" if arg is not None else
                   f"training loader {item.label} without `shuffle=True` or a sampler")
        notes = [f"a note only: training stops after {bounded} batches"] if bounded is not None else []
        notes += config_notes(item, "shuffle")
        yield Finding(CODE, message, where, role_related(item, TRAIN, arg),
                      cap="info" if bounded is not None else None, notes=notes)
