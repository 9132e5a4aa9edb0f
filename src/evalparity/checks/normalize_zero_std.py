"""EP207: a std entry of Normalize is zero."""

from __future__ import annotations

from evalparity.checks.common import normalize_steps
from evalparity.findings import Finding
from evalparity.vocabulary.semantics import normalize_values
from evalparity.vocabulary.values import format_const, numbers

CODE = "EP207"


def check(ctx):
    for item in ctx.roled:
        for step in normalize_steps(item, ctx.kb):
            _, std = normalize_values(step, ctx.kb)
            values = numbers(std) if std is not None else None
            if values and any(v == 0 for v in values):
                yield Finding(CODE, f"Normalize std {format_const(std.const)} contains 0",
                              step.location)
