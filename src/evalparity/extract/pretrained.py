"""Models built with pretrained weights (EP211): `torchvision.models.resnet50(weights=…)` or `pretrained=True`,
`timm.create_model(name, pretrained=True)` and timm's model functions, `open_clip.create_model*(name,
pretrained=tag)`, `clip.load(name)`. Each becomes a `PretrainedUse` with the weights as written; whether the
knowledge base knows them is decided in relate/pretrained.py. A model trained from scratch (`weights=None`,
`pretrained=False`, timm's default) gives nothing; a name or a flag computed at run time gives a use whose
model is "" or whose weights are "?", so that the project is known to hold a model nothing can be said of."""

from __future__ import annotations

import re

import libcst as cst

from evalparity.extract.collector import Collected
from evalparity.extract.scopes import qualified_name
from evalparity.facts import PretrainedUse, Value

TIMM_CREATE = frozenset({"timm.create_model", "timm.models.create_model", "timm.models._factory.create_model",
                         "timm.models.factory.create_model"})
OPEN_CLIP_CREATE = frozenset({"open_clip.create_model", "open_clip.create_model_and_transforms",
                              "open_clip.create_model_from_pretrained", "open_clip.factory.create_model",
                              "open_clip.factory.create_model_and_transforms",
                              "open_clip.factory.create_model_from_pretrained"})
CLIP_LOAD = frozenset({"clip.load", "clip.clip.load"})
HUB_PREFIXES = ("hf-hub:timm/", "hf_hub:timm/", "timm/")
UNKNOWN = "?"


def _argument(call: cst.Call, keyword: str, position: int | None) -> cst.BaseExpression | None:
    for index, arg in enumerate(call.args):
        if arg.star:
            return None
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
        if arg.keyword is None and index == position:
            return arg.value
    return None


def _spread(call: cst.Call) -> bool:
    return any(arg.star for arg in call.args)


def _weights(value: Value) -> str | None:
    """torchvision's `weights=` as written: `Enum.MEMBER`, `MEMBER` (a string) or None (`weights=None`)."""
    if value.is_const:
        if value.const is None:
            return None
        return value.const if isinstance(value.const, str) else UNKNOWN
    if value.kind == "ref":
        parts = value.key.split(".")
        if len(parts) >= 2 and parts[-2].endswith(("Weights", "QuantizedWeights")):
            return f"{parts[-2]}.{parts[-1]}"
    return UNKNOWN


def _flag(value: Value | None) -> str | None:
    """`pretrained=True` → "yes", `False`/`None` → None (from scratch), anything else "?"."""
    if value is None:
        return None
    if value.is_const:
        return "yes" if value.const is True else (None if value.const in (False, None, 0) else UNKNOWN)
    return UNKNOWN


def _name(value: Value | None) -> str:
    if value is not None and value.is_const and isinstance(value.const, str):
        return value.const
    return ""


def _class_constant(expr: cst.BaseExpression | None, data: Collected, source: str) -> str:
    """`CFG.model_name` where `CFG` is the one class of that name in the module, whose body assigns
    `model_name = "…"` once, and the file never assigns `CFG.model_name` or rebinds `CFG` elsewhere (the
    configuration class of a notebook or a single-file training script); "" otherwise."""
    if not (isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name)) or not source:
        return ""
    owner, attr = expr.value.value, expr.attr.value
    classes = [c for c, _ in data.classes if c.name.value == owner]
    if len(classes) != 1 or len(data.module_scope.lookup(owner) or []) != 1:
        return ""
    values = []
    for statement in classes[0].body.body:
        for small in getattr(statement, "body", ()) if isinstance(statement, cst.SimpleStatementLine) else ():
            targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else \
                [small.target] if isinstance(small, cst.AnnAssign) else []
            if any(isinstance(t, cst.Name) and t.value == attr for t in targets):
                values.append(small.value)
    if len(values) != 1 or not isinstance(values[0], cst.SimpleString):
        return ""
    written = re.compile(rf"\b{re.escape(owner)}\s*\.\s*{re.escape(attr)}\s*(=(?!=)|[-+*/|]=)|setattr\(\s*{re.escape(owner)}\b")
    if written.search(source):
        return ""
    value = values[0].evaluated_value
    return value if isinstance(value, str) else ""


def pretrained_uses(path: str, data: Collected, folder, text, loc, source: str = "") -> list[PretrainedUse]:
    found = []
    for site in data.pretrained_calls:
        call, scope = site.node, site.scope
        qualname = qualified_name(scope, call.func)
        if not qualname:
            continue

        def fold(expr):
            return folder.fold(expr, scope) if expr is not None else None

        library = model = weights = None
        if qualname.startswith("torchvision.models.") and not qualname.endswith(("get_model", "get_weight")):
            library, model = "torchvision", qualname
            given = _argument(call, "weights", None)
            if given is not None:
                weights = _weights(fold(given))
            else:
                flag = _flag(fold(_argument(call, "pretrained", None)))
                weights = "legacy" if flag == "yes" else flag
            if weights is None and _spread(call):
                weights = UNKNOWN
        elif qualname in TIMM_CREATE:
            library = "timm"
            given = _argument(call, "model_name", 0)
            model = _name(fold(given)) or _class_constant(given, data, source)
            weights = _flag(fold(_argument(call, "pretrained", 1)))
            if _argument(call, "pretrained_cfg", None) is not None:
                model = ""
            if weights is None and _spread(call):
                weights = UNKNOWN
            weights = "" if weights == "yes" else weights
        elif qualname.startswith("timm.models.") and qualname.count(".") >= 2:
            library, model = "timm", qualname.rpartition(".")[2]
            weights = _flag(fold(_argument(call, "pretrained", 0)))
            weights = "" if weights == "yes" else weights
        elif qualname in OPEN_CLIP_CREATE:
            library = "open_clip"
            model = _name(fold(_argument(call, "model_name", 0)))
            tag = fold(_argument(call, "pretrained", 1))
            if tag is None or (tag.is_const and tag.const is None):
                weights = None
            else:
                weights = tag.const if tag.is_const and isinstance(tag.const, str) else UNKNOWN
        elif qualname in CLIP_LOAD:
            library, weights = "clip", "openai"
            model = _name(fold(_argument(call, "name", 0)))
        if library is None or weights is None:
            continue
        for prefix in HUB_PREFIXES:
            if library == "timm" and model.startswith(prefix):
                model = model[len(prefix):]
        if library == "timm" and ":" in model:
            model = ""  # another hub's or a local file's weights
        context = data.contexts.get(id(call))
        binding = None
        if context is not None and context.kind == "assign":
            binding = f"self.{context.name}" if context.attr else context.name
        elif context is not None and context.kind == "unpack" and context.names:
            binding = context.names[0] or None
        found.append(PretrainedUse(loc(call), library, model, weights, binding, scope.qualname, text(call)[:120]))
    return found
