"""CPython syntax trees of project files, parsed on demand and kept for the run: the relate stage reads
source for the few questions its facts do not answer (a model's layers, a factory's parameters), only for
the files those questions reach."""

from __future__ import annotations

import ast
from pathlib import Path

from evalparity.discovery.paths import FileError, read_source
from evalparity.relate.project import Project


class _Trees(dict):
    def __init__(self, project: Project) -> None:
        super().__init__()


def syntax_tree(project: Project, path: str) -> ast.Module | None:
    trees = project.derived(_Trees)
    if path not in trees:
        data = read_source(Path(path))
        try:
            trees[path] = None if isinstance(data, FileError) else ast.parse(data)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            trees[path] = None
    return trees[path]


def functions(tree: ast.Module | None, qualname: str) -> list:
    """The functions along a qualified name (`Trainer.fit`, `build.inner`), innermost first; [] when the
    path does not exist."""
    node, found = tree, []
    for part in qualname.split("."):
        node = next((n for n in getattr(node, "body", []) if isinstance(n, (ast.ClassDef, ast.FunctionDef,
                                                                              ast.AsyncFunctionDef))
                     and n.name == part), None)
        if node is None:
            return []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.insert(0, node)
    return found


def class_def(tree: ast.Module | None, qualname: str) -> ast.ClassDef | None:
    node = tree
    for part in qualname.split("."):
        node = next((n for n in getattr(node, "body", []) if isinstance(n, ast.ClassDef) and n.name == part), None)
        if node is None:
            return None
    return node
