"""EP101: an evaluation pipeline contains a random transform."""

from __future__ import annotations

from evalparity.checks.common import role_reason, strongest
from evalparity.facts import EVAL
from evalparity.findings import Finding, Related
from evalparity.fixes.rules import eval_counterpart
from evalparity.vocabulary.semantics import random_leaves

CODE = "EP101"


def check(ctx):
    paired = {p.eval.id: p for p in ctx.pairs}
    for item in ctx.roled:
        if item.role != EVAL or item.pipeline.tta:
            continue
        for step in item.pipeline.steps:
            for leaf in random_leaves(step, ctx.kb):
                when = f" when `{step.condition}`" if step.condition else ""
                message = (f"`{leaf.short_name}` is random{when}, but this pipeline is used for evaluation "
                           f"({role_reason(item)})")
                related = []
                evidence = strongest(item.evidence, EVAL, prefer_elsewhere=item.pipeline.location)
                if evidence is not None and evidence.location != leaf.location:
                    related.append(Related(evidence.location, f"evaluation role: {evidence.reason}"))
                pair = paired.get(item.id)
                if pair is not None:
                    related.append(Related(pair.train.pipeline.location, "training pipeline, where augmentation belongs"))
                yield Finding(CODE, message, leaf.location, related,
                              fix=eval_counterpart(ctx.project, ctx.kb, item.pipeline.steps, leaf))
