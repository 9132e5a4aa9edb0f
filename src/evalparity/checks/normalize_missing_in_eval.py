"""EP202: one side of a pair normalizes and the other does not."""

from __future__ import annotations

from evalparity.checks.common import has_opaque, last_normalize, scale_state
from evalparity.findings import Finding, Related
from evalparity.fixes.rules import add_normalize
from evalparity.vocabulary.semantics import normalize_values
from evalparity.vocabulary.values import describe

CODE = "EP202"


def _plain(item, kb) -> bool:
    """A pipeline whose whole effect is known and that ends in a tensor: nothing else can normalize."""
    return not has_opaque(item, kb) and scale_state(item, kb)[0] is not None


def check(ctx):
    for pair in ctx.pairs:
        train_step = last_normalize(pair.train, ctx.kb)
        eval_step = last_normalize(pair.eval, ctx.kb)
        if train_step is not None and eval_step is None and _plain(pair.eval, ctx.kb):
            mean, std = normalize_values(train_step, ctx.kb)
            values = f" (mean {describe(mean)}, std {describe(std)})" if mean is not None and std is not None else ""
            yield Finding(CODE, f"evaluation pipeline does not normalize, but training does{values}",
                          pair.eval.pipeline.location,
                          [Related(train_step.location, f"training Normalize ({pair.reason})")],
                          fix=add_normalize(ctx.project, pair, train_step, scale_state(pair.eval, ctx.kb)[1]))
        elif train_step is None and eval_step is not None and _plain(pair.train, ctx.kb):
            yield Finding(CODE, "evaluation pipeline normalizes, but the training pipeline does not",
                          eval_step.location,
                          [Related(pair.train.pipeline.location, f"training pipeline without Normalize ({pair.reason})")])
