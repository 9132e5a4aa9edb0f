"""FileFacts ⇄ JSON, for the cache. Generic over the dataclasses in facts.py, so new facts need no
code here; anything it cannot decode is treated as a cache miss by the caller."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from . import facts as facts_module
from .extract.folding import Array

_CLASSES = {name: cls for name, cls in vars(facts_module).items() if dataclasses.is_dataclass(cls)}


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        encoded = {"$": type(value).__name__}
        for field in dataclasses.fields(value):
            encoded[field.name] = _encode(getattr(value, field.name))
        return encoded
    if isinstance(value, Array):
        return {"$a": [_encode(v) for v in value]}
    if isinstance(value, tuple):
        return {"$t": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"$d": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _hook(value: dict) -> Any:
    """json's object_hook: called bottom-up for every JSON object, so no Python-level recursion."""
    if "$t" in value:
        return tuple(value["$t"])
    if "$a" in value:
        return Array(value["$a"])
    if "$d" in value:
        return {(tuple(k) if isinstance(k, list) else k): v for k, v in value["$d"]}
    if "$" in value:
        cls = _CLASSES[value.pop("$")]
        return cls(**value)
    return value


def dumps(facts: facts_module.FileFacts) -> str:
    return json.dumps(_encode(facts), separators=(",", ":"))


def loads(text: str) -> facts_module.FileFacts:
    result = json.loads(text, object_hook=_hook)
    if not isinstance(result, facts_module.FileFacts):
        raise TypeError("not a FileFacts record")
    return result
