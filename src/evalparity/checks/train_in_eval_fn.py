"""EP503: `.train()` inside an evaluation function, before the model is called there."""

from __future__ import annotations

from evalparity.findings import Finding, Related
from evalparity.relate.callgraph import call_graph
from evalparity.relate.eval_loops import eval_function, foreign_file
from evalparity.relate.mode_flow import Event, mode_flow, same_model, start
from evalparity.relate.model_layers import consequence, model_layers
from evalparity.vocabulary.naming import unit_test_file

CODE = "EP503"


def _said_deliberate(ctx, where) -> bool:
    """A comment on the line or just above it says the training mode is wanted here."""
    facts = ctx.project.files.get(where.path)
    if facts is None or not facts.lines:
        return False
    lines = facts.lines[max(where.line - 3, 0):where.line]
    comments = " ".join(text.partition("#")[2].lower() for text in lines if "#" in text)
    return "train mode" in comments or "training mode" in comments or "train-mode" in comments


def check(ctx):
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
            if _said_deliberate(ctx, switch.location) or _said_deliberate(ctx, switch.origin):
                continue  # `# test on validation set under train mode`: the authors mean it
            call = later[0]
            effect, cap = consequence(model_layers(ctx.project, key[0], fn.qualname, call.callee),
                                      "BatchNorm updates its running statistics, Dropout is active")
            if switch.via is None:
                what, related = f"`{switch.text}`", []
            else:
                what = f"`{switch.via}(…)` (which calls `{switch.text}`)"
                related = [Related(switch.origin, "switches to training mode here")]
            message = (f"{what} inside evaluation function `{fn.name}()`: `{call.callee}(…)` then runs in "
                       f"training mode ({effect})")
            yield Finding(CODE, message, switch.location,
                          [*related, Related(call.location, "model called in training mode here")], cap=cap)
            break


def _switches_to_train(fn, events: list[Event]) -> list[Event]:
    """`.train()` on the model in the function itself, and calls of project functions whose last switch
    puts a known model of this function in training mode (`reset_state(model)`), in source order."""
    direct = {m.location for m in fn.modes if m.kind == "train" and not m.submodule}
    return [e for e in events if e.kind == "train" and (e.location in direct or (e.via and e.receiver != "?"))]
