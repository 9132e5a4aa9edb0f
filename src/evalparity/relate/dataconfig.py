"""Pipelines and loaders declared in YAML or JSON files (the facts: discovery/dataconfig.py), as the same
`RoledPipeline`s, `Pair`s and `RoledLoader`s the Python extractor's facts give, so every rule applies unchanged.

- Hydra / OmegaConf: a `_target_` Compose (`torchvision.transforms.Compose`, `albumentations.Compose`, any class
  the knowledge base calls a compose) with its `transforms:` list (or `_args_: [[...]]`); a list of `_target_`
  entries of which at least one is a transform the knowledge base knows (`train_transforms: [...]`, a project
  wrapper's `transforms:`); a single known transform at the top of a file or under a transform key
  (`configs/data/transforms/test.yaml` holding one `Normalize`). Each entry is a step named by its `_target_`
  with its other keys as keyword arguments (`_args_` positional); a project class is an opaque step, as usual.
  An interpolation (`${data.size}`) is an unknown value, never a mismatch.
- albumentations' serialised pipelines (`A.save`): a `__class_fullname__` Compose and its `transforms`; short
  names (`HorizontalFlip`) and 1.x module paths (`albumentations.augmentations.transforms.HorizontalFlip`)
  are albumentations classes; `always_apply: true` means applied every time (p = 1).
- Loaders: a `_target_: torch.utils.data.DataLoader` mapping with its written settings (anything not
  written is unknown: another configuration or the command line may set it).

Roles come from the nearest key that names one (`train`, `val_transforms`, `validation`, `test_dataloader`),
or from the dataset the pipeline is given to (`_target_: torchvision.datasets.CIFAR10` with `train: false`,
`split: val`); a pipeline that is a file's whole content (`configs/data/transforms/train.yaml`,
`augs/val.json`) takes the role of the file's name, or of its folder's. When nothing names a role, nothing is
said. Pairs: within one file, and among the files of one folder; a training pipeline pairs with the evaluation
pipelines written at the same place with the role word taken out (`data.train.transform` with
`data.val.transform`, `train_224.yaml` with `test_224.yaml`), or with every evaluation pipeline of the file or
folder when it is the only training one there.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from evalparity.facts import (
    EVAL,
    TRAIN,
    UNKNOWN,
    Arg,
    CfgNode,
    Evidence,
    LoaderUse,
    Location,
    Pipeline,
    Sampler,
    Step,
    Value,
)
from evalparity.relate.project import Project
from evalparity.relate.roles import RoledPipeline, decide
from evalparity.vocabulary.call_names import TORCH_SAMPLERS
from evalparity.vocabulary.knowledge import KnowledgeBase, TransformInfo
from evalparity.vocabulary.naming import is_tta, mixed_roles, role_of_name, role_of_string, role_words, words

W_KEY = 3.0  # a key that names the role, the dataset's split, the file's name: each decisive alone
LOADERS = ("torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader")
LOADER_SETTINGS = ("batch_size", "shuffle", "num_workers", "drop_last", "pin_memory", "persistent_workers")
COMPOSES = ("Compose", "ReplayCompose", "SequentialCompose")
CONTAINER_WORDS = frozenset({"transform", "transforms", "tf", "tfs", "aug", "augs", "augment", "augmentation",
                             "augmentations", "pipeline", "preprocess", "preprocessing", "processing", "base"})
HYDRA_KEYS = frozenset({"_target_", "_args_", "_recursive_", "_convert_", "_partial_"})
ALBUMENTATIONS_KEYS = frozenset({"__class_fullname__", "always_apply", "id", "params", "applied"})


@dataclass
class _Found:
    pipeline: Pipeline
    trails: list  # each ((key, node), ...) from the document down to the pipeline: several for a YAML alias
    file_level: bool


class _Reader:
    def __init__(self, path: str, kb: KnowledgeBase) -> None:
        self.path = path
        self.kb = kb
        self.found: list[_Found] = []
        self.loaders: list[LoaderUse] = []
        self.seen: dict[int, _Found] = {}
        self.root: CfgNode | None = None  # the document being read (interpolations are resolved in it)

    # the tree ------------------------------------------------------------------------------------------
    def walk(self, node: CfgNode, trail: tuple, depth: int = 0) -> None:
        if depth > 60:
            return
        if node.kind == "dict":
            items = dict(node.items)
            target = _text(items.get("_target_"))
            fullname = _text(items.get("__class_fullname__"))
            if target in LOADERS:
                self.loader(node, items, trail)
            if target is not None:
                info = self.kb.lookup(target)
                listed = _children_list(items, info)
                if listed is not None and (target.rpartition(".")[2] in COMPOSES or
                                           (info is not None and info.kind == "compose")):
                    self.add(node, listed.items, trail, target)
                    return
                if info is not None and info.kind not in ("compose", "wrapper", "factory") and \
                        self._alone(trail) and not _inside_pipeline(trail):
                    self.add(node, (node,), trail, None)
                    return
            if fullname is not None and fullname.rpartition(".")[2] in COMPOSES:
                listed = items.get("transforms")
                if listed is not None and listed.kind == "list":
                    self.add(node, listed.items, trail, _albumentations(fullname))
                    return
            for key, value in node.items:
                self.walk(value, trail + ((key, node),), depth + 1)
            return
        if node.kind == "list":
            if node.items and all(item.kind == "dict" for item in node.items) and \
                    any(self._known(dict(item.items)) for item in node.items):
                self.add(node, node.items, trail, None)
                return
            for item in node.items:
                self.walk(item, trail + ((None, node),), depth + 1)

    def _known(self, items: dict) -> bool:
        target = _text(items.get("_target_"))
        if target is not None:
            info = self.kb.lookup(target)
            return info is not None and info.kind != "compose"
        return False

    def _alone(self, trail: tuple) -> bool:
        """At the top of the document, or under a key that names a transform (`transform:`, `train_tf:`)."""
        if not trail:
            return True
        key = trail[-1][0]
        return key is not None and any(w in CONTAINER_WORDS for w in words(key))

    # pipelines --------------------------------------------------------------------------------------------
    def add(self, node: CfgNode, entries: tuple, trail: tuple, compose: str | None) -> None:
        known = self.seen.get(id(node))
        if known is not None:  # `val: *train_pipeline`: one pipeline, the evidence of every place it is used
            known.trails.append(trail)
            return
        steps = tuple(self.step(entry) for entry in entries)
        where = node.location
        keys = [k for k, _ in trail if k is not None]
        file_level = all(k is None or all(w in CONTAINER_WORDS for w in words(k)) for k, _ in trail)
        # named by its keys, or by the file when it is the file's whole content (`augs/val.yaml`)
        binding = posixpath.basename(self.path) if file_level else _dotted(trail)
        pipeline = Pipeline(f"data:{where.path}:{where.line}:{where.column}", where.path, where, steps, "<module>",
                            binding=binding, complete=all(s.qualname is not None for s in steps), origin="config",
                            tta=any(is_tta(k) for k in keys))
        self.seen[id(node)] = found = _Found(pipeline, [trail], file_level)
        self.found.append(found)

    def step(self, node: CfgNode) -> Step:
        if node.kind != "dict":  # an interpolation (`${lambda_fn:...}`), a string: opaque
            return Step(None, "?", (), node.location)
        items = dict(node.items)
        target = _text(items.get("_target_"))
        fullname = _text(items.get("__class_fullname__"))
        if target is not None and "_partial_" not in items:
            qualname, skip = target, HYDRA_KEYS
        elif fullname is not None:
            qualname, skip = _albumentations(fullname), ALBUMENTATIONS_KEYS
        else:
            return Step(None, "?", (), node.location)
        info = self.kb.lookup(qualname)
        children_name = info.children.name if info is not None and info.children is not None else "transforms"
        args: list[Arg] = []
        children: tuple[Step, ...] = ()
        positional = items.get("_args_") if target is not None else None
        if positional is not None and positional.kind == "list" and children_name == "args" and \
                info is not None and info.kind in ("compose", "wrapper"):
            children = tuple(self.step(item) for item in positional.items)  # kornia: the children are *args
            positional = None
        if positional is not None:
            if positional.kind != "list":
                return Step(None, qualname.rpartition(".")[2], (), node.location)
            for index, value in enumerate(positional.items):
                name = info.params[index] if info is not None and index < len(info.params) else None
                if info is not None and info.kind in ("compose", "wrapper") and name == children_name \
                        and value.kind == "list":
                    children = tuple(self.step(item) for item in value.items)
                    continue
                args.append(Arg(name, index, self.value(value), value.location))
        for key, value in node.items:
            if key in skip:
                continue
            if key == children_name and value.kind == "list" and (info is None or info.kind in ("compose", "wrapper")):
                children = tuple(self.step(item) for item in value.items)
                continue
            args.append(Arg(key, None, self.value(value), value.location))
        always = items.get("always_apply") if fullname is not None or target is not None else None
        if always is not None and always.kind == "const" and always.const is True and info is not None and info.p:
            # albumentations 1.x: `always_apply=True` applies the transform whatever `p` says
            args = [a for a in args if a.name != info.p.name]
            args.append(Arg(info.p.name, None, Value("const", const=1.0, text="always_apply=True",
                                                     origin=always.location), always.location))
        return Step(qualname, qualname.rpartition(".")[2], tuple(args), node.location, children)

    def value(self, node: CfgNode) -> Value:
        """A folded value; `${a.b}` alone is the constant the same document holds at `a.b`, when it holds
        one (a resolver's `${oc.env:X}`, a relative `${..x}` or a key another file defines stay unknown)."""
        if node.kind == "unknown" and self.root is not None:
            found = _INTERPOLATED.fullmatch(node.text.strip())
            target = _lookup(self.root, found.group(1)) if found is not None else None
            if target is not None:
                value = _value(target)
                if value.is_const:
                    return Value("const", const=value.const, text=node.text, origin=target.location,
                                 source=f"`{found.group(1)}` ({target.location.short()})")
        return _value(node)

    # loaders ----------------------------------------------------------------------------------------------
    def loader(self, node: CfgNode, items: dict, trail: tuple) -> None:
        args = [Arg(key, None, self.value(items[key]), items[key].location) for key in LOADER_SETTINGS if key in items]
        samplers = tuple(_sampler(items[key], key) for key in ("sampler",) if key in items and not _none(items[key]))
        batch_samplers = tuple(_sampler(items[key], key) for key in ("batch_sampler",)
                               if key in items and not _none(items[key]))
        name = _dotted(trail) or "DataLoader"
        evidence = tuple(self.evidence(trail))
        dataset = items.get("dataset")
        self.loaders.append(LoaderUse(node.location, "", name, "<module>", torch=True, args=tuple(args), spread=True,
                                      samplers=samplers, batch_samplers=batch_samplers, evidence=evidence,
                                      dataset_location=dataset.location if dataset is not None else None))

    # roles ------------------------------------------------------------------------------------------------
    def evidence(self, trail: tuple) -> list[Evidence]:
        """The nearest key that names a role, and the split of the nearest dataset that holds the node."""
        found = []
        for key, holder in reversed(trail):
            if key is None:
                continue
            if mixed_roles(key):
                break
            role = role_of_name(key)
            if role is not None:
                # at the key's value (the key itself keeps no place of its own)
                found.append(Evidence(role, W_KEY, f"under the key `{key}`", dict(holder.items)[key].location))
                break
        for key, holder in reversed(trail):
            split = _dataset_split(holder)
            if split is not None:
                found.append(Evidence(split[0], W_KEY, split[1], split[2]))
                break
        return found


def _text(node: CfgNode | None) -> str | None:
    return node.const if node is not None and node.kind == "const" and isinstance(node.const, str) else None


def _none(node: CfgNode) -> bool:
    return node.kind == "const" and node.const is None


def _sampler(node: CfgNode, key: str) -> Sampler:
    """A loader's `sampler:`: the torch sampler class its `_target_` names, else a value not followed."""
    target = _text(dict(node.items).get("_target_")) if node.kind == "dict" else None
    short = (target or "").rpartition(".")[2]
    if target and target.startswith("torch.utils.data.") and short in TORCH_SAMPLERS:
        return Sampler(short, node.location, text=f"{short}(…)")
    return Sampler("other", node.location, text=node.text or key)


def _albumentations(fullname: str) -> str:
    return fullname if fullname.startswith("albumentations.") else f"albumentations.{fullname.rpartition('.')[2]}"


def _children_list(items: dict, info: TransformInfo | None) -> CfgNode | None:
    """A Compose's `transforms:` (or `_args_: [[...]]`); a container whose children are its positional
    arguments (kornia's `AugmentationSequential`): `_args_: [...]`."""
    listed = items.get("transforms")
    if listed is not None and listed.kind == "list":
        return listed
    positional = items.get("_args_")
    if positional is None or positional.kind != "list" or not positional.items:
        return None
    if info is not None and info.children is not None and info.children.name == "args":
        return positional
    return positional.items[0] if positional.items[0].kind == "list" else None


def _inside_pipeline(trail: tuple) -> bool:
    return any(key is None for key, _ in trail)


def _dotted(trail: tuple) -> str:
    parts = []
    for key, _ in trail:
        if key is None:
            parts.append("[]")
        else:
            parts.append(("." if parts else "") + key)
    return "".join(parts)


def _dataset_split(holder: CfgNode) -> tuple[str, str, Location] | None:
    """A dataset mapping that says its split: `train: false`, `split: val` / `subset: test`."""
    if holder.kind != "dict":
        return None
    items = dict(holder.items)
    if _text(items.get("_target_")) is None:
        return None
    train = items.get("train")
    if train is not None and train.kind == "const" and isinstance(train.const, bool):
        return (TRAIN if train.const else EVAL), f"its dataset's `train: {str(train.const).lower()}`", train.location
    for key in ("split", "subset", "image_set", "mode", "phase"):
        text = _text(items.get(key))
        if text is not None:
            role = role_of_string(text)
            if role is not None:
                return role, f"its dataset's `{key}: {text}`", items[key].location
    return None


_INTERPOLATED = re.compile(r"\$\{([A-Za-z_][\w-]*(?:\.[\w-]+)*)\}")


def _lookup(root: CfgNode, dotted: str) -> CfgNode | None:
    node = root
    for part in dotted.split("."):
        if node.kind == "dict":
            node = dict(node.items).get(part)
        elif node.kind == "list" and part.isdigit() and int(part) < len(node.items):
            node = node.items[int(part)]
        else:
            return None
        if node is None:
            return None
    return node


def _value(node: CfgNode) -> Value:
    if node.kind == "const":
        return Value("const", const=node.const, text=node.text or repr(node.const), origin=node.location)
    const = constant(node)
    if const is not NOT_CONSTANT:
        return Value("const", const=const, text=_shown(node), origin=node.location)
    return Value("unknown", text=node.text or node.kind)


NOT_CONSTANT = object()


def constant(node: CfgNode):
    """A constant, or a (nested) list of constants as tuples; `NOT_CONSTANT` otherwise (Hydra/JSON and OpenMMLab
    configuration trees alike)."""
    if node.kind == "const":
        return node.const
    if node.kind == "list":
        items = tuple(constant(item) for item in node.items)
        return NOT_CONSTANT if any(item is NOT_CONSTANT for item in items) else items
    return NOT_CONSTANT


def _shown(node: CfgNode) -> str:
    if node.kind == "list":
        return "[" + ", ".join(_shown(item) for item in node.items) + "]"
    if node.kind == "const" and isinstance(node.const, str):
        return node.const
    return node.text or "…"


def _stem(path: str) -> str:
    return posixpath.basename(path).rpartition(".")[0]


def _without_roles(name: str) -> tuple[str, ...]:
    train, evaluation = role_words()
    return tuple(w for w in words(name) if w not in train and w not in evaluation)


@dataclass
class DataItems:
    roled: list[RoledPipeline] = field(default_factory=list)
    pairs: list = field(default_factory=list)  # relate.pairing.Pair
    loaders: list = field(default_factory=list)  # relate.loader_roles.RoledLoader
    paths: set[str] = field(default_factory=set)


def data_items(project: Project, kb: KnowledgeBase) -> DataItems:
    from evalparity.relate.loader_roles import RoledLoader

    items = DataItems()
    by_scope: dict[tuple, list[tuple[RoledPipeline, tuple]]] = {}  # (file or folder) → (item, place signature)
    for path, facts in list(project.files.items()):
        if not facts.declared:
            continue
        items.paths.add(path)
        reader = _Reader(path, kb)
        for document in facts.declared:
            reader.root = document
            reader.walk(document, ())
        for found in reader.found:
            evidence = [e for trail in found.trails for e in reader.evidence(trail)]
            if not evidence and found.file_level:
                evidence = _file_evidence(path)
            role = decide(evidence)
            item = RoledPipeline(found.pipeline, role=role, definition_role=role, evidence=evidence, shared=True)
            items.roled.append(item)
            if role == UNKNOWN:
                continue
            if found.file_level and not any(e.reason.startswith("under the key") for e in evidence):
                scope = ("folder", posixpath.dirname(path))
                signature = _without_roles(_stem(path))
            else:
                scope = ("file", path)
                signature = tuple(w for k, _ in found.trails[0] if k is not None for w in _without_roles(k))
            by_scope.setdefault(scope, []).append((item, signature))
        for loader in reader.loaders:
            item = RoledLoader(path, loader, evidence=list(loader.evidence))
            item.role = decide(item.evidence)
            items.loaders.append(item)
    items.pairs = _pairs(by_scope)
    return items


def _file_evidence(path: str) -> list[Evidence]:
    """A pipeline that is the file's whole content: the role of the file's name, else of its folder's."""
    where = Location(path, 1, 1, 1, 1)
    stem = _stem(path)
    if mixed_roles(stem):
        return []
    role = role_of_name(stem)
    if role is not None:
        return [Evidence(role, W_KEY, f"the file's name `{posixpath.basename(path)}`", where)]
    folder = posixpath.basename(posixpath.dirname(path))
    role = role_of_name(folder) if folder and not mixed_roles(folder) else None
    if role is not None:
        return [Evidence(role, W_KEY, f"the folder's name `{folder}`", where)]
    return []


def _pairs(by_scope: dict) -> list:
    from evalparity.relate.pairing import Pair

    pairs = []
    for (kind, _), members in by_scope.items():
        trains = [(item, sig) for item, sig in members if item.role == TRAIN]
        evals = [(item, sig) for item, sig in members if item.role == EVAL]
        reason = "same configuration file" if kind == "file" else "configuration files of one folder"
        for evaluation, signature in evals:
            same = [item for item, sig in trains if sig == signature]
            if len(same) == 1:  # several (`datasets: [...]` of each split): which goes with which is not known
                pairs.append(Pair(same[0], evaluation, reason))
    return pairs
