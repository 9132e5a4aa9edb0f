"""Extract many files: skip what the prefilter rules out, reuse cached facts, and spread the rest
over worker processes. Results come back in discovery order whatever the number of workers."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable

from .cache import Cache
from .discover import FileError, display_path, read_source
from .extract import extract_source
from .facts import FileFacts
from .knowledge import KnowledgeBase
from .naming import EVAL_WORDS, TRAIN_WORDS, role_words, set_role_hints
from .prefilter import markers, may_contribute
from .screen import screen_names, worth_extracting

POOL_THRESHOLD = 16  # below this many files to parse, starting workers costs more than it saves
_WORKER_KB: KnowledgeBase | None = None


def extract_one(shown: str, source: bytes, kb: KnowledgeBase) -> tuple[FileFacts | None, list[FileError]]:
    try:
        return extract_source(shown, source, kb), []
    except RecursionError:
        return None, [FileError(shown, "too-complex", "nesting too deep to analyse; skipped")]
    except Exception as exc:  # an evalparity bug must not stop the other files
        return None, [FileError(shown, "internal", f"{type(exc).__name__}: {exc}")]


def _init_worker(kb: KnowledgeBase, hints: tuple) -> None:
    """Workers get the knowledge base and the active role hints (spawned workers start without them)."""
    global _WORKER_KB
    _WORKER_KB = kb
    set_role_hints(*hints)


def _active_hints() -> tuple:
    train, evaluation = role_words()
    return train - TRAIN_WORDS, evaluation - EVAL_WORDS


def _work(item: tuple[str, bytes]):
    return extract_one(item[0], item[1], _WORKER_KB)


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _cached_extract(shown: str, source: bytes, kb: KnowledgeBase, cache: Cache | None) -> FileFacts | None:
    """Extract a file the prefilter skipped, when an import needs it; cached like the others."""
    key = cache.key(shown, source) if cache is not None else None
    facts = cache.get(key) if key is not None else None
    if facts is None:
        facts = extract_one(shown, source, kb)[0]
        if facts is not None and key is not None:
            cache.put(key, facts)
    return facts


def extract_files(paths: list[Path], kb: KnowledgeBase, jobs: int = 1, cache: Cache | None = None,
                  progress: Callable[[int, int], None] | None = None):
    """(facts by display path, deferred loaders for skipped files, per-file errors)."""
    wanted, names = markers(kb), screen_names(kb)
    errors: list[FileError] = []
    slots: dict[str, FileFacts | None] = {}
    deferred: dict[str, Callable[[], FileFacts | None]] = {}
    todo: list[tuple[str, bytes, str | None]] = []
    for path in paths:
        shown = display_path(path)
        source = read_source(path)
        if isinstance(source, FileError):
            errors.append(source)
            continue
        if not may_contribute(source, wanted):
            deferred[shown] = lambda shown=shown, source=source: _cached_extract(shown, source, kb, cache)
            continue
        key = cache.key(shown, source) if cache is not None else None
        cached = cache.get(key) if key is not None else None
        if cached is None and not worth_extracting(shown, source, names):
            deferred[shown] = lambda shown=shown, source=source: _cached_extract(shown, source, kb, cache)
            continue
        slots[shown] = cached
        if cached is None:
            todo.append((shown, source, key))
    done = len(paths) - len(todo)
    if progress is not None:
        progress(done, len(paths))
    if jobs > 1 and len(todo) >= POOL_THRESHOLD:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=_context(), initializer=_init_worker,
                                 initargs=(kb, _active_hints())) as pool:
            results = []
            for result in pool.map(_work, [(shown, source) for shown, source, _ in todo], chunksize=4):
                results.append(result)
                done += 1
                if progress is not None:
                    progress(done, len(paths))
    else:
        results = []
        for shown, source, _ in todo:
            results.append(extract_one(shown, source, kb))
            done += 1
            if progress is not None:
                progress(done, len(paths))
    for (shown, _, key), (facts, problems) in zip(todo, results):
        errors.extend(problems)
        slots[shown] = facts
        if facts is not None and cache is not None and key is not None:
            cache.put(key, facts)
    return {shown: facts for shown, facts in slots.items() if facts is not None}, deferred, errors
