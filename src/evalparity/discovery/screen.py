"""The prefilter's second stage: CPython's own parser, about ten times faster than libcst's, checks that
the words the first stage found are code that can contribute on its own, not comments, strings or
unrelated names.

A file can contribute on its own when it calls a pipeline, dataset, split or loader constructor (or passes
a `transform=`), or when it holds something a model-mode rule looks at: a loop over data that calls
something, a call that hands a loader to another function (a training driver), a bare `model.eval`,
`with torch.no_grad:` without the call, functional dropout that ignores the module's mode, `.train()` in a
function named for evaluation. Anything else is deferred: extracted on demand when an import or a call
from an analysed file reaches it (project.py, callgraph.py). Files that do not parse are kept so that
the syntax error is reported. A script that loads trained weights (`load_state_dict`, `torch.load`) and never
calls `.eval(` can hold an inference in training mode, so it is kept too, and so is a file that trains
(`.backward(`) and switches modes both ways: its loop may evaluate every N steps over no loader at all."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from evalparity.facts import EVAL
from evalparity.vocabulary.ast_names import dotted_name, last_name, walk
from evalparity.vocabulary.call_names import SPECIAL_CALLS, TRANSFORM_KEYWORDS
from evalparity.vocabulary.knowledge import KnowledgeBase
from evalparity.vocabulary.mode_words import loader_like
from evalparity.vocabulary.naming import (
    FOREIGN,
    role_of_flag,
    role_of_name,
    role_of_string,
    role_parameter,
    unit_test_file,
    words,
)

TEST_FRAMEWORKS = frozenset({"pytest", "unittest"})
GRAD_NAMES = frozenset({"no_grad", "inference_mode", "enable_grad"})
DROPOUTS = frozenset({"dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"})
ITER_WRAPPERS_STOP = frozenset({"range", "len", "zip_longest", "product"})
# an argument named like this makes a call a hand-over of data to a training or evaluation function
DRIVER_WORDS = frozenset({"loader", "loaders", "dataloader", "dataloaders", "dl", "iterator"})


@dataclass(frozen=True)
class ScreenNames:
    constructors: frozenset[str]  # pipeline, dataset, split and loader constructors, by their last name
    transforms: frozenset[str]  # every transform the knowledge base knows (`nn.Sequential` of them is a pipeline)


def screen_names(kb: KnowledgeBase) -> ScreenNames:
    names = {entry.name for entry in kb.all_entries() if entry.kind in ("compose", "factory")}
    names |= {name for entries in kb.datasets.values() for name in entries}
    # `Sequential` is torch.nn's too (in every model file): it counts only around transforms
    return ScreenNames(frozenset((names | SPECIAL_CALLS) - {"Sequential"}),
                       frozenset(entry.name for entry in kb.all_entries()) - {"Sequential"})


def _iterated(expr: ast.AST) -> str:
    """The name a `for` iterates once wrappers are peeled: `enumerate(tqdm(val_loader))` → val_loader."""
    for _ in range(6):
        if not isinstance(expr, ast.Call):
            break
        name = dotted_name(expr.func)
        if name.rpartition(".")[2] in ITER_WRAPPERS_STOP or name.endswith((".items", ".values", ".keys")):
            return ""
        positional = [a for a in expr.args if not isinstance(a, ast.Starred)]
        if not positional:
            return name
        expr = positional[0]
    if isinstance(expr, ast.Subscript):
        expr = expr.value
    return dotted_name(expr)


def _data_loop(node: ast.For | ast.AsyncFor) -> bool:
    name = _iterated(node.iter)
    if not name or not (loader_like(name) or role_of_name(name.rpartition(".")[2]) is not None):
        return False
    return any(isinstance(inner, ast.Call) for stmt in node.body for inner in walk(stmt))


def _record_import(node: ast.Import | ast.ImportFrom, table: dict[str, str]) -> None:
    """Local name → imported module or object."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            table[alias.asname or alias.name.partition(".")[0]] = alias.name if alias.asname else \
                alias.name.partition(".")[0]
    elif not node.level and node.module:
        for alias in node.names:
            table[alias.asname or alias.name] = f"{node.module}.{alias.name}"


def _torch_dropout(call: ast.Call, imports: dict[str, str]) -> bool:
    """`F.dropout(x, 0.5)` in `forward`, with `F` from torch, and no `training=` (or a literal True)."""
    if last_name(call.func) not in DROPOUTS:
        return False
    head = dotted_name(call.func).partition(".")[0]
    if not imports.get(head, "").startswith("torch"):
        return False
    training = next((k.value for k in call.keywords if k.arg == "training"), None)
    if training is None and len(call.args) >= 3:
        training = call.args[2]
    if training is None:
        return not any(k.arg is None for k in call.keywords) and not any(isinstance(a, ast.Starred)
                                                                         for a in call.args)
    return isinstance(training, ast.Constant) and training.value is True


def _hands_over_data(call: ast.Call) -> bool:
    """`validate(val_loader, model)`, `train_one_epoch(model, data_loader)`: a training driver's call;
    `build_loader(ds, is_train=False)`: a loader factory's call site."""
    callee = last_name(call.func)
    if any(w in DRIVER_WORDS for w in words(callee)):
        return True
    for arg in (*call.args, *(k.value for k in call.keywords)):
        name = last_name(arg) if isinstance(arg, (ast.Name, ast.Attribute)) else ""
        if name and any(w in DRIVER_WORDS for w in words(name)) and (
                role_of_name(callee) is not None or role_of_name(name) is not None or "epoch" in words(callee)):
            return True
    return False


def _passes_role(call: ast.Call) -> bool:
    """`data_provider(args, flag='test')`, `build(cfg, is_train=False)`: a factory told which role to build."""
    for keyword in call.keywords:
        value = keyword.value
        if keyword.arg is None or not isinstance(value, ast.Constant) or not role_parameter(keyword.arg):
            continue
        if isinstance(value.value, str) and role_of_string(value.value) is not None:
            return True
        if isinstance(value.value, bool) and keyword.arg.startswith("is_") and role_of_flag(keyword.arg) is not None:
            return True  # `is_train=False`; not `training=True`, which functional ops take for their mode
    return False


def _forward_dropout(fn: ast.FunctionDef | ast.AsyncFunctionDef, imports: dict[str, str]) -> bool:
    return any(isinstance(node, ast.Call) and _torch_dropout(node, imports) for node in walk(fn))


def _trains_in_eval_function(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "train"
               for node in walk(fn))


def _sequential_of_transforms(call: ast.Call, names: ScreenNames) -> bool:
    """`nn.Sequential(T.Resize(256), …)`, `A.Sequential([A.HorizontalFlip(), …])`."""
    items = [item for arg in call.args for item in (arg.elts if isinstance(arg, (ast.List, ast.Tuple)) else [arg])]
    for item in items:
        if not isinstance(item, ast.Call):
            continue
        name = last_name(item.func)
        if name in names.transforms or (name == "Sequential" and _sequential_of_transforms(item, names)):
            return True
    return False


def _inference_names(call: ast.Call, found: dict[str, set[str]]) -> None:
    """Names a call loads weights into (`net.load_state_dict(…)`), calls (`net(x)`) or hands over (`f(net)`)."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "load_state_dict":
        found["loaded"].add(dotted_name(func.value) or "")
        return
    name = dotted_name(func)
    if name:
        found["used"].add(name)
    found["used"].update(dotted_name(a) or "" for a in call.args if isinstance(a, (ast.Name, ast.Attribute)))
    found["used"].update(dotted_name(k.value) or "" for k in call.keywords
                         if isinstance(k.value, (ast.Name, ast.Attribute)))


def _contributes(tree: ast.Module, source: bytes, names: ScreenNames, mode: bool) -> bool:
    """`mode`: whether the model-mode criteria apply (not in unit tests or code for another framework).
    One walk: constructor calls decide at once; the rest waits for the imports."""
    imports: dict[str, str] = {}
    mode_hit = False
    forwards = []
    trains = b".train(" in source
    # an inference script: weights loaded into a model that nothing in the file puts in eval mode
    loads = b".eval(" not in source and (b"load_state_dict(" in source or b"torch.load(" in source)
    inference = {"built": set(), "loaded": set(), "used": set()}
    for node in walk(tree):
        if isinstance(node, ast.Call):
            last = last_name(node.func)
            if loads:
                _inference_names(node, inference)
            if last in names.constructors or (last == "Sequential" and _sequential_of_transforms(node, names)):
                return True
            if any(k.arg in TRANSFORM_KEYWORDS for k in node.keywords) or _passes_role(node):
                return True
            mode_hit = mode_hit or _hands_over_data(node)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            mode_hit = mode_hit or _data_loop(node)
        elif isinstance(node, ast.Expr):
            if isinstance(node.value, ast.Attribute) and node.value.attr in ("eval", "train"):
                return True
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            if any(last_name(item.context_expr) in GRAD_NAMES for item in node.items):
                return True
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name == "forward":
                forwards.append(node)
            elif trains and not mode_hit and role_of_name(node.name) == EVAL:
                mode_hit = _trains_in_eval_function(node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            _record_import(node, imports)
        elif loads and isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            for target in node.targets:
                name = dotted_name(target)
                if name:
                    inference["built"].add(name)
                    if dotted_name(node.value.func) in ("torch.load", "torch.jit.load"):
                        inference["loaded"].add(name)
    if loads and inference["built"] & inference["loaded"] & inference["used"]:
        mode_hit = True
    if trains and b".backward(" in source and b".eval(" in source:
        mode_hit = True  # trains and switches modes: a step loop that evaluates every N steps (EP502)
    if b"dropout" in source and any(_forward_dropout(fn, imports) for fn in forwards):
        return True
    return mode_hit and mode and not any(module.partition(".")[0] in FOREIGN for module in imports.values())


def _test_module(path: str, tree: ast.Module) -> bool:
    """A pytest or unittest module (`test_x.py` with test functions, test classes or a test framework
    import); an evaluation script that is only named `test_net.py` is not one."""
    name = path.replace("\\", "/").rpartition("/")[2]
    if not (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"):
        return False
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            return True
        if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            return True
        if isinstance(node, ast.Import) and any(a.name.partition(".")[0] in TEST_FRAMEWORKS for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").partition(".")[0] in TEST_FRAMEWORKS:
            return True
    return False


def worth_extracting(path: str, source: bytes, names: ScreenNames) -> bool:
    """False when the file cannot contribute on its own; True when it can, or does not parse.
    Test modules exercise code rather than train or evaluate models: they are deferred too."""
    try:
        tree = compile(source, "<screen>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, UnicodeDecodeError, MemoryError, RecursionError):
        return True
    if _test_module(path, tree):
        return False
    return _contributes(tree, source, names, mode=not unit_test_file(path))
