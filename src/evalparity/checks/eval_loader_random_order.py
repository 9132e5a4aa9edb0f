"""EP403: an evaluation DataLoader visits samples in random order."""

from __future__ import annotations

from evalparity.checks.loader_common import at, const_setting, only_inspected, role_related, torch_loaders
from evalparity.facts import EVAL, TRAIN
from evalparity.findings import Finding

CODE = "EP403"
RANDOM_SAMPLERS = {"RandomSampler", "WeightedRandomSampler", "SubsetRandomSampler"}
TAIL = "predictions matched to labels, files or ids by position come out shuffled, and runs differ"


def check(ctx):
    reported = set()
    for item in torch_loaders(ctx, EVAL):
        if only_inspected(ctx, item):
            continue
        known, shuffle = const_setting(item, "shuffle")
        if known and shuffle is True:
            where = at(item, item.setting("shuffle"))
            yield Finding(CODE, f"evaluation loader {item.label} ({item.reason()}) has shuffle=True: {TAIL}",
                          where, role_related(item, EVAL, where))
            continue
        for sampler in item.loader.samplers:
            if sampler.branch == TRAIN:
                continue  # picked only on the training branch of a shared factory
            if sampler.kind in RANDOM_SAMPLERS:
                reason = f"`{sampler.kind}`"
            elif sampler.kind == "DistributedSampler":
                value = next((a.value for a in sampler.args if a.name == "shuffle"), None)
                if value is not None and not (value.is_const and value.const is True):
                    continue
                reason = "`DistributedSampler`, which shuffles unless shuffle=False,"
            else:
                continue
            where = sampler.location or item.where
            if where in reported:
                break
            reported.add(where)
            yield Finding(CODE, f"evaluation loader {item.label} ({item.reason()}) draws samples with {reason} "
                                f"in random order: {TAIL}", where, role_related(item, EVAL, where))
            break
