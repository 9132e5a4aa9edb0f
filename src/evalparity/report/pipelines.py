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
from evalparity.relate.roles import RoledPipeline
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
    return f"{step.short_name}({inner}){suffix}"


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


def _evidence(item: RoledPipeline) -> str:
    return "; ".join(f"{e.reason} ({e.role} +{e.weight:g})" for e in item.evidence) or "no evidence"


def _where(item: RoledPipeline) -> str:
    loc = item.pipeline.location
    name = f" `{item.pipeline.binding}`" if item.pipeline.binding else ""
    return f"{loc.path}:{loc.line}{name}"


def render(analysis, kb: KnowledgeBase, console: Console) -> None:
    """`analysis`: engine.Analysis, the related facts of the project."""
    if not analysis.pairs:
        console.print("No train/eval pipeline pairs found.")
    for number, pair in enumerate(analysis.pairs, 1):
        table = Table(title=f"Pair {number}: {escape(pair.reason)}", show_lines=False, title_justify="left")
        table.add_column("#", justify="right", style="dim")
        table.add_column(f"train  {escape(_where(pair.train))}", overflow="fold")
        table.add_column(f"eval  {escape(_where(pair.eval))}", overflow="fold")
        states = {}
        for side in (pair.train, pair.eval):
            states.update({id(t.step): t.after for t in run(side.pipeline.steps, kb)})
        for index, (train_step, eval_step) in enumerate(_rows(flatten(pair.train.pipeline.steps, kb),
                                                               flatten(pair.eval.pipeline.steps, kb)), 1):
            table.add_row(str(index), _cell(train_step, eval_step, kb, states), _cell(eval_step, train_step, kb, states))
        console.print(table)
        console.print(f"  train role: {escape(_evidence(pair.train))}", soft_wrap=True)
        console.print(f"  eval role:  {escape(_evidence(pair.eval))}", soft_wrap=True)
        console.print()
    paired = {p.train.id for p in analysis.pairs} | {p.eval.id for p in analysis.pairs}
    others = [r for r in analysis.roled if r.id not in paired]
    if others:
        console.print("Pipelines not paired:")
        for item in sorted(others, key=lambda r: (r.pipeline.path, r.pipeline.location.line)):
            role = item.role if item.role != UNKNOWN else "role unknown"
            console.print(f"  {escape(_where(item))}: {role} — {escape(_evidence(item))}", soft_wrap=True)
