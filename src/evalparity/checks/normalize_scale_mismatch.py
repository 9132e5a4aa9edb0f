"""EP203: Normalize constants in the wrong value range for the data they receive."""

from __future__ import annotations

from evalparity.checks.common import normalize_transitions, shared_steps, site
from evalparity.findings import Finding, Related
from evalparity.relate.image_state import FLOAT255, UINT8, UNIT, runs
from evalparity.vocabulary.semantics import normalize_values
from evalparity.vocabulary.values import format_const, numbers

CODE = "EP203"


def _range(mean, std) -> str | None:
    values = [numbers(v) for v in (mean, std) if v is not None]
    if len(values) != 2 or any(v is None for v in values):
        return None
    means, stds = values
    if all(m == 0 for m in means) and all(s == 1 for s in stds):
        return None  # the identity: no unit at all
    flat = means + stds
    if any(abs(x) > 1.5 for x in flat):
        return "0-255"
    return "0-1" if all(abs(x) <= 1.0 for x in flat) else None


def _converter(transitions, index):
    return next((t.step for t in reversed(transitions[:index]) if t.effect in ("to_unit", "keep", "divide")), None)


def check(ctx):
    shared = shared_steps(ctx.roled, ctx.kb)
    for item in ctx.roled:
        reported = set()
        for transitions in runs(item.pipeline.steps, ctx.kb):
            for index, transition in normalize_transitions(transitions, ctx.kb):
                if transition.step.location in reported:
                    continue
                mean, std = normalize_values(transition.step, ctx.kb)
                units = _range(mean, std)
                scale = transition.before.scale
                converter = _converter(transitions, index)
                if units is None or converter is None or not transition.before.scale_known:
                    continue
                if units == "0-255" and scale == UNIT:
                    message = f"Normalize constants in 0-255 units after `{converter.short_name}` scaled to [0, 1]"
                elif units == "0-1" and scale in (UINT8, FLOAT255):
                    message = f"Normalize constants in 0-1 units, but `{converter.short_name}` leaves 0-255"
                else:
                    continue
                reported.add(transition.step.location)
                yield Finding(CODE, message, site(item, transition.step, shared),
                              [Related(converter.location, f"`{converter.short_name}` sets the value range")],
                              notes=[f"mean {format_const(mean.const)}"])
