"""EP402: an evaluation DataLoader uses DistributedSampler, which pads with duplicate samples."""

from __future__ import annotations

from evalparity.checks.loader_common import role_related, torch_loaders
from evalparity.facts import EVAL, TRAIN
from evalparity.findings import Finding, Related
from evalparity.relate.callgraph import call_graph

CODE = "EP402"


def _trimmed(ctx, item) -> bool:
    """Where the loader is built or handed to, the results are cut to len(dataset), gathered per sample id
    (`gather_for_metrics`, a COCO evaluator) or the remainder is evaluated separately."""
    graph = call_graph(ctx.project)
    paths = {item.path, item.site_path} - {None}
    name = item.site.binding if item.site is not None else item.loader.binding
    where = item.site_path or item.path
    if name:
        for (path, _), fn in list(graph.functions.items()):
            if path != where:
                continue
            for edge in fn.calls:
                if any(text.rpartition(".")[2] == name for text in (*edge.args, *(t for _, t in edge.kwargs))):
                    target = graph.resolve(path, edge)
                    if target is not None:
                        paths.add(target[0])
    return any(ctx.project.files[p].trims for p in paths if p in ctx.project.files)


def check(ctx):
    reported = set()
    for item in torch_loaders(ctx, EVAL):
        sampler = next((s for s in item.loader.samplers if s.kind == "DistributedSampler" and s.branch != TRAIN), None)
        if sampler is None or sampler.location in reported or _trimmed(ctx, item):
            continue
        reported.add(sampler.location)
        drop = next((a for a in sampler.args if a.name == "drop_last"), None)
        if drop is not None and drop.value.is_const and drop.value.const is True:
            effect = ("drops the last len(dataset) % world_size samples (drop_last=True), so they are never "
                      "evaluated")
        elif drop is not None and not drop.value.is_const:
            continue
        else:
            effect = ("pads the dataset with repeated samples until it divides evenly by the number of "
                      "processes, so duplicates are counted in the metric")
        message = (f"evaluation loader {item.label} ({item.reason()}) uses DistributedSampler, which {effect} "
                   "(at most world size − 1 samples: it matters for small sets and for metrics that are not "
                   "per-sample averages); gather exactly len(dataset) predictions or evaluate the remainder separately")
        related = [Related(item.where, f"evaluation loader {item.label}")]
        yield Finding(CODE, message, sampler.location or item.where, related + role_related(item, EVAL, item.where))
