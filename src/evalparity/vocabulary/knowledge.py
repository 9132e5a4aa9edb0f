"""Load and validate the knowledge base under rules/knowledge/.

Transform files (rules/knowledge/transforms/*.yaml) have this shape::

    library: torchvision.transforms        # import prefix the class names live under
    source: https://...                     # where the facts were checked
    exclude_prefixes: [torchvision.transforms.functional]   # optional
    transforms:
      RandomHorizontalFlip:
        params: [p]                         # positional parameter names, in order
        random: true                        # draws random numbers with default arguments
        p: {name: p, default: 0.5}          # probability-of-application parameter, if any
        random_params: false                # still random when applied with p=1
        deterministic_when:                 # alternatives; all args of one alternative must match
          - {brightness: [absent, 0]}       # `absent` = not passed or None; `fixed` = a number or an equal pair; `equal_pair` = two equal numbers; `flat` = a number or one flat sequence of numbers; `one` = a list of one item
        kind: transform                     # transform|compose|wrapper|normalize|lambda|identity
        scale: to_unit                      # to_unit|keep|dtype|arg|normalize_self
        scale_arg: {name: scale, default: false}
        size: {effect: resize, args: [size]}        # resize|crop|pad|multi_crop; `square_only: true`: only an
                                            # int (or equal pair) gives a size (OpenMMLab's (w, h) / (h, w) pairs)
        channels: {name: num_output_channels, default: 1}
        steps_known_when: {use_prefetcher: [absent, false]}   # factories: args that keep the
                                            # synthesized ToTensor/Normalize steps as documented
        source: https://...                 # optional, per entry

A class is found by its qualified name: the library prefix, any sub-modules, then the class name, so
re-exports such as ``torchvision.transforms.transforms.RandomCrop`` resolve to the same entry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

from evalparity.vocabulary.resources import load_yaml, rules_dir

KINDS = {"transform", "compose", "wrapper", "normalize", "lambda", "identity", "factory"}
SCALE_EFFECTS = {"to_unit", "keep", "dtype", "arg", "normalize_self"}
SIZE_EFFECTS = {"resize", "crop", "pad", "multi_crop"}
ENTRY_KEYS = {
    "params", "random", "p", "random_params", "deterministic_when", "kind", "scale", "scale_arg",
    "size", "channels", "source", "note", "children", "mean", "std", "max_pixel_value",
    "role_arg", "normalization", "steps_known_when",
}
FILE_KEYS = {"library", "source", "exclude_prefixes", "transforms", "note"}


class KnowledgeError(Exception):
    """A knowledge file is malformed; the message names the file, the key and the reason."""


@dataclass(frozen=True)
class ArgSpec:
    name: str
    default: Any = None


@dataclass(frozen=True)
class TransformInfo:
    library: str
    name: str
    params: tuple[str, ...] = ()
    random: bool = False
    p: ArgSpec | None = None
    random_params: bool = False
    deterministic_when: tuple[tuple[tuple[str, tuple[Any, ...]], ...], ...] = ()
    kind: str = "transform"
    scale: str | None = None
    scale_arg: ArgSpec | None = None
    size: dict | None = None
    channels: ArgSpec | None = None
    children: ArgSpec | None = None
    mean: ArgSpec | None = None
    std: ArgSpec | None = None
    max_pixel_value: ArgSpec | None = None
    role_arg: ArgSpec | None = None
    normalization: str | None = None
    steps_known_when: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    source: str | None = None

    @property
    def qualname(self) -> str:
        return f"{self.library}.{self.name}"

    def position_of(self, arg: str) -> int | None:
        try:
            return self.params.index(arg)
        except ValueError:
            return None


@dataclass(frozen=True)
class ConstantSet:
    name: str
    mean: tuple[float, ...]
    std: tuple[float, ...]
    scale: str
    variant: str | None
    source: str


@dataclass
class KnowledgeBase:
    libraries: dict[str, dict[str, TransformInfo]] = field(default_factory=dict)
    excluded_prefixes: tuple[str, ...] = ()
    constant_sets: tuple[ConstantSet, ...] = ()
    library_constants: dict[str, tuple[float, ...]] = field(default_factory=dict)
    datasets: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    digest: str = ""
    _found: dict = field(default_factory=dict, repr=False, compare=False)  # lookup's answers (the base never changes)

    def dataset_params(self, qualname: str | None) -> tuple[str, ...] | None:
        """Positional parameter names of a known dataset class (`CIFAR10` → root, train, transform, …)."""
        if not qualname:
            return None
        head, _, name = qualname.rpartition(".")
        for library, entries in self.datasets.items():
            if (head == library or head.startswith(library + ".")) and name in entries:
                return entries[name]
        return None

    def lookup(self, qualname: str | None) -> TransformInfo | None:
        if not qualname:
            return None
        try:
            return self._found[qualname]
        except KeyError:
            found = self._found[qualname] = self._lookup(qualname)
            return found

    def _lookup(self, qualname: str) -> TransformInfo | None:
        for prefix in self.excluded_prefixes:
            if qualname == prefix or qualname.startswith(prefix + "."):
                return None
        head, _, name = qualname.rpartition(".")
        best: TransformInfo | None = None
        best_len = -1
        for library, entries in self.libraries.items():
            if (head == library or head.startswith(library + ".")) and name in entries:
                if len(library) > best_len:
                    best, best_len = entries[name], len(library)
        return best

    def library_constant(self, qualname: str | None) -> tuple[float, ...] | None:
        if not qualname:
            return None
        if qualname in self.library_constants:
            return self.library_constants[qualname]
        head, _, name = qualname.rpartition(".")
        for known, value in self.library_constants.items():
            known_head, _, known_name = known.rpartition(".")
            if known_name == name and (known_head.startswith(head + ".") or head.startswith(known_head + ".")):
                return value
        return None

    def described_packages(self) -> frozenset[str]:
        """Top-level packages whose names this knowledge base (and the call vocabulary, for `torch`) gives a
        meaning to."""
        return frozenset({"torch"} | {library.partition(".")[0] for library in (*self.libraries, *self.datasets)})

    def all_entries(self) -> Iterable[TransformInfo]:
        for entries in self.libraries.values():
            yield from entries.values()


def _fail(path: Path, key: str, reason: str) -> KnowledgeError:
    return KnowledgeError(f"{path}: {key}: {reason}")


def _arg_spec(path: Path, key: str, raw: Any) -> ArgSpec:
    if isinstance(raw, str):
        return ArgSpec(raw)
    if not isinstance(raw, dict) or set(raw) - {"name", "default"} or "name" not in raw:
        raise _fail(path, key, "expected a parameter name or {name, default}")
    return ArgSpec(str(raw["name"]), raw.get("default"))


def _entry(path: Path, library: str, name: str, raw: Any) -> TransformInfo:
    key = f"transforms.{name}"
    if not isinstance(raw, dict):
        raise _fail(path, key, "expected a mapping")
    unknown = set(raw) - ENTRY_KEYS
    if unknown:
        raise _fail(path, f"{key}.{sorted(unknown)[0]}", "unknown key")
    kind = raw.get("kind", "transform")
    if kind not in KINDS:
        raise _fail(path, f"{key}.kind", f"expected one of {sorted(KINDS)}, got {kind!r}")
    scale = raw.get("scale")
    if scale is not None and scale not in SCALE_EFFECTS:
        raise _fail(path, f"{key}.scale", f"expected one of {sorted(SCALE_EFFECTS)}, got {scale!r}")
    random = raw.get("random", False)
    if not isinstance(random, bool):
        raise _fail(path, f"{key}.random", "expected true or false")
    params = raw.get("params", [])
    if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
        raise _fail(path, f"{key}.params", "expected a list of parameter names")
    alternatives = []
    for index, alternative in enumerate(raw.get("deterministic_when", []) or []):
        if not isinstance(alternative, dict) or not alternative:
            raise _fail(path, f"{key}.deterministic_when[{index}]", "expected a mapping of arg: [values]")
        conditions = []
        for arg, values in alternative.items():
            if not isinstance(values, list):
                values = [values]
            conditions.append((str(arg), tuple(values)))
        alternatives.append(tuple(conditions))
    known_when = raw.get("steps_known_when") or {}
    if not isinstance(known_when, dict):
        raise _fail(path, f"{key}.steps_known_when", "expected a mapping of arg: [values]")
    size = raw.get("size")
    if size is not None:
        if not isinstance(size, dict) or size.get("effect") not in SIZE_EFFECTS:
            raise _fail(path, f"{key}.size", f"expected {{effect: one of {sorted(SIZE_EFFECTS)}, args: [...]}}")
    optional = {
        k: _arg_spec(path, f"{key}.{k}", raw[k])
        for k in ("p", "scale_arg", "channels", "children", "mean", "std", "max_pixel_value", "role_arg")
        if raw.get(k) is not None
    }
    return TransformInfo(
        library=library,
        name=name,
        params=tuple(params),
        random=random,
        random_params=bool(raw.get("random_params", random and "p" not in raw)),
        deterministic_when=tuple(alternatives),
        kind=kind,
        scale=scale,
        size=size,
        normalization=raw.get("normalization"),
        steps_known_when=tuple((str(k), tuple(v if isinstance(v, list) else [v])) for k, v in known_when.items()),
        source=raw.get("source"),
        **optional,
    )


def load_transform_file(path: Path) -> tuple[str, dict[str, TransformInfo], tuple[str, ...]]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path}: cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise _fail(path, "(top level)", "expected a mapping")
    unknown = set(data) - FILE_KEYS
    if unknown:
        raise _fail(path, sorted(unknown)[0], "unknown key")
    library = data.get("library")
    if not isinstance(library, str) or not library:
        raise _fail(path, "library", "expected an import prefix such as torchvision.transforms")
    transforms = data.get("transforms")
    if not isinstance(transforms, dict):
        raise _fail(path, "transforms", "expected a mapping of class name to facts")
    entries = {str(name): _entry(path, library, str(name), raw) for name, raw in transforms.items()}
    excluded = tuple(data.get("exclude_prefixes", []) or [])
    return library, entries, excluded


def _load_normalization(path: Path) -> tuple[tuple[ConstantSet, ...], dict[str, tuple[float, ...]]]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path}: cannot be read: {exc}") from None
    unknown = set(data) - {"sets", "library_constants", "note"}
    if unknown:
        raise _fail(path, sorted(unknown)[0], "unknown key")
    sets = []
    for name, raw in (data.get("sets") or {}).items():
        key = f"sets.{name}"
        if not isinstance(raw, dict) or set(raw) - {"mean", "std", "scale", "variant", "source", "channel_order"}:
            raise _fail(path, key, "expected {mean, std, scale, variant, source, channel_order}")
        for part in ("mean", "std"):
            if not isinstance(raw.get(part), list) or not all(isinstance(v, (int, float)) for v in raw[part]):
                raise _fail(path, f"{key}.{part}", "expected a list of numbers")
        if raw.get("scale") not in ("0-1", "0-255"):
            raise _fail(path, f"{key}.scale", "expected '0-1' or '0-255'")
        if not isinstance(raw.get("source"), str):
            raise _fail(path, f"{key}.source", "expected the URL the constants were checked against")
        sets.append(ConstantSet(str(name), tuple(raw["mean"]), tuple(raw["std"]), raw["scale"],
                                raw.get("variant"), raw["source"]))
    constants = {}
    for qualname, raw in (data.get("library_constants") or {}).items():
        value = raw.get("value") if isinstance(raw, dict) else raw
        if not isinstance(value, list) or not all(isinstance(v, (int, float)) for v in value):
            raise _fail(path, f"library_constants.{qualname}", "expected a list of numbers or {value, source}")
        constants[str(qualname)] = tuple(float(v) for v in value)
    return tuple(sets), constants


def _load_datasets(path: Path) -> dict[str, dict[str, tuple[str, ...]]]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"{path}: cannot be read: {exc}") from None
    unknown = set(data) - {"library", "source", "datasets", "note"}
    if unknown:
        raise _fail(path, sorted(unknown)[0], "unknown key")
    entries = data.get("datasets")
    if not isinstance(data.get("library"), str) or not isinstance(entries, dict):
        raise _fail(path, "datasets", "expected `library:` and a mapping of class name to parameter list")
    for name, params in entries.items():
        if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
            raise _fail(path, f"datasets.{name}", "expected a list of parameter names")
    return {data["library"]: {str(k): tuple(v) for k, v in entries.items()}}


def load_knowledge(extra_files: Iterable[Path] = ()) -> KnowledgeBase:
    base = rules_dir() / "knowledge"
    files = sorted((base / "transforms").glob("*.yaml")) + [base / "handwritten.yaml"] + [Path(p) for p in extra_files]
    kb = KnowledgeBase()
    digest = hashlib.sha256()
    excluded: list[str] = []
    for path in files:
        library, entries, excl = load_transform_file(path)
        kb.libraries.setdefault(library, {}).update(entries)
        excluded.extend(excl)
        digest.update(path.read_bytes())
    datasets = base / "datasets.yaml"
    if datasets.exists():
        kb.datasets = _load_datasets(datasets)
        digest.update(datasets.read_bytes())
    normalization = base / "normalization.yaml"
    if normalization.exists():
        kb.constant_sets, kb.library_constants = _load_normalization(normalization)
        digest.update(normalization.read_bytes())
    kb.excluded_prefixes = tuple(excluded)
    kb.digest = digest.hexdigest()
    return kb


_DEFAULT: KnowledgeBase | None = None


def default_knowledge() -> KnowledgeBase:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load_knowledge()
    return _DEFAULT
