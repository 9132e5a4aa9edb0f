"""EP206: Normalize has a different number of mean and std values, or not one per channel."""

from __future__ import annotations

from evalparity.checks.common import normalize_steps, normalize_transitions, shared_steps, site
from evalparity.findings import Finding, Related
from evalparity.relate.image_state import runs
from evalparity.vocabulary.semantics import normalize_values
from evalparity.vocabulary.values import numbers

CODE = "EP206"


def _counts(step, kb):
    mean, std = (numbers(v) if v is not None else None for v in normalize_values(step, kb))
    return mean, std


def check(ctx):
    shared = shared_steps(ctx.roled, ctx.kb)
    for item in ctx.roled:
        uneven = set()
        for step in normalize_steps(item, ctx.kb):
            mean, std = _counts(step, ctx.kb)
            if mean is not None and std is not None and len(mean) > 1 and len(std) > 1 and len(mean) != len(std):
                uneven.add(step.location)
                yield Finding(CODE, f"Normalize has {len(mean)} mean values and {len(std)} std values", step.location)
        reported = set(uneven)
        for transitions in runs(item.pipeline.steps, ctx.kb):
            for index, transition in normalize_transitions(transitions, ctx.kb):
                if transition.step.location in reported:
                    continue
                mean, std = _counts(transition.step, ctx.kb)
                if mean is None or std is None:
                    continue
                channels = transition.before.channels
                count = max(len(mean), len(std))
                if channels is None or count <= 1 or count == channels:
                    continue
                setter = next((t.step for t in reversed(transitions[:index]) if t.after.channels == channels
                               and t.before.channels != channels), None)
                if setter is None:
                    continue
                reported.add(transition.step.location)
                yield Finding(CODE, f"Normalize has {count} values per statistic for {channels} "
                                    f"channel{'s' if channels != 1 else ''}",
                              site(item, transition.step, shared),
                              [Related(setter.location, f"`{setter.short_name}` sets {channels} channel(s)")])
