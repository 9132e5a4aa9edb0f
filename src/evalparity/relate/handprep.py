"""Inference and demo scripts that prepare inputs by hand (`extract/handprep.py`): each chain that feeds a
model in an inference script is an evaluation pipeline, paired with the project's training pipeline for the
same input even when no name or import links them.

The training side is a *family*: a Dataset class that a training script constructs (its transform
pipelines and the images its methods read by hand), or a training pipeline given to a library dataset.
A chain is paired with the family whose training script builds the same model class, else with the only
family the project has; with several and no link, nothing is said (precision first). Each family also has a
channel order when every image-like read of it agrees (PIL, imageio, skimage and torchvision datasets give
RGB; `cv2.imread` BGR unless converted), for EP304."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from evalparity.facts import EVAL, TRAIN, Evidence, HandChain, Location
from evalparity.relate.callees import reexport
from evalparity.relate.image_state import runs
from evalparity.relate.pairing import Pair
from evalparity.relate.project import MAX_HOPS, Project
from evalparity.relate.roles import RoledPipeline
from evalparity.vocabulary.mode_words import model_like, strip_wrappers
from evalparity.vocabulary.naming import unit_test_file, words

EVAL_WORDS = {"inference", "infer", "demo", "predict", "prediction", "test", "eval", "evaluate", "evaluation",
              "run", "visualize", "visualise", "detect", "webcam", "camera", "video", "single", "image"}
# what a dataset reads besides its input images: masks, labels, depth, targets
NOT_IMAGE_WORDS = {"mask", "masks", "label", "labels", "seg", "segmentation", "depth", "gt", "target", "targets",
                   "anno", "annotation", "heatmap", "trimap", "alpha", "edge", "edges", "flow", "disp", "sem", "part",
                   "lbl", "contact", "polygon", "expert", "ref", "reference", "style", "bg", "background"}


@dataclass
class Family:
    key: str
    files: set[str] = field(default_factory=set)  # where the training constructs it
    items: list[RoledPipeline] = field(default_factory=list)
    orders: dict[str, Location] = field(default_factory=dict)
    home: str | None = None  # the file that defines the Dataset class


@dataclass
class HandPair:
    train: RoledPipeline | None  # None: the family's channel order is known, not one pipeline to compare
    eval: RoledPipeline
    reason: str
    train_order: str | None
    train_where: Location | None
    consumer: str  # the model the chain feeds, as the script names it

    @property
    def pair(self) -> Pair | None:
        return Pair(self.train, self.eval, self.reason) if self.train is not None else None


def _image_named(name: str | None) -> bool:
    return bool(name) and not any(w in NOT_IMAGE_WORDS for w in words(name))


def _loading_first(chain: HandChain) -> int:
    """The reads of `__getitem__` and of methods that load (`load_image`) tell a family's order best; a read for
    `image_aspect_ratio` counts only when there is no other."""
    method = chain.pipeline.scope.rpartition(".")[2]
    return 0 if method == "__getitem__" or {"load", "read", "get"} & set(words(method)) else 1


def transform_named(callee: str) -> bool:
    return any(w in ("transform", "transforms", "augment", "augmentation", "aug", "augs") for w in words(callee))


def _training_file(project: Project, path: str) -> bool:
    facts = project.files.get(path)
    name = path.replace("\\", "/").rpartition("/")[2]
    return facts is not None and not unit_test_file(path) and \
        (any(fn.training for fn in facts.functions) or "train" in words(name.removesuffix(".py")))


def order_of(item: RoledPipeline, kb):
    """(the channel order at the end of a chain, the step that set it), or (None, None). Every way through its
    conditional steps must end in the same order (`if gray: img = gray2rgb(img)` after an RGB read does); a read
    made under a condition counts when it is made."""
    steps = item.pipeline.steps
    read = steps[0].condition if steps and item.pipeline.origin == "hand" else None  # `if path: img = imread(path)`
    if read is not None:
        steps = tuple(replace(s, condition=None) if s.condition == read else s for s in steps)
    ends = runs(steps, kb)
    orders = {transitions[-1].after.order if transitions else None for transitions in ends}
    if len(orders) != 1 or None in orders:
        return None, None
    transitions = ends[0]
    setter = next((t.step for t in reversed(transitions) if t.after.order != t.before.order), transitions[0].step)
    return transitions[-1].after.order, setter


def _order(item: RoledPipeline, kb) -> tuple[str | None, Location | None]:
    order, step = order_of(item, kb)
    return order, step.location if step is not None else None


def _chain_item(chain: HandChain, role: str, reason: str) -> RoledPipeline:
    return RoledPipeline(chain.pipeline, role=role, definition_role=role,
                         evidence=[Evidence(role, 2.0, reason, chain.consumer_location or chain.pipeline.location)])


class HandPrep:
    def __init__(self, project: Project, roled: list[RoledPipeline], kb) -> None:
        self.project, self.kb = project, kb
        self.eval_items: list[RoledPipeline] = []
        self.train_items: list[RoledPipeline] = []
        self.pairs: list[HandPair] = []
        self.order_only: set[int] = set()  # chains compared by channel order only (see _through_pipeline)
        self.models: dict[int, str] = {}
        if not any(f.hand_chains for f in project.files.values()):
            return
        self.families = self._families(roled)
        for facts in list(project.files.values()):
            for chain in facts.hand_chains:
                item = self._evaluation(facts, chain)
                if item is not None:
                    self.eval_items.append(item)
                    self._pair(facts, chain, item)

    # training families ----------------------------------------------------------------------------
    def _families(self, roled) -> dict[str, Family]:
        project = self.project
        classes: dict[str, tuple[str, str]] = {}  # class name → (path, qualname)
        for path, facts in project.files.items():
            if unit_test_file(path):
                continue
            for fn in facts.functions:
                if fn.cls and fn.name == "__getitem__":
                    classes.setdefault(fn.cls.rpartition(".")[2], (path, fn.cls))
            for chain in facts.hand_chains:  # a class whose methods read images (`__getitem__`, `load_image`)
                owner = chain.pipeline.scope.rpartition(".")[0]
                if owner and not chain.consumer.startswith(("self.model", "self.net")):
                    classes.setdefault(owner.rpartition(".")[2], (path, owner))
        families: dict[str, Family] = {}
        training = [p for p in project.files if _training_file(project, p)]
        if classes:
            pattern = re.compile(r"\b(" + "|".join(re.escape(c) for c in sorted(classes)) + r")\s*\(")
            for path in training:
                for text in project.files[path].lines:
                    for match in pattern.finditer(text):
                        if "class " in text:
                            continue
                        name = match.group(1)
                        families.setdefault(name, Family(name)).files.add(path)
        for name, family in families.items():
            path, qualname = classes[name]
            family.home = path
            for item in roled:
                if item.pipeline.path == path and item.pipeline.scope.startswith(qualname + ".") and item.role != EVAL:
                    family.items.append(item)
            for chain in sorted(project.files[path].hand_chains, key=_loading_first):
                if not chain.pipeline.scope.startswith(qualname + "."):
                    continue
                transformed = transform_named(chain.consumer)  # `self.transform(image=image)` in `__getitem__`
                if (chain.consumer == "" or transformed) and _image_named(chain.pipeline.binding):
                    item = _chain_item(chain, TRAIN, f"read by `{qualname}`, which a training script constructs")
                    order, where = _order(item, self.kb)
                    if order:
                        family.orders.setdefault(order, where)
                    if transformed:
                        continue  # its order only: the transform goes on with the image
                    self.train_items.append(item)
                    if not any(i.pipeline.origin != "hand" for i in family.items):
                        family.items.append(item)
        for item in roled:
            if item.role != TRAIN or item.pipeline.origin == "hand":
                continue
            for use in item.uses:
                callee = use.dataset.callee.rpartition(".")[2]
                if callee in classes:
                    family = families.setdefault(callee, Family(callee))
                    family.files.add(use.dataset.location.path)
                    if item not in family.items:
                        family.items.append(item)
                elif self.kb.dataset_params(use.dataset.callee) is not None or callee == "ImageFolder" or \
                        "torchvision.datasets" in use.dataset.callee:
                    family = families.setdefault(f"library:{item.id}", Family(callee))
                    family.files.add(use.dataset.location.path)
                    family.items.append(item)
                    family.orders.setdefault("RGB", use.dataset.location)
        return families

    # evaluation chains ----------------------------------------------------------------------------
    def _evaluation(self, facts, chain: HandChain) -> RoledPipeline | None:
        if not chain.consumer or unit_test_file(facts.path):
            return None
        consumer = strip_wrappers(chain.consumer)
        fn = next((f for f in facts.functions if f.qualname == chain.pipeline.scope), None)
        if fn is None or fn.training:
            return None
        if not model_like(consumer) and self._order_keeping_pipeline(facts, fn, consumer):
            return self._through_pipeline(facts, fn, chain, consumer)
        in_eval = any(m.kind == "eval" and (strip_wrappers(m.receiver) == consumer or
                                            m.receiver.startswith(consumer + "."))
                      for f in facts.functions for m in f.modes)
        loads = re.compile(rf"\b{re.escape(consumer)}(?:\.module)?\.load_state_dict\(|^\s*{re.escape(consumer)}\s*=\s*torch\.load\(")
        loaded = any(loads.search(text) for text in facts.lines)
        if not in_eval and not loaded and not model_like(consumer):
            return None
        name = facts.path.replace("\\", "/").rpartition("/")[2].removesuffix(".py")
        function = words(fn.name if fn.qualname != "<module>" else "")
        if _training_file(self.project, facts.path):
            # a training script's own prediction helper counts, not its training code
            if fn.qualname == "<module>" or not any(w in EVAL_WORDS for w in function):
                return None
        named = any(w in EVAL_WORDS for w in words(name) + function)
        if not (in_eval or named):
            return None
        reason = f"fed to `{chain.consumer}` in eval mode" if in_eval else f"fed to `{chain.consumer}` in `{name}.py`"
        return _chain_item(chain, EVAL, reason)

    def _order_keeping_pipeline(self, facts, fn, consumer: str) -> bool:
        """`self.transform(image=img)`: the one pipeline bound to that name in the chain's class (or module), every
        step a library transform the knowledge base knows (none of which reorders channels at the model)."""
        owner = fn.qualname.rpartition(".")[0] if consumer.startswith("self.") else ""
        bound = [p for p in facts.pipelines if p.binding == consumer and
                 (p.scope.rpartition(".")[0] == owner if owner else "." not in p.scope)]
        if not bound:  # `self.transform = get_augmentation(phase='test')`: every pipeline the factory builds
            assigned = re.compile(rf"^\s*{re.escape(consumer)}\s*=\s*([A-Za-z_][\w.]*)\s*\(")
            factories = {m.group(1) for m in map(assigned.match, facts.lines) if m}
            if len(factories) != 1:
                return False
            factory = factories.pop()
            local = next((f for f in facts.functions if f.qualname == factory), None)
            bound = [p for p in facts.pipelines if p.scope == factory] if local is not None else \
                self.project.pipelines_named(facts.path, self._imported_as(facts, factory), built_in=True)
            if not bound:
                return False

        libraries = self.kb.described_packages() - {"torch"}

        def keeps_order(step) -> bool:  # a library transform (older names included) that is not about channels
            library = bool(step.qualname) and step.qualname.partition(".")[0] in libraries
            name = step.short_name.lower()
            return library and not any(w in name for w in ("channel", "gray", "grey", "rgb2", "bgr")) and \
                all(keeps_order(c) for c in step.children)

        return all(keeps_order(step) for p in bound for step in p.steps)

    @staticmethod
    def _imported_as(facts, name: str) -> str:
        head, dot, rest = name.partition(".")
        record = next((r for r in facts.imports if r.local == head), None)
        if record is None:
            return name
        origin = "." * record.level + ".".join(x for x in (record.module, record.name) if x)
        return origin + dot + rest

    def _through_pipeline(self, facts, fn, chain: HandChain, consumer: str) -> RoledPipeline | None:
        """A chain whose pipeline's output the same function then feeds a model in eval mode: an evaluation chain
        for its channel order only (the pipeline may normalise or resize it on the way)."""
        evaluated = {strip_wrappers(m.receiver) for f in facts.functions for m in f.modes if m.kind == "eval"}
        after = [c for c in fn.model_calls if c.location.line >= chain.pipeline.location.line and
                 (strip_wrappers(c.callee) in evaluated)]
        if len(after) != 1:
            return None
        model = strip_wrappers(after[0].callee)
        item = _chain_item(chain, EVAL, f"fed to `{model}` in eval mode through `{consumer}`")
        self.order_only.add(id(item))
        self.models[id(item)] = model
        return item

    def _defining_files(self, facts) -> set[str]:
        """The project files that define what a script imports by name (re-exports of a package followed)."""
        found = set()
        for record in facts.imports:
            if not record.name or record.name == "*":
                continue
            qualname = "." * record.level + ".".join(x for x in (record.module, record.name) if x)
            importer = facts.path
            for _ in range(MAX_HOPS):
                target = self.project.split_qualname(importer, qualname)
                if target is None:
                    break
                path, name = target
                data = self.project.source_of(path)
                how, onward = reexport(data, name) if data is not None else ("absent", None)
                if how != "imported" or onward is None:
                    if how == "defined" or data is not None and \
                            re.search(rb"^" + re.escape(name.encode()) + rb"\s*[:=]", data, re.M):
                        found.add(path)  # a class or function, or a module constant (`VOC_CLASSES = (…)`)
                    break
                importer, qualname = path, onward
        return found

    def _model_class(self, facts, chain: HandChain, model: str | None = None) -> str | None:
        model = re.escape(model or strip_wrappers(chain.consumer))
        build = re.compile(rf"^\s*{model}\s*=\s*([A-Za-z_][\w.]*)\s*\(")
        for text in facts.lines:
            match = build.match(text)
            if match:
                name = match.group(1).rpartition(".")[2]
                return name if name[:1].isupper() else None  # `torch.load(path)`, `build_model(cfg)`: no class
        return None

    def _pair(self, facts, chain: HandChain, item: RoledPipeline) -> None:
        families = list(self.families.values())
        consumer = self.models.get(id(item), chain.consumer)
        model = self._model_class(facts, chain, self.models.get(id(item)))
        reason = "the project's only training data"
        if len(families) > 1 and model:
            built = re.compile(rf"\b{re.escape(model)}\s*\(")
            linked = [f for f in families if any(built.search(t) for p in f.files for t in self.project.files[p].lines)]
            families, reason = linked, f"training that builds `{model}`"
        if len(families) > 1:  # `from datasets import VOC_CLASSES`: the script uses the module of one dataset class
            homes = self._defining_files(facts)
            beside = [f for f in families if f.home in homes]
            if len(beside) == 1:
                families, reason = beside, f"{reason}, with names from `{beside[0].key}`'s module"
        if len(families) > 1:  # several training sets, each of one channel order, the same for all
            orders = {order: where for f in families for order, where in f.orders.items()}
            if len(orders) == 1 and all(len(f.orders) == 1 for f in families):
                (order, where), = orders.items()
                self.pairs.append(HandPair(None, item, "every training set of the project", order, where, consumer))
            return
        if not families:
            return
        family = families[0]
        order, where = (next(iter(family.orders.items())) if len(family.orders) == 1 else (None, None))
        trains = [i for i in family.items if i.role == TRAIN] or family.items
        train = trains[0] if len(trains) == 1 and id(item) not in self.order_only else None
        if train is None and order is None:
            return
        self.pairs.append(HandPair(train, item, reason, order, where, consumer))


def relate_hand_prep(project: Project, roled: list[RoledPipeline], kb) -> HandPrep:
    """Built once per run by the engine, after roles; checks read it with `hand_prep`."""
    found = HandPrep(project, roled, kb)
    project._derived[hand_prep] = found
    return found


def hand_prep(project: Project) -> HandPrep | None:
    return project._derived.get(hand_prep)
