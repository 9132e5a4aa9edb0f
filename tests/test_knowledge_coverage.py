"""Every transform that a fixture, an example or a rule's documentation uses is in the knowledge base:
a library transform evalparity does not know would silently weaken every rule."""

import ast

from conftest import EXAMPLES, FIXTURES, ROOT

from evalparity.vocabulary.knowledge import default_knowledge
from evalparity.vocabulary.rulebook import load_rules

LIBRARIES = ("torchvision.transforms", "albumentations", "kornia.augmentation", "timm.data")


def _sources():
    for path in sorted(FIXTURES.rglob("*.py")) + sorted(EXAMPLES.rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), path.read_bytes()
    for rule in load_rules().values():
        yield f"rules/{rule.code}.yaml example", rule.example
        yield f"rules/{rule.code}.yaml use_instead", rule.use_instead


def _imported_names(tree: ast.Module) -> dict[str, str]:
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.partition(".")[0]] = alias.name if alias.asname else \
                    alias.name.partition(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.update((alias.asname or alias.name, f"{node.module}.{alias.name}") for alias in node.names)
    return names


def _classes_called(source: bytes):
    """The qualified names of the library classes a source calls (`T.RandomCrop(…)`, `A.Compose(…)`), through
    its imports. Python's own parser: the files that do not parse for it (EP901's) hold no other transform."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    imported = _imported_names(tree)
    for node in ast.walk(tree):
        parts, func = [], getattr(node, "func", None) if isinstance(node, ast.Call) else None
        while isinstance(func, ast.Attribute):
            parts.append(func.attr)
            func = func.value
        if isinstance(func, ast.Name) and func.id in imported:
            qualname = ".".join([imported[func.id], *reversed(parts)])
            *module, name = qualname.split(".")
            # a class (not a function such as timm.data.resolve_data_config, nor a class's own method)
            if qualname.startswith(LIBRARIES) and name[:1].isupper() and not module[-1][:1].isupper():
                yield qualname


def test_every_library_transform_used_is_known():
    """Every library class the sources call, not only the steps evalparity read into pipelines: a transform
    it fails to read as a step is a gap too. (Python's ast, not an extraction: extracting every fixture again
    cost four seconds of the suite.) The failure names each unknown class and where it is used."""
    used = sorted({(qualname, where) for where, source in _sources() for qualname in _classes_called(source)})
    assert len({qualname for qualname, _ in used}) > 40
    kb = default_knowledge()
    unknown = [f"{qualname} (used in {where})" for qualname, where in used if kb.lookup(qualname) is None]
    assert not unknown, "not in rules/knowledge: " + "; ".join(unknown)
