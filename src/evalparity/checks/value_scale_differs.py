"""EP204: training and evaluation convert to tensors with different value scales."""

from __future__ import annotations

from evalparity.checks.common import has_opaque, scale_state
from evalparity.findings import OTHER_SIDE, Finding, Related
from evalparity.fixes.rules import same_conversion

CODE = "EP204"


def check(ctx):
    for pair in ctx.pairs:
        if has_opaque(pair.train, ctx.kb) or has_opaque(pair.eval, ctx.kb):
            continue
        train_state, train_step = scale_state(pair.train, ctx.kb)
        eval_state, eval_step = scale_state(pair.eval, ctx.kb)
        if train_state is None or eval_state is None or train_state == eval_state:
            continue
        message = f"evaluation `{eval_step.short_name}` gives {eval_state}, training gives {train_state}"
        yield Finding(CODE, message, eval_step.location,
                      [Related(train_step.location, f"training `{train_step.short_name}` ({pair.reason})", OTHER_SIDE)],
                      fix=same_conversion(ctx.project, ctx.kb, train_step, eval_step))
