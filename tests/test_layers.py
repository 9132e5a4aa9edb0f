"""The folders are the stages, and imports go one way: each package's docstring says what it may import,
and this test reads every module's imports (top-level and inside functions) and enforces it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGE = ROOT / "src" / "evalparity"
ROOT_MODULES = {"cli", "engine", "config", "suppress", "baseline", "facts", "findings", "atomic", "flake8_plugin",
                "server", "__init__", "__main__"}
STAGES = ("discovery", "extract", "relate", "vocabulary", "checks", "fixes", "report")
# What each package must never import (evalparity's own packages and modules, and third-party libraries).
FORBIDDEN = {
    "vocabulary": {"discovery", "extract", "relate", "checks", "fixes", "report", "engine", "cli", "libcst"},
    "discovery": {"extract", "relate", "checks", "fixes", "report", "engine", "cli", "libcst"},
    "extract": {"relate", "checks", "fixes", "report", "engine", "cli"},
    "relate": {"extract", "checks", "fixes", "report", "engine", "cli", "libcst"},
    "checks": {"extract", "report", "engine", "cli", "libcst"},
    "fixes": {"checks", "relate", "report", "engine", "cli"},
    "report": {"extract", "checks", "fixes", "engine", "libcst"},
}
# Lazily, inside a function, only where the stage needs it for one job.
LAZY_ALLOWED = {
    ("discovery", "extract"),  # none today; kept explicit
}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        yield rel.parts[0] if len(rel.parts) > 1 else rel.stem, path


def _imports(path: Path):
    """(top-level name inside evalparity or the library, lazy?) for every import of the file."""
    stack = [(ast.parse(path.read_text(encoding="utf-8")), False)]
    while stack:
        node, lazy = stack.pop()
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.level:
                raise AssertionError(f"{path}: relative import (evalparity imports by absolute name)")
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            inside = lazy or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            stack.extend((child, inside) for child in ast.iter_child_nodes(node) if not isinstance(child, ast.expr))
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "evalparity" and len(parts) > 1:
                yield parts[1], lazy
            elif parts[0] != "evalparity":
                yield parts[0], lazy


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_imports_only_what_its_docstring_allows(stage):
    bad = []
    for owner, path in _modules():
        if owner != stage:
            continue
        for name, lazy in _imports(path):
            if name in FORBIDDEN[stage] and not (lazy and (stage, name) in LAZY_ALLOWED):
                bad.append(f"{path.relative_to(PACKAGE)} imports {name}{' (lazily)' if lazy else ''}")
    assert not bad, "\n".join(bad)


def test_the_root_holds_only_the_shared_contracts_and_front_ends():
    loose = {path.stem for path in PACKAGE.glob("*.py")}
    assert loose <= ROOT_MODULES, sorted(loose - ROOT_MODULES)
    assert {path.name for path in PACKAGE.iterdir() if path.is_dir() and path.name != "__pycache__"} == set(STAGES)


@pytest.mark.parametrize("stage", STAGES)
def test_each_package_says_its_job_and_its_imports(stage):
    doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8"))) or ""
    assert "May import" in doc and "Must not import" in doc, stage


def test_the_architecture_guide_names_every_package_and_module_it_cites():
    guide = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for stage in STAGES:
        assert f"`{stage}/`" in guide, stage
    import re

    for folder, name in set(re.findall(r"`(\w+)/(\w+)\.py`", guide)):
        assert (PACKAGE / folder / f"{name}.py").exists() or (ROOT / folder / f"{name}.py").exists(), (folder, name)
