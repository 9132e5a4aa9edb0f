"""EP503: `.train()` inside an evaluation function, before the model is called there."""

from __future__ import annotations

from evalparity.checks.common import mode_effect, said_deliberate
from evalparity.findings import MODE_SWITCH, Finding, Related
from evalparity.relate.callgraph import call_graph
from evalparity.relate.eval_loops import eval_function, eval_loops, foreign_file
from evalparity.relate.mode_flow import Event, inside, mode_flow, same_model, start
from evalparity.relate.model_layers import model_layers
from evalparity.vocabulary.naming import unit_test_file

CODE = "EP503"


def check(ctx):
    yield from _in_eval_functions(ctx)
    yield from _in_inline_evaluations(ctx)


def _in_inline_evaluations(ctx):
    """An evaluation loop inline in a training function: `.eval()` before the loop, then `.train()` inside
    it before the model runs (MultiBench) — the evaluation runs in training mode after all."""
    flow = mode_flow(ctx.project)
    for item in eval_loops(ctx.project).items:
        if eval_function(item.key[0], item.fn, ctx.project) or unit_test_file(item.key[0]):
            continue  # evaluation functions are looked at whole
        events = flow.events(item.key)
        loop = item.loop.location
        before = [e for e in events if start(e.location) < start(loop) and not inside(loop, e.location)]
        if not before or before[-1].kind != "eval" or not same_model(before[-1].receiver, item.call.callee):
            continue
        for switch in _switches_to_train(item.fn, events):
            if not inside(loop, switch.location) or start(switch.location) > start(item.call.location):
                continue
            if not same_model(switch.receiver, item.call.callee) or said_deliberate(ctx, switch.location):
                continue
            layer, notes, cap = mode_effect(model_layers(ctx.project, item.key[0], item.fn.qualname, item.call.callee))
            what, related = _described(switch)
            message = f"{what} inside the evaluation loop undoes `{before[-1].text}`"
            yield Finding(CODE, message, switch.location,
                          [*related, Related(before[-1].location, f"`{before[-1].text}` before the loop", MODE_SWITCH),
                           Related(item.call.location, f"`{item.call.callee}(…)` then runs in training mode"), *layer],
                          cap=cap, notes=notes)
            break


def _in_eval_functions(ctx):
    graph, flow = call_graph(ctx.project), mode_flow(ctx.project)
    for key, fn in list(graph.functions.items()):
        if unit_test_file(key[0]) or foreign_file(ctx.project, key[0]):
            continue
        if not eval_function(key[0], fn, ctx.project) or fn.training or flow.trains(key):
            continue
        if any(m.kind == "requires_grad" for m in fn.modes):
            continue  # test-time adaptation: only some parameters are trained
        events = flow.events(key)
        for switch in _switches_to_train(fn, events):
            later = [c for c in fn.model_calls if start(c.location) > start(switch.location)
                     and (switch.via is None or same_model(switch.receiver, c.callee))]
            switched = [e for e in events if start(switch.location) < start(e.location) and e.kind != "train"]
            if switched:
                later = [c for c in later if start(c.location) < start(switched[0].location)]
            if not later or all(c.discarded for c in later):
                continue  # restoring training mode at the end, or a BatchNorm statistics pass
            if said_deliberate(ctx, switch.location) or said_deliberate(ctx, switch.origin):
                continue  # `# test on validation set under train mode`: the authors mean it
            call = later[0]
            layer, notes, cap = mode_effect(model_layers(ctx.project, key[0], fn.qualname, call.callee))
            what, related = _described(switch)
            message = f"{what} in evaluation function `{fn.name}()`"
            yield Finding(CODE, message, switch.location,
                          [*related, Related(call.location, f"`{call.callee}(…)` then runs in training mode"), *layer],
                          cap=cap, notes=notes)
            break


def _described(switch: Event) -> tuple[str, list[Related]]:
    """The switch as the message names it, and the helper's `.train()` when it happens in a helper."""
    if switch.via is None:
        return f"`{switch.text}`", []
    return f"`{switch.via}(…)`", [Related(switch.origin, f"`{switch.text}`, called by `{switch.via}(…)`", MODE_SWITCH)]


def _switches_to_train(fn, events: list[Event]) -> list[Event]:
    """`.train()` on the model in the function itself, and calls of project functions whose last switch
    puts a known model of this function in training mode (`reset_state(model)`), in source order."""
    direct = {m.location for m in fn.modes if m.kind == "train" and not m.submodule}
    return [e for e in events if e.kind == "train" and (e.location in direct or (e.via and e.receiver != "?"))]
