"""rules/knowledge/eval_counterparts.yaml: what a random transform becomes in an evaluation pipeline
(the unsafe EP101 fix). Loaded once and validated strictly, like the rest of rules/knowledge."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from evalparity.vocabulary.knowledge import KnowledgeError
from evalparity.vocabulary.resources import load_yaml, rules_dir

FILE_KEYS = {"source", "counterparts", "note"}
ENTRY_KEYS = {"remove", "replace", "crop_ratio", "remove_when_same_size", "note"}
PLACEHOLDER = re.compile(r"\{(\+?)([A-Za-z_]\w*)\}")
TEMPLATE = re.compile(r"[A-Za-z_]\w*\(.*\)")


@dataclass(frozen=True)
class Counterpart:
    qualname: str
    remove: bool = False
    replace: tuple[str, ...] = ()
    crop_ratio: float | None = None
    remove_when_same_size: bool = False


def _entry(path: Path, qualname: str, raw) -> Counterpart:
    where = f"{path.name}: counterparts.{qualname}"
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{where}: expected a mapping, got {type(raw).__name__}")
    unknown = set(raw) - ENTRY_KEYS
    if unknown:
        raise KnowledgeError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(ENTRY_KEYS)}")
    remove = raw.get("remove", False)
    replace = raw.get("replace", [])
    if not isinstance(remove, bool) or not isinstance(raw.get("remove_when_same_size", False), bool):
        raise KnowledgeError(f"{where}: remove and remove_when_same_size must be true or false")
    if remove == bool(replace):
        raise KnowledgeError(f"{where}: give exactly one of remove: true or replace: [templates]")
    if not isinstance(replace, list) or not all(isinstance(t, str) and TEMPLATE.fullmatch(t) for t in replace):
        raise KnowledgeError(f"{where}: replace must be a list of `Class(arguments)` templates")
    ratio = raw.get("crop_ratio")
    uses_resize = any("{resize}" in t for t in replace)
    if uses_resize and not (isinstance(ratio, (int, float)) and not isinstance(ratio, bool) and 0 < ratio <= 1):
        raise KnowledgeError(f"{where}: {{resize}} needs crop_ratio, a number in (0, 1]")
    for template in replace:
        for plus, name in PLACEHOLDER.findall(template):
            if not plus and name not in ("size", "resize"):
                raise KnowledgeError(f"{where}: unknown placeholder {{{name}}} (use {{size}}, {{resize}} or {{+arg}})")
    return Counterpart(qualname, remove, tuple(replace), float(ratio) if ratio is not None else None,
                       raw.get("remove_when_same_size", False))


def load_counterparts(path: Path) -> dict[str, Counterpart]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path.name}: cannot read: {exc}") from None
    if not isinstance(data, dict) or set(data) - FILE_KEYS:
        raise KnowledgeError(f"{path.name}: expected a mapping with keys {sorted(FILE_KEYS)}")
    entries = data.get("counterparts")
    if not isinstance(entries, dict):
        raise KnowledgeError(f"{path.name}: counterparts must be a mapping of qualified names")
    return {name: _entry(path, name, raw) for name, raw in entries.items()}


@lru_cache(maxsize=1)
def default_counterparts() -> dict[str, Counterpart]:
    return load_counterparts(rules_dir() / "knowledge" / "eval_counterparts.yaml")


def expand(template: str, callee: str, size: str, resize: str, keywords: dict[str, str]) -> str:
    """A template with the random step's prefix (`T.`), size and passed keywords filled in."""
    def fill(match: re.Match) -> str:
        plus, name = match.groups()
        if plus:
            return f", {name}={keywords[name]}" if name in keywords else ""
        return size if name == "size" else resize

    text = PLACEHOLDER.sub(fill, template)
    head, dot, _ = callee.rpartition(".")
    return f"{head}{dot}{text}"
