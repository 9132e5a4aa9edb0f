"""EP210: the widespread CIFAR-10 std that is a mean of per-image stds, not the dataset std."""

from __future__ import annotations

from evalparity.checks.common import normalize_steps
from evalparity.findings import Finding
from evalparity.vocabulary.semantics import normalize_values
from evalparity.vocabulary.values import numbers

CODE = "EP210"
PER_IMAGE_SET = "cifar10_per_image_std_variant"
# the constant as published or rounded to three decimals; a coarser value (std 0.2) is someone else's choice
TOLERANCE = 0.0006


def _is_variant(values, variant) -> bool:
    return len(values) == len(variant) and all(abs(a - b) <= TOLERANCE for a, b in zip(values, variant))


def check(ctx):
    variant = next((s for s in ctx.kb.constant_sets if s.name == PER_IMAGE_SET), None)
    dataset = next((s for s in ctx.kb.constant_sets if s.name == "cifar10"), None)
    if variant is None or dataset is None:
        return
    for item in ctx.roled:
        for step in normalize_steps(item, ctx.kb):
            _, std = normalize_values(step, ctx.kb)
            values = numbers(std) if std is not None else None
            if values and _is_variant(values, variant.std):
                yield Finding(CODE, f"std {variant.std} is CIFAR-10's mean per-image std", step.location,
                              notes=[f"the CIFAR-10 dataset std is {dataset.std}"])
