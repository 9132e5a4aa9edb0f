"""EP304: an inference or demo script feeds the model images in BGR order when the training images are RGB
(or the reverse): a hand-written chain (`relate/handprep.py`) whose channel order at the model call is known
and differs from the order every image of its training data has."""

from __future__ import annotations

from evalparity.findings import OTHER_SIDE, Finding, Related
from evalparity.relate.handprep import hand_prep, order_of

CODE = "EP304"


def check(ctx):
    found = hand_prep(ctx.project)
    if found is None:
        return
    seen = set()
    for item in found.pairs:
        if item.train_order is None or item.train_where is None:
            continue
        order, step = order_of(item.eval, ctx.kb)
        if order is None or order == item.train_order or step.location in seen:
            continue
        seen.add(step.location)
        yield Finding(CODE, f"`{item.consumer}` gets {order} images here, its training images are {item.train_order}",
                      step.location,
                      [Related(item.train_where, f"training images are {item.train_order} ({item.reason})", OTHER_SIDE)])
