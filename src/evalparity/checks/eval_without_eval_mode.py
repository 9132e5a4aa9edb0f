"""EP501: an evaluation function or loop calls the model while it is still in training mode."""

from __future__ import annotations

from evalparity.facts import CallEdge
from evalparity.findings import Finding, Related
from evalparity.fixes.rules import eval_before_loop
from evalparity.relate.eval_loops import eval_loops
from evalparity.relate.mode_flow import Event, mode_flow

CODE = "EP501"


def check(ctx):
    loops, flow = eval_loops(ctx.project), mode_flow(ctx.project)
    for item in loops.items:
        state, trail = flow.reaching(item.key, item.call.location, item.call.callee)
        if state != "train":
            continue
        if trail and isinstance(trail[0], Event):
            continue  # `.train()` right here, on purpose (BN statistics) or EP503's business
        related, cause = [], "is never put in eval mode before"
        for step in trail:
            if isinstance(step, CallEdge):
                related.append(Related(step.location, f"`{step.callee}(…)` called here without `.eval()` before it"))
            elif isinstance(step, Event):
                related.append(Related(step.origin, f"`{step.text}` is the last mode switch before"))
                cause = f"is still in training mode from `{step.text}`" + (f" (in `{step.via}()`)" if step.via else "")
        where = "the caller" if item.fn.qualname != "<module>" else "this script"
        message = (f"`{item.call.callee}(…)` runs an evaluation ({item.why}) but the model {cause}: no "
                   f"`.eval()` / `.train(False)` reaches it here or in {where}, so BatchNorm uses batch statistics "
                   "and updates its running averages, and Dropout stays active")
        yield Finding(CODE, message, item.call.location, related[:3], fix=eval_before_loop(ctx.project, item))
