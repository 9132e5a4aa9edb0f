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


def owned(ctx, item):
    """The DistributedSampler this rule reports for an evaluation loader, or None: EP402 owns the sampler
    (its padding or dropping, and its shuffling), so EP403 says nothing of one reported here."""
    sampler = next((s for s in item.loader.samplers if s.kind == "DistributedSampler" and s.branch != TRAIN), None)
    if sampler is None or _trimmed(ctx, item):
        return None
    drop = next((a for a in sampler.args if a.name == "drop_last"), None)
    if drop is not None and not drop.value.is_const:
        return None
    return sampler


def check(ctx):
    reported = set()
    for item in torch_loaders(ctx, EVAL):
        sampler = owned(ctx, item)
        if sampler is None or sampler.location in reported:
            continue
        reported.add(sampler.location)
        drop = next((a for a in sampler.args if a.name == "drop_last"), None)
        if drop is not None and drop.value.is_const and drop.value.const is True:
            notes = ["drop_last=True: up to world size − 1 samples are never evaluated"]
        else:
            notes = ["it pads with repeated samples: up to world size − 1 duplicates are counted"]
        shuffle = next((a for a in sampler.args if a.name == "shuffle"), None)
        if shuffle is None or (shuffle.value.is_const and shuffle.value.const is True):
            notes.append("it also shuffles (shuffle=True" + (" by default" if shuffle is None else "") +
                         "): pass shuffle=False")
        related = [Related(item.where, f"evaluation loader {item.label} uses it")]
        yield Finding(CODE, f"`DistributedSampler` on evaluation loader {item.label}", sampler.location or item.where,
                      related + role_related(item, EVAL), notes=notes,
                      help="gather exactly len(dataset) predictions, or evaluate the remainder separately")
