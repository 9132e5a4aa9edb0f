"""EP101: an evaluation pipeline contains a random transform."""

from __future__ import annotations

from evalparity.checks.common import label, role_reason, strongest
from evalparity.facts import EVAL
from evalparity.findings import OTHER_SIDE, ROLE, Finding, Related
from evalparity.fixes.rules import eval_counterpart
from evalparity.vocabulary.semantics import random_leaves

CODE = "EP101"


def check(ctx):
    """One finding per pipeline: its first random step, the others as related locations."""
    paired = {p.eval.id: p for p in ctx.pairs}
    for item in ctx.roled:
        if item.role != EVAL or item.pipeline.tta:
            continue
        leaves = [(step, leaf) for step in item.pipeline.steps for leaf in random_leaves(step, ctx.kb)]
        seen = set()
        leaves = [(s, l) for s, l in leaves if not (l.location in seen or seen.add(l.location))]
        if not leaves:
            continue
        step, leaf = leaves[0]
        name = label(item)
        where = f"the evaluation pipeline {name}" if name.startswith("`") else "an evaluation pipeline"
        message = f"`{leaf.short_name}` in {where}"
        notes = [f"applied when `{step.condition}`"] if step.condition else []
        others = [l.short_name for _, l in leaves[1:]]
        if others:
            notes.append(f"also random: {_names(others)}")
        related = [Related(other.location, f"`{other.short_name}` is random too") for _, other in leaves[1:4]]
        evidence = strongest(item.evidence, EVAL, prefer_elsewhere=item.pipeline.location)
        if evidence is not None and evidence.location != leaf.location:
            related.append(Related(evidence.location, f"evaluation, {evidence.reason}", ROLE))
        else:
            notes.append(f"evaluation role: {role_reason(item)}")
        pair = paired.get(item.id)
        if pair is not None:
            related.append(Related(pair.train.pipeline.location, "the training pipeline, where augmentation belongs",
                                   OTHER_SIDE))
        fixes = [eval_counterpart(ctx.project, ctx.kb, item.pipeline.steps, l) for _, l in leaves]
        yield Finding(CODE, message, leaf.location, related, fix=_merged(fixes), notes=notes)


def _names(names: list[str]) -> str:
    quoted = [f"`{n}`" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _merged(fixes: list[dict | None]) -> dict | None:
    """One fix for every random step, or none: edits that touch the same text cannot be combined."""
    if not fixes or any(f is None for f in fixes):
        return None
    if len(fixes) == 1:
        return fixes[0]
    edits = sorted((e for f in fixes for e in f["edits"]), key=lambda e: (e["path"], e["line"], e["column"]))
    for a, b in zip(edits, edits[1:]):
        if a["path"] == b["path"] and (a["end_line"], a["end_column"]) > (b["line"], b["column"]):
            return None
    return {"applicability": fixes[0]["applicability"] if all(f["applicability"] == fixes[0]["applicability"]
                                                              for f in fixes) else "unsafe",
            "description": "; ".join(f["description"] for f in fixes), "edits": edits}
