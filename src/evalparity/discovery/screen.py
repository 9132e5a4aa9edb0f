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

from evalparity.discovery.prefilter import IMAGE_READS, PRETRAINED_MARKERS
from evalparity.facts import EVAL
from evalparity.vocabulary.ast_names import dotted_name, last_name, walk
from evalparity.vocabulary.call_names import SPECIAL_CALLS, TRANSFORM_KEYWORDS
from evalparity.vocabulary.knowledge import KnowledgeBase
from evalparity.vocabulary.mode_words import LOADER_WORDS, loader_like
from evalparity.vocabulary.naming import (
    FOREIGN,
    role_of_flag,
    role_of_name,
    role_of_string,
    role_parameter,
    role_words,
    unit_test_file,
    words,
)

TEST_FRAMEWORKS = frozenset({"pytest", "unittest"})
GRAD_NAMES = frozenset({"no_grad", "inference_mode", "enable_grad"})
DROPOUTS = frozenset({"dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"})
ITER_WRAPPERS_STOP = frozenset({"range", "len", "zip_longest", "product"})
# an argument named like this makes a call a hand-over of data to a training or evaluation function
DRIVER_WORDS = frozenset({"loader", "loaders", "dataloader", "dataloaders", "dl", "iterator"})
# words that may stand next to a role or a weak loader word in the name of what a data loop iterates:
# `val_images`, `test_files`, `self._data`; not `valid_memory_formats`, `planner_data`, `vars_iter`
DATA_NOUNS = frozenset({
    "self", "all", "full", "my", "batch", "batches", "files", "file", "images", "imgs", "img", "inputs", "input",
    "paths", "path", "list", "lst", "split", "splits", "pairs", "ids", "samples", "sample", "examples", "items",
    "records", "seqs", "sequences", "videos", "video", "frames", "clips", "texts", "sentences", "audio", "points",
    "x", "y", "xy", "src", "tgt", "labeled", "unlabeled", "labelled", "unlabelled", "source", "target",
})
FACTORY_VERBS = frozenset({"build", "get", "make", "create", "load", "init", "setup", "prepare", "construct", "new"})
# words that name data on their own (`for batch in data:`), unlike `set`, `iter` or `queue`
DATA_ALONE = frozenset({"data", "dataset", "datasets", "ds", "samples", "batches", "gen", "generator", "loader",
                        "loaders", "dataloader", "dataloaders", "dl", "iterator"})
# what `load_state_dict` loads into, or `torch.load` returns, when it is not a model
NOT_MODEL_WORDS = frozenset({"optimizer", "optim", "opt", "scheduler", "sched", "lr", "scaler", "checkpoint",
                             "ckpt", "state", "planner", "reader", "writer", "storage", "obj", "artifact", "data",
                             "dict", "sd", "buffer", "payload", "config", "cfg", "args", "result", "results"})


@dataclass(frozen=True)
class ScreenNames:
    constructors: frozenset[str]  # pipeline, dataset, split and loader constructors, by their last name
    transforms: frozenset[str]  # every transform the knowledge base knows (`nn.Sequential` of them is a pipeline)
    datasets: frozenset[str] = frozenset()  # the words of dataset names (`mnist`, `cifar10`), lower case


def screen_names(kb: KnowledgeBase) -> ScreenNames:
    names = {entry.name for entry in kb.all_entries() if entry.kind in ("compose", "factory")}
    names |= {name for entries in kb.datasets.values() for name in entries}
    # `Sequential` is torch.nn's too (in every model file): it counts only around transforms
    dataset_words = {w for entries in kb.datasets.values() for name in entries for w in words(name)
                     if w.isalpha() and len(w) > 2}
    return ScreenNames(frozenset((names | SPECIAL_CALLS) - {"Sequential"}),
                       frozenset(entry.name for entry in kb.all_entries()) - {"Sequential"},
                       frozenset(dataset_words))


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


def _data_name(name: str, dataset_words: frozenset[str]) -> bool:
    """`val_loader`, `self.train_dataloader`: a loader by its name. `test_files`, `train_data`, `data`: data
    when every other word is a role, a data noun or a dataset's name; `valid_memory_formats`,
    `pointwise_overrides_data` or `vars_iter` are not."""
    items = words(name.rpartition(".")[2])
    if any(w in DRIVER_WORDS for w in items):
        return True
    if not (loader_like(name) or role_of_name(name.rpartition(".")[2]) is not None):
        return False
    train_words, eval_words = role_words()
    if not all(w in LOADER_WORDS or w in DATA_NOUNS or w in train_words or w in eval_words or w in dataset_words
               or w.isdigit() for w in items):
        return False
    # a role word alone (`val`, most often a value) or a container word alone (`set1`, `queue`) is no data
    return any(w in DATA_ALONE or w in DATA_NOUNS or w in dataset_words for w in items if w != "self")


def _data_loop(node: ast.For | ast.AsyncFor, dataset_words: frozenset[str] = frozenset()) -> bool:
    """A loop over something named like data whose body calls something; not one whose variable is itself
    called (`for loader in loaders: loader(index)` iterates functions)."""
    name = _iterated(node.iter)
    if not name or not _data_name(name, dataset_words):
        return False
    variables = {target.id for target in walk(node.target) if isinstance(target, ast.Name)}
    calls = [inner for stmt in node.body for inner in walk(stmt) if isinstance(inner, ast.Call)]
    return bool(calls) and not any(isinstance(call.func, ast.Name) and call.func.id in variables for call in calls)


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
    if _loader_factory(callee):
        return bool(call.args or call.keywords)
    for arg in (*call.args, *(k.value for k in call.keywords)):
        name = last_name(arg) if isinstance(arg, (ast.Name, ast.Attribute)) else ""
        if name and any(w in DRIVER_WORDS for w in words(name)) and (
                role_of_name(callee) is not None or role_of_name(name) is not None or "epoch" in words(callee)):
            return True
    return False


def _no_transform(value: ast.expr) -> bool:
    """`transform=None`, `transform=lambda x: x`: nothing is done to the data."""
    if isinstance(value, ast.Constant) and value.value is None:
        return True
    return isinstance(value, ast.Lambda) and len(value.args.args) == 1 and isinstance(value.body, ast.Name) and \
        value.body.id == value.args.args[0].arg


def _loader_factory(callee: str) -> bool:
    """`build_loader`, `get_val_dataloader`, `AudioDataLoader`: a name that makes loaders; not `input_loader`,
    `pad_adaptive_loader` (functions that load values) or `ListIteratorVariable`."""
    items = words(callee)
    if not items or items[-1] not in DRIVER_WORDS:
        return False
    train_words, eval_words = role_words()
    return callee[:1].isupper() or items[0] in FACTORY_VERBS or any(w in train_words or w in eval_words
                                                                     for w in items)


def _passes_role(call: ast.Call) -> bool:
    """`data_provider(args, flag='test')`, `build(cfg, is_train=False)`: a factory told which role to build;
    not `ast.parse(text, mode='eval')` or `compile(…, mode='eval')`, Python's own modes."""
    if last_name(call.func) in PYTHON_MODE_CALLS:
        return False
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
    """`.train()` in a function named for evaluation; not `.train(False)`, which is how `eval()` is written."""
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "train"
               and not _switches_off(node) for node in walk(fn))


def _switches_off(call: ast.Call) -> bool:
    values = [*call.args, *(k.value for k in call.keywords if k.arg == "mode")]
    return len(values) == 1 and isinstance(values[0], ast.Constant) and values[0].value is False


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
        receiver = dotted_name(func.value) or ""
        if not any(w in NOT_MODEL_WORDS for w in words(receiver.rpartition(".")[2])):
            found["loaded"].add(receiver)
        return
    name = dotted_name(func)
    if name:
        found["used"].add(name)
    found["used"].update(dotted_name(a) or "" for a in call.args if isinstance(a, (ast.Name, ast.Attribute)))
    found["used"].update(dotted_name(k.value) or "" for k in call.keywords
                         if isinstance(k.value, (ast.Name, ast.Attribute)))


PYTHON_MODE_CALLS = frozenset({"parse", "compile"})  # `mode='eval'|'exec'|'single'`: how to read code
PRETRAINED_BUILDERS = frozenset({"create_model", "create_model_and_transforms", "create_model_from_pretrained"})
_PRETRAINED_BYTES = tuple(m.encode() for m in PRETRAINED_MARKERS)


def _pretrained_call(call: ast.Call) -> bool:
    """A model built with pretrained weights (extract/pretrained.py reads it): `pretrained=True` or a
    `weights=` that is not None, `open_clip.create_model*(name, pretrained=tag)`, `clip.load(name)`."""
    for keyword in call.keywords:
        value = keyword.value
        if keyword.arg == "pretrained" and not (isinstance(value, ast.Constant) and value.value in (False, None, 0)):
            return True
        if keyword.arg == "weights" and (isinstance(value, ast.Constant) and isinstance(value.value, str) or
                                         isinstance(value, ast.Attribute) and "Weights" in dotted_name(value)):
            return True
    return last_name(call.func) in PRETRAINED_BUILDERS and len(call.args) >= 2 or dotted_name(call.func) == "clip.load"


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
    datasets, called = set(), set()  # project Dataset classes, and the names this file calls
    # images read by hand next to torch: an inference or demo script's preprocessing (extract/handprep.py)
    reads = b"torch" in source and any(marker in source for marker in IMAGE_READS)
    pretrained = any(marker in source for marker in _PRETRAINED_BYTES)
    for node in walk(tree):
        if isinstance(node, ast.Call):
            last = last_name(node.func)
            called.add(last)
            if pretrained and _pretrained_call(node):
                return True
            if reads and (last in ("imread", "VideoCapture") or (last == "open" and dotted_name(node.func) in
                                                                  ("Image.open", "PIL.Image.open"))):
                return True
            if loads:
                _inference_names(node, inference)
            if last in names.constructors or (last == "Sequential" and _sequential_of_transforms(node, names)):
                return True
            if any(k.arg in TRANSFORM_KEYWORDS and not _no_transform(k.value) for k in node.keywords) or \
                    _passes_role(node):
                return True
            mode_hit = mode_hit or _hands_over_data(node)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            mode_hit = mode_hit or _data_loop(node, names.datasets)
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
        elif isinstance(node, ast.ClassDef) and _dataset_class(node):
            datasets.add(node.name)
        elif loads and isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            for target in node.targets:
                name = dotted_name(target)
                if name and not any(w in NOT_MODEL_WORDS for w in words(name.rpartition(".")[2])):
                    inference["built"].add(name)
                    if dotted_name(node.value.func) in ("torch.load", "torch.jit.load"):
                        inference["loaded"].add(name)
    if datasets & called:
        return True  # a Dataset class instantiated here: its `__getitem__` is read per instantiation
    if loads and inference["built"] & inference["loaded"] & inference["used"]:
        mode_hit = True
    if trains and b".backward(" in source and b".eval(" in source:
        mode_hit = True  # trains and switches modes: a step loop that evaluates every N steps (EP502)
    if b"dropout" in source and any(_forward_dropout(fn, imports) for fn in forwards):
        return True
    return mode_hit and mode and not any(module.partition(".")[0] in FOREIGN for module in imports.values())


def _dataset_class(node: ast.ClassDef) -> bool:
    """A class built on a Dataset (`Dataset`, `data.Dataset`, a project's `HandDataset`). A class that only
    defines `__getitem__` is as often a container; used as data, it reaches a loader, which keeps the file."""
    return any("Dataset" in last_name(base) for base in node.bases)


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
