"""EP402: an evaluation DataLoader uses DistributedSampler, which pads with duplicate samples."""

from __future__ import annotations

from ..facts import EVAL
from ..findings import Finding, Related
from .loader_common import role_related, torch_loaders

CODE = "EP402"


def _trimmed(ctx, item) -> bool:
    """The project gathers exactly N predictions (`[:len(dataset)]`, `gather_for_metrics`) or evaluates the
    remainder with an auxiliary loader."""
    paths = {item.path, item.site_path} - {None}
    return any(ctx.project.files[p].trims for p in paths if p in ctx.project.files)


def check(ctx):
    for item in torch_loaders(ctx, EVAL):
        sampler = next((s for s in item.loader.samplers if s.kind == "DistributedSampler"), None)
        if sampler is None or _trimmed(ctx, item):
            continue
        drop = next((a for a in sampler.args if a.name == "drop_last"), None)
        if drop is not None and drop.value.is_const and drop.value.const is True:
            effect = ("drops the last len(dataset) % world_size samples (drop_last=True), so they are never "
                      "evaluated")
        elif drop is not None and not drop.value.is_const:
            continue
        else:
            effect = ("pads the dataset with repeated samples until it divides evenly by the number of "
                      "processes, so duplicates are counted in the metric")
        message = (f"evaluation loader {item.label} ({item.reason()}) uses DistributedSampler, which {effect}; "
                   "gather exactly len(dataset) predictions or evaluate the remainder separately")
        related = [Related(item.where, f"evaluation loader {item.label}")]
        yield Finding(CODE, message, sampler.location or item.where, related + role_related(item, EVAL, item.where))
