"""EP401: an evaluation DataLoader drops its last incomplete batch."""

from __future__ import annotations

from evalparity.checks.loader_common import at, const_setting, only_inspected, role_related, torch_loaders
from evalparity.facts import EVAL
from evalparity.findings import Finding
from evalparity.fixes.rules import drop_last_removed

CODE = "EP401"


def check(ctx):
    for item in torch_loaders(ctx, EVAL):
        known, value = const_setting(item, "drop_last")
        if not known or value is not True:
            continue
        _, batch = const_setting(item, "batch_size")
        if (batch == 1 and not isinstance(batch, bool)) or only_inspected(ctx, item):
            continue  # batches of one are never incomplete
        left = f"up to {batch - 1} samples" if isinstance(batch, int) and batch > 1 else "the samples of the last batch"
        where = at(item, item.setting("drop_last"))
        message = (f"evaluation loader {item.label} ({item.reason()}) has drop_last=True: the last incomplete "
                   f"batch is never evaluated, so {left} are silently left out of the metric")
        yield Finding(CODE, message, where, role_related(item, EVAL, where),
                      fix=drop_last_removed(ctx.project, item, item.setting("drop_last")))
