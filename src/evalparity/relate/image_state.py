"""What the image looks like after each step of a pipeline: container, value range, channels, size.

The state is abstract and conservative: anything a step does that the knowledge base cannot tell
(a Lambda, a custom class) makes the affected fields unknown, and rules make no claim about unknowns.

The pipeline input is assumed to be an 8-bit image (a PIL image, or a uint8 array or tensor), which is
what torchvision datasets, `ImageFolder` and `cv2.imread` give. Steps that only apply under a condition
(`if args.aug: t.append(…)`) are followed path by path: `runs` gives one run per consistent choice of
the conditions, so an `if`/`else` pair of steps never ends up on the same path.
"""

from __future__ import annotations

import ast
import itertools
import re
from dataclasses import dataclass, replace

from evalparity.facts import Step, Value
from evalparity.vocabulary.knowledge import KnowledgeBase, TransformInfo
from evalparity.vocabulary.semantics import FLOAT_DTYPES, arg, is_random
from evalparity.vocabulary.values import numbers

IMAGE, TENSOR, UNKNOWN = "image", "tensor", "unknown"
UINT8, FLOAT255, UNIT, NORMALIZED = "uint8 0-255", "float 0-255", "float 0-1", "normalized"
V1, V2 = "torchvision.transforms", "torchvision.transforms.v2"

# A Lambda whose whole effect is a division by 255 (with an optional cast): `x / 255`, `x.float().div(255)`,
# `x.to(torch.float32) * (1 / 255)`. Anything else in the body (a subtraction, `* 255` to quantize) makes it opaque.
_DIVISION = re.compile(r"(/\s*255(\.0*)?\b)|(\.div_?\(\s*255(\.0*)?\s*\))|(\*\s*\(?\s*1(\.0*)?\s*/\s*255(\.0*)?\s*\)?)")
_LAMBDA_HEAD = re.compile(r"^\s*lambda\s+\w+\s*:")
_ARITHMETIC = re.compile(r"[-+*/%@]|\b(sub|add|mul|div|pow|clamp|round)_?\(")
DIVIDES_BY_255 = _DIVISION
_PIL_CONVERT = re.compile(r"^\s*lambda\s+(?P<v>\w+)\s*:\s*(?P=v)\.convert\(\s*(?P<q>['\"])(?P<mode>RGB|L)(?P=q)\s*\)\s*$")
PIL_MODES = {"RGB": 3, "L": 1, "RGBA": 4, "LA": 2, "YCbCr": 3, "HSV": 3, "LAB": 3, "CMYK": 4, "1": 1, "I": 1, "F": 1}  # kept for callers that only ask whether a body divides by 255


@dataclass(frozen=True)
class Size:
    """An exact output size (height, width); each side a number or, when not constant, its source text."""

    height: object
    width: object

    def describe(self) -> str:
        return f"{self.height}x{self.width}"


@dataclass(frozen=True)
class State:
    container: str = IMAGE
    scale: str = UINT8
    scale_known: bool = False  # the range came from an explicit conversion, not from assuming 8-bit input
    channels: int | None = None
    size: Size | None = None
    order: str | None = None  # RGB | BGR, known only from a hand-written read (`cv2.imread`, `Image.open`)

    def describe(self) -> str:
        parts = [self.container if self.container != IMAGE else "image", self.scale]
        if self.channels:
            parts.append(f"{self.channels}ch")
        if self.size:
            parts.append(self.size.describe())
        return " ".join(parts)


OPAQUE = State(UNKNOWN, UNKNOWN, False, None, None)
HAND = "evalparity.hand"
_FLIPPED = {"RGB": "BGR", "BGR": "RGB"}


def _handwritten(step: Step, info: TransformInfo, state: State, kb: KnowledgeBase) -> tuple[State, str | None] | None:
    """What a step of a hand-written chain does (`extract/handprep.py`); None for the ones the generic code
    follows (Normalize, Resize, Crop)."""
    name = info.name
    if name in ("ReadBGR", "ReadRGB"):
        return State(IMAGE, UINT8, True, 3, None, name[4:]), None
    if name == "FlipChannels":
        return replace(state, order=_FLIPPED.get(state.order)), None
    if name == "ToFloat":
        scale = FLOAT255 if state.scale == UINT8 else state.scale
        return replace(state, scale=scale, scale_known=state.scale_known and scale != UNKNOWN), "keep"
    if name == "AsTensor":
        return replace(state, container=TENSOR), "keep"
    if name == "Divide255":
        scale = UNIT if state.scale in (UINT8, FLOAT255) else UNKNOWN
        return replace(state, scale=scale, scale_known=state.scale_known and scale != UNKNOWN), "divide"
    if name == "Normalize":  # arithmetic written out keeps the container (a numpy array stays one)
        return replace(state, scale=NORMALIZED, scale_known=True), "normalize"
    if name == "Multiply255":
        return replace(state, scale=UNKNOWN, scale_known=False), None
    if name == "UnitResize":
        scale = UNIT if state.scale == UINT8 else state.scale
        return replace(state, scale=scale, scale_known=state.scale_known and scale != UNKNOWN,
                       size=_size(step, info, state, kb)), "to_unit" if scale != state.scale else None
    return None


@dataclass(frozen=True)
class Transition:
    step: Step
    before: State
    after: State
    effect: str | None  # to_unit | keep | normalize | divide | None


def flatten(steps, kb: KnowledgeBase) -> list[Step]:
    """Steps in order with nested Compose expanded; wrappers (RandomApply …) stay whole."""
    return [step for step, _ in _flat_conditions(steps, kb)]


def _flat_conditions(steps, kb: KnowledgeBase, outer: str | None = None) -> list[tuple[Step, str | None]]:
    """Like `flatten`, with each step's condition, a nested Compose's condition carried over to its steps."""
    result = []
    for step in steps:
        condition = " and ".join(c for c in (outer, step.condition) if c) or None
        info = kb.lookup(step.qualname)
        if info is not None and info.kind == "compose" and step.children:
            result.extend(_flat_conditions(step.children, kb, condition))
        else:
            result.append((step, condition))
    return result


def divides_by_255(body: str) -> bool:
    """A Lambda body whose only arithmetic is one division by 255."""
    if not body or not _LAMBDA_HEAD.match(body):
        return False
    found = list(_DIVISION.finditer(body))
    if len(found) != 1:
        return False
    rest = _LAMBDA_HEAD.sub("", body[:found[0].start()] + body[found[0].end():])
    return not _ARITHMETIC.search(rest)


def _side(value: Value | None):
    if value is None:
        return None
    nums = numbers(value)
    if nums is not None and len(nums) == 1:
        return int(nums[0]) if nums[0] == int(nums[0]) else nums[0]
    return value.text or None


SIZE_ARGS = ("size", "img_size", "input_size", "output_size", "target_size")


def _size(step: Step, info: TransformInfo, state: State, kb: KnowledgeBase) -> Size | None:
    """The exact output size a step sets, or None when it is not a fixed, known size (a shorter-side
    Resize(int), a pad, a random scale, a crop given by borders or by patch counts)."""
    spec = info.size or {}
    effect, names = spec.get("effect"), list(spec.get("args", []))
    if effect not in ("resize", "crop", "multi_crop"):
        return None
    if effect == "resize" and is_random(step, kb) is not False:
        return None
    values = [arg(step, name) for name in names]
    if names == ["height", "width"]:
        if any(v is None for v in values):
            return None
        height, width = _side(values[0]), _side(values[1])
        return Size(height, width) if height and width else None
    if spec.get("square_only"):
        # OpenMMLab sizes: an int is a square; pairs are (w, h) in some packages and (h, w) in others
        nums = numbers(values[0]) if len(values) == 1 and values[0] is not None else None
        if nums is None or len(set(nums)) != 1 or len(nums) > 2:
            return None
        side = int(nums[0]) if nums[0] == int(nums[0]) else nums[0]
        return Size(side, side)
    if len(names) != 1 or names[0] not in SIZE_ARGS or values[0] is None:
        return None
    value = values[0]
    nums = numbers(value)
    if nums is not None and len(nums) == 3 and names[0] == "input_size":
        nums = nums[1:]  # timm's (channels, height, width)
    if nums is not None and len(nums) == 2:
        return Size(*(int(n) if n == int(n) else n for n in nums))
    if nums is not None and len(nums) == 1:
        side = int(nums[0]) if nums[0] == int(nums[0]) else nums[0]
        # Resize(int) sets the shorter side only; crops are square
        return None if effect == "resize" else Size(side, side)
    if effect in ("crop", "multi_crop") and value.kind != "const":
        return Size(value.text, value.text)
    return None


def _numpy_side(info: TransformInfo) -> bool:
    """albumentations transforms work on numpy arrays and return numpy arrays."""
    return info.library.startswith("albumentations") and not info.library.startswith("albumentations.pytorch")


def _passes_tensors(info: TransformInfo) -> bool:
    """Conversions that return a tensor input unchanged: v2's PIL/ndarray converters, timm's Maybe*."""
    return (info.library == V2 and info.name in ("ToTensor", "PILToTensor")) or info.name.startswith("Maybe")


def _dtype_scaled(state: State) -> str:
    """A scaling by dtype range (ToTensor, ConvertImageDtype, ToDtype(scale=True), ToFloat): 8-bit values
    become 0-1; float input is not rescaled."""
    return UNIT if state.scale == UINT8 else state.scale


def _scale(step: Step, info: TransformInfo, state: State) -> tuple[State, str | None]:
    kind = info.scale
    if kind is None:
        return state, None
    if state.container == TENSOR and _passes_tensors(info):
        return state, None
    if info.library == V2 and kind in ("dtype", "arg") and state.container != TENSOR:
        # v2 dtype conversions leave PIL images alone: before ToImage they do nothing, unless the input
        # was a tensor already, which cannot be known here
        return OPAQUE, None
    container = state.container if _numpy_side(info) else TENSOR
    if kind == "to_unit":
        if info.library == V1 and info.name == "ToTensor" and state.container == TENSOR:
            return state, None  # raises at run time (EP208)
        scale = _dtype_scaled(state)
        return replace(state, container=container, scale=scale, scale_known=scale != UNKNOWN), "to_unit"
    if kind == "keep":
        scale = state.scale
        if info.library.startswith("timm") and info.name == "ToTensor" and scale == UINT8:
            scale = FLOAT255  # timm's ToTensor casts to float without dividing
        return replace(state, container=container, scale=scale, scale_known=scale != UNKNOWN), "keep"
    if kind == "normalize_self":
        return replace(state, scale=NORMALIZED, scale_known=True), "normalize"
    if kind == "dtype":
        dtype = arg(step, "dtype")
        name = (dtype.text if dtype is not None else "").rpartition(".")[2]
        if name not in FLOAT_DTYPES or state.scale == UNKNOWN:
            return replace(state, container=container, scale=UNKNOWN, scale_known=False), None
        scale = _dtype_scaled(state)
        return replace(state, container=container, scale=scale, scale_known=True), \
            "to_unit" if scale != state.scale else None
    if kind == "arg" and info.scale_arg is not None:
        value = arg(step, info.scale_arg.name)
        raw = info.scale_arg.default if value is None else (value.const if value.is_const else None)
        dtype = arg(step, "dtype")
        name = (dtype.text if dtype is not None else "").rpartition(".")[2]
        if not isinstance(raw, bool) or name not in FLOAT_DTYPES or state.scale == UNKNOWN:
            return replace(state, container=container, scale=UNKNOWN, scale_known=False), None
        if raw and state.scale == UINT8:
            return replace(state, container=container, scale=UNIT, scale_known=True), "to_unit"
        scale = FLOAT255 if state.scale == UINT8 else state.scale
        return replace(state, container=container, scale=scale, scale_known=True), "keep"
    return state, None


def advance(step: Step, state: State, kb: KnowledgeBase) -> tuple[State, str | None]:
    info = kb.lookup(step.qualname)
    if info is None or info.kind in ("factory",):
        return OPAQUE, None
    if info.kind == "identity":
        return state, None
    if info.library == HAND:
        done = _handwritten(step, info, state, kb)
        if done is not None:
            return done
    if info.kind == "lambda":
        body = next((a.value.text for a in step.args), "")
        converted = _PIL_CONVERT.match(body or "")
        if converted and state.container == IMAGE:
            # `lambda img: img.convert("RGB")`: still an 8-bit PIL image
            return replace(state, scale=UINT8, channels=PIL_MODES.get(converted.group("mode"))), None
        if divides_by_255(body or ""):
            scale = UNIT if state.scale in (UINT8, FLOAT255, UNIT) else UNKNOWN
            return replace(OPAQUE, container=state.container, scale=scale,
                           scale_known=state.scale_known and scale != UNKNOWN,
                           channels=state.channels, size=state.size), "divide"
        return OPAQUE, None
    if info.kind == "wrapper":
        after = state
        for child in step.children:
            after, _ = advance(child, after, kb)
        if after != state:
            return OPAQUE, None
        return state, None
    if info.kind == "normalize":
        if info.scale == "normalize_self":
            return replace(state, scale=NORMALIZED, scale_known=True), "normalize"
        return replace(state, container=TENSOR if state.container != UNKNOWN else UNKNOWN, scale=NORMALIZED), \
            "normalize"
    if info.name == "ToPILImage" and info.library in (V1, V2):
        # float tensors are multiplied by 255 and cast to 8 bits; the result is a PIL image
        mode = arg(step, "mode")
        channels = state.channels if mode is None or (mode.is_const and mode.const is None) else \
            (PIL_MODES.get(mode.const) if mode.is_const else None)
        return replace(state, container=IMAGE, scale=UINT8, scale_known=state.scale != UNKNOWN,
                       channels=channels), None
    if info.name == "RGB" and info.library == V2:
        return replace(state, channels=3), None
    new, effect = _scale(step, info, state)
    if info.channels is not None:
        value = arg(step, info.channels.name)
        nums = numbers(value) if value is not None else None
        count = int(nums[0]) if nums and len(nums) == 1 else (info.channels.default if value is None else None)
        new = replace(new, channels=count if isinstance(count, int) else None)
    if info.size:
        new = replace(new, size=_size(step, info, state, kb))
    return new, effect


# conditions ------------------------------------------------------------------------------------------
MAX_ATOMS = 8


def _split_and(text: str) -> list[str]:
    """Top-level ` and ` conjuncts (not inside brackets or strings)."""
    parts, depth, quote, start, i = [], 0, None, 0, 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0 and text.startswith(" and ", i):
            parts.append(text[start:i])
            i += 5
            start = i
            continue
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _literal(text: str) -> tuple[str, bool]:
    """An atom and its polarity: `not x` → (x, False); `not not x` → (x, True)."""
    positive = True
    text = text.strip()
    while text.startswith("not ") or text.startswith("not("):
        text = text[3:].strip()
        positive = not positive
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    for negated, plain in ((" != ", " == "), (" is not ", " is "), (" not in ", " in ")):
        if negated in text and _balanced(text.partition(negated)[0]):
            left, _, right = text.partition(negated)
            return f"{left}{plain}{right}", not positive
    return text, positive


def _balanced(text: str) -> bool:
    depth = 0
    for c in text:
        depth += c in "([{"
        depth -= c in ")]}"
        if depth < 0:
            return False
    return depth == 0


def literals(condition: str | None) -> list[tuple[str, bool]]:
    return [_literal(p) for p in _split_and(condition)] if condition else []


def _choices(atom: str) -> tuple[str, frozenset] | None:
    """`x == 'a'` → (x, {'a'}); `x in ('a', 'b')` → (x, {'a', 'b'}); None for anything else."""
    for operator in (" == ", " in "):
        left, found, right = atom.partition(operator)
        if not found or not _balanced(left):
            continue
        try:
            value = ast.literal_eval(right.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
        values = value if operator == " in " and isinstance(value, (list, tuple, set, frozenset)) else \
            ((value,) if operator == " == " else None)
        if values is None:
            return None
        try:
            return left.strip(), frozenset(values)
        except TypeError:
            return None
    return None


def _consistent(assignment: dict[str, bool]) -> bool:
    """The true comparisons of one expression with literals leave it some value: `x == 'a'` and
    `x == 'b'` cannot both hold, nor `x == 'a'` and `x in ('b', 'c')`."""
    allowed: dict[str, frozenset] = {}
    for atom, value in assignment.items():
        choice = _choices(atom) if value else None
        if choice is None:
            continue
        lhs, values = choice
        allowed[lhs] = allowed[lhs] & values if lhs in allowed else values
        if not allowed[lhs]:
            return False
    return True


def paths(steps, kb: KnowledgeBase) -> list[list[Step]]:
    """The step lists the pipeline can run, one per consistent choice of its steps' conditions. With too
    many conditions to enumerate, one path where every conditional step is made unknowable."""
    flat = _flat_conditions(steps, kb)
    conds = {c for _, c in flat if c}
    if not conds:
        return [[s for s, _ in flat]]
    parsed = {c: literals(c) for c in conds}
    atoms = sorted({atom for lits in parsed.values() for atom, _ in lits})
    if len(atoms) > MAX_ATOMS:
        return [[s if not c else replace(s, qualname=None) for s, c in flat]]
    result, seen = [], set()
    for values in itertools.product((True, False), repeat=len(atoms)):
        assignment = dict(zip(atoms, values))
        if not _consistent(assignment):
            continue
        chosen = [s for s, c in flat if not c or all(assignment[a] == p for a, p in parsed[c])]
        key = tuple(id(s) for s in chosen)
        if key not in seen:
            seen.add(key)
            result.append(chosen)
    return result


def _run_flat(flat, kb: KnowledgeBase, start: State = State()) -> list[Transition]:
    transitions = []
    state = start
    for step in flat:
        after, effect = advance(step, state, kb)
        transitions.append(Transition(step, state, after, effect))
        state = after
    return transitions


def runs(steps, kb: KnowledgeBase) -> list[list[Transition]]:
    """One run per path (see `paths`)."""
    return [_run_flat(path, kb) for path in paths(steps, kb)]


def run(steps, kb: KnowledgeBase, start: State = State()) -> list[Transition]:
    """All steps in order, conditions ignored (for display; rules use `runs`)."""
    return _run_flat(flatten(steps, kb), kb, start)


def final(steps, kb: KnowledgeBase) -> State:
    transitions = run(steps, kb)
    return transitions[-1].after if transitions else State()


def final_states(steps, kb: KnowledgeBase) -> list[tuple[State, list[Transition]]]:
    """The state at the end of each path, with that path's transitions."""
    return [(t[-1].after if t else State(), t) for t in runs(steps, kb)]
