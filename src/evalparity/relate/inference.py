"""Inference on loaded weights: a model built and given trained weights (`net = UNet(…)` then
`net.load_state_dict(torch.load(path))`, or `model = torch.load(path)`) and then called on data, in a
script or function that trains nothing and never switches that model's mode — directly, or through the
project function it is handed to (`predict_img(net=net, …)`). A model kept on `self` counts when the
same class builds it, loads it and calls it.

Precision first: both the construction and the loading must be written in the function (or the class),
and any `.eval()` / `.train(…)` on the model anywhere in its file, or a mode switch its callees make,
leaves it alone."""

from __future__ import annotations

import re
from dataclasses import dataclass

from evalparity.facts import FunctionFacts, Location, ModelCall
from evalparity.relate.callgraph import Key, argument_for, call_graph
from evalparity.relate.eval_loops import NOT_EVAL_WORDS, foreign_file
from evalparity.relate.mode_flow import mode_flow, same_model
from evalparity.relate.model_layers import class_switches
from evalparity.relate.project import Project
from evalparity.vocabulary.mode_words import framework_class
from evalparity.vocabulary.naming import unit_test_file, words

LOADS_WHOLE_MODEL = ("torch.load(", "torch.jit.load(", "load_from_checkpoint(")
_LOADED = re.compile(r"([A-Za-z_][\w.]*?)(?:\.module)?\.load_state_dict\(|^\s*([A-Za-z_][\w.]*)\s*=\s*torch\.(?:jit\.)?load\(")


def _skipped(fn: FunctionFacts) -> bool:
    """A model's own code, a framework's class, or a function named for deliberate train-mode passes (MC
    dropout, BatchNorm adaptation); user functions named `predict_…` are what this looks for."""
    return fn.name in ("forward", "__call__") or framework_class(fn.bases) or \
        any(w in NOT_EVAL_WORDS for w in words(fn.name))


@dataclass(frozen=True)
class Inference:
    key: Key  # the function whose model call runs in training mode
    fn: FunctionFacts
    call: ModelCall
    model: str  # the model's name where it is built
    built: Location
    loaded: Location
    path: str  # the file that builds the model (for the model's layers)
    scope: str


def _span(facts, fn: FunctionFacts, model: str) -> tuple[int, int]:
    """The lines to read for the model's story: its function, or its class for `self.…`, or the file."""
    if model.startswith("self.") and fn.cls:
        methods = [f for f in facts.functions if f.cls == fn.cls]
        return min(f.location.line for f in methods), max(f.location.end_line for f in methods)
    if fn.qualname == "<module>":
        return 1, len(facts.lines)
    return fn.location.line, fn.location.end_line


def _story(facts, fn: FunctionFacts, model: str) -> tuple[Location, Location] | None:
    """(where the model is built, where its weights are loaded), both inside its span and outside the
    functions nested there (a module's `model` is not the one a builder function loads)."""
    first, last = _span(facts, fn, model)
    inner = [(f.location.line, f.location.end_line) for f in facts.functions
             if f is not fn and f.qualname != "<module>" and first <= f.location.line <= last and
             not (model.startswith("self.") and f.cls == fn.cls)]
    name = re.escape(model)
    build = re.compile(rf"^\s*{name}\s*=\s*(?!{name}\b)(.+)$")
    load = re.compile(rf"\b{name}(?:\.module)?\.load_state_dict\(")
    built = loaded = None
    for number in range(first, min(last, len(facts.lines)) + 1):
        if any(start <= number <= end for start, end in inner):
            continue
        text = facts.lines[number - 1]
        match = build.match(text)
        if match and built is None:
            built = Location(facts.path, number, match.start(1) + 1, number, len(text) + 1)
            if any(marker in match.group(1) for marker in LOADS_WHOLE_MODEL):
                loaded = built
        found = load.search(text)
        if found and built is not None and loaded is None:
            loaded = Location(facts.path, number, found.start() + 1, number, found.end() + 1)
    return (built, loaded) if built is not None and loaded is not None else None


def _switched_in_file(facts, model: str) -> bool:
    pattern = re.compile(rf"\b{re.escape(model)}\b.*\.(?:eval\(\s*\)|train\()")
    return any(pattern.search(text) for text in facts.lines)


class Inferences:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.graph, self.flow = call_graph(project), mode_flow(project)
        self.items: list[Inference] = []
        self._loaded: dict[str, frozenset[str]] = {}
        for key, fn in list(self.graph.functions.items()):
            facts = project.files.get(key[0])
            if facts is None or not facts.lines or not self.loaded_names(facts) or unit_test_file(key[0]) or \
                    foreign_file(project, key[0]):
                continue
            if _skipped(fn) or fn.training or self.flow.trains(key):
                continue
            self._collect(key, fn, facts)

    def loaded_names(self, facts) -> frozenset[str]:
        """Names the file loads weights into, read once per file: `X.load_state_dict(`, `X = torch.load(`."""
        if facts.path not in self._loaded:
            found = set()
            for text in facts.lines:
                if "load_state_dict(" in text or "torch.load(" in text or "jit.load(" in text:
                    found.update(m.group(1) or m.group(2) for m in _LOADED.finditer(text))
            self._loaded[facts.path] = frozenset(found)
        return self._loaded[facts.path]

    def _quiet(self, key: Key, model: str) -> bool:
        """No mode switch on the model (or on something unknown) in the function or the ones it calls."""
        return not any(e.receiver == "?" or same_model(e.receiver, model) for e in self.flow.events(key))

    def _collect(self, key: Key, fn: FunctionFacts, facts) -> None:
        seen = set()
        candidates = [c.callee for c in fn.model_calls] + [arg for e in fn.calls for arg in e.args] + \
            [text for e in fn.calls for _, text in e.kwargs]
        weighted = self.loaded_names(facts)
        for model in candidates:
            if model.removesuffix(".module") not in weighted and model not in weighted:
                continue
            if model in seen or not all(p.isidentifier() for p in model.split(".")) or \
                    ("." in model and not model.startswith("self.")) or model.count(".") > 1:
                continue
            seen.add(model)
            story = _story(facts, fn, model)
            if story is None or _switched_in_file(facts, model) or not self._quiet(key, model):
                continue
            if model.startswith("self.") and fn.cls and \
                    class_switches(self.project, key[0], fn.cls.rpartition(".")[2], model.partition(".")[2]):
                continue
            built, loaded = story
            after = 0 if model.startswith("self.") else loaded.line  # methods run in any order
            direct = next((c for c in fn.model_calls if c.callee == model and c.location.line > after), None)
            if direct is not None:
                self.items.append(Inference(key, fn, direct, model, built, loaded, key[0], fn.qualname))
                continue
            for edge in fn.calls:
                if edge.location.line <= after:
                    continue
                target = self.graph.resolve(key[0], edge)
                callee = self.graph.function(target) if target is not None else None
                if callee is None or callee.training or self.flow.trains(target) or _skipped(callee):
                    continue
                for param in callee.params:
                    if argument_for(callee, edge, param) != model:
                        continue
                    call = next((c for c in callee.model_calls if c.callee == param), None)
                    if call is not None and self._quiet(target, param):
                        self.items.append(Inference(target, callee, call, model, built, loaded, key[0], fn.qualname))


def _build(project: Project) -> Inferences:
    return Inferences(project)


def inferences(project: Project) -> Inferences:
    return project.derived(_build)
