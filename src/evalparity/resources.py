"""Locate the data shipped with evalparity: the rules/ folder."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path


@lru_cache(maxsize=1)
def rules_dir() -> Path:
    """rules/ inside an installed wheel (evalparity/_rules), else the source checkout's rules/."""
    packaged = Path(str(resources.files("evalparity"))) / "_rules"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "rules"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError("evalparity's rules/ data is missing from this installation")
