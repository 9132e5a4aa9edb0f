"""`evalparity pipelines`: each train/eval pair side by side, steps aligned, differences marked,
the image's state after each step (container, value range, channels, size), and the evidence for
each side's role."""

from __future__ import annotations

from difflib import SequenceMatcher

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from evalparity.facts import UNKNOWN, Step
from evalparity.relate.image_state import flatten, run
from evalparity.relate.roles import DECISIVE, RoledPipeline
from evalparity.vocabulary.knowledge import KnowledgeBase
from evalparity.vocabulary.semantics import is_random
from evalparity.vocabulary.values import describe

MAX_ARG = 40


def step_text(step: Step) -> str:
    args = []
    for a in step.args:
        text = describe(a.value) if a.value.is_const else a.value.text
        text = text if len(text) <= MAX_ARG else text[: MAX_ARG - 1] + "…"
        args.append(f"{a.name}={text}" if a.name and a.position is None else text)
    inner = ", ".join(args)
    if step.children:
        inner = (inner + ", " if inner else "") + "[" + ", ".join(step_text(c) for c in step.children) + "]"
    suffix = f"  if {step.condition}" if step.condition else ""
    if step.defined is not None:  # a project-defined transform, by its summary (extract/summaries.py)
        kind = (step.qualname or "unknown").rpartition(".")[2]
        return f"{step.short_name}: {kind}({inner}) (project-defined, {step.defined.short()}){suffix}"
    return f"{step.short_name}({inner}){suffix}"


MAX_CELL = 48  # a step column never grows wider than this: long steps fold onto more lines
SAME, DIFFERS, TRAIN_ONLY, EVAL_ONLY = "", "differs", "train only", "eval only"


def _difference(train: Step | None, evaluation: Step | None) -> str:
    if train is None:
        return EVAL_ONLY
    if evaluation is None:
        return TRAIN_ONLY
    return SAME if step_text(train) == step_text(evaluation) else DIFFERS


def _cell(step: Step | None, other: Step | None, kb: KnowledgeBase, states: dict) -> str:
    if step is None:
        return "[dim]—[/]"
    text = escape(step_text(step))
    if is_random(step, kb):
        text += " [magenta](random)[/]"
    if other is None or step_text(other) != step_text(step):
        text = f"[yellow]{text}[/]"
    state = states.get(id(step))
    return f"{text}\n[dim]→ {escape(state.describe())}[/]" if state is not None else text


def _rows(left: list[Step], right: list[Step]):
    matcher = SequenceMatcher(a=[s.short_name for s in left], b=[s.short_name for s in right], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            yield from zip(left[i1:i2], right[j1:j2])
            continue
        a, b = left[i1:i2], right[j1:j2]
        for k in range(max(len(a), len(b))):
            yield (a[k] if k < len(a) else None), (b[k] if k < len(b) else None)


def strength(weight: float) -> str:
    """A piece of role evidence in words: `decisive` when it settles the role on its own, else `supporting`."""
    return "decisive" if weight >= DECISIVE else "supporting"


def _evidence_lines(item: RoledPipeline) -> list[str]:
    return [f"{e.reason}: {strength(e.weight)} evidence for {e.role}" for e in item.evidence] or ["no evidence"]


def _evidence(item: RoledPipeline) -> str:
    return "; ".join(f"{e.reason} ({strength(e.weight)}, {e.role})" for e in item.evidence) or "no evidence"


def _where(item: RoledPipeline) -> str:
    loc = item.pipeline.location
    name = f" `{item.pipeline.binding}`" if item.pipeline.binding else ""
    return f"{loc.path}:{loc.line}{name}"


def _states(pair, kb: KnowledgeBase) -> dict:
    states = {}
    for side in (pair.train, pair.eval):
        states.update({id(t.step): t.after for t in run(side.pipeline.steps, kb)})
    return states


def _pair_rows(pair, kb: KnowledgeBase):
    return _rows(flatten(pair.train.pipeline.steps, kb), flatten(pair.eval.pipeline.steps, kb))


def _unpaired(analysis) -> list[RoledPipeline]:
    paired = {p.train.id for p in analysis.pairs} | {p.eval.id for p in analysis.pairs}
    others = [r for r in analysis.roled if r.id not in paired]
    return sorted(others, key=lambda r: (r.pipeline.path, r.pipeline.location.line))


def render(analysis, kb: KnowledgeBase, console: Console) -> None:
    """`analysis`: engine.Analysis, the related facts of the project. Readable without colour: the
    `difference` column says which rows differ, cells are at most MAX_CELL wide, and each piece of
    role evidence is `decisive` or `supporting` in words."""
    if not analysis.pairs:
        console.print("No train/eval pipeline pairs found.")
    for number, pair in enumerate(analysis.pairs, 1):
        console.print(f"[bold]Pair {number}[/]: {escape(pair.reason)}", soft_wrap=True)
        console.print(f"  train: {escape(_where(pair.train))}", soft_wrap=True)
        console.print(f"  eval:  {escape(_where(pair.eval))}", soft_wrap=True)
        table = Table(show_lines=False)
        table.add_column("#", justify="right", style="dim")
        table.add_column("train", overflow="fold", max_width=MAX_CELL)
        table.add_column("eval", overflow="fold", max_width=MAX_CELL)
        table.add_column("difference", overflow="fold")
        states = _states(pair, kb)
        for index, (train_step, eval_step) in enumerate(_pair_rows(pair, kb), 1):
            table.add_row(str(index), _cell(train_step, eval_step, kb, states), _cell(eval_step, train_step, kb, states),
                          _difference(train_step, eval_step))
        console.print(table)
        for label, side in (("train", pair.train), ("eval", pair.eval)):
            console.print(f"  {label} role, from:", soft_wrap=True)
            for line in _evidence_lines(side):
                console.print(f"    - {escape(line)}", soft_wrap=True)
        console.print()
    others = _unpaired(analysis)
    if others:
        console.print("Pipelines not paired:")
        for item in others:
            role = item.role if item.role != UNKNOWN else "role unknown"
            console.print(f"  {escape(_where(item))}: {role} — {escape(_evidence(item))}", soft_wrap=True)


def _side(item: RoledPipeline) -> dict:
    loc = item.pipeline.location
    return {"path": loc.path, "line": loc.line, "binding": item.pipeline.binding, "role": item.role,
            "evidence": [{"role": e.role, "strength": strength(e.weight), "weight": e.weight, "reason": e.reason,
                          **({"path": e.location.path, "line": e.location.line} if e.location else {})}
                         for e in item.evidence]}


def as_dict(analysis, kb: KnowledgeBase) -> dict:
    """`evalparity pipelines --format json`: the pairs with their aligned steps, and the pipelines not paired."""
    pairs = []
    for pair in analysis.pairs:
        states = _states(pair, kb)
        steps = []
        for train_step, eval_step in _pair_rows(pair, kb):
            row = {"difference": _difference(train_step, eval_step) or "same"}
            for key, step in (("train", train_step), ("eval", eval_step)):
                state = states.get(id(step)) if step is not None else None
                row[key] = None if step is None else {
                    "step": step_text(step), "line": step.location.line, "random": bool(is_random(step, kb)),
                    "after": state.describe() if state is not None else None,
                    "defined": None if step.defined is None else {"path": step.defined.path, "line": step.defined.line}}
            steps.append(row)
        pairs.append({"reason": pair.reason, "train": _side(pair.train), "eval": _side(pair.eval), "steps": steps})
    return {"version": 1, "pairs": pairs, "unpaired": [_side(item) for item in _unpaired(analysis)]}
