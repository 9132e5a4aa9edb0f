"""EP102: an evaluation dataset receives the augmenting training pipeline itself, or is split off a
dataset that carries it."""

from __future__ import annotations

from evalparity.checks.common import label
from evalparity.facts import EVAL, TRAIN
from evalparity.findings import OTHER_SIDE, Finding, Related
from evalparity.relate.callgraph import argument_for, call_graph
from evalparity.vocabulary.naming import role_of_name
from evalparity.vocabulary.semantics import random_leaves


def _random_step(item, kb):
    return next((leaf for step in item.pipeline.steps for leaf in random_leaves(step, kb)), None)


CODE = "EP102"
SUBSET_SAMPLERS = frozenset({"SubsetRandomSampler", "SubsetSequentialSampler"})


def check(ctx):
    for item in ctx.roled:
        if item.definition_role == EVAL:
            continue
        leaf = _random_step(item, ctx.kb)
        if leaf is None:
            continue
        trained = item.definition_role == TRAIN or any(u.role == TRAIN for u in item.uses)
        if not trained:
            continue
        for use in item.uses:
            if use.role != EVAL:
                continue
            reason = next((e.reason for e in use.evidence if e.role == EVAL), "")
            name = label(item)
            what = f"training pipeline {name}" if name.startswith("`") else "the training pipeline"
            message = f"{what} passed to evaluation dataset `{use.dataset.callee}(…)`"
            yield Finding(CODE, message, use.dataset.argument or use.dataset.location,
                          [Related(item.pipeline.location, "the training pipeline, defined here", OTHER_SIDE),
                           Related(leaf.location, f"random `{leaf.short_name}`")],
                          notes=[f"evaluation role: {reason}"] if reason else [])
    yield from _splits(ctx)


def _reaching(uses: list, where) -> list:
    """The dataset construction a split reads: the last one of that name before it (`raw_data = …` built
    again later is another dataset), or every one when none comes before (a loop, another order)."""
    before = [(item, use) for item, use in uses if use.dataset.location.line < where.line]
    if not before:
        return uses
    last = max(use.dataset.location.line for _, use in before)
    return [(item, use) for item, use in before if use.dataset.location.line == last]


def _by_dataset(ctx) -> dict:
    found = {}
    for item in ctx.roled:
        for use in item.uses:
            if use.dataset.binding:
                found.setdefault((use.dataset.location.path, use.dataset.scope, use.dataset.binding), []).append(
                    (item, use))
    return found


def _sampled(ctx, by_dataset):
    """`valid_loader = DataLoader(full, sampler=SubsetRandomSampler(valid_idx))` beside a training loader
    over the same `full`: the held-out indices are read through the training pipeline."""
    for path, facts in list(ctx.project.files.items()):
        for loader in facts.loaders:
            if role_of_name(loader.binding or "") != EVAL or not any(_held_out(s) for s in loader.samplers):
                continue
            if (loader.scope, loader.dataset) in facts.retransformed or not any(
                    other is not loader and other.dataset == loader.dataset and other.scope == loader.scope
                    and role_of_name(other.binding or "") == TRAIN for other in facts.loaders):
                continue
            for item, use in _reaching(by_dataset.get((path, loader.scope, loader.dataset), []), loader.location) or \
                    _passed_in(ctx, by_dataset, path, loader):
                leaf = _random_step(item, ctx.kb)
                if leaf is None or item.definition_role == EVAL:
                    continue
                named = f" {label(item)}" if label(item).startswith("`") else ""
                sampler = next(s for s in loader.samplers if _held_out(s))
                message = f"evaluation loader `{loader.binding}` reads `{loader.dataset}` with its random `{leaf.short_name}`"
                related = [Related(use.dataset.location, f"`{loader.dataset}` built with the training pipeline{named}",
                                   OTHER_SIDE),
                           Related(leaf.location, f"random `{leaf.short_name}`")]
                if sampler.location is not None:
                    shown = sampler.kind if sampler.kind != "other" else sampler.text.partition("(")[0]
                    related.insert(0, Related(sampler.location, f"held-out indices, by `{shown}`"))
                yield Finding(CODE, message, loader.location, related)
                break


def _held_out(sampler) -> bool:
    """A sampler of chosen indices: torch's `SubsetRandomSampler`, or a project's `SubsetSampler(valid_idx)`."""
    if sampler.kind in SUBSET_SAMPLERS:
        return True
    name = sampler.text.partition("(")[0].rpartition(".")[2]
    return sampler.kind == "other" and "Subset" in name and "(" in sampler.text


def _passed_in(ctx, by_dataset, path: str, loader) -> list:
    """The datasets every caller passes for a parameter the loader reads (`train(model, train_set=train_set)`)."""
    if loader.dataset not in loader.params or not loader.function:
        return []
    graph = call_graph(ctx.project)
    fn = graph.function((path, loader.function))
    found = []
    for (where, caller), edge in graph.callers.get((path, loader.function), []):
        name = argument_for(fn, edge, loader.dataset) if fn is not None else None
        if not name or not name.isidentifier():
            return []
        uses = _reaching(by_dataset.get((where, caller, name), []), edge.location)
        if not uses:
            return []
        found += uses
    return found


def _splits(ctx):
    by_dataset = _by_dataset(ctx)
    yield from _sampled(ctx, by_dataset)
    for path, facts in list(ctx.project.files.items()):
        eval_loaders = {(l.scope, l.dataset) for l in facts.loaders if role_of_name(l.binding) == EVAL}
        grouped: dict[tuple, list] = {}
        for split in facts.splits:
            for item, use in _reaching(by_dataset.get((path, split.scope, split.source), []), split.location):
                leaf = _random_step(item, ctx.kb)
                if leaf is None or item.definition_role == EVAL:
                    continue
                for target in split.targets:
                    if role_of_name(target) != EVAL and (split.scope, target) not in eval_loaders:
                        continue
                    if (split.scope, target) in facts.retransformed:
                        continue  # `target.dataset.transform = eval_tf` replaces the pipeline afterwards
                    grouped.setdefault((split.scope, use.dataset.location), []).append((split, target, item, use, leaf))
        for found in grouped.values():
            # one root cause: the source dataset's random transform, however many evaluation splits it feeds
            split, target, item, use, leaf = found[0]
            named = f" {label(item)}" if label(item).startswith("`") else ""
            message = f"evaluation split `{target}` of `{split.source}` keeps its random `{leaf.short_name}`"
            related = [Related(use.dataset.location, f"`{split.source}` built with the training pipeline{named}",
                               OTHER_SIDE),
                       Related(leaf.location, f"random `{leaf.short_name}`")]
            related += [Related(other.location, f"`{name}` is split from it too") for other, name, *_ in found[1:3]]
            yield Finding(CODE, message, split.location, related)
