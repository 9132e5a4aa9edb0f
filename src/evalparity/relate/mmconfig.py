"""OpenMMLab-style configuration files as pipelines and loaders (the facts: discovery/mmconfig.py).

Each configuration's `_base_` chain is resolved within the repository (paths relative to the file; a base
that nothing extracted is read here, with CPython's parser) and merged the way mmengine merges: a child's
dict into its base's key by key, a list (or anything else) replacing, `_delete_=True` replacing. References
to base variables (`_base_.train_pipeline`, `{{_base_.x}}`, a name the file does not define) are resolved
against the merged bases. From the effective configuration:

- pipelines: each list under a loader's dataset (`train_dataloader.dataset.pipeline`, through wrapper
  datasets' `dataset=` / `datasets=`; old-style `data.train.pipeline`), with the loader's role, and each
  module-level `*_pipeline` list, with the role its name gives (`train_pipeline`, `test_pipeline`);
- pairs: within one configuration, the evaluation pipelines with the training loader's (or the
  `train_pipeline` variable's) pipeline;
- loaders: `train_dataloader`, `val_dataloader`, `test_dataloader` as torch DataLoaders whose `shuffle` is
  their `DefaultSampler`'s or `InfiniteSampler`'s (`shuffle=True` by default in mmengine); another sampler
  leaves it unknown.

A pipeline or loader written once in a base and inherited by a hundred children is one item: items are
keyed by where their text is written and what it holds, so a finding on a base is reported at the base's
line once. Steps are named `openmmlab.<type>` (`openmmlab.mmdet.Resize` for a scoped type) and looked up in
rules/knowledge/transforms/openmmlab.yaml; a type the knowledge base does not know is opaque, as usual.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from evalparity.discovery.mmconfig import OPENMMLAB_PACKAGES, merge, read_config
from evalparity.discovery.paths import FileError, read_source
from evalparity.facts import EVAL, TRAIN, UNKNOWN, Arg, CfgNode, ConfigFile, Evidence, LoaderUse, Pipeline, Step, Value
from evalparity.relate.dataconfig import NOT_CONSTANT, constant, data_items
from evalparity.relate.project import Project
from evalparity.relate.roles import RoledPipeline, decide
from evalparity.vocabulary.knowledge import default_knowledge
from evalparity.vocabulary.naming import is_tta, role_of_name

MAX_DEPTH = 12  # `_base_` hops
LIBRARY = "openmmlab"
LOADERS = (("train_dataloader", TRAIN), ("val_dataloader", EVAL), ("test_dataloader", EVAL))
OLD_SPLITS = (("train", TRAIN), ("val", EVAL), ("test", EVAL))
SHUFFLING_SAMPLERS = ("DefaultSampler", "InfiniteSampler")  # mmengine: shuffle=True unless told otherwise
LOADER_SETTINGS = ("batch_size", "num_workers", "drop_last", "pin_memory", "persistent_workers")
TTA_TYPES = ("TestTimeAug", "MultiScaleFlipAug", "MultiScaleFlipAug3D")
ALBUMENTATIONS_WRAPPERS = ("Albu", "Albumentations", "Albumentation")  # their `transforms` name albumentations classes
W_LOADER, W_NAME = 3.0, 2.0


@dataclass
class Effective:
    variables: dict[str, CfgNode]
    names: dict[tuple, str] = field(default_factory=dict)  # where a list is written → the variable it is bound to


@dataclass
class ConfigItems:
    roled: list[RoledPipeline] = field(default_factory=list)
    pairs: list = field(default_factory=list)  # relate.pairing.Pair
    loaders: list = field(default_factory=list)  # relate.loader_roles.RoledLoader
    paths: set[str] = field(default_factory=set)  # configuration files


def _key(location) -> tuple:
    return (location.path, location.line, location.column)


class _Resolver:
    def __init__(self, project: Project) -> None:
        self.project = project
        self._read: dict[str, ConfigFile | None] = {}
        self._effective: dict[str, Effective | None] = {}

    def config(self, path: str) -> ConfigFile | None:
        facts = self.project.files.get(path)
        if facts is not None and facts.config is not None:
            return facts.config
        if path not in self._read:
            data = read_source(Path(path)) if os.path.isfile(path) else None
            self._read[path] = None if data is None or isinstance(data, FileError) else read_config(path, data, base=True)
        return self._read[path]

    def effective(self, path: str, depth: int = 0) -> Effective | None:
        if path in self._effective:
            return self._effective[path]
        self._effective[path] = None  # a cycle resolves to nothing
        config = self.config(path)
        if config is None or config.opaque or depth > MAX_DEPTH:
            return None
        merged: dict[str, CfgNode] = {}
        names: dict[tuple, str] = {}
        for written in config.bases:
            base = _base_path(path, written)
            found = self.effective(base, depth + 1) if base is not None else None
            if found is None:
                continue  # not in the repository (`mmdet::…`, an installed package): its variables stay unknown
            merged.update(found.variables)
            names.update(found.names)
        base_view = dict(merged)
        for name, node in config.variables:
            node = _resolve_refs(node, base_view)
            if config.lazy and name in merged and node.kind == "dict" and merged[name].kind == "dict":
                node = CfgNode("unknown", node.location, text=name)  # new-style redefinition: not modelled
            merged[name] = node if config.lazy else merge(merged.get(name), node)
            if node.kind == "list":
                names.setdefault(_key(node.location), name)
        result = Effective(merged, names)
        self._effective[path] = result
        return result


def _base_path(path: str, written: str) -> str | None:
    if "::" in written or written.startswith("<"):
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), written))
    return joined if not joined.startswith("../") or os.path.isfile(joined) else None


def _lookup(variables: dict[str, CfgNode], dotted: str) -> CfgNode | None:
    head, *rest = dotted.split(".")
    node = variables.get(head)
    for part in rest:
        if node is None:
            return None
        if node.kind == "dict":
            node = dict(node.items).get(part)
        elif node.kind == "list" and part.lstrip("-").isdigit() and -len(node.items) <= int(part) < len(node.items):
            node = node.items[int(part)]
        else:
            return None
    return node


def _resolve_refs(node: CfgNode, base: dict[str, CfgNode]) -> CfgNode:
    if node.kind == "ref":
        found = _lookup(base, node.text)
        return found if found is not None else CfgNode("unknown", node.location, text=f"_base_.{node.text}")
    if not node.refs:
        return node
    if node.kind == "dict":
        items = tuple((k, _resolve_refs(v, base)) for k, v in node.items)
        return CfgNode("dict", node.location, items, delete=node.delete)
    if node.kind == "list":
        items = tuple(_resolve_refs(v, base) for v in node.items)
        return CfgNode("list", node.location, items, text=node.text)
    return node


# pipelines ----------------------------------------------------------------------------------------------
def _type_name(node: CfgNode | None) -> str | None:
    """`'RandomFlip'`, `'mmdet.Resize'` (a registry scope), or a class a new-style config imports."""
    if node is None:
        return None
    if node.kind == "const" and isinstance(node.const, str):
        return node.const
    if node.kind == "cls":
        return node.text
    return None


def _qualname(type_name: str) -> str:
    if "." not in type_name:
        return f"{LIBRARY}.{type_name}"
    head = type_name.partition(".")[0]
    if head in OPENMMLAB_PACKAGES:
        if type_name.count(".") == 1:  # a registry scope: `mmdet.Resize`
            return f"{LIBRARY}.{type_name}"
        return f"{LIBRARY}.{type_name.rpartition('.')[2]}"  # an imported class: `mmpretrain.datasets.RandomFlip`
    return type_name  # a project's own class


def value_of(node: CfgNode) -> Value:
    if node.kind == "const":
        return Value("const", const=node.const, text=node.text or repr(node.const), origin=node.location)
    const = constant(node)
    if const is not NOT_CONSTANT:
        return Value("const", const=const, text=node.text, origin=node.location)
    if node.kind == "cls":
        return Value("unknown", text=node.text)
    return Value("unknown", text=node.text or node.kind)


def _step(node: CfgNode, library: str | None = None) -> tuple[Step, bool]:
    """One entry of a pipeline list and whether it is test-time augmentation. `library`: the entries are
    another library's transforms, by name (`Albu(transforms=[dict(type='ShiftScaleRotate')])`)."""
    if node.kind != "dict":
        return Step(None, node.text or "?", (), node.location), False
    items = dict(node.items)
    type_name = _type_name(items.get("type"))
    if type_name is None:
        return Step(None, "?", (), node.location), False
    short = type_name.rpartition(".")[2]
    if library is not None:
        args = tuple(Arg(k, None, value_of(v), v.location) for k, v in node.items if k != "type")
        return Step(f"{library}.{short}", short, args, node.location), False
    inner_library = "albumentations" if short in ALBUMENTATIONS_WRAPPERS else None
    tta = short in TTA_TYPES
    args, children = [], []
    for key, value in node.items:
        if key == "type":
            continue
        if key == "transforms" and value.kind == "list":
            nested = any(item.kind == "list" for item in value.items)
            if short == "TestTimeAug" or nested:
                continue  # alternatives, one pass each: not a sequence (the step is opaque in the knowledge base)
            for item in value.items:
                child, inner_tta = _step(item, inner_library)
                children.append(child)
                tta = tta or inner_tta
            continue
        args.append(Arg(key, None, value_of(value), value.location))
    return Step(_qualname(type_name), short, tuple(args), node.location, tuple(children)), tta


@dataclass
class _Found:
    pipeline: Pipeline
    evidence: list[Evidence]
    node: CfgNode  # kept alive: its id is part of the key


class _Builder:
    def __init__(self) -> None:
        self.pipelines: dict[tuple, _Found] = {}
        self.written: dict[tuple, int] = {}
        self.pairs: dict[tuple, tuple] = {}
        self.loaders: dict[tuple, tuple] = {}

    def pipeline(self, node: CfgNode, name: str, evidence: Evidence) -> tuple | None:
        if node.kind != "list" or not node.items:
            return None
        # an inherited list is the same object in every child that does not change it (the resolver reads each
        # file once); a list whose references resolve differently in two children is two objects
        key = (_key(node.location), id(node))
        found = self.pipelines.get(key)
        if found is None:
            steps, tta = [], False
            for item in node.items:
                step, inner = _step(item)
                steps.append(step)
                tta = tta or inner
            complete = all(step.qualname is not None for step in steps)
            where = node.location
            # the n-th distinct list written there, in the order configurations are read (discovery order)
            count = self.written[_key(where)] = self.written.get(_key(where), 0) + 1
            pipeline = Pipeline(f"cfg:{where.path}:{where.line}:{where.column}#{count}", where.path,
                                where, tuple(steps), "<module>", binding=name, complete=complete, origin="config",
                                tta=tta or is_tta(name))
            found = self.pipelines[key] = _Found(pipeline, [], node)
        if not any((e.role, e.reason) == (evidence.role, evidence.reason) for e in found.evidence):
            found.evidence.append(evidence)  # once per reason, not once per child configuration
        return key


def _dataset_pipelines(node: CfgNode | None, depth: int = 0) -> list[tuple[int, CfgNode]]:
    """The `pipeline` lists of a dataset and of the datasets it wraps, with their depth."""
    if node is None or node.kind != "dict" or depth > 4:
        return []
    items = dict(node.items)
    found = []
    if items.get("pipeline") is not None and items["pipeline"].kind == "list":
        found.append((depth, items["pipeline"]))
    inner = items.get("dataset")
    found += _dataset_pipelines(inner, depth + 1)
    many = items.get("datasets")
    if many is not None and many.kind == "list":
        for item in many.items:
            found += _dataset_pipelines(item, depth + 1)
    return found


def _loader(name: str, node: CfgNode, role: str, against: Evidence | None = None) -> LoaderUse | None:
    if node.kind != "dict":
        return None
    items = dict(node.items)
    args = [Arg(key, None, value_of(items[key]), items[key].location) for key in LOADER_SETTINGS if key in items]
    sampler = items.get("sampler")
    sampler_items = dict(sampler.items) if sampler is not None and sampler.kind == "dict" else {}
    kind = (_type_name(sampler_items.get("type")) or "").rpartition(".")[2]
    spread = True
    if kind in SHUFFLING_SAMPLERS and "batch_sampler" not in items:
        shuffle = sampler_items.get("shuffle")
        if shuffle is not None:
            args.append(Arg("shuffle", None, value_of(shuffle), shuffle.location))
        else:
            args.append(Arg("shuffle", None, Value("const", const=True, text=f"{kind}'s default shuffle=True",
                                                   origin=sampler.location,
                                                   source=f"mmengine's `{kind}`, which shuffles unless told "
                                                          "`shuffle=False`"), sampler.location))
        spread = False
    evidence = (Evidence(role, W_LOADER, f"`{name}` of the configuration", node.location),) + \
        ((against,) if against is not None else ())
    return LoaderUse(node.location, "", name, "<module>", torch=True, args=tuple(args), spread=spread,
                     evidence=evidence)


def _items(resolver: _Resolver, path: str, builder: _Builder) -> None:
    effective = resolver.effective(path)
    if effective is None:
        return
    variables = effective.variables
    main: dict[str, list] = {TRAIN: [], EVAL: []}  # the loaders' outermost pipelines

    def add(node, name, role, reason, where, weight, primary):
        key = builder.pipeline(node, name, Evidence(role, weight, reason, where))
        if key is not None and primary:
            main[role].append(key)

    for name, role in LOADERS:
        node = variables.get(name)
        if node is None or node.kind != "dict":
            continue
        found = _dataset_pipelines(dict(node.items).get("dataset"))
        shallowest = min((d for d, _ in found), default=None)
        against = None
        for depth, listed in found:
            binding = effective.names.get(_key(listed.location), f"{name}.dataset.pipeline")
            if role_of_name(binding) not in (None, role):
                # `train_dataloader` fed `test_pipeline` (an evaluation-only configuration's placeholder):
                # neither the loader's role nor the pipeline's is certain
                against = against or Evidence(role_of_name(binding), W_LOADER, f"its dataset's pipeline is `{binding}`",
                                              listed.location)
                continue
            add(listed, binding, role, f"the pipeline of `{name}`", node.location, W_LOADER, depth == shallowest)
        loader = _loader(name, node, role, against)
        if loader is not None:
            settings = tuple((a.name, a.value.kind, a.value.text, _key(a.location)) for a in loader.args)
            builder.loaders.setdefault((_key(node.location), settings, loader.spread), (path, loader, role))
    data = variables.get("data")
    if data is not None and data.kind == "dict":
        splits = dict(data.items)
        for split, role in OLD_SPLITS:
            found = _dataset_pipelines(splits.get(split))
            shallowest = min((d for d, _ in found), default=None)
            for depth, listed in found:
                binding = effective.names.get(_key(listed.location), f"data.{split}.pipeline")
                if role_of_name(binding) not in (None, role):
                    continue
                add(listed, binding, role, f"the pipeline of `data.{split}`", splits[split].location, W_LOADER,
                    depth == shallowest)
    for name, node in variables.items():
        if not name.endswith("_pipeline") or node.kind != "list":
            continue
        role = role_of_name(name)
        if role is None:
            continue
        add(node, name, role, f"named `{name}`", node.location, W_NAME, not main[role] and name in (
            "train_pipeline", "test_pipeline", "val_pipeline"))
    trains = list(dict.fromkeys(main[TRAIN]))
    if len(trains) == 1:
        for key in dict.fromkeys(main[EVAL]):
            builder.pairs.setdefault((trains[0], key), path)


def _build(project: Project) -> ConfigItems:
    from evalparity.relate.loader_roles import RoledLoader
    from evalparity.relate.pairing import Pair

    resolver = _Resolver(project)
    builder = _Builder()
    items = ConfigItems()
    for path, facts in list(project.files.items()):
        if facts.config is None:
            continue
        items.paths.add(path)
        _items(resolver, path, builder)
    roled: dict[tuple, RoledPipeline] = {}
    for key, found in builder.pipelines.items():
        item = RoledPipeline(found.pipeline, definition_role=decide(found.evidence), evidence=list(found.evidence),
                             shared=True)
        item.role = decide(item.evidence)
        roled[key] = item
        items.roled.append(item)
    for (train, evaluation), path in builder.pairs.items():
        if roled[train].role == TRAIN and roled[evaluation].role == EVAL:
            sides = {roled[train].pipeline.path, roled[evaluation].pipeline.path}
            reason = "same configuration" if sides == {path} else f"configuration {path} with its bases"
            items.pairs.append(Pair(roled[train], roled[evaluation], reason))
    items.paths.update(path for path, found in resolver._effective.items() if found is not None)
    for path, loader, role in builder.loaders.values():
        item = RoledLoader(loader.location.path, loader, evidence=list(loader.evidence))
        item.role = decide(item.evidence) if role != UNKNOWN else UNKNOWN
        items.loaders.append(item)
    # pipelines and loaders declared in YAML or JSON files (Hydra `_target_`, albumentations' serialised form)
    declared = data_items(project, project.kb or default_knowledge())
    items.roled += declared.roled
    items.pairs += declared.pairs
    items.loaders += declared.loaders
    items.paths |= declared.paths
    return items


def config_items(project: Project) -> ConfigItems:
    return project.derived(_build)
