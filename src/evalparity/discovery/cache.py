"""Per-file facts cached under .evalparity_cache/ at the project root (or `evalparity/` inside a folder
the user names), keyed by path, content, tool version, knowledge base and configuration; plus a manifest
of what each file's stat said last time, so that a run over unchanged files neither reads nor hashes them.

The cache never writes into, and `clean` never removes, a folder that is not an evalparity cache: one
with anything in it besides the tag file, the .gitignore and format subfolders.

Entries are pickles read back by an unpickler that builds only evalparity's fact classes: a planted or
foreign file cannot run code, it is just a miss."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import re
import shutil
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from evalparity import __version__
from evalparity import facts as facts_module
from evalparity.atomic import replace_file
from evalparity.facts import FileFacts

CACHE_DIR = ".evalparity_cache"
NAMED_SUBFOLDER = "evalparity"  # inside a folder named with --cache-dir / EVALPARITY_CACHE_DIR
FORMAT = "v2"  # the subfolder: bump it whenever the layout or encoding of entries changes
MANIFEST = "manifest"
ANSWERS = "answers"
TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
       "# This file is a cache directory tag created by evalparity.\n"
       "# For information about cache directory tags see https://bford.info/cachedir/\n")
# A file modified this recently may change again within the file system's timestamp granularity
# without its stat changing: it is read every run until it is older (git calls this "racily clean").
RACY_NS = 2_000_000_000


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The installed evalparity code itself, so a changed extractor never reads stale facts."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]  # the whole evalparity package
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\x00" + path.read_bytes())
    return digest.hexdigest()


# ---- encoding ------------------------------------------------------------------------------------

_FACT_CLASSES = frozenset(name for name, value in vars(facts_module).items()
                          if isinstance(value, type) and value.__module__ == facts_module.__name__)
_ALLOWED = {
    facts_module.__name__: _FACT_CLASSES,
    "builtins": frozenset({"complex", "frozenset", "set", "Ellipsis"}),
}


class _FactsUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a fact")


def encode(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def decode(data: bytes) -> object:
    """The value `encode` wrote; raises on anything else, including classes that are not facts."""
    return _FactsUnpickler(io.BytesIO(data)).load()


def decode_facts(data: bytes) -> FileFacts:
    facts = decode(data)
    if not isinstance(facts, FileFacts):
        raise TypeError("not a FileFacts record")
    return facts


# ---- the manifest --------------------------------------------------------------------------------

class Signature(NamedTuple):
    """What a file's stat says; any change means the file must be read again."""
    mtime_ns: int
    ctime_ns: int
    size: int
    inode: int
    device: int


def signature(path: str | os.PathLike) -> Signature | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return Signature(st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_dev)


@dataclass
class Manifest:
    """Display path → (signature, cache key of the content, extracted eagerly?, marks) from earlier runs;
    marks say what a skipped file's text holds that the project stage may want (`p`: command-line options)."""
    entries: dict[str, tuple[Signature, str, bool, str]] = field(default_factory=dict)
    changed: bool = False
    seen: set[str] = field(default_factory=set)
    started_ns: int = field(default_factory=time.time_ns)

    def lookup(self, shown: str, stat: Signature | None) -> tuple[str, bool, str] | None:
        """(key, eager, marks) recorded for `shown` when its stat is still `stat`."""
        self.seen.add(shown)
        entry = self.entries.get(shown)
        if entry is None or stat is None or entry[0] != stat:
            return None
        return entry[1], entry[2], entry[3]

    def record(self, shown: str, stat: Signature | None, key: str, eager: bool, marks: str = "") -> None:
        self.seen.add(shown)
        if stat is None or max(stat.mtime_ns, stat.ctime_ns) > self.started_ns - RACY_NS:
            self.forget(shown)
            return
        entry = (stat, key, eager, marks)
        if self.entries.get(shown) != entry:
            self.entries[shown] = entry
            self.changed = True

    def forget(self, shown: str) -> None:
        self.seen.add(shown)
        if self.entries.pop(shown, None) is not None:
            self.changed = True


def _valid_entry(entry: object) -> bool:
    return (type(entry) is tuple and len(entry) == 4 and isinstance(entry[0], tuple) and len(entry[0]) == 5
            and all(type(n) is int for n in entry[0]) and type(entry[1]) is str and type(entry[2]) is bool
            and type(entry[3]) is str)


class CacheError(Exception):
    """A folder that `clean` was asked to remove is not an evalparity cache."""


def cache_folder(root: Path, folder: str | Path | None = None) -> Path:
    """The cache folder: `evalparity/` inside the folder given (`--cache-dir`, EVALPARITY_CACHE_DIR), so
    that a shared folder such as ~/.cache is never filled or removed itself; else .evalparity_cache/
    under the project root."""
    return Path(folder) / NAMED_SUBFOLDER if folder else Path(root) / CACHE_DIR


_LAYOUT = re.compile(r"v\d+")


def is_cache(folder: Path) -> bool:
    """An evalparity cache: a folder holding evalparity's tag file and nothing but its own layout."""
    try:
        tag = (folder / "CACHEDIR.TAG").read_text(encoding="utf-8", errors="replace")
        names = os.listdir(folder)
    except OSError:
        return False
    if "created by evalparity" not in tag:
        return False
    return all(name in ("CACHEDIR.TAG", ".gitignore") or (_LAYOUT.fullmatch(name) and (folder / name).is_dir())
               for name in names)


def usable(folder: Path) -> bool:
    """The cache may read and write here: the folder is missing, empty, or an evalparity cache."""
    try:
        return not folder.exists() or (folder.is_dir() and (not os.listdir(folder) or is_cache(folder)))
    except OSError:
        return False


class Cache:
    def __init__(self, root: Path, salt: str, folder: str | Path | None = None) -> None:
        self.root = cache_folder(root, folder)
        self.salt = f"{__version__}\x00{code_digest()}\x00{salt}".encode()
        self._ready = False
        self.disabled = not usable(self.root)  # someone else's folder: run without a cache

    def key(self, path: str, data: bytes) -> str:
        digest = hashlib.sha256(self.salt)
        digest.update(path.encode("utf-8", "surrogateescape") + b"\x00")
        digest.update(data)
        return digest.hexdigest()

    def _file(self, key: str) -> Path:
        return self.root / FORMAT / key[:2] / f"{key}.pickle"

    def get(self, key: str) -> FileFacts | None:
        if self.disabled:
            return None
        try:
            with open(self._file(key), "rb") as stream:
                return decode_facts(stream.read())
        except Exception:  # a missing, truncated or foreign entry is a miss, never an error
            return None

    def put(self, key: str, facts: FileFacts) -> None:
        try:
            self._write(self._file(key), encode(facts))
        except Exception:  # a cache that cannot be written (full disk, facts pickle cannot take) only costs speed
            pass

    # -- manifest --

    @property
    def _identity(self) -> str:
        """The salt (tool version, code, knowledge base, role hints): no other configuration reuses it."""
        return hashlib.sha256(b"manifest\x00" + self.salt).hexdigest()

    def manifest(self) -> Manifest:
        """The manifest of earlier runs with this salt; empty when there is none or it is unreadable."""
        if self.disabled:
            return Manifest()
        try:
            with open(self.root / FORMAT / MANIFEST, "rb") as stream:
                identity, entries = decode(stream.read())
            if identity != self._identity or not isinstance(entries, dict):
                return Manifest()
            return Manifest({shown: entry for shown, entry in entries.items()
                             if type(shown) is str and _valid_entry(entry)})
        except Exception:
            return Manifest()

    def save_manifest(self, manifest: Manifest) -> None:
        """Write the manifest when it changed; files this run did not see drop out once they are gone."""
        for shown in [shown for shown in manifest.entries if shown not in manifest.seen]:
            if not os.path.lexists(shown):
                manifest.forget(shown)
        if not manifest.changed:
            return
        entries = {shown: (tuple(stat), key, eager, marks)
                   for shown, (stat, key, eager, marks) in manifest.entries.items()}
        try:
            self._write(self.root / FORMAT / MANIFEST, encode((self._identity, entries)))
        except Exception:
            pass  # without a manifest the next run reads every file again, nothing worse
        manifest.changed = False

    # -- answers about deferred files --

    def answers(self) -> dict[tuple[str, str, str], object]:
        """What earlier runs with this salt learned about deferred files without extracting them
        (relate/callees.py): (question, content digest, name) → answer; empty when unreadable."""
        if self.disabled:
            return {}
        try:
            with open(self.root / FORMAT / ANSWERS, "rb") as stream:
                identity, answers = decode(stream.read())
            if identity != self._identity or not isinstance(answers, dict):
                return {}
            return {key: answer for key, answer in answers.items()
                    if type(key) is tuple and len(key) == 3 and all(type(part) is str for part in key)
                    and (type(answer) is bool or (type(answer) is tuple and len(answer) == 2
                                                  and type(answer[0]) is str and type(answer[1]) in (str, type(None))))}
        except Exception:
            return {}

    def save_answers(self, answers: dict[tuple[str, str, str], object]) -> None:
        try:
            self._write(self.root / FORMAT / ANSWERS, encode((self._identity, answers)))
        except Exception:
            pass  # the next run answers again, nothing worse

    def _write(self, target: Path, data: bytes) -> None:
        """Atomically: readers see the old file or the new one, never half of one."""
        if self.disabled:
            return
        self._prepare()
        target.parent.mkdir(parents=True, exist_ok=True)
        replace_file(target, data)

    def _prepare(self) -> None:
        if self._ready:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        tag = self.root / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(TAG, encoding="utf-8")
        ignore = self.root / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by evalparity automatically.\n*\n", encoding="utf-8")
        self._ready = True


def clean(root: Path, folder: str | Path | None = None) -> bool:
    """Remove the cache under `root` (or inside the given folder); True when there was one. Raises
    CacheError, removing nothing, when the folder holds anything that is not evalparity's."""
    target = cache_folder(root, folder)
    if not target.exists() and not target.is_symlink():
        return False
    if target.is_symlink() or not is_cache(target):
        raise CacheError(f"{target} is not an evalparity cache (no evalparity CACHEDIR.TAG, or other files "
                         "inside); nothing was removed")
    shutil.rmtree(target)
    return True
