"""Which mode (`train`/`eval`) a model is in at a point of the code: the mode calls of each function in
source order, the calls to project functions that change it (their last mode call, lifted through the
arguments of the call), and what reaches a point from earlier in the function, from earlier
iterations of the enclosing loops, and from the callers."""

from __future__ import annotations

from dataclasses import dataclass

from evalparity.facts import TRAIN, CallEdge, FunctionFacts, Location, Loop
from evalparity.relate.callgraph import CallGraph, Key, argument_for, call_graph, const_for
from evalparity.relate.project import Project
from evalparity.vocabulary.mode_words import mode_helper, strip_wrappers
from evalparity.vocabulary.naming import opposite, role_of_flag, role_of_string

MAX_DEPTH = 5


@dataclass(frozen=True)
class Event:
    location: Location  # where it happens in this function (a mode call, or the call that leads to one)
    kind: str  # eval | train | unknown
    receiver: str  # what is switched, in this function's names ("?" when unknown)
    origin: Location  # the mode call itself, possibly in a callee
    text: str
    via: str | None = None  # the callee, when the switch happens in a called function


def start(location: Location) -> tuple[int, int]:
    return location.line, location.column


def inside(outer: Location, inner: Location) -> bool:
    return (start(outer) <= start(inner) and
            (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column))


def enclosing_loops(fn: FunctionFacts, location: Location) -> list[Loop]:
    """Loops of fn whose body contains location, innermost first."""
    loops = [loop for loop in fn.loops if inside(loop.location, location) and loop.location != location]
    return sorted(loops, key=lambda l: start(l.location), reverse=True)


def lift(receiver: str, fn: FunctionFacts, edge: CallEdge) -> str:
    """A receiver named inside fn, in the caller's names (`model` → the argument passed for it)."""
    head, dot, rest = receiver.partition(".")
    if head == "self":
        if edge.method:
            return receiver
        owner = edge.callee.rpartition(".")[0]  # `model.val_start()` resolved by its method name
        return f"{owner}{dot}{rest}" if owner.isidentifier() and not edge.local and not edge.qualname else "?"
    if head in fn.params:
        text = argument_for(fn, edge, head)
        return f"{text}{dot}{rest}" if text else "?"
    return receiver


class ModeFlow:
    def __init__(self, graph: CallGraph) -> None:
        self.graph = graph
        self._events: dict[Key, list[Event]] = {}
        self._trains: dict[Key, bool] = {}
        self._busy: set[Key] = set()
        self._training: set[Key] = set()

    def events(self, key: Key) -> list[Event]:
        if key in self._events:
            return self._events[key]
        fn = self.graph.function(key)
        if fn is None or key in self._busy:
            return []
        self._busy.add(key)
        found = [Event(m.location, m.kind, m.receiver, m.location, m.text) for m in fn.modes
                 if m.kind in ("eval", "train", "unknown") and not m.submodule]
        for edge in fn.calls:
            target = self.graph.resolve(key[0], edge)
            if target is not None and target != key:
                callee = self.graph.function(target)
                last = self.final(target, outside=True)
                if last is not None and callee is not None:
                    kind = last.kind if len({e.kind for e in self.events(target)}) == 1 else _chosen(callee, edge)
                    found.append(Event(edge.location, kind, lift(last.receiver, callee, edge), last.origin,
                                       last.text, edge.callee))
            elif target is None and edge.callee.endswith("from_pretrained"):
                found.append(Event(edge.location, "eval", edge.binding or "?", edge.location,
                                   f"{edge.callee}(…)", edge.callee))
            elif target is None and mode_helper(edge.callee):
                found.append(Event(edge.location, "unknown", "?", edge.location, f"{edge.callee}(…)", edge.callee))
        found.sort(key=lambda e: start(e.location))
        self._busy.discard(key)
        self._events[key] = found
        return found

    def final(self, key: Key, outside: bool = False) -> Event | None:
        """The last mode switch of a function; `outside`: the last one its callers can see, not one on a
        model the function builds for itself (a fresh instance or a copy put in eval mode)."""
        events = self.events(key)
        if outside:
            fn = self.graph.function(key)
            fresh = set(fn.fresh) if fn is not None else set()
            events = [e for e in events if e.receiver.partition(".")[0] not in fresh]
        return events[-1] if events else None

    def trains(self, key: Key, depth: int = 0) -> bool:
        """Runs a backward pass or an optimizer step, itself or through a project function it calls."""
        if key in self._trains:
            return self._trains[key]
        fn = self.graph.function(key)
        if fn is None or depth > MAX_DEPTH or key in self._training:
            return False
        self._training.add(key)
        result = bool(fn.training) or any(self.trains(target, depth + 1) for _, target in self.graph.callees(key))
        self._training.discard(key)
        self._trains[key] = result
        return result

    def before(self, key: Key, location: Location, model: str | None = None) -> Event | None:
        """The last mode change that ran before `location` in this function: earlier in the innermost loop,
        else later in it (the previous iteration), then the same for each outer loop, then earlier code.
        `.train()` on another model than `model` is passed over; any `.eval()` counts (precision first)."""
        fn = self.graph.function(key)
        if fn is None:
            return None
        events = [e for e in self.events(key) if e.location != location and not inside(e.location, location)
                  and not (e.kind == "train" and model and e.receiver != "?" and model != "?"
                           and not same_model(e.receiver, model))]
        for loop in enclosing_loops(fn, location):
            body = [e for e in events if inside(loop.location, e.location)]
            earlier = [e for e in body if start(e.location) < start(location)]
            if earlier:
                return earlier[-1]
            if body:
                return body[-1]
        earlier = [e for e in events if start(e.location) < start(location)]
        return earlier[-1] if earlier else None

    def reaching(self, key: Key, location: Location, model: str | None = None, depth: int = 0) -> tuple[str, list]:
        """What mode reaches `location` for `model`: ("set", event) when a mode call reaches it on some
        path, ("train", [events or call sites]) when every known path leaves the model in training mode (the
        default after construction), ("unknown", []) when a path cannot be followed."""
        event = self.before(key, location, model)
        if event is not None:
            return ("train", [event]) if event.kind == "train" else ("set", [event])
        if key[1] == "<module>":
            return "train", []
        callers = self.graph.callers.get(key, [])
        if not callers or depth >= MAX_DEPTH:
            return "unknown", []
        trail = []
        fn = self.graph.function(key)
        for caller, edge in callers:
            lifted = lift(model, fn, edge) if model and fn is not None else None
            state, found = self.reaching(caller, edge.location, lifted, depth + 1)
            if state != "train":
                return state, found
            trail.append((caller, edge, found))
        first = trail[0]
        return "train", [first[1]] + first[2]


def _chosen(fn: FunctionFacts, edge: CallEdge) -> str:
    """The mode a setter with both switches picks for this call (`set_mode('test')`, `set_train(False)`),
    from the role its constant argument names; unknown otherwise."""
    for param in fn.params:
        value = const_for(fn, edge, param)
        if value is None:
            continue
        role = None
        if isinstance(value.const, str):
            role = role_of_string(value.const)
        elif isinstance(value.const, bool) and role_of_flag(param):
            role = role_of_flag(param) if value.const else opposite(role_of_flag(param))
        if role is not None:
            return "train" if role == TRAIN else "eval"
    return "unknown"


def same_model(a: str, b: str) -> bool:
    return a != "?" and b != "?" and strip_wrappers(a) == strip_wrappers(b)


def _build(project: Project) -> ModeFlow:
    return ModeFlow(call_graph(project))


def mode_flow(project: Project) -> ModeFlow:
    return project.derived(_build)
