"""EP211: a model built with pretrained weights the knowledge base knows is fed by a pipeline that normalises
with other constants than the weights were trained with (or, in a script that never normalises anywhere,
not at all). Which pipelines feed which model: relate/pretrained.py."""

from __future__ import annotations

import re

from evalparity.checks.common import has_opaque, scale_state
from evalparity.checks.common import normalize_transitions as _transitions
from evalparity.facts import EVAL, TRAIN
from evalparity.findings import CALL_SITE, OTHER_SIDE, Finding, Related
from evalparity.relate.image_state import run
from evalparity.relate.pretrained import pretrained_feeds
from evalparity.vocabulary.pretrained import pretrained_table
from evalparity.vocabulary.semantics import normalize_values
from evalparity.vocabulary.values import format_const, numbers, same_numbers

CODE = "EP211"
# a file that mentions normalisation anywhere may normalise inside the model or by hand: a missing
# Normalize is then not claimed
_NORMALISES = re.compile(r"normali[sz]|\bmean\b|\bstd\b|preprocess|processor", re.IGNORECASE)


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


def check(ctx):
    seen = set()
    profiles = None
    for fed in pretrained_feeds(ctx.project, ctx.roled):
        profiles = profiles if profiles is not None else pretrained_table().profiles()
        use, expected = fed.uses[0]
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
        where = fed.reason if fed.reason.startswith("in a module") else f"{fed.reason} as the pipeline"
        model = Related(use.location, f"pretrained `{expected.weights}` loaded here, {where}; expects mean "
                        f"{_shown(expected.mean)}, std {_shown(expected.std)}", CALL_SITE)
        notes = [f"the weights' constants come from {expected.source}"]
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
