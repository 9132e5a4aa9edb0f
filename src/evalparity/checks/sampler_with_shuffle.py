"""EP405: shuffle=True together with sampler= or batch_sampler= (DataLoader raises ValueError).

The error is claimed only where the sampler is known to be one: a torch sampler or a sampler class built
in place. A sampler that is `None` on another path (`DistributedSampler(…) if distributed else None`) is
reported for the path that has one, and fixed with `shuffle=(sampler is None)`, which keeps shuffling on
the path without a sampler. A parameter or a function's result may be `None`: nothing is said."""

from __future__ import annotations

import re

from evalparity.checks.loader_common import at, const_setting, torch_loaders
from evalparity.findings import Finding, Related
from evalparity.fixes import Source
from evalparity.fixes.rules import drop_shuffle, shuffle_unless_sampler, written

CODE = "EP405"
_SAMPLER_CLASS = re.compile(r"(?:[\w.]*\.)?[A-Z]\w*Sampler\w*\s*\(")


def _definite(sampler) -> bool:
    return sampler.kind not in ("none", "other") or (sampler.kind == "other" and _SAMPLER_CLASS.match(sampler.text))


def written_as(ctx, item, given, option: str) -> str | None:
    src = Source.of(ctx.project, given.location.path) if given is not None and item.site is None else None
    return written(src, given, option) if src is not None else None


def check(ctx):
    for item in torch_loaders(ctx):
        known, shuffle = const_setting(item, "shuffle")
        if not known or shuffle is not True:
            continue
        for option, candidates in (("sampler", item.loader.samplers), ("batch_sampler", item.loader.batch_samplers)):
            samplers = [s for s in candidates if _definite(s)]
            if not samplers or any(s.kind != "none" and not _definite(s) for s in candidates):
                continue
            given = item.setting(option)
            where = at(item, item.setting("shuffle"))
            exclusive = ("sampler excludes shuffle" if option == "sampler" else
                         "batch_sampler excludes batch_size, shuffle, sampler and drop_last")
            shown = written_as(ctx, item, given, option) or (given.value.text if given else samplers[0].text)
            where_given = given.location if given else samplers[0].location or item.where  # a config's `sampler:`
            related = [Related(where_given, f"{option}= given here")]
            on = f" on {item.label}" if item.label.startswith("`") else ""
            shown = shown if len(shown) <= 32 else "…"
            if len(samplers) == len(candidates):
                message = f"`shuffle=True` together with `{option}={shown}`{on}"
                notes = [f"DataLoader raises ValueError: {exclusive}"]
                help = "let the sampler do the shuffling"
                fix = drop_shuffle(ctx.project, item, item.setting("shuffle"))
            else:
                sampler = samplers[0]
                kind = sampler.kind if sampler.kind != "other" else sampler.text.partition("(")[0]
                if sampler.location is not None and sampler.location != related[0].location:
                    related.append(Related(sampler.location, f"`{kind}` on this path"))
                message = f"`shuffle=True` together with `{option}={shown}`, a `{kind}` on some paths"
                notes = [f"where it is not None, DataLoader raises ValueError: {exclusive}"]
                help = ""
                fix = shuffle_unless_sampler(ctx.project, item, item.setting("shuffle"), given)
            yield Finding(CODE, message, where, related, fix=fix, notes=notes, help=help)
            break
