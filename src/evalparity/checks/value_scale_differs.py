"""EP204: training and evaluation convert to tensors with different value scales."""

from __future__ import annotations

from evalparity.checks.common import has_opaque, scale_state
from evalparity.facts import EVAL, TRAIN
from evalparity.findings import OTHER_SIDE, Finding, Related
from evalparity.fixes.rules import same_conversion
from evalparity.relate.dataset_classes import dataset_classes
from evalparity.relate.handprep import transform_named
from evalparity.relate.image_state import TENSOR, UNKNOWN, run

CODE = "EP204"


def check(ctx):
    for pair in ctx.pairs:
        if has_opaque(pair.train, ctx.kb) or has_opaque(pair.eval, ctx.kb):
            continue
        train_state, train_step = scale_state(pair.train, ctx.kb)
        eval_state, eval_step = scale_state(pair.eval, ctx.kb)
        if train_state is None or eval_state is None or train_state == eval_state:
            continue
        message = f"evaluation `{eval_step.short_name}` gives {eval_state}, training gives {train_state}"
        yield Finding(CODE, message, eval_step.location,
                      [Related(train_step.location, f"training `{train_step.short_name}` ({pair.reason})", OTHER_SIDE)],
                      fix=same_conversion(ctx.project, ctx.kb, train_step, eval_step))
    yield from _split_conversions(ctx)


def _split_conversions(ctx):
    """A Dataset class whose `__getitem__` converts the image on one split's path only (`if self.split ==
    "train": image = image.astype(np.float32)`) before the transform every split shares: `ToTensor` then
    scales one split to 0-1 and leaves the other in 0-255."""
    by_class: dict[tuple[str, str], list] = {}
    for instance in dataset_classes(ctx.project).instances:
        if instance.role in (TRAIN, EVAL):
            by_class.setdefault((instance.cls_path, instance.cls.qualname), []).append(instance)
    for (path, qualname), instances in by_class.items():
        facts = ctx.project.files.get(path)
        if facts is None or {i.role for i in instances} != {TRAIN, EVAL}:
            continue
        for chain in facts.hand_chains:
            steps = chain.pipeline.steps
            if chain.pipeline.scope != f"{qualname}.__getitem__" or not transform_named(chain.consumer) or \
                    not any(s.condition for s in steps):
                continue
            ends = {}
            for instance in instances:
                end = _end_state(ctx, instance, steps, chain.consumer)
                if end is not None:
                    ends.setdefault(instance.role, []).append((instance, *end))
            finding = _differing(ends, ctx)
            if finding is not None:
                yield finding


def _given(ctx, instance, consumer: str) -> list:
    """The pipelines an instantiation gives the class for `self.transform`: a dataset use of the pipeline, or
    the argument of the constructor parameter that `self.transform` is assigned from."""
    given = [item for item in ctx.roled if any(use.dataset.location == instance.call.location for use in item.uses)]
    if given:
        return given
    attr = consumer.removeprefix("self.")
    param = next((text for name, text, conds in instance.cls.attributes if name == attr and not conds), attr)
    if param not in instance.cls.params:
        return []
    keys = {param, str(instance.cls.params.index(param))}
    value = next((v for key, v in instance.call.consts if key in keys), None)
    if value is None or value.kind != "symbol" or value.origin is None:
        return []
    return [item for item in ctx.roled if item.pipeline.binding == value.text and
            item.pipeline.path == value.origin.path and item.pipeline.location.line == value.origin.line]


def _end_state(ctx, instance, steps, consumer: str):
    """(the scale the instance's images end with, the steps its path keeps); None when a condition is undecided
    or the transform it is given is not one known pipeline."""
    kept = []
    for step in steps:
        truth = instance.holds(step.condition) if step.condition else True
        if truth is None:
            return None
        if truth:
            kept.append(step)
    given = _given(ctx, instance, consumer)
    if len(given) != 1 or has_opaque(given[0], ctx.kb):
        return None
    transitions = run(tuple(kept) + given[0].pipeline.steps, ctx.kb)
    state = next((t.after for t in transitions if t.after.container == TENSOR), None)  # as the tensor is made
    if state is None or state.scale == UNKNOWN or not state.scale_known:
        return None
    return state.scale, tuple(kept)


def _differing(ends, ctx):
    for train, train_scale, train_kept in ends.get(TRAIN, []):
        for evaluation, eval_scale, eval_kept in ends.get(EVAL, []):
            if train_scale == eval_scale:
                continue
            only = [s for s in train_kept if s not in eval_kept] or [s for s in eval_kept if s not in train_kept]
            if not only:
                continue
            side = "training" if only[0] in train_kept else "evaluation"
            named = f" {evaluation.label}" if evaluation.label else ""
            message = f"`{only[0].short_name}` on the {side} path only gives evaluation {eval_scale}, training {train_scale}"
            return Finding(CODE, message, only[0].location,
                           [Related(evaluation.call.location, f"evaluation instantiation{named}", OTHER_SIDE),
                            Related(train.call.location, f"training instantiation {train.label}".rstrip(), OTHER_SIDE)])
    return None
