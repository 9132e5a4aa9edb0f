"""EP202: one side of a pair normalizes and the other does not."""

from __future__ import annotations

from evalparity.checks.common import computed_frames, has_opaque, label, last_normalize, scale_state, shown
from evalparity.findings import OTHER_SIDE, Finding, Related
from evalparity.fixes.rules import add_normalize
from evalparity.vocabulary.semantics import normalize_values

CODE = "EP202"


def _plain(item, kb) -> bool:
    """A pipeline whose whole effect is known and that ends in a tensor: nothing else can normalize."""
    return not has_opaque(item, kb) and scale_state(item, kb)[0] is not None


def check(ctx):
    for pair in ctx.pairs:
        train_step = last_normalize(pair.train, ctx.kb)
        eval_step = last_normalize(pair.eval, ctx.kb)
        if train_step is not None and eval_step is None and _plain(pair.eval, ctx.kb):
            mean, std = normalize_values(train_step, ctx.kb)
            values = [f"training normalizes with mean {shown(mean)}, std {shown(std)}"] \
                if mean is not None and std is not None else []
            yield Finding(CODE, f"no Normalize in {_named('evaluation', pair.eval)} (training has one)",
                          _missing_at(pair.eval.pipeline),
                          [Related(train_step.location, f"training Normalize ({pair.reason})", OTHER_SIDE),
                           *computed_frames([mean, std], "training")],
                          fix=add_normalize(ctx.project, pair, train_step, scale_state(pair.eval, ctx.kb)[1]),
                          notes=values)
        elif train_step is None and eval_step is not None and _plain(pair.train, ctx.kb):
            yield Finding(CODE, f"Normalize in {_named('evaluation', pair.eval)} only (training has none)",
                          eval_step.location,
                          [Related(pair.train.pipeline.location, f"training pipeline without Normalize ({pair.reason})",
                                   OTHER_SIDE)])


def _missing_at(pipeline):
    """Where the Normalize is missing: a Compose's call, or the last step of a chain written by hand (its read may
    be many lines above, in another function)."""
    if pipeline.origin != "hand" or not pipeline.steps:
        return pipeline.location
    step = pipeline.steps[-1]
    while step.children:  # `Compose([..., ToTensor()])(image)` inside the chain
        step = step.children[-1]
    return step.location


def _named(role: str, item) -> str:
    name = label(item)
    return f"the {role} pipeline {name}" if name.startswith("`") else f"the {role} pipeline"
