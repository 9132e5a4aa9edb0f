"""Every transform that a fixture, an example or a rule's documentation uses is in the knowledge base:
a library transform evalparity does not know would silently weaken every rule."""

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


def test_every_library_transform_used_is_known():
    """One test, not one per transform: listing them would parse every fixture at collection, in every
    xdist worker. The failure names each unknown transform and where it is used."""
    steps = sorted(set(_library_steps()))
    assert len(steps) > 50
    kb = default_knowledge()
    unknown = [f"{qualname} (used in {where})" for where, qualname in steps if kb.lookup(qualname) is None]
    assert not unknown, "not in rules/knowledge: " + "; ".join(unknown)
