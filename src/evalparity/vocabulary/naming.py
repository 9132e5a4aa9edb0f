"""Role words in identifiers, strings and conditions: `train_tf`, `'val'`, `if is_train:`."""

from __future__ import annotations

import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Iterable, Iterator

from evalparity.facts import EVAL, TRAIN

TRAIN_WORDS = frozenset({"train", "training", "trn", "trainval", "finetune"})
EVAL_WORDS = frozenset({
    "val", "valid", "validation", "validate", "eval", "evaluation", "evaluate", "test", "testing",
    "inference", "infer", "predict", "prediction", "holdout", "tta",
})
TTA_WORDS = frozenset({"tta"})
FLAG_WORDS = frozenset({"is", "do", "for", "use", "mode", "phase", "stage", "flag", "only", "in", "on", "set", "time"})

# Extra words from the user's configuration (`[tool.evalparity.role-hints]`); empty unless set.
_HINT_TRAIN: frozenset[str] = frozenset()
_HINT_EVAL: frozenset[str] = frozenset()


def role_words() -> tuple[frozenset[str], frozenset[str]]:
    """The active (train, eval) word sets: the built-in words plus the configured role hints."""
    return TRAIN_WORDS | _HINT_TRAIN, EVAL_WORDS | _HINT_EVAL


def set_role_hints(train: Iterable[str] = (), eval: Iterable[str] = ()) -> None:
    """Add words that mark a name as train or eval (lower-case, one word each: `fit`, `dev`, `heldout`)."""
    global _HINT_TRAIN, _HINT_EVAL
    _HINT_TRAIN, _HINT_EVAL = frozenset(w.lower() for w in train), frozenset(w.lower() for w in eval)


@contextmanager
def role_hints(train: Iterable[str] = (), eval: Iterable[str] = ()) -> Iterator[None]:
    """Role hints for the duration of one run; the previous ones are restored afterwards."""
    previous = (_HINT_TRAIN, _HINT_EVAL)
    set_role_hints(train, eval)
    try:
        yield
    finally:
        set_role_hints(*previous)


_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])")


ROLE_SUFFIXES = ("dir", "dirs", "path", "root", "set", "sets", "data", "dataset", "ds", "loader", "tf", "tfs",
                 "transform", "transforms", "trans", "aug", "img", "imgs", "images", "list", "file", "files",
                 "idx", "split", "size")


def _split_glued(word: str) -> list[str]:
    """`valdir` → val, dir; `trainset` → train, set (but `trainer` stays one word)."""
    train_words, eval_words = role_words()
    if word in train_words or word in eval_words:
        return [word]
    for prefix in ("train", "valid", "val", "test", "eval", *sorted(_HINT_TRAIN | _HINT_EVAL, key=len, reverse=True)):
        rest = word[len(prefix):]
        if word.startswith(prefix) and rest in ROLE_SUFFIXES:
            return [prefix, rest]
    return [word]


def words(identifier: str) -> list[str]:
    return list(_words(identifier))


@lru_cache(maxsize=65536)
def _words(identifier: str) -> tuple[str, ...]:
    return tuple(part for w in _SPLIT.split(identifier) if w for part in _split_glued(w.lower()))


def role_of_words(items: list[str]) -> str | None:
    train_words, eval_words = role_words()
    has_train = any(w in train_words for w in items)
    has_eval = any(w in eval_words for w in items)
    if has_train == has_eval:
        return None
    return TRAIN if has_train else EVAL


def role_of_name(identifier: str | None) -> str | None:
    """`train_transform` → train, `val_tf` → eval, `train_val_tf` or `tf` → None."""
    if not identifier:
        return None
    return role_of_words(words(identifier))


def mixed_roles(identifier: str | None) -> bool:
    """`val_train`, `train_eval`: a name with words of both roles, which no enclosing condition decides."""
    if not identifier:
        return False
    train_words, eval_words = role_words()
    items = words(identifier)
    return any(w in train_words for w in items) and any(w in eval_words for w in items)


def role_of_string(text: str) -> str | None:
    """A split name or a path: `'val'`, `'train2017'`, `'data/imagenet/val'` (last path part decides)."""
    parts = [p for p in re.split(r"[/\\]", text.strip()) if p]
    if not parts:
        return None
    return role_of_words(words(parts[-1]))


def role_of_flag(identifier: str) -> str | None:
    """A boolean-looking name used as a condition: `is_train`, `training`, `test_mode` — not `train_loader`."""
    items = words(identifier)
    train_words, eval_words = role_words()
    if not items or not all(w in FLAG_WORDS or w in train_words or w in eval_words for w in items):
        return None
    return role_of_words(items)


ROLE_PARAMETERS = frozenset({"split", "mode", "phase", "stage", "subset", "set", "image_set", "kind", "partition",
                             "flag"})


def role_parameter(identifier: str) -> bool:
    """A parameter whose value selects the role: `flag`, `split`, `mode`, `is_train`, `data_split`."""
    return identifier in ROLE_PARAMETERS or role_of_flag(identifier) is not None or \
        any(w in ROLE_PARAMETERS for w in words(identifier))


def is_tta(identifier: str | None) -> bool:
    return bool(identifier) and any(w in TTA_WORDS for w in words(identifier))


def opposite(role: str | None) -> str | None:
    if role == TRAIN:
        return EVAL
    if role == EVAL:
        return TRAIN
    return None


# Frameworks whose models switch modes otherwise than `.eval()` / `.train()`: their files are left alone.
FOREIGN = frozenset({"mxnet", "tensorflow", "keras", "jax", "flax", "paddle", "mindspore", "oneflow", "chainer",
                     "gluoncv"})


DORMANT_FOLDERS = frozenset({"deprecated", "legacy", "archive", "archived", "obsolete", "old", "unused"})


@lru_cache(maxsize=65536)
def dormant_file(path: str) -> bool:
    """A file under a folder its project marks as no longer maintained (`deprecated/`, `legacy/`)."""
    return any(part.lower() in DORMANT_FOLDERS for part in PurePosixPath(path.replace("\\", "/")).parts[:-1])


@lru_cache(maxsize=65536)
def unit_test_file(path: str) -> bool:
    """A test module or a file under a tests folder: its loaders and loops exercise code."""
    parts = PurePosixPath(path.replace("\\", "/"))
    name = parts.name
    return (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py" or
            any(p in ("tests", "test", "testing") for p in parts.parts[:-1]))
