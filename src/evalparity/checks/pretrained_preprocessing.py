"""EP211: a model built with pretrained weights the knowledge base knows is fed by a pipeline that normalises
with other constants than the weights were trained with (or, in a script that never normalises anywhere,
not at all), that gives it 0-255 values when the weights expect 0-1, or whose images are read in BGR order
when the weights expect RGB (every torchvision, timm and open_clip weights do). Which pipelines feed which
model: relate/pretrained.py; the channel order of a dataset's reads: relate/handprep.py (EP304's)."""

from __future__ import annotations

import re

from evalparity.checks.common import has_opaque, scale_state
from evalparity.checks.common import normalize_transitions as _transitions
from evalparity.facts import EVAL, TRAIN
from evalparity.findings import CALL_SITE, OTHER_SIDE, Finding, Related
from evalparity.relate.handprep import HandPrep, hand_prep
from evalparity.relate.image_state import run
from evalparity.relate.pretrained import pretrained_feeds
from evalparity.vocabulary.pretrained import pretrained_table
from evalparity.vocabulary.semantics import RAW, normalize_values
from evalparity.vocabulary.values import format_const, numbers, same_numbers

CODE = "EP211"
# a file that mentions normalisation anywhere may normalise inside the model or by hand: a missing
# Normalize is then not claimed
_NORMALISES = re.compile(r"normali[sz]|\bmean\b|\bstd\b|preprocess|processor", re.IGNORECASE)
# a file that scales or normalises tensors by hand (`images.float() / 255` in the training loop,
# `convert_image_dtype`, a mean and std subtracted in the model's forward): 0-255 values from the pipeline
# may be scaled on the way, a value scale is not claimed
_SCALES = re.compile(r"\b255\b|convert_image_dtype|ConvertImageDtype|normali[sz]e|scale\s*=\s*True|"
                     r"\b(?:mean|std|MEAN|STD)\s*=|register_buffer|\.(?:sub|div)_?\(|img_as_float|\.npy\b")


def _shown(values: tuple[float, ...]) -> str:
    return format_const(tuple(round(v, 4) for v in values))


def _matches(mean, std, want_mean, want_std) -> bool:
    """Equal up to rounding, in 0-1 units or in 0-255 units (the ×255 guard EP201 has too)."""
    if same_numbers(mean, want_mean) and same_numbers(std, want_std):
        return True
    return same_numbers(mean, tuple(v * 255 for v in want_mean)) and same_numbers(std, tuple(v * 255 for v in want_std))


def _profile(mean, std, profiles) -> str | None:
    """The name of the pretrained-weights convention these constants are (imagenet, inception, CLIP's, …),
    or None for constants of a dataset (CIFAR's, the project's own): a deliberate choice for a new domain."""
    return next((name for name, (m, s) in profiles.items() if _matches(mean, std, m, s)), None)


SHOWN = {"imagenet": "ImageNet", "inception": "Inception (0.5)", "openai_clip": "CLIP", "dpn": "DPN"}


def _named(profile: str) -> str:
    """A profile as a person names it: `ImageNet`, `CLIP`, or the dataset of the first weights that use it."""
    return SHOWN.get(profile, profile)


def _normalize(item, kb):
    """(the Normalize step, its mean, its std) when the pipeline has exactly one, with constant values;
    (None, None, None) when it has none; None when it cannot be told."""
    steps = {t.step.location: t.step for _, t in _transitions(run(item.pipeline.steps, kb), kb, True)}
    if not steps:
        return None, None, None
    if len(steps) != 1:
        return None
    step = next(iter(steps.values()))
    mean, std = normalize_values(step, kb)
    mean, std = (numbers(mean) if mean is not None else None), (numbers(std) if std is not None else None)
    if mean is None or std is None:
        return None
    return step, mean, std


def _mentions_normalisation(project, paths) -> bool:
    for path in paths:
        facts = project.files.get(path)
        if facts is None or any(_NORMALISES.search(line) for line in facts.lines):
            return True
    return False


def _linked_files(project, paths) -> set[str]:
    """The files and the project modules they import or that import them."""
    found = set(paths)
    for path in paths:
        found |= project.imports_of(path) if path in project.files else set()
    found |= {p for p in project.files if project.imports_of(p) & set(paths)}
    return found


def _families_of(item, prep) -> list:
    """The training families (relate/handprep.py) whose data this pipeline transforms."""
    families = getattr(prep, "families", None) or {}
    return [f for f in families.values() if any(i is item or i.id == item.id for i in f.items)]


def _library_images(ctx, use) -> bool:
    """A torchvision dataset (`datasets.CIFAR10`, `ImageFolder`), resolved through the file's imports."""
    facts = ctx.project.files.get(use.dataset.location.path)
    if facts is None:
        return False
    location = use.dataset.location
    call = " ".join(facts.lines[location.line - 1:location.end_line])
    if re.search(r"\bloader\s*=", call):
        return False  # `ImageFolder(root, loader=cv2_loader)`: images of the project's own reading
    qualname = HandPrep._imported_as(facts, use.dataset.callee)
    return qualname.startswith("torchvision.datasets.") or ctx.kb.dataset_params(qualname) is not None


def _eight_bit(item, ctx, prep) -> bool:
    """Every dataset the pipeline is given gives 8-bit images: a torchvision dataset, or a Dataset class
    whose reads of images are known (`Image.open`, `cv2.imread`)."""
    if not item.uses:
        return False
    for use in item.uses:
        if _library_images(ctx, use):
            continue
        family = next((f for f in _families_of(item, prep) if f.key == use.dataset.callee.rpartition(".")[2]), None)
        if family is None or not family.orders:
            return False
    return True


def _unscaled(rows, fed, ctx, prep) -> list:
    """(pipeline, the conversion step) of each pipeline that gives the model 0-255 values: no Normalize (with
    one, EP203 and the comparison of constants speak), a conversion that does not scale (`PILToTensor`,
    `ToImage`, `ToDtype` without scale=True, `ToTensorV2`), 8-bit images in, and no file on the way that
    scales or normalises by hand."""
    found = []
    for item, step, *_ in rows:
        if step is not None or has_opaque(item, ctx.kb):
            continue
        state, decider = scale_state(item, ctx.kb)
        if state == RAW and decider is not None and _eight_bit(item, ctx, prep):
            found.append((item, decider))
    if not found:
        return []
    paths = set(fed.paths) | {p for item, _ in found for p in _files(item)}
    paths |= {f.home for item, _ in found for f in _families_of(item, prep) if f.home}
    for path in _linked_files(ctx.project, paths):
        facts = ctx.project.files.get(path)
        if facts is None or any(_SCALES.search(line) for line in facts.lines):
            return []
    return found


def _files(item) -> set[str]:
    return {item.pipeline.path} | {u.dataset.location.path for u in item.uses}


# a conversion of the channel order anywhere near the reads or the model (a helper, the model's forward)
_CONVERTS = re.compile(r"bgr_?2_?rgb|rgb_?2_?bgr|bgr_to_rgb|rgb_to_bgr|to_rgb|::-1\]|\[\s*2\s*,\s*1\s*,\s*0\s*\]|"
                       r"flip\(\s*(?:dims\s*=\s*)?[\[(]?\s*-?[13]\b", re.IGNORECASE)


def _bgr_reads(fed, ctx, prep) -> list:
    """The reads (locations) that give every image of the training families these pipelines transform in BGR
    order (`cv2.imread` never converted): the weights were trained on RGB. Silent when any of the families
    reads RGB, a step is unknown or about channels, or a file on the way converts channels by hand."""
    reads, homes = [], set()
    for item in fed.items:
        for family in _families_of(item, prep):
            if set(family.orders) != {"BGR"}:
                return []
            if has_opaque(item, ctx.kb) or any(_about_channels(step) for step in item.pipeline.steps):
                return []
            reads.append(family.orders["BGR"])
            homes.add(family.home or family.orders["BGR"].path)
    if not reads:
        return []
    paths = set(fed.paths) | {p for item in fed.items for p in _files(item)}
    for path in (paths | homes):
        facts = ctx.project.files.get(path)
        if facts is None or any(_CONVERTS.search(line) for line in facts.lines):
            return []
    return list(dict.fromkeys(reads))


def _about_channels(step) -> bool:
    name = step.short_name.lower()
    return any(w in name for w in ("rgb", "bgr", "channel")) and not any(w in name for w in ("shuffle", "dropout")) \
        or any(_about_channels(child) for child in step.children)


def _model(use, expected, where: str, expects: str) -> Related:
    return Related(use.location, f"pretrained `{expected.weights}` loaded here, {where}; expects {expects}", CALL_SITE)


def _scale_help(expected) -> str:
    scale = "scale to 0-1 (ToDtype(torch.float32, scale=True) or ToTensor)"
    if same_numbers(expected.mean, (0.0,)) and same_numbers(expected.std, (1.0,)):
        return scale
    return f"{scale}, then Normalize(mean={format_const(expected.mean)}, std={format_const(expected.std)})"


def check(ctx):
    seen = set()
    profiles = None
    prep = hand_prep(ctx.project)
    for fed in pretrained_feeds(ctx.project, ctx.roled):
        profiles = profiles if profiles is not None else pretrained_table().profiles()
        use, expected = fed.uses[0]
        where = fed.reason if fed.reason.startswith("in a module") else f"{fed.reason} as the pipeline"
        source = f"the weights' constants come from {expected.source}"
        entry = f"the weights' entry: {expected.source}"
        reads = _bgr_reads(fed, ctx, prep)
        if reads and reads[0] not in seen:
            seen.update(reads)
            message = f"BGR images fed to pretrained `{expected.weights}` trained on RGB"
            if len(message) > 100:
                message = "BGR images fed to pretrained weights trained on RGB"
            also = [Related(location, "BGR images read here too", OTHER_SIDE) for location in reads[1:]]
            yield Finding(CODE, message, reads[0], [_model(use, expected, where, "RGB images"), *also],
                          notes=["torchvision, timm and open_clip weights are trained on RGB images", entry],
                          help="convert after the read: cv2.cvtColor(image, cv2.COLOR_BGR2RGB)")
        rows = []
        for item in fed.items:
            found = _normalize(item, ctx.kb)
            if found is None:
                rows = None
                break
            rows.append((item, *found))
        if not rows:
            continue
        constants = {(mean, std) for _, step, mean, std in rows if step is not None}
        if len(constants) > 1:
            continue  # more than one family of pipelines, or a train/eval difference (EP201's)
        model = _model(use, expected, where, f"mean {_shown(expected.mean)}, std {_shown(expected.std)}")
        notes = [source]
        unscaled = _unscaled(rows, fed, ctx, prep)
        unscaled.sort(key=lambda row: (row[0].role != TRAIN, row[1].location.path, row[1].location.line))
        if unscaled and unscaled[0][1].location not in seen:
            steps = list(dict.fromkeys(step.location for _, step in unscaled))
            seen.update(steps)
            seen.update(item.pipeline.location for item, _ in unscaled)
            step = unscaled[0][1]
            message = f"`{step.short_name}` gives 0-255 values to pretrained `{expected.weights}` trained on 0-1"
            if len(message) > 100:
                message = f"`{step.short_name}` gives 0-255 values to pretrained weights trained on 0-1"
            also = [Related(location, "0-255 values here too", OTHER_SIDE) for location in steps[1:]]
            yield Finding(CODE, message, step.location, [_model(use, expected, where, "0-1 input"), *also],
                          notes=["no step scales the 8-bit images to 0-1 and none normalises them", entry],
                          help=_scale_help(expected))
        if constants:
            # one finding per model and constants, at the training side's Normalize first; the other
            # pipelines that normalise the same way are related places of the same choice
            wrong = [(item, step, mean, std) for item, step, mean, std in rows
                     if step is not None and not _matches(mean, std, expected.mean, expected.std)]
            wrong.sort(key=lambda row: (row[0].role != TRAIN, row[1].location.path, row[1].location.line))
            used = _profile(*wrong[0][2:], profiles) if wrong else None
            steps = list(dict.fromkeys(step.location for _, step, _, _ in wrong))
            if used is None or steps[0] in seen:
                continue
            seen.update(steps)
            _, step, mean, std = wrong[0]
            also = [Related(location, "the same constants here", OTHER_SIDE) for location in steps[1:]]
            message = f"Normalize with {_named(used)} constants for weights trained with {_named(expected.profile)}"
            yield Finding(CODE, message, step.location, [model, *also],
                          notes=[f"this pipeline normalises with mean {_shown(mean)}, std {_shown(std)}", *notes],
                          help=f"normalise with the weights' mean {format_const(expected.mean)} and std "
                               f"{format_const(expected.std)}")
            continue
        # no pipeline normalises: claimed only for plain tensor pipelines in files that never mention it
        files = {p for item, *_ in rows for p in (item.pipeline.path, *(u.dataset.location.path for u in item.uses))}
        if same_numbers(expected.mean, (0.0,)) and same_numbers(expected.std, (1.0,)):
            continue
        if _mentions_normalisation(ctx.project, files | fed.paths):
            continue
        for item, *_ in rows:
            location = item.pipeline.location
            if location in seen or has_opaque(item, ctx.kb) or scale_state(item, ctx.kb)[0] is None:
                continue
            seen.add(location)
            role = {EVAL: "evaluation ", TRAIN: "training "}.get(item.role, "")
            message = f"{role}pipeline without the Normalize pretrained `{expected.weights}` expects"
            if len(message) > 100:
                message = f"{role}pipeline without the Normalize the pretrained weights expect"
            yield Finding(CODE, message, location, [model], notes=notes,
                          help=f"add Normalize(mean={format_const(expected.mean)}, std={format_const(expected.std)})")
