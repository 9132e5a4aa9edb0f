"""Which functions and loops are evaluations (precision first: when unsure, they are not).

An evaluation loop iterates data and calls the model, runs no backward pass or optimizer step, and
either sits in a function named validate/evaluate/test/predict, or iterates a loader whose role is
EVAL, or runs under `torch.no_grad()` / `torch.inference_mode()`. Framework hooks (Lightning
`validation_step`, methods of Trainer/Engine subclasses) are the framework's business."""

from __future__ import annotations

from dataclasses import dataclass

from evalparity.facts import EVAL, TRAIN, UNKNOWN, FunctionFacts, Loop, ModelCall
from evalparity.relate.callgraph import Key, call_graph
from evalparity.relate.loader_roles import loader_roles
from evalparity.relate.mode_flow import inside, lift, mode_flow, start
from evalparity.relate.project import Project
from evalparity.vocabulary.mode_words import framework_class, framework_hook, loader_like
from evalparity.vocabulary.naming import FOREIGN, role_of_name, role_of_string, unit_test_file, words

NOT_EVAL_WORDS = frozenset({"adapt", "adaptation", "tent", "bn", "calib", "calibrate", "recalibrate", "mc",
                            "dropout", "uncertainty", "bayes", "bayesian", "stats", "statistics", "attack", "adv",
                            "adversarial", "pgd", "fgsm", "saliency", "cam", "gradcam", "grad", "gradient",
                            "explain", "attribution", "tta", "ensemble", "swa", "update", "precise"})


@dataclass(frozen=True)
class EvalLoop:
    key: Key
    fn: FunctionFacts
    loop: Loop
    call: ModelCall  # the first model call in the loop (or the call of the helper that makes it)
    why: str
    role: str
    inner: ModelCall | None = None  # the model call inside that helper


def foreign_file(project: Project, path: str) -> bool:
    """Code for another framework (MXNet/Gluon, TensorFlow, JAX, …), whose modes are not `.eval()`."""
    known = project.derived(_foreign_memo)
    if path not in known:
        facts = project.files.get(path)
        if facts is None:
            return False
        known[path] = any((record.module or record.name or "").split(".")[0] in FOREIGN for record in facts.imports)
    return known[path]


def _foreign_memo(project: Project) -> dict[str, bool]:
    return {}


def excluded(fn: FunctionFacts, project: Project | None = None, path: str = "") -> bool:
    framework = framework_class(fn.bases) if project is None else framework_owned(project, path, fn)
    return (framework_hook(fn.name) and _may_be_hook(fn) or framework or fn.name in ("forward", "__call__") or
            any(w in NOT_EVAL_WORDS for w in words(fn.name)))


def _may_be_hook(fn: FunctionFacts) -> bool:
    """Hooks (`validation_step`, `predict_dataloader`) are methods of classes that derive from something:
    a module-level `predict_image()` or a method of a plain `class Solver:` is the project's own code."""
    return fn.cls is not None and any(b.rpartition(".")[2] not in ("object", "Module") for b in fn.bases)


def framework_owned(project: Project, path: str, fn: FunctionFacts) -> bool:
    """A method of a framework's class (Lightning's, ignite's `Engine`, HF's `Trainer`): its mode is the
    framework's business. A base named like one (`class Trainer:`) that the project defines itself, in
    this file or in a module it imports the name from, is the project's own code."""
    if not framework_class(fn.bases):
        return False
    facts = project.files.get(path)
    own = {f.cls.rpartition(".")[2] for f in facts.functions if f.cls} if facts is not None else set()
    for base in fn.bases:
        name = base.rpartition(".")[2]
        if not framework_class((name,)):
            continue
        if name in own:
            continue
        record = next((r for r in (facts.imports if facts is not None else []) if r.local == name), None)
        if record is not None and project.module_file(path, "." * record.level + record.module) is not None:
            continue
        return True
    return False


def eval_function(path: str, fn: FunctionFacts, project: Project | None = None) -> bool:
    """Named like an evaluation (`validate`, `evaluate`, `test`, `predict`), not a unit test."""
    if excluded(fn, project, path) or fn.qualname == "<module>" or role_of_name(fn.name) != EVAL:
        return False
    return not (fn.name.startswith("test") and unit_test_file(path))


def _data_like(loop: Loop, role: str) -> bool:
    name = loop.iter_name or ""
    return bool(name) and (role != UNKNOWN or loader_like(name) or role_of_name(name.rpartition(".")[2]) is not None)


class EvalLoops:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.graph = call_graph(project)
        self.roles = loader_roles(project)
        self.flow = mode_flow(project)
        self.items: list[EvalLoop] = []
        seen = set()
        for key, fn in sorted(self.graph.functions.items()):
            if excluded(fn, project, key[0]) or unit_test_file(key[0]) or foreign_file(project, key[0]):
                continue
            loops = sorted(fn.loops, key=lambda l: start(l.location), reverse=True)  # innermost first
            for loop in loops:
                item = self._classify(key, fn, loop)
                if item is not None and (key, item.call.location) not in seen:
                    seen.add((key, item.call.location))
                    self.items.append(item)

    def _classify(self, key: Key, fn: FunctionFacts, loop: Loop) -> EvalLoop | None:
        calls = [c for c in fn.model_calls if inside(loop.location, c.location)]
        inner = None
        if not calls:
            calls, inner = self._forwarded(key, fn, loop)
        if not calls:
            return None
        if any(inside(loop.location, t) for t in (*fn.training, *fn.grad_uses)):
            return None
        for edge in fn.calls:
            if inside(loop.location, edge.location):
                target = self.graph.resolve(key[0], edge)
                if target is not None and self.flow.trains(target):
                    return None
        role, why_role = self.roles.loop_role(key, loop)
        if role == UNKNOWN and loop.iter_key and role_of_string(loop.iter_key) is not None:
            role, why_role = role_of_string(loop.iter_key), f"`{loop.iter_text}`"
        if role == TRAIN or not _data_like(loop, role):
            return None
        if eval_function(key[0], fn, self.project):
            why = f"in `{fn.name}()`"
        elif role == EVAL:
            why = f"iterates {why_role}"
        elif (loop.grad or fn.grad) in ("no_grad", "inference_mode") and role_of_name(fn.name) != TRAIN:
            why = f"under `torch.{loop.grad or fn.grad}()`"
        else:
            return None
        return EvalLoop(key, fn, loop, min(calls, key=lambda c: start(c.location)), why, role, inner)


    def _forwarded(self, key: Key, fn: FunctionFacts, loop: Loop) -> tuple[list[ModelCall], ModelCall | None]:
        """`output, loss = self._forward_pass(input, target)`: a project helper without loops or mode
        switches that calls the model, seen as a model call at the helper's call."""
        for edge in fn.calls:
            if not inside(loop.location, edge.location):
                continue
            target = self.graph.resolve(key[0], edge)
            helper = self.graph.function(target) if target is not None else None
            if helper is None or helper.loops or not helper.model_calls or excluded(helper) or \
                    self.flow.trains(target) or self.flow.events(target):
                continue
            for call in helper.model_calls:
                model = lift(call.callee, helper, edge)
                if model != "?":
                    return [ModelCall(edge.location, model, edge.grad or loop.grad)], call
        return [], None


def eval_loops(project: Project) -> EvalLoops:
    return project.derived(EvalLoops)
