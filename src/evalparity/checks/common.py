"""Small helpers shared by checks."""

from __future__ import annotations

from evalparity.facts import Evidence, Step
from evalparity.findings import Related
from evalparity.relate.image_state import flatten
from evalparity.relate.model_layers import SOME, consequence
from evalparity.relate.roles import RoledPipeline
from evalparity.vocabulary.knowledge import KnowledgeBase
from evalparity.vocabulary.semantics import RAW, UNIT, arg, is_normalize, is_opaque, scale_effect
from evalparity.vocabulary.values import format_const


def shown(value) -> str:
    """A value as a finding shows it: the constant, else its source text (where it is computed goes in a
    frame: `computed_frames`)."""
    if value.kind == "const":
        return format_const(value.const)
    return f"`{value.text}`"


def computed_frames(values, side: str) -> list[Related]:
    """A frame at the assignment of each value computed at run time (`mean = compute_mean(data)`)."""
    return [Related(value.origin, f"{side} `{value.text}`, computed at run time")
            for value in values if value is not None and value.kind == "symbol" and value.origin is not None]


def strongest(evidence: list[Evidence], role: str, prefer_elsewhere=None) -> Evidence | None:
    """The heaviest located evidence for `role`; among equals, one away from `prefer_elsewhere`
    (a use in another file explains more than the pipeline's own name)."""
    located = [e for e in evidence if e.role == role and e.location is not None]
    return max(located, key=lambda e: (e.weight, e.location != prefer_elsewhere), default=None)


def role_reason(item: RoledPipeline) -> str:
    reasons = [e.reason for e in sorted(item.evidence, key=lambda e: -e.weight) if e.role == item.role]
    return reasons[0] if reasons else item.role


def label(item: RoledPipeline) -> str:
    return f"`{item.pipeline.binding}`" if item.pipeline.binding else "this pipeline"


def flat_steps(item: RoledPipeline, kb: KnowledgeBase) -> list[Step]:
    """Top-level steps with nested Compose expanded (wrappers are kept whole)."""
    return flatten(item.pipeline.steps, kb)


def last_normalize(item: RoledPipeline, kb: KnowledgeBase) -> Step | None:
    found = [s for s in flat_steps(item, kb) if is_normalize(s, kb)]
    return found[-1] if found else None


def has_opaque(item: RoledPipeline, kb: KnowledgeBase) -> bool:
    return not item.pipeline.complete or any(is_opaque(s, kb) for s in item.pipeline.steps)


def scale_state(item: RoledPipeline, kb: KnowledgeBase) -> tuple[str | None, Step | None]:
    """Whether values end up scaled to [0, 1] (UNIT) or not (RAW), and the step that decided it."""
    state, decider = None, None
    for step in flat_steps(item, kb):
        effect = scale_effect(step, kb)
        if effect == UNIT:
            state, decider = UNIT, step
        elif effect == RAW and state in (None, RAW):
            state, decider = RAW, step
        elif effect is not None and effect not in (UNIT, RAW):
            return None, step
    return state, decider


def normalize_transitions(transitions, kb: KnowledgeBase, include_self: bool = False):
    """(index, transition) of each torchvision/kornia-style Normalize step in a flow run; with
    `include_self`, also albumentations-style Normalize steps that scale by themselves, when they use
    their mean and std (normalization='standard', the default)."""
    for index, transition in enumerate(transitions):
        info = kb.lookup(transition.step.qualname)
        if info is None or info.kind != "normalize":
            continue
        if info.scale == "normalize_self":
            if not include_self:
                continue
            mode = arg(transition.step, "normalization")
            if mode is not None and not (mode.is_const and mode.const == "standard"):
                continue
        yield index, transition


def normalize_steps(item: RoledPipeline, kb: KnowledgeBase, include_self: bool = True) -> list[Step]:
    """Every Normalize step of a pipeline, once each, conditions ignored (for rules about the constants
    alone, which do not depend on what comes before)."""
    from evalparity.relate.image_state import run

    return [t.step for _, t in normalize_transitions(run(item.pipeline.steps, kb), kb, include_self)]


def shared_steps(roled: list[RoledPipeline], kb: KnowledgeBase) -> set:
    """Locations of steps that appear in more than one pipeline (a `normalize` bound once and used by
    the training and the evaluation pipeline)."""
    owners: dict = {}
    for item in roled:
        for step in flat_steps(item, kb):
            owners.setdefault(step.location, set()).add(item.id.partition("#")[0])
    return {location for location, ids in owners.items() if len(ids) > 1}


def site(item: RoledPipeline, step: Step, shared: set):
    """Where to report a finding about a step's place in a pipeline: the step itself, unless it is bound
    to a name outside the pipeline and shared with another pipeline that may use it correctly; then the
    pipeline."""
    where, span = step.location, item.pipeline.location
    inside = where.path == span.path and span.line <= where.line <= span.end_line
    return span if where in shared and not inside else where


def mode_effect(layers) -> tuple[list[Related], list[str], str | None]:
    """What makes the mode matter for this model: the layer that behaves differently in training mode (a
    frame at it), or a note when the model has none (and the severity cap that goes with it)."""
    if layers.verdict == SOME and layers.found:
        name, where = layers.found[0]
        return [Related(where, f"`{layers.model}` has `{name}`, which depends on the mode")], [], None
    effect, cap = consequence(layers, "")
    return [], [effect] if effect else [], cap


def said_deliberate(ctx, where) -> bool:
    """A comment on the line or the two above it says the training mode is wanted here (`# sample G in
    train mode on purpose`, `# test on validation set under train mode`)."""
    facts = ctx.project.files.get(where.path)
    lines = facts.lines[max(where.line - 3, 0):where.line] if facts is not None else ()
    comments = " ".join(text.partition("#")[2].lower() for text in lines if "#" in text)
    return "train mode" in comments or "training mode" in comments or "train-mode" in comments
