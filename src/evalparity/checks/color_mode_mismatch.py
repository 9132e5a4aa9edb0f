"""EP303: one side converts to grayscale and the other does not.

Only grayscale conversions count: an RGB conversion (`v2.RGB`, albumentations `ToRGB`) leaves RGB input
as it is, and the usual loaders already give RGB images, so on one side alone it is most often harmless."""

from __future__ import annotations

from evalparity.checks.common import has_opaque
from evalparity.findings import OTHER_SIDE, Finding, Related
from evalparity.relate.image_state import flatten
from evalparity.vocabulary.semantics import is_random

CODE = "EP303"


def _grayscale(step, kb) -> bool:
    info = kb.lookup(step.qualname)
    if info is None or info.channels is None or is_random(step, kb) is not False:
        return False
    return "gray" in info.name.lower()


def _converters(item, kb):
    """(unconditional grayscale steps, whether any conditional one exists)."""
    steps = [s for s in flatten(item.pipeline.steps, kb) if _grayscale(s, kb)]
    return [s for s in steps if not s.condition], any(s.condition for s in steps)


def check(ctx):
    for pair in ctx.pairs:
        if has_opaque(pair.train, ctx.kb) or has_opaque(pair.eval, ctx.kb):
            continue
        (train_steps, train_cond), (eval_steps, eval_cond) = _converters(pair.train, ctx.kb), _converters(pair.eval, ctx.kb)
        if train_cond or eval_cond or bool(train_steps) == bool(eval_steps):
            continue
        if train_steps:
            step = train_steps[0]
            yield Finding(CODE, f"training converts to grayscale with `{step.short_name}`, evaluation does not",
                          pair.eval.pipeline.location,
                          [Related(step.location, f"training `{step.short_name}` ({pair.reason})", OTHER_SIDE)])
        else:
            step = eval_steps[0]
            yield Finding(CODE, f"evaluation converts to grayscale with `{step.short_name}`, training does not",
                          step.location, [Related(pair.train.pipeline.location, f"training pipeline ({pair.reason})", OTHER_SIDE)])
