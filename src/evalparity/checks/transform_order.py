"""EP208: steps in an order that raises at run time.

Only orders that fail whatever the pipeline receives are flagged: a tensor-only step (Normalize,
v1 RandomErasing, ConvertImageDtype, LinearTransformation, any kornia module) before a conversion that
raises on tensors (v1 ToTensor/PILToTensor) fails on a PIL image at the first step and on a tensor at
the conversion; a v1 ToTensor/PILToTensor after a tensor conversion fails on its tensor input.
v2 conversions pass tensors through, so v2 pipelines are only flagged when they end in a v1 conversion."""

from __future__ import annotations

from evalparity.checks.common import shared_steps, site
from evalparity.findings import Finding, Related
from evalparity.relate.image_state import IMAGE, TENSOR, V1, runs

CODE = "EP208"
TENSOR_ONLY_V1 = {"Normalize", "RandomErasing", "ConvertImageDtype", "LinearTransformation"}
RAISES_ON_TENSOR_V1 = {"ToTensor", "PILToTensor"}


def _raises_on_tensor(info) -> bool:
    return info is not None and info.library == V1 and info.name in RAISES_ON_TENSOR_V1


HAND = "evalparity.hand"


def _tensor_only(info) -> bool:
    if info is None:
        return False
    if info.library == V1 and info.name in TENSOR_ONLY_V1:
        return True
    return info.library.startswith("kornia") or (info.kind == "normalize" and info.scale != "normalize_self"
                                                 and info.library != HAND)  # arithmetic written out: any array


def _keeps_tensor(info) -> bool:
    """A step that cannot turn a tensor back into a PIL image or an array."""
    return info is not None and info.kind not in ("lambda", "factory") and info.name != "ToPILImage" \
        and not (info.library.startswith("albumentations") and not info.library.startswith("albumentations.pytorch"))


def check(ctx):
    shared = shared_steps(ctx.roled, ctx.kb)
    for item in ctx.roled:
        reported = set()
        for transitions in runs(item.pipeline.steps, ctx.kb):
            infos = [ctx.kb.lookup(t.step.qualname) for t in transitions]
            for index, (transition, info) in enumerate(zip(transitions, infos)):
                if transition.step.location in reported or info is None:
                    continue
                if _tensor_only(info) and transition.before.container == IMAGE:
                    later = next((t for t, i in zip(transitions[index + 1:], infos[index + 1:])
                                  if _raises_on_tensor(i)), None)
                    between = infos[index + 1:transitions.index(later)] if later is not None else []
                    if later is not None and all(_keeps_tensor(i) for i in between):
                        reported.add(transition.step.location)
                        yield Finding(CODE, f"tensor-only `{transition.step.short_name}` runs before "
                                            f"`{later.step.short_name}`", site(item, transition.step, shared),
                                      [Related(later.step.location, f"tensor conversion `{later.step.short_name}`")])
                if _raises_on_tensor(info) and transition.before.container == TENSOR:
                    earlier = next((t for t in reversed(transitions[:index]) if t.effect in ("to_unit", "keep")), None)
                    if earlier is None:
                        continue
                    reported.add(transition.step.location)
                    yield Finding(CODE, f"`{transition.step.short_name}` on the tensor that `{earlier.step.short_name}` "
                                        "already made",
                                  site(item, transition.step, shared),
                                  [Related(earlier.step.location, "first tensor conversion")])
