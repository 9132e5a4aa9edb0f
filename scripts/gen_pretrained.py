"""Write rules/knowledge/pretrained.yaml: the preprocessing each set of pretrained weights expects (EP211).

A developer script, like scripts/kb_coverage.py: it imports torchvision, timm and open_clip, which
evalparity itself never does. The table is generated from the installed libraries, never typed by hand:

- torchvision: every `*_Weights` enum of `torchvision.models` and its sub-packages (through
  `torchvision.models.list_models()` and `get_model_weights`), each member's `transforms()` instantiated to
  read its mean, std, resize and crop size and interpolation; each builder's enum, and the member its legacy
  `pretrained=True` stands for (read from the builder's `handle_legacy_interface` mapping).
- timm: every pretrained config (`timm.list_pretrained()`: `architecture.tag` → mean, std, input_size,
  interpolation, crop_pct, crop_mode), the default tag first for each architecture, and the deprecated
  names timm still maps to a current one.
- open_clip (when installed): every `(model, pretrained tag)` of `open_clip.list_pretrained()`, with the
  image size of the model's config.

Identical mean/std pairs are one named profile (`imagenet`, `inception`, `openai_clip`, …, named after
timm's constants when they match one), and identical complete configurations are one numbered config,
so the file stays small: evalparity reads it only when a checked project builds a model with pretrained
weights.

Run it in a separate environment (never add these libraries to the project's dependencies):

    python3 -m venv GENVENV            # any folder outside the project
    GENVENV/bin/pip install torch==2.14.1 torchvision==0.29.1 timm open_clip_torch
    GENVENV/bin/python scripts/gen_pretrained.py            # writes rules/knowledge/pretrained.yaml
    GENVENV/bin/python scripts/gen_pretrained.py --check    # exit 1 when the file is out of date

No weights are downloaded: torchvision's transforms and timm's and open_clip's configs are metadata.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "rules" / "knowledge" / "pretrained.yaml"
SOURCES = {
    "torchvision": "https://pytorch.org/vision/stable/models.html",
    "timm": "https://huggingface.co/docs/timm/reference/models",
    "open_clip": "https://github.com/mlfoundations/open_clip/blob/main/src/open_clip/pretrained.py",
}


def _r(values) -> list[float]:
    return [round(float(v), 8) for v in values]


class Profiles:
    """Named mean/std pairs: timm's constants by their names, others numbered in order of first use."""

    def __init__(self) -> None:
        from timm.data import constants

        self.known: dict[tuple, str] = {}
        for name in sorted(dir(constants)):
            if name.endswith("_MEAN") and hasattr(constants, name[:-5] + "_STD"):
                key = (tuple(_r(getattr(constants, name))), tuple(_r(getattr(constants, name[:-5] + "_STD"))))
                label = name[:-5].lower().replace("imagenet_default", "imagenet").replace("imagenet_inception",
                                                                                          "inception")
                label = label.replace("imagenet_dpn", "dpn").replace("openai_clip", "openai_clip")
                self.known.setdefault(key, label)
        self.used: dict[str, tuple] = {}
        self.first_user: dict[str, str] = {}

    def name(self, mean, std, user: str, suggested: str) -> str:
        """timm's constant's name when one matches, else the first weights' dataset (`kinetics400`)."""
        key = (tuple(_r(mean)), tuple(_r(std)))
        label = self.known.get(key)
        if label is None:
            label = next((n for n, k in self.used.items() if k == key), None)
        if label is None:
            label = re.sub(r"_v\d+$", "", suggested.lower())
            base, count = label, 1
            while label in self.used or label in self.known.values():
                count += 1
                label = f"{base}_{count}"
        self.used.setdefault(label, key)
        self.first_user.setdefault(label, user)
        return label


def _closure_dicts(fn) -> list[dict]:
    """The dicts a decorated builder closes over (torchvision's `handle_legacy_interface` mapping)."""
    found, seen, todo = [], set(), [fn]
    while todo:
        g = todo.pop()
        if id(g) in seen:
            continue
        seen.add(id(g))
        for cell in getattr(g, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if callable(value) and hasattr(value, "__code__"):
                todo.append(value)
            elif isinstance(value, dict):
                found.append(value)
        if hasattr(g, "__wrapped__"):
            todo.append(g.__wrapped__)
    return found


def _size(value):
    if value is None:
        return None
    value = list(value) if isinstance(value, (list, tuple)) else [value]
    return value[0] if len(value) == 1 else value


def torchvision_table(profiles: Profiles):
    import torchvision.models as models

    enums: dict[str, dict] = {}
    builders: dict[str, dict] = {}
    for name in models.list_models():
        builder = models.get_model_builder(name)
        try:
            enum = models.get_model_weights(name)
        except (ValueError, KeyError):
            continue
        package = builder.__module__.rpartition(".")[0]  # torchvision.models(.quantization|.detection|…)
        entry = {"enum": enum.__name__, "module": builder.__module__}
        for mapping in _closure_dicts(builder):
            legacy = mapping.get("weights")
            if isinstance(legacy, tuple) and legacy[0] == "pretrained" and hasattr(legacy[1], "name"):
                entry["legacy"] = legacy[1].name
        builders[f"{package}.{builder.__name__}"] = entry
        if enum.__name__ in enums:
            continue
        members = {}
        for member in enum:
            t = member.transforms()
            kind = type(t).__name__
            mean, std = getattr(t, "mean", None), getattr(t, "std", None)
            if mean is None or std is None:
                members[member.name] = ["internal", kind]  # the model normalises inside (detection, flow)
                continue
            profile = profiles.name(mean, std, f"torchvision {enum.__name__}.{member.name}", member.name)
            interpolation = getattr(t, "interpolation", None)
            members[member.name] = [profile, kind, _size(getattr(t, "crop_size", None)),
                                    _size(getattr(t, "resize_size", None)),
                                    interpolation.value if interpolation is not None else None]
        enums[enum.__name__] = {"default": enum.DEFAULT.name if hasattr(enum, "DEFAULT") else None,
                                "members": members}
    return enums, builders


def timm_table(profiles: Profiles):
    import timm
    from timm.models import _registry

    configs: dict[tuple, str] = {}
    archs: dict[str, dict[str, str]] = {}
    pretrained = set(timm.list_pretrained())
    for full in sorted(pretrained):
        arch, _, tag = full.partition(".")
        archs.setdefault(arch, {})
    for arch in sorted(archs):
        default = _registry._model_default_cfgs.get(arch)
        tags = list(default.tags) if default is not None else []
        ordered = [t for t in tags if f"{arch}.{t}" in pretrained] + \
            sorted(t for t in (f.partition(".")[2] for f in pretrained if f.partition(".")[0] == arch) if t not in tags)
        for tag in ordered:
            cfg = timm.models.get_pretrained_cfg(f"{arch}.{tag}")
            profile = profiles.name(cfg.mean, cfg.std, f"timm {arch}.{tag}", tag)
            key = (profile, cfg.input_size[-1] if cfg.input_size[-1] == cfg.input_size[-2] else tuple(cfg.input_size[1:]), cfg.interpolation, round(cfg.crop_pct, 4) if cfg.crop_pct else None,
                   cfg.crop_mode)
            label = configs.setdefault(key, f"t{len(configs) + 1}")
            archs[arch][tag] = label
    aliases = {}
    for old, new in getattr(_registry, "_deprecated_models", {}).items():
        if isinstance(new, str) and new.partition(".")[0] in archs and old not in archs:
            aliases[old] = new
    return {label: [list(v) if isinstance(v, tuple) else v for v in key] for key, label in configs.items()}, archs, dict(sorted(aliases.items()))


def open_clip_table(profiles: Profiles):
    try:
        import open_clip
        from open_clip import pretrained as oc_pretrained
    except ImportError:
        return None, None
    models: dict[str, dict[str, list]] = {}
    for model, tag in open_clip.list_pretrained():
        cfg = oc_pretrained.get_pretrained_cfg(model, tag)
        model_cfg = open_clip.get_model_config(model) or {}
        size = (model_cfg.get("vision_cfg") or {}).get("image_size")
        mean = cfg.get("mean") or open_clip.OPENAI_DATASET_MEAN
        std = cfg.get("std") or open_clip.OPENAI_DATASET_STD
        profile = profiles.name(mean, std, f"open_clip {model} {tag}", tag)
        models.setdefault(model, {})[tag] = [profile, size, cfg.get("interpolation") or "bicubic",
                                            cfg.get("resize_mode") or "shortest"]
    return open_clip.__version__, models


def _yaml_list(values) -> str:
    return "[" + ", ".join("null" if v is None else (repr(v) if not isinstance(v, str) else v)
                           if not isinstance(v, list) else _yaml_list(v) for v in values) + "]"


def render() -> str:
    import timm
    import torch
    import torchvision

    profiles = Profiles()
    enums, builders = torchvision_table(profiles)
    timm_configs, timm_archs, aliases = timm_table(profiles)
    clip_version, clip_models = open_clip_table(profiles)
    versions = {"torch": torch.__version__.split("+")[0], "torchvision": torchvision.__version__.split("+")[0],
                "timm": timm.__version__}
    if clip_version:
        versions["open_clip"] = clip_version
    members = sum(len(e["members"]) for e in enums.values())
    timm_count = sum(len(t) for t in timm_archs.values())
    lines = [
        "# The preprocessing each set of pretrained weights expects (EP211). GENERATED by scripts/gen_pretrained.py",
        "# from the installed libraries: do not edit by hand, run the script again (its docstring says how).",
        f"# torchvision: {len(enums)} weights enums, {members} members, {len(builders)} builders;"
        f" timm: {timm_count} pretrained configs of {len(timm_archs)} architectures"
        + (f"; open_clip: {sum(len(m) for m in (clip_models or {}).values())} (model, tag) pairs" if clip_models else ""),
        "versions: {" + ", ".join(f"{k}: '{v}'" for k, v in versions.items()) + "}",
        "sources: {" + ", ".join(f"{k}: '{v}'" for k, v in SOURCES.items() if k in versions) + "}",
        "# profile: [mean], [std] (0-1 scale, RGB), and the first weights that use it",
        "profiles:",
    ]
    for label, (mean, std) in profiles.used.items():
        lines.append(f"  {label}: {{mean: {_yaml_list(list(mean))}, std: {_yaml_list(list(std))}, "
                     f"first: '{profiles.first_user[label]}'}}")
    lines += [
        "# torchvision weights enum: default member (`.DEFAULT`), and each member's",
        "# [profile, transforms class, crop size, resize size, interpolation] or [internal, class] when the model",
        "# normalises its input itself (detection, optical flow)",
        "torchvision_weights:",
    ]
    for name, entry in sorted(enums.items()):
        lines.append(f"  {name}:")
        lines.append(f"    default: {entry['default']}")
        lines.append("    members:")
        for member, row in entry["members"].items():
            lines.append(f"      {member}: {_yaml_list(row)}")
    lines += ["# builder (public package . function): its weights enum, its defining module, and the member the",
              "# legacy `pretrained=True` loads (absent: the builder has no legacy interface or maps it by a rule)",
              "torchvision_builders:"]
    for name, entry in sorted(builders.items()):
        parts = ", ".join(f"{k}: {v}" for k, v in entry.items())
        lines.append(f"  {name}: {{{parts}}}")
    lines += ["# timm config: [profile, input size (a side, or [height, width]), interpolation, crop_pct, crop_mode]", "timm_configs:"]
    for label, row in timm_configs.items():
        lines.append(f"  {label}: {_yaml_list(row)}")
    lines += ["# timm architecture: {tag: config}, timm's default tag first (`create_model(arch)` without a tag)",
              "timm_models:"]
    for arch, tags in timm_archs.items():
        lines.append(f"  {arch}: {{" + ", ".join(f"'{t}': {c}" for t, c in tags.items()) + "}")
    lines += ["# deprecated timm names that timm maps to a current `architecture.tag`", "timm_aliases:"]
    for old, new in aliases.items():
        lines.append(f"  {old}: '{new}'")
    if clip_models:
        lines += ["# open_clip model: {pretrained tag: [profile, image size, interpolation, resize mode]}",
                  "open_clip_models:"]
        for model, tags in sorted(clip_models.items()):
            lines.append(f"  '{model}': {{" + ", ".join(f"'{t}': {_yaml_list(r)}" for t, r in tags.items()) + "}")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the file differs from what would be written")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(text.splitlines()[2])
    print(f"wrote {args.out} ({len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
