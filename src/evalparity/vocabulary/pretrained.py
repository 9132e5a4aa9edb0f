"""The preprocessing pretrained weights expect: rules/knowledge/pretrained.yaml, written by
scripts/gen_pretrained.py from torchvision, timm and open_clip (never typed by hand).

The file is read only when a checked project builds a model with pretrained weights, and then only the
lines of the entries asked for are parsed: it has thousands of entries (one line each, grouped by section),
and parsing all of it with YAML costs more than a whole small project's check. `Expected` is what one
set of weights expects; `lookup_*` return None for weights the table does not know."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from evalparity.vocabulary.resources import load_yaml, rules_dir

TABLE = "pretrained.yaml"


@dataclass(frozen=True)
class Expected:
    weights: str  # as a person names them: `ResNet50_Weights.IMAGENET1K_V2`, `timm vit_base_patch16_224.augreg_in21k`
    profile: str  # imagenet | inception | openai_clip | … | internal (the model normalises its input itself)
    mean: tuple[float, ...] = ()
    std: tuple[float, ...] = ()
    size: object = None  # crop or input size
    interpolation: str | None = None
    source: str = ""  # where the constants come from: the library, its version, the table's line
    line: int = 0


class Table:
    """Sections of one-line entries, indexed by key on first use; each entry parsed when asked for."""

    def __init__(self, text: str, path: str = TABLE) -> None:
        self.path = path
        self.sections: dict[str, dict[str, tuple[int, int]]] = {}  # section → key → (first line, end line)
        self.lines = text.splitlines()
        self.header: dict = {}
        section = None
        header = []
        for number, line in enumerate(self.lines):
            if not line or line.startswith("#"):
                continue
            if not line.startswith(" "):
                key, _, rest = line.partition(":")
                if rest.strip():
                    header.append(line)
                    section = None
                else:
                    section = key
                    self.sections[section] = {}
                continue
            if section is not None and line.startswith("  ") and not line.startswith("   "):
                key = line[2:].partition(": ")[0].rstrip(":").strip("'")
                entries = self.sections[section]
                entries[key] = (number, number + 1)
                self._last = (section, key)
            elif section is not None:  # a nested line of the last entry
                first, _ = self.sections[section][self._last[1]]
                self.sections[section][self._last[1]] = (first, number + 1)
        self.header = load_yaml("\n".join(header)) or {}
        self._parsed: dict[tuple[str, str], object] = {}

    def entry(self, section: str, key: str):
        found = (section, key)
        if found not in self._parsed:
            span = self.sections.get(section, {}).get(key)
            if span is None:
                self._parsed[found] = None
            else:
                parsed = load_yaml("\n".join(line[2:] for line in self.lines[span[0]:span[1]])) or {}
                self._parsed[found] = next(iter(parsed.values()), None) if isinstance(parsed, dict) else None
        return self._parsed[found]

    def line_of(self, section: str, key: str) -> int:
        span = self.sections.get(section, {}).get(key)
        return span[0] + 1 if span else 0

    def version(self, library: str) -> str:
        versions = self.header.get("versions") or {}
        return f"{library} {versions[library]}" if library in versions else library

    def _expected(self, weights: str, profile: str, size, interpolation, source: str, line: int) -> Expected:
        stats = self.entry("profiles", profile) or {}
        return Expected(weights, profile, tuple(stats.get("mean") or ()), tuple(stats.get("std") or ()), size,
                        interpolation, f"{source} ({self.path}:{line})", line)

    def profiles(self) -> dict[str, tuple[tuple[float, ...], tuple[float, ...]]]:
        """Every named mean/std pair some pretrained weights expect (imagenet, inception, openai_clip, …)."""
        found = {}
        for name in self.sections.get("profiles", {}):
            stats = self.entry("profiles", name) or {}
            found[name] = (tuple(stats.get("mean") or ()), tuple(stats.get("std") or ()))
        return found

    # torchvision ------------------------------------------------------------------------------------
    def builder(self, qualname: str) -> dict | None:
        found = self.entry("torchvision_builders", qualname)
        if found is not None:
            return found
        head, _, name = qualname.rpartition(".")
        package = head.rpartition(".")[0]  # torchvision.models.resnet.resnet50 → torchvision.models.resnet50
        found = self.entry("torchvision_builders", f"{package}.{name}")
        if found is not None and found.get("module") == head:
            return found
        return None

    def torchvision(self, builder: str, weights: str) -> Expected | None:
        entry = self.builder(builder)
        if entry is None:
            return None
        enum, _, member = weights.rpartition(".")
        if enum and enum != entry.get("enum"):
            if self.entry("torchvision_weights", enum) is None:
                return None
        enum = enum or entry.get("enum")
        if weights == "legacy":
            member = entry.get("legacy")
            if not member:
                return None
        table = self.entry("torchvision_weights", enum)
        if table is None:
            return None
        if member == "DEFAULT":
            member = table.get("default")
        row = (table.get("members") or {}).get(member)
        if not row:
            return None
        source = f"{self.version('torchvision')} `{enum}.{member}.transforms()`"
        line = self.line_of("torchvision_weights", enum)
        if row[0] == "internal":
            return Expected(f"{enum}.{member}", "internal", source=source, line=line)
        return self._expected(f"{enum}.{member}", row[0], row[2], row[4], source, line)

    # timm -------------------------------------------------------------------------------------------
    def timm(self, name: str) -> Expected | None:
        alias = self.entry("timm_aliases", name)
        if isinstance(alias, str):
            name = alias
        arch, _, tag = name.partition(".")
        tags = self.entry("timm_models", arch)
        if not isinstance(tags, dict) or not tags:
            return None
        if not tag:
            tag = next(iter(tags))  # timm's default tag is listed first
        label = tags.get(tag)
        row = self.entry("timm_configs", label) if label else None
        if not row:
            return None
        source = f"{self.version('timm')} pretrained config `{arch}.{tag}`"
        return self._expected(f"{arch}.{tag}", row[0], row[1], row[2], source,
                              self.line_of("timm_models", arch))

    # open_clip and OpenAI's clip ---------------------------------------------------------------------
    def open_clip(self, model: str, tag: str) -> Expected | None:
        tags = self.entry("open_clip_models", model)
        if not isinstance(tags, dict):
            return None
        row = tags.get(tag)
        if not row:
            return None
        source = f"{self.version('open_clip')} pretrained config `{model}` `{tag}`"
        return self._expected(f"{model} {tag}", row[0], row[1], row[2], source, self.line_of("open_clip_models", model))

    def clip(self, name: str) -> Expected | None:
        """`clip.load("ViT-B/32")`: OpenAI's weights, which open_clip lists as `ViT-B-32` `openai`."""
        model = name.replace("/", "-").replace("@336px", "-336")
        return self.open_clip(model, "openai")


@lru_cache(maxsize=4)
def _load(path: str) -> Table:
    return Table(Path(path).read_text(encoding="utf-8"), f"rules/knowledge/{TABLE}")


def pretrained_table() -> Table:
    return _load(str(rules_dir() / "knowledge" / TABLE))
