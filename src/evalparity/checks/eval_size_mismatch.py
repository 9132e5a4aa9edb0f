"""EP301: the evaluation images end smaller than the training images."""

from __future__ import annotations

from evalparity.checks.common import has_opaque
from evalparity.findings import OTHER_SIDE, Finding, Related
from evalparity.relate.image_state import final_states

CODE = "EP301"


def _final_size(item, kb):
    """The one final size of every path through the pipeline, with the step that set it; None when a path
    ends with no known size or the paths disagree."""
    found = None
    for state, transitions in final_states(item.pipeline.steps, kb):
        size = state.size
        if size is None:
            return None, None
        setter = next((t.step for t in reversed(transitions) if t.after.size == size and t.before.size != size), None)
        if setter is None or (found is not None and found[0] != size):
            return None, None
        found = found or (size, setter)
    return found or (None, None)


def check(ctx):
    for pair in ctx.pairs:
        if has_opaque(pair.train, ctx.kb) or has_opaque(pair.eval, ctx.kb):
            continue
        train_size, train_step = _final_size(pair.train, ctx.kb)
        eval_size, eval_step = _final_size(pair.eval, ctx.kb)
        if train_size is None or eval_size is None:
            continue
        sides = list(zip((eval_size.height, eval_size.width), (train_size.height, train_size.width)))
        if not all(isinstance(a, (int, float)) and isinstance(b, (int, float)) for a, b in sides):
            continue
        if all(a <= b for a, b in sides) and any(a < b for a, b in sides):
            yield Finding(CODE, f"evaluation images end at {eval_size.describe()}, training images at "
                                f"{train_size.describe()}", eval_step.location,
                          [Related(train_step.location, f"training size set by `{train_step.short_name}` ({pair.reason})", OTHER_SIDE)])
