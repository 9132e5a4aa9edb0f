"""Every transform that a fixture, an example or a rule's documentation uses is in the knowledge base:
a library transform evalparity does not know would silently weaken every rule."""

import pytest
from conftest import EXAMPLES, FIXTURES, ROOT

from evalparity.extract.source import extract_source
from evalparity.relate.project import walk_steps
from evalparity.vocabulary.knowledge import default_knowledge
from evalparity.vocabulary.rulebook import load_rules

LIBRARIES = ("torchvision.transforms", "albumentations", "kornia.augmentation", "timm.data")


def _sources():
    for path in sorted(FIXTURES.rglob("*.py")) + sorted(EXAMPLES.rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), path.read_bytes()
    for rule in load_rules().values():
        yield f"rules/{rule.code}.yaml example", rule.example
        yield f"rules/{rule.code}.yaml use_instead", rule.use_instead


def _library_steps():
    kb = default_knowledge()
    for name, source in _sources():
        facts = extract_source(name, source, kb)
        for pipeline in facts.pipelines:
            for step in walk_steps(pipeline.steps):
                if step.qualname and step.qualname.startswith(LIBRARIES) and ".functional" not in step.qualname \
                        and not step.synthetic:
                    yield name, step.qualname


STEPS = sorted(set(_library_steps()))


def test_fixtures_use_library_transforms():
    assert len(STEPS) > 50


@pytest.mark.parametrize("where, qualname", STEPS, ids=[f"{w}:{q}" for w, q in STEPS])
def test_transform_is_known(where, qualname):
    assert default_knowledge().lookup(qualname) is not None, f"{qualname} (used in {where}) is not in rules/knowledge"
