"""Pair each evaluation pipeline with the training pipeline it should mirror, nearest context first."""

from __future__ import annotations

import re
from dataclasses import dataclass

from evalparity.facts import EVAL, TRAIN
from evalparity.relate.project import Project
from evalparity.relate.roles import RoledPipeline
from evalparity.vocabulary.naming import role_words, words


@dataclass(frozen=True)
class Pair:
    train: RoledPipeline
    eval: RoledPipeline
    reason: str


def _stem(item: RoledPipeline) -> tuple[str, ...]:
    name = item.pipeline.binding or ""
    train, evaluation = role_words()
    return tuple(w for w in words(name) if w not in train and w not in evaluation)


def _base(item: RoledPipeline) -> str:
    return item.id.partition("#")[0]


def _class(item: RoledPipeline) -> str | None:
    scope = item.pipeline.scope
    return scope.partition(".")[0] if "." in scope else None


LEVELS = (
    ("same builder", lambda t, e: _base(t) == _base(e)),
    ("same dict", lambda t, e: t.pipeline.container is not None and t.pipeline.container == e.pipeline.container
     and t.pipeline.path == e.pipeline.path),
    ("same function", lambda t, e: t.pipeline.path == e.pipeline.path and t.pipeline.scope == e.pipeline.scope
     and t.pipeline.scope != "<module>"),
    ("same class", lambda t, e: t.pipeline.path == e.pipeline.path and _class(t) is not None and _class(t) == _class(e)),
    ("same module", lambda t, e: t.pipeline.path == e.pipeline.path),
)


def _closest(candidates: list[RoledPipeline], item: RoledPipeline) -> list[RoledPipeline]:
    """Break a tie by the name (`train_tf` ↔ `test_tf`), then by the branch both sit in
    (`if dataset == "imagenette":` on both sides)."""
    named = [t for t in candidates if _stem(t) == _stem(item)]
    if len(named) == 1:
        return named
    shared = {t.id: len(set(t.pipeline.conditions) & set(item.pipeline.conditions)) for t in candidates}
    best = max(shared.values())
    closest = [t for t in candidates if shared[t.id] == best]
    return closest if best > 0 else []


def _linked(project: Project, t: RoledPipeline, e: RoledPipeline) -> bool:
    """One module imports the other, or both pipelines are used from the same module."""
    a, b = t.pipeline.path, e.pipeline.path
    if a in project.imports_of(b) or b in project.imports_of(a):
        return True
    return bool({u.dataset.location.path for u in t.uses} & {u.dataset.location.path for u in e.uses})


_ACCUMULATES = re.compile(r"\b\w*(?:mean|std|var)\w*\s*\+=|\+=\s*[\w.\[\]]+\.(?:mean|std|var)\(")


def _measures_statistics(project: Project, path: str) -> bool:
    """A script with no model that sums per-batch means or deviations: its evaluation pipeline is left
    unnormalised on purpose, to measure the statistics the training pipeline will use."""
    facts = project.facts(path)
    if facts is None or any(fn.training or fn.model_calls for fn in facts.functions):
        return False
    return any(_ACCUMULATES.search(line) for line in facts.lines)


def pair(roled: list[RoledPipeline], project: Project) -> list[Pair]:
    trains = [r for r in roled if r.role == TRAIN]
    levels = LEVELS + (("modules linked by an import", lambda t, e: _linked(project, t, e)),)
    pairs = []
    for item in roled:
        if item.role != EVAL or _measures_statistics(project, item.pipeline.path):
            continue
        for reason, same in levels:
            candidates = [t for t in trains if same(t, item)]
            if len(candidates) > 1:
                candidates = _closest(candidates, item)
                if len(candidates) != 1:
                    break
            if len(candidates) == 1:
                pairs.append(Pair(candidates[0], item, reason))
                break
    return pairs
