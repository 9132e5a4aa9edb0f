"""Extract many files: skip what the prefilter rules out, reuse cached facts, and spread the reading,
screening and extraction over worker processes. Results come back in discovery order whatever the
number of workers."""

from __future__ import annotations

import atexit
import gc
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable

from evalparity.discovery.cache import Cache, Manifest, signature
from evalparity.discovery.dataconfig import MAX_DATA_BYTES, is_data_file, looks_like_data_config, read_data_config
from evalparity.discovery.mmconfig import looks_like_config, read_config
from evalparity.discovery.paths import (
    FileError,
    current_bytes,
    display_path,
    overridden,
    overrides,
    overriding,
    read_source,
)
from evalparity.discovery.prefilter import markers, may_contribute
from evalparity.facts import FileFacts
from evalparity.vocabulary.knowledge import KnowledgeBase
from evalparity.vocabulary.naming import EVAL_WORDS, TRAIN_WORDS, role_words, set_role_hints

POOL_THRESHOLD = 16  # below this many files to parse, starting workers costs more than it saves
BATCHES_PER_JOB = 32
_WORKER_KB: KnowledgeBase | None = None
_WORKER_SCREENS: "_Screens | None" = None
_WORKER_CACHE: Cache | None = None
_SETTLE = False  # see settle_loaded_facts
ONE_RUN_THRESHOLDS = (100_000, 50, 50)


def settle_loaded_facts(enabled: bool = True) -> None:
    """For a program that exits after one run (the command line): facts taken from the cache are then
    loaded with the cyclic garbage collector paused, and frozen out of its sight afterwards (gc.freeze).
    They are millions of small acyclic objects that live until the process ends; the collector would
    scan them again and again during the run and once more at exit, a third of a warm run's time.
    Parsing allocates millions of short-lived objects that reference counting frees on its own, so the
    collector also runs about a hundred times less often (a tenth of a cold run's time).
    Library callers keep the default, so nothing they drop is kept from the collector."""
    global _SETTLE
    _SETTLE = enabled
    if enabled:
        gc.set_threshold(*ONE_RUN_THRESHOLDS)
        atexit.unregister(_skip_teardown)
        atexit.register(_skip_teardown)


def _skip_teardown() -> None:
    """At the exit of a one-run program, keep what the modules hold from being freed object by object
    while the interpreter clears them (facts, syntax trees kept by the call graph's caches: a quarter of
    a warm run). A frozen list that holds itself and a copy of every module's namespace is never collected;
    the interpreter still flushes the standard streams and runs the other exit handlers."""
    if not _SETTLE:
        return
    kept: list = [dict(vars(module)) for module in list(sys.modules.values()) if hasattr(module, "__dict__")]
    kept.append(kept)
    gc.freeze()


@contextmanager
def _settling():
    if not _SETTLE or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


@contextmanager
def _collector_paused():
    """In a one-run program the collector is paused while a file is screened or extracted: its syntax
    tree, tens of thousands of acyclic nodes that live exactly as long as that, would otherwise be scanned
    by the collections its own allocations set off, and promoted to be scanned again. Any cyclic garbage
    left is collected by the next collection after it."""
    if not _SETTLE or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def extract_one(shown: str, source: bytes, kb: KnowledgeBase) -> tuple[FileFacts | None, list[FileError]]:
    from evalparity.extract.source import extract_source  # libcst: imported only when a file needs parsing

    with _collector_paused():
        try:
            facts = extract_source(shown, source, kb)
            if facts.error is None and looks_like_config(source):
                facts.config = read_config(shown, source)
            return facts, []
        except RecursionError:
            return None, [FileError(shown, "too-complex", "nesting too deep to analyse; skipped")]
        except Exception as exc:  # an evalparity bug must not stop the other files
            return None, [FileError(shown, "internal", f"{type(exc).__name__}: {exc}")]


def _init_worker(kb: KnowledgeBase, hints: tuple, settle: bool, cache: Cache | None,
                 contents: dict[str, bytes]) -> None:
    """Workers get the knowledge base, the active role hints, the cache, the contents that replace files
    and the collector's thresholds (spawned workers start without them)."""
    global _WORKER_KB, _WORKER_SCREENS, _WORKER_CACHE, _SETTLE
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the main process stops workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _WORKER_KB, _WORKER_SCREENS, _WORKER_CACHE = kb, _Screens(kb), cache
    set_role_hints(*hints)
    overriding(contents).__enter__()  # for the worker's lifetime
    _SETTLE = settle  # (no exit handler: a worker leaves through os._exit)
    if settle:
        gc.set_threshold(*ONE_RUN_THRESHOLDS)


def _active_hints() -> tuple:
    train, evaluation = role_words()
    return train - TRAIN_WORDS, evaluation - EVAL_WORDS


def _work(batch: list[tuple[Path, str, bool]]) -> list["_Outcome"]:
    return [process_file(path, shown, _WORKER_KB, _WORKER_SCREENS, _WORKER_CACHE, named)
            for path, shown, named in batch]


def _stop(pool: ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    results = getattr(pool, "_result_queue", None)  # (shutdown forgets it)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        try:
            process.terminate()
        except (OSError, ValueError, AttributeError):
            pass
    for process in processes:
        process.join(timeout=1)
    # A worker stopped while it was sending a result leaves part of it in the result pipe; the executor's
    # thread then waits for the rest for ever, and so does the exit, which joins that thread. With the
    # workers gone, this process holds the pipe's last writing end: closing it ends that read.
    writer = getattr(results, "_writer", None)
    if writer is not None:
        try:
            writer.close()
        except OSError:
            pass


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


def _load_deferred(path: Path, shown: str, key: str, kb: KnowledgeBase, cache: Cache) -> FileFacts | None:
    """A skipped file the manifest knows: its cached facts, else it is read (only now) and extracted."""
    facts = cache.get(key)
    return facts if facts is not None else _read_and_extract(path, shown, kb, cache)


def screen_names(kb: KnowledgeBase):
    from evalparity.discovery.screen import screen_names as names  # imported on first use: a warm run needs no screen

    return names(kb)


def worth_extracting(shown: str, source: bytes, names) -> bool:
    from evalparity.discovery.screen import worth_extracting as worth

    with _collector_paused():
        return worth(shown, source, names)


class _Screens:
    """The prefilter's two stages, set up on first use: a run that the manifest answers needs neither."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._wanted = self._names = None

    def may_contribute(self, source: bytes) -> bool:
        if self._wanted is None:
            self._wanted = markers(self.kb)
        return may_contribute(source, self._wanted)

    def worth_extracting(self, shown: str, source: bytes) -> bool:
        if self._names is None:
            self._names = screen_names(self.kb)
        return worth_extracting(shown, source, self._names)


@dataclass
class _Outcome:
    """What one file gave before the project stage."""

    kind: str  # facts | defer | error
    key: str | None = None
    facts: FileFacts | None = None
    problems: list[FileError] = field(default_factory=list)
    marks: str = ""  # a deferred file's: see discovery/cache.Manifest


def process_file(path: Path, shown: str, kb: KnowledgeBase, screens: "_Screens", cache: Cache | None,
                 named: bool = False) -> _Outcome:
    """Read the file, run the prefilter's two stages (not for a file named on the command line: it is
    always analysed), take its facts from the cache or extract them."""
    if is_data_file(shown):
        return process_data_file(path, shown, cache)
    source = read_source(path)
    if isinstance(source, FileError):
        return _Outcome("error", problems=[source])
    key = cache.key(shown, source) if cache is not None else None
    config = looks_like_config(source)  # an OpenMMLab-style configuration: read by CPython's parser alone
    if not named and not config and not screens.may_contribute(source):
        return _Outcome("defer", key, marks=deferred_marks(source))
    cached = cache.get(key) if key is not None else None
    if cached is not None:
        return _Outcome("facts", key, cached)
    facts = config_facts(shown, source) if config else None
    if facts is not None:  # a configuration and nothing else: its `transforms=` keywords are data, not code
        if key is not None:
            cache.put(key, facts)
        return _Outcome("facts", key, facts)
    if not named and not (screens.may_contribute(source) and screens.worth_extracting(shown, source)):
        return _Outcome("defer", key, marks=deferred_marks(source))
    facts, problems = extract_one(shown, source, kb)
    if facts is not None and key is not None:
        cache.put(key, facts)
    return _Outcome("facts", key, facts, problems)


def process_data_file(path: Path, shown: str, cache: Cache | None) -> _Outcome:
    """A YAML or JSON file: read only when it is small and its text names `_target_` with a transform library
    or albumentations' `__class_fullname__` (discovery/dataconfig.py). Anything else is dropped without a
    word, named on the command line or not: neither an error nor deferred (no import can name it)."""
    try:
        if not overridden(path) and os.stat(path).st_size > MAX_DATA_BYTES:
            return _Outcome("defer", "")
        source = current_bytes(path)
    except (OSError, ValueError):
        return _Outcome("defer", "")
    if len(source) > MAX_DATA_BYTES or not looks_like_data_config(source):
        return _Outcome("defer", "")
    key = cache.key(shown, source) if cache is not None else None
    cached = cache.get(key) if key is not None else None
    if cached is not None:
        return _Outcome("facts", key, cached)
    with _collector_paused():
        documents = read_data_config(shown, source)
    if not documents:
        return _Outcome("defer", key or "")
    facts = FileFacts(shown, declared=documents)
    facts.lines = tuple(source.decode("utf-8", "replace").splitlines())
    if key is not None:
        cache.put(key, facts)
    return _Outcome("facts", key, facts)


def config_facts(shown: str, source: bytes) -> FileFacts | None:
    """The facts of a configuration file: its configuration only (discovery/mmconfig.py), without libcst.
    None when it is no configuration after all, or when it also defines functions (then read as Python too)."""
    with _collector_paused():
        config = read_config(shown, source)
    if config is None or config.code:
        return None
    facts = FileFacts(shown, config=config)
    facts.lines = tuple(source.decode("utf-8", "replace").splitlines())
    return facts


def deferred_marks(source: bytes) -> str:
    """What the project stage may want of a skipped file without extracting it: `p` when its text defines
    command-line options (relate/config_values.py)."""
    return "p" if b"add_argument" in source or b"set_defaults" in source else ""


def _read_and_extract(path: Path, shown: str, kb: KnowledgeBase, cache: Cache | None) -> FileFacts | None:
    """A deferred file, when an import or a call needs it: read now, extracted, cached like the others."""
    source = read_source(path)
    return None if isinstance(source, FileError) else _cached_extract(shown, source, kb, cache)


def _triage(paths: list[Path], kb: KnowledgeBase, cache: Cache | None, manifest: Manifest | None,
            named: frozenset[str] = frozenset()):
    """Facts and deferred loaders for the files the manifest answers; the others, to be processed."""
    slots: dict[str, FileFacts | None] = {}
    deferred: dict[str, Callable[[], FileFacts | None]] = {}
    parsers: set[str] = set()
    todo: list[tuple[Path, str, object]] = []
    for path in paths:
        shown = display_path(path)
        stat = None
        if manifest is not None and not overridden(path):
            stat = signature(path)
            known = manifest.lookup(shown, stat)
            if known is not None:
                key, eager, marks = known
                if not eager and is_data_file(shown):
                    continue  # a YAML or JSON file that declares nothing
                if not eager and shown not in named:
                    deferred[shown] = partial(_load_deferred, path, shown, key, kb, cache)
                    if "p" in marks:
                        parsers.add(shown)
                    continue
                cached = cache.get(key)
                if cached is not None:
                    slots[shown] = cached
                    continue
        slots[shown] = None  # keeps discovery order
        todo.append((path, shown, stat))
    return slots, deferred, parsers, todo


def _batches(todo: list[tuple[Path, str, object]], jobs: int) -> list[list[int]]:
    """Indexes of the files in batches of about the same total size (largest files dealt first, in
    turn): few enough batches that sending them costs little, enough that no worker idles long at the end."""
    def size(index: int) -> int:
        try:
            return os.stat(todo[index][0]).st_size
        except OSError:
            return 0
    order = sorted(range(len(todo)), key=size, reverse=True)
    count = min(len(order), jobs * BATCHES_PER_JOB)
    return [order[start::count] for start in range(count)]


def extract_files(paths: list[Path], kb: KnowledgeBase, jobs: int = 1, cache: Cache | None = None,
                  progress: Callable[[int, int], None] | None = None, named: frozenset[str] = frozenset()):
    """(facts by display path, deferred loaders for skipped files, per-file errors, the skipped files whose
    text defines command-line options).

    With a cache, files whose stat matches the manifest are not read: the key and the decision (extract
    now, or defer) recorded for them are reused. The others are read, screened, extracted and recorded,
    in worker processes when there are several jobs and enough files."""
    with _settling():
        manifest = cache.manifest() if cache is not None else None
        slots, deferred, parsers, todo = _triage(paths, kb, cache, manifest, named)
    done = len(paths) - len(todo)
    if progress is not None:
        progress(done, len(paths))
    results: list[_Outcome | None] = [None] * len(todo)
    if jobs > 1 and len(todo) >= POOL_THRESHOLD:
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=_context(), initializer=_init_worker,
                                   initargs=(kb, _active_hints(), _SETTLE, cache, overrides()))
        try:
            batches = _batches(todo, jobs)
            work = [[(todo[index][0], todo[index][1], todo[index][1] in named) for index in batch]
                    for batch in batches]
            for batch, outcomes in zip(batches, pool.map(_work, work)):
                for index, outcome in zip(batch, outcomes):
                    results[index] = outcome
                done += len(batch)
                if progress is not None:
                    progress(done, len(paths))
        except BaseException:  # Ctrl-C, SIGTERM, a worker's failure: stop the workers now, not after their batches
            _stop(pool)
            raise
        pool.shutdown()
    else:
        screens = _Screens(kb)
        for index, (path, shown, _) in enumerate(todo):
            results[index] = process_file(path, shown, kb, screens, cache, shown in named)
            done += 1
            if progress is not None:
                progress(done, len(paths))
    errors: list[FileError] = []
    for (path, shown, stat), outcome in zip(todo, results):
        errors.extend(outcome.problems)
        if outcome.kind == "error":
            del slots[shown]
            if manifest is not None:
                manifest.forget(shown)
            continue
        if manifest is not None:
            manifest.record(shown, stat, outcome.key, outcome.kind == "facts", outcome.marks)
        if outcome.kind == "defer":
            del slots[shown]
            if is_data_file(shown):
                continue
            deferred[shown] = partial(_read_and_extract, path, shown, kb, cache)
            if "p" in outcome.marks:
                parsers.add(shown)
            continue
        slots[shown] = outcome.facts
    if manifest is not None:
        cache.save_manifest(manifest)
    facts = {shown: facts for shown, facts in slots.items() if facts is not None}
    return facts, deferred, errors, frozenset(parsers)
