"""What the call graph asks of a deferred file, answered with CPython's parser instead of an extraction:
whether a called function can matter to the rules, and where a package re-exports a name from."""

from __future__ import annotations

import ast
import builtins
import hashlib
from functools import lru_cache

from evalparity.vocabulary.ast_names import dotted_name, last_name, walk
from evalparity.vocabulary.call_names import DEDUPLICATING
from evalparity.vocabulary.mode_words import loader_like, mode_helper, model_like, optimizer_like


@lru_cache(maxsize=32)
def _parsed(source: bytes) -> ast.Module | None:
    """The file's tree (the call graph asks about several names of one file in a row), None if it does not parse."""
    try:
        return compile(source, "<screen>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, UnicodeDecodeError, MemoryError, RecursionError):
        return None


# Answers are pure functions of the file's content and the name asked about (and of the code, knowledge
# base and role hints, which key the cache they are kept in). They are kept for the life of the process
# by the content's digest: the language server checks the same project again after every save, and
# parsing the files asked about is most of such a check. A run with a cache also starts from the answers
# of earlier runs, so a warm run parses no deferred file.
_ANSWERS: dict[tuple[str, str, str], object] = {}  # (question, digest of a source, name) → answer
MAX_ANSWERS = 100_000
_USED: set[tuple[str, str, str]] = set()
_LEARNED: list[bool] = [False]


def remember(answers: dict[tuple[str, str, str], object]) -> None:
    """Start a run with these answers from earlier runs too (Cache.answers)."""
    if len(_ANSWERS) + len(answers) >= MAX_ANSWERS:
        _ANSWERS.clear()
    _ANSWERS.update(answers)
    _USED.clear()
    _LEARNED[0] = False


def learned() -> dict[tuple[str, str, str], object] | None:
    """The answers this run used, when it found any new one (so answers about old contents drop out);
    None when there is nothing new to keep."""
    return {key: _ANSWERS[key] for key in _USED if key in _ANSWERS} if _LEARNED[0] else None


def _answer(question: str, source: bytes, name: str, work):
    key = (question, hashlib.blake2b(source, digest_size=16).hexdigest(), name)
    _USED.add(key)
    answer = _ANSWERS.get(key)
    if answer is None:
        if len(_ANSWERS) >= MAX_ANSWERS:
            _ANSWERS.clear()
        answer = _ANSWERS[key] = work(source, name)
        _LEARNED[0] = True
    return answer


# decorators that leave what the body does alone: caching, context managers, typing
PLAIN_DECORATORS = frozenset({"staticmethod", "classmethod", "property", "cache", "lru_cache", "cached_property",
                              "contextmanager", "overload", "abstractmethod", "wraps", "final", "override"})
MODE_METHODS = frozenset({"eval", "train", "requires_grad_", "apply", "backward", "step"})
BUILTIN_NAMES = frozenset(dir(builtins))


def reexport(source: bytes, name: str) -> tuple[str, str | None]:
    """See _reexport; answered once per content and name."""
    return _answer("reexport", source, name, _reexport)


def _reexport(source: bytes, name: str) -> tuple[str, str | None]:
    """How a package's `__init__.py` provides `name`, without extracting it: ("imported", ".engine.evaluate")
    from the first import that binds it (in source order, as extracted imports are), ("defined", None)
    when the file defines something by that name or cannot be parsed, ("absent", None) otherwise."""
    exports = _exports(source)
    if exports is None:
        return "defined", None
    defined, imported = exports
    if name in defined:
        return "defined", None
    return ("imported", imported[name]) if name in imported else ("absent", None)


@lru_cache(maxsize=256)
def _exports(source: bytes) -> tuple[frozenset[str], dict[str, str]] | None:
    """A package file's defined names and what its imports bind, in one walk (a large `__init__.py` such
    as torch's is asked about dozens of names in a run)."""
    tree = _parsed(source)
    if tree is None:
        return None
    defined, imports = set(), []
    for node in walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.ImportFrom):
            imports.append(node)
    imported: dict[str, str] = {}
    for node in sorted(imports, key=lambda n: (n.lineno, n.col_offset)):
        for alias in node.names:
            if alias.name != "*":
                module = f"{node.module}." if node.module else ""
                imported.setdefault(alias.asname or alias.name, "." * node.level + module + alias.name)
    return frozenset(defined), imported


def _trims(node: ast.AST) -> bool:
    """An exact-N gather (`gather_for_metrics`, a COCO evaluator) or a cut to the dataset's size."""
    if isinstance(node, ast.Call):
        name = last_name(node.func)
        if name in DEDUPLICATING or name.startswith("collect_results"):
            return True
        return name == "range" and len(node.args) >= 2 and isinstance(node.args[1], ast.Call) and \
            last_name(node.args[1].func) == "len"
    return isinstance(node, ast.Slice) and isinstance(node.upper, ast.Call) and last_name(node.upper.func) == "len"


def _may_call_model(node: ast.AST, params: set[str]) -> bool:
    """`model(x)`, `net(x)` with `net` a parameter, `self.net(x)`, `model.forward(x)`: a call extraction may
    count as a forward pass. Not `shape_fn(s)` or `self.emit(line)`: the methods of the class are followed
    by name, and a local helper is no model."""
    if not isinstance(node, ast.Call):
        return False
    if isinstance(node.func, ast.Name):
        return node.func.id not in BUILTIN_NAMES and (node.func.id in params or model_like(node.func.id))
    name = dotted_name(node.func)
    return (name.startswith("self.") and name.count(".") == 1 and model_like(name)) or \
        last_name(node.func) in ("forward", "module")


def _handed_on(param: str) -> bool:
    """A parameter named for what the rules follow through calls (`model`, `val_loader`, `optimizer`);
    not `x`, `args` or `fn`, which library helpers hand to each other all the time."""
    return model_like(param) or loader_like(param) or optimizer_like(param)


def _function_matters(fn, known: set[str], params: set[str]) -> tuple[bool, set[str]]:
    """(whether the function switches modes, trains, gathers exactly, loops over calls or hands a model,
    loader or optimizer to a project function; the functions of its file it calls)."""
    called = set()
    for node in walk(fn):
        if isinstance(node, (ast.For, ast.AsyncFor)):
            if any(_may_call_model(inner, params) for stmt in node.body for inner in walk(stmt)):
                return True, set()
        if _trims(node):
            return True, set()
        if not isinstance(node, ast.Call):
            continue
        name = last_name(node.func)
        if (isinstance(node.func, ast.Attribute) and name in MODE_METHODS) or mode_helper(name):
            return True, set()
        head = dotted_name(node.func).partition(".")[0]
        if head == "self" or (isinstance(node.func, ast.Name) and head in known):
            called.add(name)
        if head in known and any(isinstance(arg, ast.Name) and arg.id in params and _handed_on(arg.id)
                                 for arg in (*node.args, *(k.value for k in node.keywords))):
            return True, set()  # a model, loader or optimizer handed on: it may reach a loop there
    return False, called


@lru_cache(maxsize=256)
def _functions(source: bytes) -> tuple[dict[str, list], set[str]] | None:
    """A file's functions by name and the names it defines or imports, in one walk (the call graph asks
    about several functions of one file)."""
    tree = _parsed(source)
    if tree is None:
        return None
    functions: dict[str, list] = {}
    known: set[str] = set()  # names defined or imported in the file (a call to a builtin hands nothing on)
    for node in walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.setdefault(node.name, []).append(node)
            known.add(node.name)
        elif isinstance(node, ast.ClassDef):
            known.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            known.update((a.asname or a.name).partition(".")[0] for a in node.names)
    return functions, known


def function_matters(source: bytes, name: str) -> bool:
    """See _function_matters_in; answered once per content and name."""
    return _answer("matters", source, name, _function_matters_in)


def _function_matters_in(source: bytes, name: str) -> bool:
    """Whether a function of a deferred file can change what the rules see when a call reaches it (it, or
    a function of the same file it calls, switches modes, trains, gathers exactly, loops over calls or
    hands a model, loader or optimizer on to a project function). True when unsure."""
    index = _functions(source)
    if index is None:
        return True
    functions, known = index
    if name not in functions:
        return True
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for fn in functions.get(current, ()):
            if any(last_name(d.func if isinstance(d, ast.Call) else d) not in PLAIN_DECORATORS
                   for d in fn.decorator_list):
                return True  # a wrapper may run anything around the body
            params = {a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)}
            matters, called = _function_matters(fn, known, params)
            if matters:
                return True
            todo.extend(called & set(functions))
    return False
