"""What a step does, from the knowledge base and its static arguments."""

from __future__ import annotations

from evalparity.facts import Step, Value
from evalparity.vocabulary.knowledge import KnowledgeBase
from evalparity.vocabulary.values import numbers

FLOAT_DTYPES = {"float", "float32", "float16", "float64", "half", "double", "bfloat16"}
UNIT, RAW, UNKNOWN_SCALE = "0-1 float", "0-255 (unscaled)", "unknown"


def arg(step: Step, name: str) -> Value | None:
    """The value passed for parameter `name`, by keyword or by position (extraction names positional
    arguments from the knowledge base); None when not passed."""
    for a in step.args:
        if a.name == name:
            return a.value
    return None


def matches(value: Value | None, accepted: tuple) -> bool | None:
    """Does an argument satisfy one alternative of deterministic_when? None when it cannot be known."""
    if value is None or (value.is_const and value.const is None):
        return "absent" in accepted
    if not value.is_const:
        return None
    raw = value.const
    nums = numbers(value)
    for token in accepted:
        if token == "absent":
            continue
        if token == "fixed" and nums is not None and (len(nums) == 1 or len(set(nums)) == 1):
            return True
        if token == "equal_pair" and nums is not None and len(nums) == 2 and nums[0] == nums[1]:
            return True
        if token == "one" and isinstance(raw, tuple) and len(raw) == 1:
            return True  # a list of one choice (`scales=[(800, 1333)]`)
        if token == "flat" and nums is not None:
            return True  # one number or one flat sequence of numbers (`img_scale=(1333, 800)`), not a list of them
        if isinstance(token, (int, float)) and not isinstance(token, bool):
            if nums is not None and len(nums) == 1 and nums[0] == token:
                return True
            if nums is not None and len(nums) > 1 and all(n == token for n in nums):
                return True
        elif token == raw:
            return True
    return False


def is_random(step: Step, kb: KnowledgeBase) -> bool | None:
    """True when the step draws random numbers as written, False when deterministic, None when unknown."""
    info = kb.lookup(step.qualname)
    if info is None:
        return None
    if info.kind == "factory":
        if any(all(matches(arg(step, n), accepted) is True for n, accepted in alt)
               for alt in info.deterministic_when):
            return False
        if info.role_arg is not None:
            value = arg(step, info.role_arg.name)
            raw = info.role_arg.default if value is None else (value.const if value.is_const else None)
            return bool(raw) if isinstance(raw, bool) else None
        return info.random
    if info.kind == "compose":
        if info.random and not any(all(matches(arg(step, n), accepted) is True for n, accepted in alt)
                                   for alt in info.deterministic_when):
            return True
        children = [is_random(c, kb) for c in step.children]
        return True if any(c is True for c in children) else (None if None in children else False)
    if not info.random:
        return False
    p_value: float | None = None
    if info.p is not None:
        given = arg(step, info.p.name)
        if given is None:
            p_value = info.p.default
        elif given.is_const and numbers(given) is not None and len(numbers(given)) == 1:
            p_value = numbers(given)[0]
        else:
            return None
        if p_value == 0:
            return False
    undecided = False
    for alternative in info.deterministic_when:
        results = [matches(arg(step, name), accepted) for name, accepted in alternative]
        if all(r is True for r in results):
            return False
        if any(r is None for r in results) and not any(r is False for r in results):
            undecided = True
    if info.kind == "wrapper":
        if p_value is not None and p_value >= 1 and not info.random_params:
            children = [is_random(c, kb) for c in step.children]
            return True if any(c is True for c in children) else (None if None in children else False)
        return True
    if p_value is not None and p_value >= 1 and not info.random_params:
        return False
    return None if undecided else True


def random_leaves(step: Step, kb: KnowledgeBase) -> list[Step]:
    """The innermost steps that make `step` random (the step itself when it is random on its own)."""
    if is_random(step, kb) is False:
        return []
    info = kb.lookup(step.qualname)
    if info is not None and info.kind in ("compose", "wrapper") and step.children:
        inner = [leaf for child in step.children for leaf in random_leaves(child, kb)]
        if inner:
            return inner
    return [step] if is_random(step, kb) is True else []


def scale_effect(step: Step, kb: KnowledgeBase) -> str | None:
    """UNIT or RAW for a tensor conversion step, UNKNOWN_SCALE when it converts but how is unknown,
    None when the step does not convert."""
    info = kb.lookup(step.qualname)
    if info is None or info.scale is None:
        return None
    if info.scale == "to_unit" or info.scale == "normalize_self":
        return UNIT
    if info.scale == "keep":
        return RAW
    if info.scale == "dtype":
        dtype = arg(step, "dtype")
        name = (dtype.text if dtype is not None else "").rpartition(".")[2]
        return UNIT if name in FLOAT_DTYPES else UNKNOWN_SCALE
    if info.scale == "arg" and info.scale_arg is not None:
        value = arg(step, info.scale_arg.name)
        raw = info.scale_arg.default if value is None else (value.const if value.is_const else None)
        return (UNIT if raw else RAW) if isinstance(raw, bool) else UNKNOWN_SCALE
    return UNKNOWN_SCALE


def is_normalize(step: Step, kb: KnowledgeBase) -> bool:
    info = kb.lookup(step.qualname)
    return info is not None and info.kind == "normalize"


def normalize_values(step: Step, kb: KnowledgeBase) -> tuple[Value | None, Value | None]:
    info = kb.lookup(step.qualname)
    if info is None:
        return None, None
    mean = arg(step, info.mean.name if info.mean else "mean")
    std = arg(step, info.std.name if info.std else "std")
    if info.mean and mean is None and info.mean.default is not None:
        mean = Value("const", const=tuple(info.mean.default), text="default mean")
    if info.std and std is None and info.std.default is not None:
        std = Value("const", const=tuple(info.std.default), text="default std")
    return mean, std


def is_opaque(step: Step, kb: KnowledgeBase) -> bool:
    """A step whose effect evalparity cannot know: a Lambda, a custom class, an unresolved name."""
    info = kb.lookup(step.qualname)
    if info is None:
        return True
    if info.kind == "lambda":
        return True
    return any(is_opaque(c, kb) for c in step.children)
