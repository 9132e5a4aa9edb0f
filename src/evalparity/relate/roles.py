"""Weighted evidence → TRAIN, EVAL or UNKNOWN (precision first: ties and weak evidence are UNKNOWN)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from evalparity.facts import EVAL, TRAIN, UNKNOWN, DatasetUse, Evidence, FileFacts, Pipeline
from evalparity.relate.factories import factories
from evalparity.relate.project import Project
from evalparity.vocabulary.naming import role_of_name

DECISIVE = 2.0
W_LOADER = 1.0


def decide(evidence: list[Evidence]) -> str:
    train = sum(e.weight for e in evidence if e.role == TRAIN)
    evaluation = sum(e.weight for e in evidence if e.role == EVAL)
    top, other = max(train, evaluation), min(train, evaluation)
    if top < DECISIVE or top < 2 * other:
        return UNKNOWN
    return TRAIN if train > evaluation else EVAL


@dataclass
class Use:
    """A dataset call that receives a pipeline, with the role the dataset itself has."""

    dataset: DatasetUse
    role: str
    evidence: list[Evidence]


@dataclass
class RoledPipeline:
    pipeline: Pipeline
    role: str = UNKNOWN
    definition_role: str = UNKNOWN
    evidence: list[Evidence] = field(default_factory=list)
    uses: list[Use] = field(default_factory=list)
    shared: bool = False  # one call site's instance of a factory's pipeline: its code serves other calls too

    @property
    def id(self) -> str:
        return self.pipeline.id


def _dataset_evidence(facts: FileFacts, use: DatasetUse) -> list[Evidence]:
    evidence = list(use.evidence)
    if use.binding:
        for loader in facts.loaders:
            if loader.dataset == use.binding and loader.scope == use.scope:
                role = role_of_name(loader.binding)
                if role:
                    evidence.append(Evidence(role, W_LOADER, f"dataset consumed by `{loader.binding}`", loader.location))
    return evidence


def _targets(project: Project, facts: FileFacts, use: DatasetUse) -> list[Pipeline]:
    ref = use.ref
    if ref.pipeline_ids:
        return [p for p in facts.pipelines if p.id in ref.pipeline_ids]
    if ref.kind == "import":
        return project.pipelines_named(facts.path, ref.name)
    in_scope = [p for p in facts.pipelines if p.binding == ref.name and
                (p.scope == ref.scope or p.scope == "<module>" or ref.scope.startswith(p.scope + "."))]
    if ref.kind == "attr":
        in_scope = [p for p in facts.pipelines if p.binding == ref.name and
                    p.scope.partition(".")[0] == ref.scope.partition(".")[0]]
    if ref.kind == "item":
        in_scope = [p for p in facts.pipelines if p.binding == ref.name and p.container and
                    any(e.reason == f"under dict key '{ref.key}'" for e in p.evidence)]
    return in_scope


def assign_roles(project: Project) -> list[RoledPipeline]:
    roled: dict[str, RoledPipeline] = {}
    for facts in list(project.files.values()):
        for pipeline in facts.pipelines:
            resolved = project.resolve_steps(pipeline)
            roled[pipeline.id] = RoledPipeline(resolved, definition_role=decide(pipeline.evidence),
                                               evidence=list(pipeline.evidence))
    instanced: set[str] = set()
    made = factories(project)
    for facts in list(project.files.values()):
        for use in facts.datasets:
            evidence = _dataset_evidence(facts, use)
            role = decide(evidence)
            targets = _targets(project, facts, use)
            if use.ref.kind == "call":
                undecided = (lambda p: p.id in roled and roled[p.id].definition_role == UNKNOWN)
                for original, instance in made.instances(facts, use, undecided):
                    instanced.add(original.id)
                    key = f"{instance.id}@{role}"
                    if key not in roled:
                        roled[key] = RoledPipeline(replace(project.resolve_steps(instance), id=key), shared=True)
                    targets.append(roled[key].pipeline)
            for pipeline in targets:
                item = roled.get(pipeline.id)
                if item is None:
                    continue
                item.uses.append(Use(use, role, evidence))
                if role != UNKNOWN:
                    reasons = "; ".join(e.reason for e in evidence if e.role == role)
                    item.evidence.append(Evidence(role, 2.0, f"used by `{use.callee}` ({reasons})", use.location))
    for pid in instanced:
        del roled[pid]  # its call sites' instances stand for it
    for item in roled.values():
        item.role = decide(item.evidence)
    return list(roled.values())
