"""EP205: the values are scaled to [0, 1] twice on one path."""

from __future__ import annotations

from evalparity.findings import Finding, Related
from evalparity.relate.image_state import UNIT, runs
from evalparity.vocabulary.knowledge import KnowledgeBase
from evalparity.vocabulary.semantics import arg
from evalparity.vocabulary.values import numbers

CODE = "EP205"


def _divisor(transition, kb: KnowledgeBase) -> float | None:
    """What the step divides the values by, when it divides them (by more than 1) at all."""
    info = kb.lookup(transition.step.qualname)
    if transition.effect == "divide":
        return 255.0
    if info is None:
        return None
    if info.scale == "normalize_self":
        mode = arg(transition.step, "normalization")
        if mode is not None and not (mode.is_const and mode.const == "standard"):
            return None  # per-image modes ignore max_pixel_value
        value = arg(transition.step, info.max_pixel_value.name) if info.max_pixel_value else None
        nums = numbers(value) if value is not None else None
        maximum = nums[0] if nums and len(nums) == 1 else (info.max_pixel_value.default if value is None else None)
        return maximum if maximum is not None and maximum > 1 else None
    if info.name == "ToFloat" and info.library.startswith("albumentations"):
        # ToFloat divides by the maximum of the input dtype: on float input that is 1.0, unless max_value is given
        value = arg(transition.step, "max_value")
        nums = numbers(value) if value is not None else None
        return nums[0] if nums and len(nums) == 1 and nums[0] > 1 else None
    return None


def check(ctx):
    for item in ctx.roled:
        reported = set()
        for transitions in runs(item.pipeline.steps, ctx.kb):
            first = None
            for transition in transitions:
                again = transition.before.scale == UNIT and transition.before.scale_known and first is not None \
                    and transition.step.location not in reported
                divisor = _divisor(transition, ctx.kb) if again else None
                if divisor is not None:
                    reported.add(transition.step.location)
                    shown = int(divisor) if divisor == int(divisor) else divisor
                    message = f"`{transition.step.short_name}` divides by {shown} again after `{first.short_name}`"
                    yield Finding(CODE, message, transition.step.location,
                                  [Related(first.location, f"`{first.short_name}` already scaled the values to [0, 1]")])
                if transition.after.scale == UNIT and transition.before.scale != UNIT:
                    first = transition.step
                elif transition.after.scale != UNIT:
                    first = None
