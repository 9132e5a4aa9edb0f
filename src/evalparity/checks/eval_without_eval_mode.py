"""EP501: an evaluation function or loop calls the model while it is still in training mode.

Two kinds of evidence: a `.train()` (or the default mode) that reaches the evaluation through this
function and its callers, and training steps (a backward pass, an optimizer step, a call to a function
that trains) that run before the evaluation in the same flow, as when an epoch loop trains and then
validates inline. A `.train()` right before an evaluation with no training step between them is taken
as deliberate (BatchNorm recalibration, MC dropout) and left alone."""

from __future__ import annotations

import re

from evalparity.checks.common import mode_effect, said_deliberate
from evalparity.facts import CallEdge, Location
from evalparity.findings import CALL_SITE, MODE_SWITCH, Finding, Related, flagged_text
from evalparity.fixes.rules import eval_before_loop
from evalparity.relate.eval_loops import eval_loops
from evalparity.relate.inference import inferences
from evalparity.relate.mode_flow import Event, inside, mode_flow, start
from evalparity.relate.model_layers import NONE, model_layers
from evalparity.vocabulary.mode_words import strip_wrappers

CODE = "EP501"


def trained_before(ctx, key, fn, loop: Location, after: Location | None) -> Location | None:
    """The last training step of a function that comes before `loop` (and after `after`, the last mode
    switch, when there is one)."""
    flow, graph = mode_flow(ctx.project), mode_flow(ctx.project).graph
    steps = list(fn.training)
    for edge in fn.calls:
        target = graph.resolve(key[0], edge)
        if target is not None and target != key and flow.trains(target):
            steps.append(edge.location)
    found = None
    for step in steps:
        if start(step) >= start(loop) or inside(loop, step):
            continue
        if after is not None and start(step) < start(after):
            continue  # (a call that switches to train and trains is both the switch and the step)
        if found is None or start(step) > start(found):
            found = step
    return found


def callers_train_first(ctx, key) -> tuple[Location | None, list]:
    """An evaluation function whose every caller trains before calling it, with no mode switch between:
    (the first caller's training step, [its call]); (None, []) otherwise."""
    flow = mode_flow(ctx.project)
    callers = flow.graph.callers.get(key, [])
    found = []
    for caller, edge in callers:
        fn = flow.graph.function(caller)
        if fn is None or flow.before(caller, edge.location) is not None:
            return None, []
        step = trained_before(ctx, caller, fn, edge.location, None)
        if step is None:
            return None, []
        found.append((step, edge))
    return (found[0][0], [found[0][1]]) if found else (None, [])


_TARGETS = re.compile(r"[(,]\s*(?:targets?|gt_\w+)\s*[,)]")


def computes_training_loss(ctx, call) -> bool:
    """`model(images, targets)`: a model that returns its training losses (torchvision detection models,
    for instance) only does so in training mode; a validation loss computed this way needs it. (The call's
    file is a project file: its function was read to find the call.)"""
    return bool(_TARGETS.search(flagged_text(ctx.project.files[call.location.path].lines, call.location)))


def check(ctx):
    """One finding per model and function when nothing ever switches it: a later evaluation loop of the
    same model is the same missing `.eval()`, shown as a related location."""
    grouped: dict[tuple, list[Finding]] = {}
    for group, finding in _findings(ctx):
        grouped.setdefault(group, []).append(finding)
    reported = set()
    for findings in grouped.values():
        findings.sort(key=lambda f: f.sort_key)
        first = findings[0]
        first.related.extend(Related(f.location, "evaluated in training mode here too") for f in findings[1:3])
        reported.update(f.location for f in findings)
        yield first
    yield from _inference(ctx, reported)


def _inference(ctx, reported):
    """A script or function that loads trained weights into a model it built and predicts with it."""
    for item in inferences(ctx.project).items:
        if item.call.location in reported:
            continue
        layers = model_layers(ctx.project, item.path, item.scope, item.model)
        if layers.verdict == NONE:
            continue  # predicting with a model whose mode changes nothing is no defect at all
        reported.add(item.call.location)
        layer, notes, _ = mode_effect(layers)  # no cap: a model the mode does not change was skipped above
        message = f"`{item.call.callee}(…)` predicts in training mode with loaded weights"
        related = [Related(item.built, f"`{item.model}` built here, never put in eval mode"),
                   Related(item.loaded, "weights loaded here")]
        related = related if item.loaded != item.built else related[:1]
        yield Finding(CODE, message, item.call.location, related + layer, notes=notes)


def runs_once(ctx, loop: Location) -> bool:
    """A loop whose body ends in an unconditional `break`: one batch to look at (a shape, a sample
    image), not an evaluation."""
    facts = ctx.project.files.get(loop.path)
    if facts is None or not facts.lines or loop.end_line > len(facts.lines):
        return False
    body = [text for text in facts.lines[loop.line:loop.end_line] if text.strip() and not text.strip().startswith("#")]
    if not body:
        return False
    indent = len(body[0]) - len(body[0].lstrip())
    last = body[-1]
    return last.strip() == "break" and len(last) - len(last.lstrip()) == indent


def _findings(ctx):
    loops, flow = eval_loops(ctx.project), mode_flow(ctx.project)
    for item in loops.items:
        if computes_training_loss(ctx, item.inner or item.call) or runs_once(ctx, item.loop.location):
            continue
        state, trail = flow.reaching(item.key, item.call.location, item.call.callee)
        local = trail[0] if trail and isinstance(trail[0], Event) else None
        if state == "set":
            continue
        trained = trained_before(ctx, item.key, item.fn, item.loop.location,
                                 local.location if local is not None else None)
        if state == "unknown" and trained is None:
            trained, trail = callers_train_first(ctx, item.key)
        if trained is None and (state == "unknown" or local is not None):
            continue  # `.train()` right here on purpose (BN statistics), or EP503's business; or no evidence
        related, cause = [], "is never put in eval mode before"  # (what groups the loops never switched)
        if trained is not None:
            related.append(Related(trained, "training step before the evaluation"))
        for step in trail:
            if isinstance(step, CallEdge):
                related.append(Related(step.location, f"`{step.callee}(…)` called without `.eval()` before it",
                                       CALL_SITE))
            elif isinstance(step, Event):
                via = f" (in `{step.via}()`)" if step.via else ""
                related.append(Related(step.origin, f"`{step.text}`{via}, the last one before", MODE_SWITCH))
                if trained is None:
                    cause = f"is still in training mode from `{step.text}`" + via
        where = "the caller" if item.fn.qualname != "<module>" else "this script"
        layer, notes, cap = mode_effect(model_layers(ctx.project, item.key[0], item.fn.qualname, item.call.callee))
        called = f"`{item.call.callee}(…)`" if item.inner is not None else f"`{_callee_text(ctx, item.call)}`"
        if item.inner is not None:
            called += f" (through `{_callee_text(ctx, item.call)}`)"
            related.insert(0, Related(item.inner.location, "the model is called here"))
        message = f"{called} evaluated in training mode"
        notes = [f"evaluation {item.why}", f"no `.eval()` / `.train(False)` reaches it, here or in {where}", *notes]
        # never switched at all: one `.eval()` fixes every loop; after training steps, each loop is its own place
        group = (item.key, strip_wrappers(item.call.callee), cause) if trained is None else (item.call.location,)
        if said_deliberate(ctx, item.loop.location) or said_deliberate(ctx, item.call.location):
            cap = "info"  # `# sample G in train mode on purpose`: the authors say so
            notes.append("a comment beside it says the training mode is meant")
        yield group, Finding(CODE, message, item.call.location, related[:3] + layer,
                             fix=eval_before_loop(ctx.project, item), cap=cap, notes=notes)


def _callee_text(ctx, call) -> str:
    """`self._forward_pass(…)`: the helper call an evaluation loop reaches the model through."""
    facts = ctx.project.files.get(call.location.path)
    text = flagged_text(facts.lines, call.location) if facts is not None and facts.lines else ""
    head = text.partition("(")[0].strip()
    return f"{head}(…)" if head else f"{call.callee}(…)"
