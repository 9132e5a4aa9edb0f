"""EP201: paired pipelines both normalize, with different mean or std."""

from __future__ import annotations

from evalparity.checks.common import computed_frames, last_normalize, shown
from evalparity.findings import OTHER_SIDE, Finding, Related
from evalparity.fixes.rules import normalize_like_train
from evalparity.vocabulary.semantics import normalize_values
from evalparity.vocabulary.values import equal, numbers, same_numbers

CODE = "EP201"


def _scaled_255(a, b) -> bool:
    na, nb = numbers(a), numbers(b)
    if na is None or nb is None:
        return False
    return same_numbers(tuple(x * 255 for x in na), nb) or same_numbers(na, tuple(x * 255 for x in nb))


def check(ctx):
    for pair in ctx.pairs:
        train_step = last_normalize(pair.train, ctx.kb)
        eval_step = last_normalize(pair.eval, ctx.kb)
        if train_step is None or eval_step is None:
            continue
        train_values = normalize_values(train_step, ctx.kb)
        eval_values = normalize_values(eval_step, ctx.kb)
        parts, labels, frames = [], [], []
        for label, train_value, eval_value in zip(("mean", "std"), train_values, eval_values):
            if train_value is None or eval_value is None:
                continue
            if equal(eval_value, train_value) is False and not _scaled_255(eval_value, train_value):
                parts.append(f"{label}: evaluation {shown(eval_value)}, training {shown(train_value)}")
                labels.append(label)
                frames += computed_frames([train_value], "training") + computed_frames([eval_value], "evaluation")
        if parts:
            message = f"evaluation Normalize {' and '.join(labels)} differ{'s' if len(labels) == 1 else ''} from training"
            yield Finding(CODE, message, eval_step.location,
                          [Related(train_step.location, f"training Normalize ({pair.reason})", OTHER_SIDE), *frames],
                          fix=normalize_like_train(ctx.project, pair, train_step, eval_step, labels), notes=parts)
