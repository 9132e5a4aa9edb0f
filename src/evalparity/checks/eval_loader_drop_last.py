"""EP401: an evaluation DataLoader drops its last incomplete batch.

A loader made by a factory whose branches set `drop_last` per role (`if flag == 'test': drop_last = True`)
is reported once, at the assignment that reaches the evaluation loaders, with the calls that build them."""

from __future__ import annotations

import re

from evalparity.checks.loader_common import (
    at,
    config_notes,
    const_setting,
    never_used,
    only_inspected,
    role_related,
    torch_loaders,
)
from evalparity.facts import EVAL
from evalparity.findings import CALL_SITE, Finding, Related
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
        origin = setting.value.origin if setting is not None and item.site is not None and \
            not setting.value.source else None  # a branch assignment in the factory, not configuration
        if origin is not None and origin.path == item.path:
            by_assignment.setdefault(origin, []).append(item)
            continue
        left = f"up to {batch - 1} samples" if isinstance(batch, int) and batch > 1 else "the samples"
        where = at(item, setting)
        message = f"`drop_last=True` on evaluation loader {item.label}"
        yield Finding(CODE, message, where, role_related(item, EVAL, setting),
                      fix=drop_last_removed(ctx.project, item, setting),
                      notes=[f"{left} of the last incomplete batch are left out of the metric",
                             *config_notes(item, "drop_last", "batch_size")])
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
    if len(reasons) == 1:
        message = f"`drop_last=True` reaches the evaluation loader of {reasons[0]}"
    else:
        message = f"`drop_last=True` reaches {len(items)} evaluation loaders"
    related = [Related(i.site.location, f"builds evaluation loader {i.label}", CALL_SITE) for i in items[:MAX_SITES]]
    if len(items) > MAX_SITES:
        related[-1] = Related(related[-1].location, related[-1].message + f" (and {len(items) - MAX_SITES} more calls)",
                              CALL_SITE)
    related.append(Related(first.loader.location, "the loader is built here"))
    notes = [f"unless {unless.group(1)}"] if unless else []
    return Finding(CODE, message, origin, related, notes=notes)
