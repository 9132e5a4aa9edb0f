"""Per-file facts cached under .evalparity_cache/, keyed by path, content, tool version,
knowledge base and configuration."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from . import __version__
from .facts import FileFacts
from .serialize import dumps, loads

CACHE_DIR = ".evalparity_cache"
TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
       "# This file is a cache directory tag created by evalparity.\n"
       "# For information about cache directory tags see https://bford.info/cachedir/\n")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The installed evalparity code itself, so a changed extractor never reads stale facts."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\x00" + path.read_bytes())
    return digest.hexdigest()


class Cache:
    def __init__(self, root: Path, salt: str) -> None:
        self.root = Path(root) / CACHE_DIR
        self.salt = f"{__version__}\x00{code_digest()}\x00{salt}".encode()
        self._ready = False

    def key(self, path: str, data: bytes) -> str:
        digest = hashlib.sha256(self.salt)
        digest.update(path.encode("utf-8", "surrogateescape") + b"\x00")
        digest.update(data)
        return digest.hexdigest()

    def _file(self, key: str) -> Path:
        return self.root / "v1" / key[:2] / f"{key}.json"

    def get(self, key: str) -> FileFacts | None:
        try:
            return loads(self._file(key).read_text(encoding="utf-8"))
        except Exception:  # a missing, truncated or foreign entry is a miss, never an error
            return None

    def put(self, key: str, facts: FileFacts) -> None:
        try:
            self._prepare()
            target = self._file(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(dumps(facts))
            os.replace(temporary, target)
        except (OSError, TypeError, ValueError):
            pass  # a cache that cannot be written only costs speed

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


def clean(root: Path) -> bool:
    """Remove the cache under `root`; True when there was one."""
    target = Path(root) / CACHE_DIR
    if not target.is_dir():
        return False
    shutil.rmtree(target)
    return True
