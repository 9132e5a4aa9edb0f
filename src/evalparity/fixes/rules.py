"""The fix of each fixable rule, computed from facts. Every builder returns a fix dict or None (when the
facts do not pin down an edit that is certain to be what the rule's fix means)."""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

from evalparity.facts import Step
from evalparity.fixes import (
    SAFE,
    UNSAFE,
    Source,
    fix,
    insert_after,
    keyword_spans,
    remove_element,
    replace_element,
    single_line,
)
from evalparity.fixes.counterparts import default_counterparts, expand


# EP504 ---------------------------------------------------------------------------------------------
def call_parens(project, misuse) -> dict | None:
    src = Source.of(project, misuse.location.path)
    if src is None:
        return None
    loc = misuse.location
    nxt = src.after(loc.end_line, loc.end_column)
    if nxt is not None and nxt[0] == "(":
        return None
    return fix(SAFE, f"Call `{misuse.text}()`", [src.insert(loc.end_line, loc.end_column, "()")])


# EP401 / EP405 -------------------------------------------------------------------------------------
def _loader_arg(project, item, arg):
    """The source of a loader's own argument, when changing it changes this loader alone (not a factory's
    shared call, not a comprehension that builds the training loader too)."""
    if arg is None or item.site is not None or item.loader.spread:
        return None
    call, at = item.loader.location, arg.location
    if at.path != call.path or (at.line, at.column) < (call.line, call.column) or \
            (at.end_line, at.end_column) > (call.end_line, call.end_column):
        return None  # merged in from a dict (`**kwargs`) that other loaders may read too
    facts = project.facts(item.loader.location.path)
    if facts is None or sum(1 for other in facts.loaders if other.location == item.loader.location) != 1:
        return None
    return Source.of(project, arg.location.path)


def drop_last_removed(project, item, arg) -> dict | None:
    """EP401: take `drop_last=True` out (False is the default); a positional value is set to False."""
    src = _loader_arg(project, item, arg)
    if src is None:
        return None
    span, value = keyword_spans(src, arg.location, "drop_last")
    if span is None:
        return fix(SAFE, "Set `drop_last=False` on the evaluation loader", [src.replace(value, "False")])
    return fix(SAFE, "Remove `drop_last=True` from the evaluation loader", remove_element(src, span, "(,"))


def drop_shuffle(project, item, arg) -> dict | None:
    src = _loader_arg(project, item, arg)
    if src is None:
        return None
    span, value = keyword_spans(src, arg.location, "shuffle")
    if span is None:  # positional: the value alone can change
        return fix(SAFE, "Set `shuffle=False` (the sampler shuffles)", [src.replace(value, "False")])
    return fix(SAFE, "Remove `shuffle=True` (the sampler shuffles)", remove_element(src, span, "(,"))


def written(src: Source, arg, keyword: str) -> str | None:
    """The argument's value as written at the call (`sampler=s` → `s`), when it is given by that keyword."""
    span, value = keyword_spans(src, arg.location, keyword)
    return src.text(value.line, value.column, value.end_line, value.end_column).strip() if span else None


def shuffle_unless_sampler(project, item, arg, sampler_arg) -> dict | None:
    """EP405 where the sampler is None on some paths: shuffle exactly when there is no sampler."""
    src = _loader_arg(project, item, arg)
    if src is None or sampler_arg is None:
        return None
    name = written(src, sampler_arg, "sampler") or written(src, sampler_arg, "batch_sampler")
    if name is None or not name.isidentifier():
        return None
    _, value = keyword_spans(src, arg.location, "shuffle")
    condition = f"({name} is None)"
    return fix(SAFE, f"Shuffle only without a sampler: `shuffle={condition}`", [src.replace(value, condition)])


# EP101 ---------------------------------------------------------------------------------------------
def _arg(step: Step, name: str):
    return next((a for a in step.args if a.name == name), None)


def _square(value) -> tuple | None:
    if value is None or not value.is_const:
        return None
    raw = value.const
    if isinstance(raw, int) and not isinstance(raw, bool):
        return (raw, raw)
    if isinstance(raw, (tuple, list)) and len(raw) == 1:
        return (raw[0], raw[0])
    if isinstance(raw, (tuple, list)) and len(raw) == 2:
        return tuple(raw)
    return None


def _same_size(before: list[Step], step: Step, kb) -> bool:
    """The step's input already has its output size (see eval_counterparts.yaml)."""
    size = _square(_arg(step, "size").value)
    for previous in reversed(before):
        info = kb.lookup(previous.qualname)
        effect = (info.size or {}).get("effect") if info is not None else None
        if effect is None:
            continue
        given = _arg(previous, "size")
        if effect == "crop" or (effect == "resize" and given is not None and given.value.is_const and
                                isinstance(given.value.const, (tuple, list))):
            return size is not None and given is not None and _square(given.value) == size
        return False
    padding = _arg(step, "padding")
    return padding is not None and not (padding.value.is_const and padding.value.const in (None, 0))


def _resize(size, ratio: float) -> str | None:
    value = size.value
    if value.is_const and isinstance(value.const, int) and not isinstance(value.const, bool):
        return str(int(value.const / ratio))
    if value.is_const and isinstance(value.const, (tuple, list)) and all(isinstance(v, int) for v in value.const):
        return "(" + ", ".join(str(int(v / ratio)) for v in value.const) + ")"
    text = single_line(value.text)
    if not text or _sequence_display(text):
        return None  # `int((width, 160) / 0.875)` would raise: a tuple is not divided element by element
    return f"int({text} / {ratio:g})"


def _sequence_display(text: str) -> bool:
    try:
        return isinstance(ast.parse(text.strip(), mode="eval").body, (ast.Tuple, ast.List))
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return True  # not one expression: not pasted into another


def eval_counterpart(project, kb, pipeline_steps: tuple[Step, ...], leaf: Step) -> dict | None:
    """Replace a random step of an evaluation pipeline by its deterministic counterpart."""
    info = kb.lookup(leaf.qualname)
    entry = default_counterparts().get(info.qualname) if info is not None else None
    before = _container(pipeline_steps, leaf, kb)
    if entry is None or before is None or leaf.condition:
        return None
    src = Source.of(project, leaf.location.path)
    if src is None:
        return None
    if entry.remove or (entry.remove_when_same_size and _arg(leaf, "size") is not None and
                        _same_size(before, leaf, kb)):
        return fix(UNSAFE, f"Remove `{leaf.short_name}` from the evaluation pipeline", remove_element(src, leaf.location))
    size = _arg(leaf, "size")
    if size is None or not single_line(size.value.text) or any(a.name is None for a in leaf.args):
        return None
    resize = _resize(size, entry.crop_ratio) if entry.crop_ratio else ""
    if resize is None:
        return None
    keywords = {a.name: a.value.text for a in leaf.args if single_line(a.value.text)}
    items = [expand(t, leaf.name, size.value.text, resize, keywords) for t in entry.replace]
    facts = project.facts(src.path)
    if "." not in leaf.name and any(_binding(facts, item.partition("(")[0]) is None for item in items):
        return None  # `from torchvision.transforms import RandomCrop`: CenterCrop may not be imported
    names = " + ".join(f"`{item.partition('(')[0].rpartition('.')[2]}`" for item in items)
    return fix(UNSAFE, f"Replace `{leaf.short_name}` with {names}", replace_element(src, leaf.location, items))


def _container(steps: tuple[Step, ...], leaf: Step, kb) -> list[Step] | None:
    """The steps before `leaf` when it is an element of the pipeline's list (or of a nested Compose),
    not inside a wrapper such as RandomApply; None otherwise."""
    flat: list[Step] = []

    def walk(items) -> bool:
        for step in items:
            if step is leaf:
                return True
            info = kb.lookup(step.qualname)
            if info is not None and info.kind == "compose" and step.children:
                if walk(step.children):
                    return True
            else:
                flat.append(step)
        return False

    return flat if walk(steps) else None


# EP201 / EP202 -------------------------------------------------------------------------------------
def _module_name(project, importer: str, target: str) -> str | None:
    """How `importer` can import the file `target`: as it already does, as a sibling or sub-module,
    or as another file of the project does; checked with the project's own resolution."""
    def resolves(name: str) -> bool:
        return project.module_file(importer, name) == target

    facts = project.facts(importer)
    for record in facts.imports if facts else ():
        name = "." * record.level + record.module
        if record.module and resolves(name):
            return name
    here = PurePosixPath(importer).parent
    there = PurePosixPath(target).with_suffix("")
    try:
        parts = there.relative_to(here).parts
    except ValueError:
        parts = ()
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    if parts and all(p.isidentifier() for p in parts) and resolves(".".join(parts)):
        return ".".join(parts)
    for path in list(project.files):
        for record in project.files[path].imports:
            if record.level == 0 and record.module and project.module_file(path, record.module) == target \
                    and resolves(record.module):
                return record.module
    return None


def _binding(facts, name: str):
    """What a module-level name is in a file: ('const', None), ('import', Import) or None."""
    for record in facts.imports:
        if record.local == name:
            return "import", record
    if name in facts.constants:
        return "const", None
    return None


def _portable(project, train, eval_, arg) -> tuple[str, str | None] | None:
    """The train side's argument as text usable at the eval Normalize, and an import line it needs."""
    text = single_line(arg.value.text)
    if not text:
        return None
    if not text.isidentifier():
        try:
            ast.literal_eval(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return None
        return text, None
    train_path, eval_path = train.pipeline.path, eval_.pipeline.path
    train_facts, eval_facts = project.facts(train_path), project.facts(eval_path)
    if train_facts is None or eval_facts is None:
        return None
    bound = _binding(train_facts, text)
    if train_path == eval_path:
        if bound is not None or train.pipeline.scope == eval_.pipeline.scope:
            return text, None
        return None
    if bound is None:
        return None
    kind, record = bound
    if kind == "const":
        module, name = _module_name(project, eval_path, train_path), text
    elif record.name and record.level == 0:
        module, name = record.module, record.name
    elif record.name:
        source = project.module_file(train_path, "." * record.level + record.module)
        module, name = (_module_name(project, eval_path, source) if source else None), record.name
    else:
        return None
    if module is None:
        return None
    here = _binding(eval_facts, text)
    if here is not None:
        other = here[1]
        same = here[0] == "import" and other.name == name and (
            other.module == module or project.module_file(eval_path, "." * other.level + other.module)
            == project.module_file(eval_path, module))
        return (text, None) if same else None
    alias = f" as {text}" if name != text else ""
    return text, f"from {module} import {name}{alias}"


def _import_edits(project, path: str, imports: list[str]) -> list[dict] | None:
    if not imports:
        return []
    facts = project.facts(path)
    src = Source.of(project, path)
    if facts is None or src is None or not facts.import_line:
        return None
    grouped: dict[str, list[str]] = {}
    for line in imports:  # "from M import N" → one statement per module
        module, _, name = line[len("from "):].partition(" import ")
        if name not in grouped.setdefault(module, []):
            grouped[module].append(name)
    text = "".join(f"from {module} import {', '.join(names)}\n" for module, names in grouped.items())
    return [src.insert(facts.import_line, 1, text)]


def normalize_like_train(project, pair, train_step: Step, eval_step: Step, labels: list[str]) -> dict | None:
    """EP201: the eval Normalize takes the train side's mean/std expressions."""
    src = Source.of(project, eval_step.location.path)
    if src is None or not labels:
        return None
    edits, imports, shown = [], [], []
    for label in labels:
        train_arg, eval_arg = _arg(train_step, label), _arg(eval_step, label)
        if train_arg is None or eval_arg is None:
            return None
        portable = _portable(project, pair.train, pair.eval, train_arg)
        if portable is None:
            return None
        text, line = portable
        edits.append(src.replace(src.value_span(eval_arg.location), text))
        imports += [line] if line else []
        shown.append(f"{label}={text}")
    extra = _import_edits(project, src.path, imports)
    if extra is None:
        return None
    return fix(UNSAFE, f"Use the training statistics ({', '.join(shown)})", extra + edits)


def add_normalize(project, pair, train_step: Step, conversion: Step | None) -> dict | None:
    """EP202: add the training Normalize to the eval pipeline, right after its tensor conversion."""
    if conversion is None or any(a.name is None for a in train_step.args):
        return None
    src = Source.of(project, conversion.location.path)
    if src is None or conversion.location.path != pair.eval.pipeline.path:
        return None
    parts, imports = [], []
    for a in train_step.args:
        portable = _portable(project, pair.train, pair.eval, a)
        if portable is None:
            return None
        parts.append(portable[0] if a.position is not None else f"{a.name}={portable[0]}")
        imports += [portable[1]] if portable[1] else []
    callee = _sibling(conversion, train_step)
    eval_facts = project.facts(src.path)
    if callee is None or eval_facts is None or ("." not in callee and _binding(eval_facts, callee) is None):
        return None
    call = f"{callee}({', '.join(parts)})"
    edits = insert_after(src, conversion.location, call)
    extra = _import_edits(project, src.path, imports)
    if edits is None or extra is None:
        return None
    return fix(UNSAFE, f"Add `{call}` after `{conversion.short_name}`", extra + edits)


def _sibling(conversion: Step, train_step: Step) -> str | None:
    """`T.ToTensor` + torchvision's Normalize → `T.Normalize` (the eval file's own spelling of the
    module); a bare name only when the eval file binds it."""
    module = (conversion.qualname or "").rpartition(".")[0]
    if not module or module != (train_step.qualname or "").rpartition(".")[0]:
        return None
    head, dot, _ = conversion.name.rpartition(".")
    return f"{head}.{train_step.short_name}" if dot else train_step.short_name


# EP204 ---------------------------------------------------------------------------------------------
def same_conversion(project, kb, train_step: Step, eval_step: Step) -> dict | None:
    """Swap the eval side's tensor conversion for the training one, when both are argument-free
    conversions of one library (`PILToTensor()` ↔ `ToTensor()`)."""
    infos = [kb.lookup(s.qualname) for s in (train_step, eval_step)]
    if any(i is None or i.scale not in ("to_unit", "keep") for i in infos) or train_step.args or eval_step.args:
        return None
    callee = _sibling(eval_step, train_step)
    src = Source.of(project, eval_step.location.path)
    if callee is None or src is None or ("." not in callee and _binding(project.facts(src.path), callee) is None):
        return None
    return fix(UNSAFE, f"Convert with `{callee}()` as training does", [src.replace(eval_step.location, f"{callee}()")])


# EP501 ---------------------------------------------------------------------------------------------
def eval_before_loop(project, item) -> dict | None:
    """Put the model in eval mode for the evaluation loop and back in the training mode it was in right
    after it, each call on its own line, so nothing after the loop runs in another mode than before."""
    receiver = item.call.callee
    loop = item.loop.location
    src = Source.of(project, loop.path)
    if src is None or not all(part.isidentifier() for part in receiver.split(".")):
        return None
    if src.line(loop.line)[:loop.column - 1].strip() or not src.line(loop.line)[loop.column - 1:].startswith(("for", "async")):
        return None
    indent = src.indent(loop.line)
    end = len(src.line(loop.end_line)) + 1
    return fix(UNSAFE, f"Call `{receiver}.eval()` before the evaluation loop and `{receiver}.train()` after it",
               [src.insert(loop.line, 1, f"{indent}{receiver}.eval()\n"),
                src.insert(loop.end_line, end, f"\n{indent}{receiver}.train()")])
