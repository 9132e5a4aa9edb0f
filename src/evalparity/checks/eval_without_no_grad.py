"""EP505 (info): an evaluation loop without torch.no_grad() or torch.inference_mode()."""

from __future__ import annotations

from evalparity.findings import Finding, Related
from evalparity.relate.callgraph import call_graph
from evalparity.relate.eval_loops import eval_loops

CODE = "EP505"
MAX_DEPTH = 5


def _covered(graph, key, depth=0) -> bool:
    """A gradient context reaches the function: its decorator, a global set_grad_enabled(False), or every
    known call path (unknown paths count as covered: precision first)."""
    fn = graph.function(key)
    if fn is None or fn.grad or any(kind == "global" for kind, _ in fn.grads):
        return True
    if key[1] == "<module>":
        return False
    callers = graph.callers.get(key, [])
    if not callers or depth >= MAX_DEPTH:
        return True
    return any(edge.grad or _covered(graph, caller, depth + 1) for caller, edge in callers)


def check(ctx):
    graph = call_graph(ctx.project)
    for item in eval_loops(ctx.project).items:
        fn = item.fn
        if item.loop.grad or item.call.grad or fn.training or fn.grad_uses:
            continue
        if any(kind == "enable_grad" for kind, _ in fn.grads) or _covered(graph, item.key):
            continue
        message = f"evaluation loop calls `{item.call.callee}(…)` without `torch.no_grad()`"
        yield Finding(CODE, message, item.loop.location, [Related(item.call.location, "model called here")],
                      notes=[f"evaluation {item.why}"],
                      help="wrap the loop in `with torch.no_grad():` or `with torch.inference_mode():`")
