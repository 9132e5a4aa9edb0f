"""Locate the data shipped with evalparity (the rules/ folder) and read its YAML."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

_FAST_LOADER = getattr(yaml, "CSafeLoader", None)  # PyYAML built with libyaml


@lru_cache(maxsize=1)
def rules_dir() -> Path:
    """rules/ inside an installed wheel (evalparity/_rules), else the source checkout's rules/."""
    packaged = Path(str(resources.files("evalparity"))) / "_rules"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "rules"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError("evalparity's rules/ data is missing from this installation")


def load_yaml(text: str) -> Any:
    """yaml.safe_load, with libyaml's parser when PyYAML has it (several times faster; the same data).
    A document that parser rejects is read again by the pure-Python one, whose error is the one raised."""
    if _FAST_LOADER is not None:
        try:
            return yaml.load(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)
