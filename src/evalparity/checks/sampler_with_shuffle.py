"""EP405: shuffle=True together with sampler= or batch_sampler= (DataLoader raises ValueError)."""

from __future__ import annotations

from ..findings import Finding, Related
from ..fixes.rules import drop_shuffle
from .loader_common import at, const_setting, torch_loaders

CODE = "EP405"


def check(ctx):
    for item in torch_loaders(ctx):
        known, shuffle = const_setting(item, "shuffle")
        if not known or shuffle is not True:
            continue
        for option, candidates in (("sampler", item.loader.samplers), ("batch_sampler", item.loader.batch_samplers)):
            if not candidates or any(s.kind == "none" for s in candidates):
                continue
            given = item.setting(option)
            where = at(item, item.setting("shuffle"))
            exclusive = ("sampler option is mutually exclusive with shuffle" if option == "sampler" else
                         "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last")
            message = (f"{item.label} passes shuffle=True together with {option}=`{given.value.text if given else candidates[0].text}`: DataLoader "
                       f"raises ValueError at run time (\"{exclusive}\"); let the sampler do the shuffling")
            related = [Related(given.location if given else item.where, f"{option}= given here")]
            yield Finding(CODE, message, where, related,
                          fix=drop_shuffle(ctx.project, item, item.setting("shuffle")))
            break
