"""EP401: an evaluation DataLoader drops its last incomplete batch.

A loader made by a factory whose branches set `drop_last` per role (`if flag == 'test': drop_last = True`)
is reported once, at the assignment that reaches the evaluation loaders, with the calls that build them."""

from __future__ import annotations

import re

from evalparity.checks.loader_common import at, const_setting, never_used, only_inspected, role_related, torch_loaders
from evalparity.facts import EVAL
from evalparity.findings import Finding, Related
from evalparity.fixes.rules import drop_last_removed

CODE = "EP401"
_UNLESS = re.compile(r"\(unless (.*)\)")
MAX_SITES = 3


def check(ctx):
    by_assignment: dict = {}
    for item in torch_loaders(ctx, EVAL):
        known, value = const_setting(item, "drop_last")
        if not known or value is not True:
            continue
        _, batch = const_setting(item, "batch_size")
        if (batch == 1 and not isinstance(batch, bool)) or only_inspected(ctx, item) or never_used(ctx, item):
            continue  # batches of one are never incomplete
        setting = item.setting("drop_last")
        origin = setting.value.origin if setting is not None and item.site is not None else None
        if origin is not None and origin.path == item.path:
            by_assignment.setdefault(origin, []).append(item)
            continue
        left = f"up to {batch - 1} samples" if isinstance(batch, int) and batch > 1 else "the samples of the last batch"
        where = at(item, setting)
        message = (f"evaluation loader {item.label} ({item.reason()}) has drop_last=True: the last incomplete "
                   f"batch is never evaluated, so {left} are silently left out of the metric")
        yield Finding(CODE, message, where, role_related(item, EVAL, where),
                      fix=drop_last_removed(ctx.project, item, setting))
    for origin, items in by_assignment.items():
        yield _from_branch(origin, items)


def _from_branch(origin, items) -> Finding:
    """One finding for the branch assignment that gives several evaluation loaders drop_last=True."""
    unique = {}
    for item in sorted(items, key=lambda i: (i.site_path or "", i.site.location.line)):
        unique.setdefault(item.site.location, item)  # one call may build either of two loaders
    items = list(unique.values())
    first = items[0]
    unless = _UNLESS.search(first.setting("drop_last").value.text)
    reasons = sorted({i.reason() for i in items})
    message = (f"drop_last=True here reaches the evaluation loader{'s' if len(items) > 1 else ''} of "
               f"{' and '.join(reasons)}" + (f" (unless {unless.group(1)})" if unless else ""))
    related = [Related(i.site.location, f"{i.label}: {i.reason()}") for i in items[:MAX_SITES]]
    if len(items) > MAX_SITES:
        related[-1] = Related(related[-1].location, related[-1].message + f" (and {len(items) - MAX_SITES} more calls)")
    related.append(Related(first.loader.location, "the loader is built here"))
    return Finding(CODE, message, origin, related)
