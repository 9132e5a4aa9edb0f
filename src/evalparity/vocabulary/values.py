"""Comparing and printing static values (see facts.Value)."""

from __future__ import annotations

import math
from typing import Any

from evalparity.facts import Value

ABS_TOLERANCE = 0.003


def unknown(text: str, key: str = "") -> Value:
    return Value("unknown", key=key or text, text=text)


def const(value: Any, text: str = "") -> Value:
    return Value("const", const=value, text=text or format_const(value))


def numbers(value: Value) -> tuple[float, ...] | None:
    """A constant as a tuple of floats (a scalar becomes a 1-tuple), or None."""
    if not value.is_const:
        return None
    raw = value.const
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return (float(raw),)
    if isinstance(raw, tuple) and raw and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw):
        return tuple(float(v) for v in raw)
    return None


def close(a: float, b: float) -> bool:
    """Equal up to rounding of a published constant: 0.229 == 0.2290, 0.4914 == 0.491, 123.675 == 123.68."""
    return math.isclose(a, b, rel_tol=ABS_TOLERANCE, abs_tol=ABS_TOLERANCE)


def same_numbers(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    """Per-channel equality; a single value broadcasts over every channel, as Normalize does."""
    if len(a) == 1 and len(b) > 1:
        a = a * len(b)
    if len(b) == 1 and len(a) > 1:
        b = b * len(a)
    return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))


def equal(a: Value, b: Value) -> bool | None:
    """True or False when provably so; None when nothing can be claimed."""
    if a.kind == "const" and b.kind == "const":
        na, nb = numbers(a), numbers(b)
        if na is not None and nb is not None:
            return same_numbers(na, nb)
        return a.const == b.const
    if a.kind == "symbol" and b.kind == "symbol":
        return a.key == b.key
    if {a.kind, b.kind} == {"symbol", "const"}:
        return False
    if a.key and a.key == b.key:
        return True
    return None


def format_const(raw: Any) -> str:
    if isinstance(raw, tuple):
        inner = ", ".join(format_const(v) for v in raw)
        return f"({inner},)" if len(raw) == 1 else f"({inner})"
    if isinstance(raw, float):
        text = f"{raw:.6g}"
        return text if any(c in text for c in ".e") or "inf" in text or "nan" in text else text + ".0"
    return repr(raw)


def describe(value: Value) -> str:
    """Human wording of a value for a finding message."""
    if value.kind == "const":
        return format_const(value.const)
    if value.kind == "symbol":
        where = f" at {value.origin.short()}" if value.origin else ""
        return f"`{value.text}` (computed at run time{where})"
    return f"`{value.text}`"


# ---- configuration reads ------------------------------------------------------------------------
# A `config` Value's key: kind, where, keys, joined by a separator no key contains.
#   argparse: where is `local` (the namespace is `parser.parse_args()` in this file) or `any` (a parameter
#             or attribute named like one: `args`, `opt`, `self.hparams`); keys is the one option dest
#   yaml / json: where is the literal path as written; keys the item or attribute names read, in order
_SEP = "\x1f"
# names that hold parsed options or a configuration object in training code
NAMESPACE_NAMES = frozenset({"args", "opt", "opts", "options", "arguments", "flags", "FLAGS", "hparams", "hp",
                             "hyperparams", "params", "argv_args", "parsed_args", "cmd_args", "cli_args"})
CONFIG_NAMES = NAMESPACE_NAMES | frozenset({"cfg", "config", "conf", "configs", "settings", "C", "__C", "_C",
                                            "CONFIG", "CFG"})


def config_key(kind: str, where: str, keys: tuple[str, ...]) -> str:
    return _SEP.join((kind, where, *keys))


def split_config_key(key: str) -> tuple[str, str, tuple[str, ...]]:
    kind, where, *keys = key.split(_SEP)
    return kind, where, tuple(keys)


def config_part(key: str) -> bool:
    """A key or name that can stand in a config key (no separator)."""
    return bool(key) and _SEP not in key
