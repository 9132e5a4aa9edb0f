"""EP209: constants one typo away from a well-known set, or its mean and std swapped."""

from __future__ import annotations

import re

from evalparity.checks.common import normalize_steps
from evalparity.findings import Finding
from evalparity.vocabulary.semantics import normalize_values
from evalparity.vocabulary.values import close, numbers, same_numbers

CODE = "EP209"
NUMBER = re.compile(r"\d*\.\d+|\d+")


def _literals(value, count: int) -> list[str] | None:
    found = NUMBER.findall(value.text or "")
    return found if len(found) == count else None


def _one_edit(a: str, b: str) -> bool:
    """One digit replaced, or two neighbouring digits swapped."""
    a, b = a.lstrip("0"), b.lstrip("0")
    if len(a) != len(b):
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    if len(diff) == 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def _typo(values, literals, known) -> int | None:
    """The channel that is a typo of the known set, when every other channel matches."""
    if len(values) != len(known):
        return None
    wrong = [i for i, (v, k) in enumerate(zip(values, known)) if not close(v, k)]
    if len(wrong) != 1:
        return None
    index = wrong[0]
    written = literals[index] if literals else repr(values[index])
    digits = repr(known[index]).replace(".", "").strip("0")
    if values[index] == 0 or len(digits) < 3:
        # a zero is EP207's; a one- or two-digit constant (0.5) is one edit away from any other value
        return None
    return index if _one_edit(written, repr(known[index])) else None


def _message(ctx, mean, std):
    nm, ns = numbers(mean), numbers(std)
    if nm is None or ns is None:
        return None, []
    sets = ctx.kb.constant_sets
    if any(same_numbers(nm, s.mean) and same_numbers(ns, s.std) for s in sets):
        return None, []
    for s in sets:
        if same_numbers(nm, s.std) and same_numbers(ns, s.mean) and not same_numbers(s.mean, s.std):
            return f"mean and std swapped (the {s.name} statistics)", [f"{s.name} has mean {s.mean} and std {s.std}"]
    for label, value, numbers_, other, other_numbers in (("mean", mean, nm, "std", ns), ("std", std, ns, "mean", nm)):
        literals = _literals(value, len(numbers_))
        for s in sets:
            known, known_other = (s.mean, s.std) if label == "mean" else (s.std, s.mean)
            if not same_numbers(other_numbers, known_other) and not same_numbers(numbers_, known):
                continue
            index = _typo(numbers_, literals, known)
            if index is not None:
                written = literals[index] if literals else repr(numbers_[index])
                return (f"{label} channel {index} is {written} where {s.name} has {known[index]!r} (a typo?)",
                        [f"{s.name} {label} {known}"])
    return None, []


def check(ctx):
    for item in ctx.roled:
        for step in normalize_steps(item, ctx.kb):
            mean, std = normalize_values(step, ctx.kb)
            if mean is None or std is None or not (mean.is_const and std.is_const):
                continue
            message, notes = _message(ctx, mean, std)
            if message:
                yield Finding(CODE, message, step.location, notes=notes)
