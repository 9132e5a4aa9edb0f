"""Which pipelines feed a model built with pretrained weights (EP211), and what those weights expect.

Each `PretrainedUse` (extract/pretrained.py) is looked up in the knowledge base's table of pretrained
preprocessing (vocabulary/pretrained.py, read only when a project has such a use). The pipelines it is
compared with are, nearest first, the training and evaluation pipelines of the script that builds the model
(defined there or given to a dataset there), else those of its folder, else those of the modules it imports
or that import it. Precision first, at every level:

- every pretrained model of that script (folder, linked modules) must be known to the table and expect the
  same constants; a model whose name or weights are computed at run time, or two models that expect
  different constants, leave the level silent (and no farther level is tried);
- a model built for a loss or a metric (`VGGLoss`, `perceptual`, `lpips`, FID's Inception) is fed by the
  network's output, not by the pipeline: it is left out;
- models that normalise their input themselves (torchvision's detection and optical-flow weights) are
  never compared.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from evalparity.facts import EVAL, TRAIN, PretrainedUse
from evalparity.relate.project import Project
from evalparity.relate.roles import RoledPipeline
from evalparity.vocabulary.naming import unit_test_file, words
from evalparity.vocabulary.pretrained import Expected, pretrained_table

# a pretrained network inside a loss or a metric sees generated images or features, not the pipeline's
NOT_FED_WORDS = frozenset({"loss", "losses", "perceptual", "lpips", "fid", "metric", "metrics", "score", "style",
                           "content", "criterion", "discriminator", "disc", "evaluator", "inception_score",
                           "kid", "clipscore", "similarity", "feature_extractor"})


@dataclass
class Fed:
    uses: list[tuple[PretrainedUse, Expected]]
    items: list[RoledPipeline]
    reason: str
    paths: set[str] = field(default_factory=set)  # the files the model and the pipelines are in


def _not_fed(use: PretrainedUse) -> bool:
    """Built for a loss or a metric: said by its function, class, variable, file or folder name
    (`VGGLoss.__init__`, `self.lpips`, `metrics/fid.py`, `neural_style/vgg.py`)."""
    path = use.location.path.replace("\\", "/").removesuffix(".py")
    names = words(use.scope.replace(".", "_")) + words((use.binding or "").replace(".", "_")) + \
        [w for part in path.split("/") for w in words(part)]
    return any(w in NOT_FED_WORDS for w in names) or "loss" in use.scope.lower()


def expected(use: PretrainedUse, table=None) -> Expected | None:
    table = table or pretrained_table()
    if not use.model or use.weights == "?":
        return None
    if use.library == "torchvision":
        return table.torchvision(use.model, use.weights)
    if use.library == "timm":
        return table.timm(use.model)
    if use.library == "open_clip":
        return table.open_clip(use.model, use.weights)
    if use.library == "clip":
        return table.clip(use.model)
    return None


def _agree(uses: list[PretrainedUse], table) -> list[tuple[PretrainedUse, Expected]] | None:
    """Every use known and expecting the same constants, none normalising by itself; else None."""
    resolved = []
    for use in uses:
        found = expected(use, table)
        if found is None or found.profile == "internal":
            return None
        resolved.append((use, found))
    if not resolved or len({(e.mean, e.std) for _, e in resolved}) != 1:
        return None
    return resolved


def _files(item: RoledPipeline) -> set[str]:
    return {item.pipeline.path} | {u.dataset.location.path for u in item.uses}


def _folder(path: str) -> str:
    return os.path.dirname(path.replace("\\", "/"))


def pretrained_feeds(project: Project, roled: list[RoledPipeline]) -> list[Fed]:
    uses: dict[str, list[PretrainedUse]] = {}
    for path, facts in project.files.items():
        if facts.pretrained and not unit_test_file(path):
            kept = [u for u in facts.pretrained if not _not_fed(u)]
            if kept:
                uses[path] = kept
    if not uses:
        return []
    table = pretrained_table()
    # a pipeline given to datasets of both roles (a linear probe's one pipeline) feeds the model too
    items = [i for i in roled if (i.role in (TRAIN, EVAL) or i.uses) and i.pipeline.origin != "hand"
             and not unit_test_file(i.pipeline.path)]
    found = []
    for path, here in uses.items():
        folder = _folder(path)
        in_folder = [u for p, us in uses.items() if _folder(p) == folder for u in us]
        linked = project.imports_of(path) | {p for p in project.files if path in project.imports_of(p)}
        from_linked = [u for p in linked if p != path for u in uses.get(p, [])]
        # the models of the modules it imports or that import it may be the one fed (a backbone built in a
        # model class): they must agree at every level
        levels = (
            ("in the same script", here + from_linked, lambda i: path in _files(i)),
            ("in the same folder", in_folder + from_linked, lambda i: any(_folder(f) == folder for f in _files(i))),
            ("in a module linked to the pipeline's by an import", here + from_linked,
             lambda i: bool(_files(i) & linked)),
        )
        for reason, models, feeds in levels:
            fed = [i for i in items if feeds(i)]
            if not fed:
                continue
            agreed = _agree(models, table)
            if agreed is not None:
                found.append(Fed(agreed, fed, reason, {path}))
            break
    return found
