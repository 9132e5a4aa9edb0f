"""EP502: an epoch loop trains, calls an evaluation that switches to `.eval()`, and nothing in the loop
switches back to `.train()` — from the second epoch on, training runs in eval mode."""

from __future__ import annotations

from evalparity.checks.common import mode_effect
from evalparity.findings import MODE_SWITCH, Finding, Related
from evalparity.relate.callgraph import call_graph
from evalparity.relate.eval_loops import foreign_file
from evalparity.relate.mode_flow import enclosing_loops, inside, lift, mode_flow, same_model, start
from evalparity.relate.model_layers import model_layers
from evalparity.vocabulary.naming import unit_test_file

CODE = "EP502"


def _trained_models(graph, flow, key, fn, loop) -> tuple[list[str], list]:
    """Names of the models trained in the loop (in this function's names), and where the training is."""
    models, where = [], []
    for edge in fn.calls:
        if not inside(loop.location, edge.location):
            continue
        target = graph.resolve(key[0], edge)
        if target is None or not flow.trains(target):
            continue
        callee = graph.function(target)
        if flow.events(target):
            return [], []  # the training function sets its own mode
        models += [lift(c.callee, callee, edge) for c in callee.model_calls]
        where.append(edge)
    inline = [t for t in fn.training if inside(loop.location, t)]
    for step in inline:
        # the models of the loop that holds the step (not an EMA copy evaluated in a sibling loop)
        inner = next((l.location for l in enclosing_loops(fn, step) if inside(loop.location, l.location)), loop.location)
        models += [c.callee for c in fn.model_calls if inside(inner, c.location)
                   and c.grad not in ("no_grad", "inference_mode")]
    where += inline
    return models, where


def check(ctx):
    graph, flow = call_graph(ctx.project), mode_flow(ctx.project)
    reported = set()
    for key, fn in sorted(graph.functions.items()):
        if unit_test_file(key[0]) or foreign_file(ctx.project, key[0]):
            continue
        for loop in sorted(fn.loops, key=lambda l: start(l.location)):
            events = [e for e in flow.events(key) if inside(loop.location, e.location)]
            if not events or any(e.kind != "eval" for e in events):
                continue
            models, trainers = _trained_models(graph, flow, key, fn, loop)
            if not trainers:
                continue
            step = next((e for e in events if any(same_model(e.receiver, m) for m in models)), None)
            if step is None or step.origin in reported:
                continue
            reported.add(step.origin)
            before = [e for e in flow.events(key) if e.kind == "train" and e.via is None and
                      start(e.location) < start(loop.location)]
            who = f"`{step.via}(…)`" if step.via else f"`{step.text}`"
            layer, notes, cap = mode_effect(model_layers(ctx.project, key[0], fn.qualname, step.receiver))
            message = f"{who} leaves `{step.receiver}` in eval mode for the next training steps"
            notes = ["training runs in eval mode from the loop's second iteration on", *notes]
            related = []
            if step.via:
                related.append(Related(step.origin, f"`{step.text}`", MODE_SWITCH))
            if len(before) == 1:
                related.append(Related(before[0].location, "the only `.train()`, before the loop", MODE_SWITCH))
            first = trainers[0]
            related.append(Related(getattr(first, "location", first), "training runs here"))
            yield Finding(CODE, message, step.location, related + layer, cap=cap, notes=notes)
