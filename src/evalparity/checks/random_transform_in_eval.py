"""EP101: an evaluation pipeline contains a random transform."""

from __future__ import annotations

from evalparity.checks.common import label, role_reason, strongest
from evalparity.facts import EVAL
from evalparity.findings import OTHER_SIDE, ROLE, Finding, Related
from evalparity.fixes import UNSAFE
from evalparity.fixes.rules import eval_counterpart
from evalparity.relate.dataset_classes import dataset_classes
from evalparity.vocabulary.semantics import random_leaves

CODE = "EP101"


def check(ctx):
    """One finding per pipeline: its first random step, the others as related locations."""
    paired = {p.eval.id: p for p in ctx.pairs}
    for item in ctx.roled:
        if item.role != EVAL or item.pipeline.tta:
            continue
        leaves = [(step, leaf) for step in item.pipeline.steps for leaf in random_leaves(step, ctx.kb)]
        seen = set()
        leaves = [(s, l) for s, l in leaves if not (l.location in seen or seen.add(l.location))]
        if not leaves:
            continue
        step, leaf = leaves[0]
        name = label(item)
        where = f"the evaluation pipeline {name}" if name.startswith("`") else "an evaluation pipeline"
        message = f"`{leaf.short_name}` in {where}"
        notes = [f"applied when `{step.condition}`"] if step.condition else []
        others = [l.short_name for _, l in leaves[1:]]
        if others:
            notes.append(f"also random: {_names(others)}")
        related = [Related(other.location, f"`{other.short_name}` is random too") for _, other in leaves[1:4]]
        evidence = strongest(item.evidence, EVAL, prefer_elsewhere=item.pipeline.location)
        if evidence is not None and evidence.location != leaf.location:
            related.append(Related(evidence.location, f"evaluation, {evidence.reason}", ROLE))
        else:
            notes.append(f"evaluation role: {role_reason(item)}")
        pair = paired.get(item.id)
        if pair is not None:
            related.append(Related(pair.train.pipeline.location, "the training pipeline, where augmentation belongs",
                                   OTHER_SIDE))
        fixes = [eval_counterpart(ctx.project, ctx.kb, item.pipeline.steps, l) for _, l in leaves]
        yield Finding(CODE, message, leaf.location, related, fix=_merged(fixes), notes=notes)
    yield from _dataset_classes(ctx)


def _dataset_classes(ctx):
    """A project Dataset class whose `__getitem__` draws at random for an evaluation instantiation: one
    finding per class, at the first random operation, with the evaluation instantiations related."""
    by_class: dict[tuple[str, str], list] = {}
    for instance in dataset_classes(ctx.project).instances:
        if instance.role == EVAL and instance.reaches:
            by_class.setdefault((instance.cls_path, instance.cls.qualname), []).append(instance)
    for (_, qualname), instances in by_class.items():
        for default in (False, True):  # draws in the code, then a random default pipeline: one finding each
            reaches = []
            for instance in instances:
                for reach in instance.reaches:
                    if (reach.pipeline is not None) != default:
                        continue
                    leaves = [reach.name] if reach.pipeline is None else \
                        [leaf for step in reach.pipeline.steps for leaf in random_leaves(step, ctx.kb)]
                    reaches.extend((reach, leaf) for leaf in leaves)
            if reaches:
                yield _dataset_finding(qualname, instances, reaches)


def _dataset_finding(qualname, instances, reaches):
    """One finding for a class: the first random operation, the others and the evaluation instantiations related."""
    reaches.sort(key=lambda r: (r[0].entry.line, r[0].entry.column, _where(r).path, _where(r).line,
                                _where(r).column))
    seen = set()
    reaches = [r for r in reaches if not (_where(r) in seen or seen.add(_where(r)))]
    reach, leaf = reaches[0]
    named = next((i.label for i in instances if i.label), "")
    dataset = f"the evaluation dataset {named}" if named else "an evaluation dataset"
    if reach.pipeline is not None:
        message = f"`{leaf.short_name}` in the default `{reach.parameter}=` of `{qualname}`, used for evaluation"
    else:
        message = f"`{leaf}` in `{qualname}.__getitem__` for {dataset}"
        if len(message) > 100:
            message = f"`{leaf}` in `{qualname}.__getitem__` for an evaluation dataset"
    notes = []
    if reach.function != f"{qualname}.__getitem__" and reach.pipeline is None:
        notes.append(f"drawn in `{reach.function}()`, which `__getitem__` calls")
    if reach.conditions:
        notes.append(f"applied when `{' and '.join(reach.conditions)}`")
    related = []
    if reach.entry != _where((reach, leaf)):
        related.append(Related(reach.entry, "called from `__getitem__`"))
    others = [(r, l) for r, l in reaches[1:] if _where((r, l)) != reach.entry][:3]
    for other, other_leaf in others:
        name = other_leaf if other.pipeline is None else other_leaf.short_name
        related.append(Related(_where((other, other_leaf)), f"`{name}` is random too"))
    if len(reaches) > 1:
        names = [(l if r.pipeline is None else l.short_name) for r, l in reaches[1:]]
        notes.append(f"also random: {_names(list(dict.fromkeys(names)))}")
    listed = set()
    for instance in instances[:3]:
        evidence = strongest(instance.evidence, EVAL)
        where = evidence.location if evidence is not None else instance.call.location
        if where in listed:
            continue
        listed.add(where)
        reason = evidence.reason if evidence is not None else "an evaluation instantiation"
        related.append(Related(where, f"evaluation, {reason}", ROLE))
        if instance.choice is not None and instance.call.location not in listed:
            listed.add(instance.call.location)
            related.append(Related(instance.call.location, f"`{instance.call.callee}` built with that value"))
    if reach.chosen:  # the author named the evaluation split to turn it on: a design to confirm, not a slip
        notes.append(f"turned on for evaluation on purpose: `{reach.chosen[0]}`")
        return Finding(CODE, message, _where((reach, leaf)), related, notes=notes, cap="info")
    return Finding(CODE, message, _where((reach, leaf)), related, notes=notes)


def _where(reach_leaf):
    reach, leaf = reach_leaf
    return reach.location if reach.pipeline is None else leaf.location


def _names(names: list[str]) -> str:
    quoted = [f"`{n}`" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _merged(fixes: list[dict | None]) -> dict | None:
    """One fix for every random step, or none: edits that touch the same text cannot be combined."""
    if not fixes or any(f is None for f in fixes):
        return None
    if len(fixes) == 1:
        return fixes[0]
    edits = sorted((e for f in fixes for e in f["edits"]), key=lambda e: (e["path"], e["line"], e["column"]))
    for a, b in zip(edits, edits[1:]):
        if a["path"] == b["path"] and (a["end_line"], a["end_column"]) > (b["line"], b["column"]):
            return None
    # every fix eval_counterpart builds is unsafe (a replacement changes what evaluation measures)
    return {"applicability": UNSAFE,
            "description": "; ".join(f["description"] for f in fixes), "edits": edits}
