"""EP403: an evaluation DataLoader visits samples in random order."""

from __future__ import annotations

from evalparity.checks.eval_distributed_sampler import owned
from evalparity.checks.loader_common import (
    at,
    branch_notes,
    config_notes,
    const_setting,
    only_inspected,
    role_related,
    torch_loaders,
)
from evalparity.facts import EVAL, TRAIN
from evalparity.findings import Finding

CODE = "EP403"
RANDOM_SAMPLERS = {"RandomSampler", "WeightedRandomSampler", "SubsetRandomSampler"}


def check(ctx):
    reported = set()
    for item in torch_loaders(ctx, EVAL):
        if only_inspected(ctx, item):
            continue
        known, shuffle = const_setting(item, "shuffle")
        if known and shuffle is True:
            setting = item.setting("shuffle")
            where = at(item, setting)
            yield Finding(CODE, f"`shuffle=True` on evaluation loader {item.label}", where,
                          role_related(item, EVAL, setting),
                          notes=branch_notes(setting) + config_notes(item, "shuffle"))
            continue
        for sampler in item.loader.samplers:
            if sampler.branch == TRAIN:
                continue  # picked only on the training branch of a shared factory
            if sampler.kind in RANDOM_SAMPLERS:
                message = f"`{sampler.kind}` on evaluation loader {item.label}"
            elif sampler.kind == "DistributedSampler":
                value = next((a.value for a in sampler.args if a.name == "shuffle"), None)
                if value is not None and not (value.is_const and value.const is True):
                    continue
                if owned(ctx, item) is sampler and ctx.selected("EP402"):
                    break  # EP402 reports this sampler, its shuffling included
                message = f"shuffling `DistributedSampler` on evaluation loader {item.label}"
            else:
                continue
            where = sampler.location or item.where
            if where in reported:
                break
            reported.add(where)
            notes = ["DistributedSampler shuffles unless shuffle=False"] if sampler.kind == "DistributedSampler" else []
            yield Finding(CODE, message, where, role_related(item, EVAL), notes=notes)
            break
