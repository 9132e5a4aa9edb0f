"""EP302 (off by default): different interpolation (or, on tensors, antialias) for the last resize on each side."""

from __future__ import annotations

from evalparity.findings import OTHER_SIDE, Finding, Related
from evalparity.relate.image_state import TENSOR, run
from evalparity.vocabulary.semantics import arg

CODE = "EP302"
# integer codes: PIL's for torchvision and timm, OpenCV's for albumentations, kornia's Resample enum
PIL_CODES = {0: "nearest", 1: "lanczos", 2: "bilinear", 3: "bicubic", 4: "box", 5: "hamming"}
CV2_CODES = {0: "nearest", 1: "bilinear", 2: "bicubic", 3: "area", 4: "lanczos"}
KORNIA_CODES = {0: "nearest", 1: "bilinear", 2: "bicubic"}
NAMES = {
    "bicubic": "bicubic", "cubic": "bicubic", "inter_cubic": "bicubic",
    "bilinear": "bilinear", "linear": "bilinear", "inter_linear": "bilinear",
    "nearest": "nearest", "inter_nearest": "nearest", "nearest_exact": "nearest-exact", "nearest-exact": "nearest-exact",
    "inter_nearest_exact": "nearest-exact", "lanczos": "lanczos", "antialias": "lanczos", "inter_lanczos4": "lanczos",
    "area": "area", "inter_area": "area", "box": "box", "hamming": "hamming",
}
ENUM_OWNERS = {"InterpolationMode", "Image", "Resampling", "cv2", "Resample", "PIL"}


def _codes(info):
    if info.library.startswith("albumentations"):
        return CV2_CODES
    if info.library.startswith("kornia"):
        return KORNIA_CODES
    return PIL_CODES


def _mode(step, info) -> str | None:
    """The interpolation a resize step uses, by name; None when it cannot be known (a variable, timm's
    'random')."""
    name = "resample" if "resample" in info.params and "interpolation" not in info.params else "interpolation"
    value = arg(step, name)
    if value is None or (value.is_const and value.const is None):
        # the default of the resize and resized-crop classes of every supported library; timm's
        # factories differ between training ('random') and evaluation ('bilinear')
        return None if info.kind == "factory" else "bilinear"
    if value.is_const:
        raw = value.const
        if isinstance(raw, bool):
            return None
        if isinstance(raw, int):
            return _codes(info).get(raw)
        if isinstance(raw, str):
            return NAMES.get(raw.lower())
        return None
    parts = (value.text or "").split(".")
    if len(parts) >= 2 and parts[-2] in ENUM_OWNERS:
        return NAMES.get(parts[-1].lower())
    return None


def _antialias(step, info) -> bool | None:
    if not info.library.startswith("torchvision") or "antialias" not in info.params:
        return None
    value = arg(step, "antialias")
    if value is None or (value.is_const and value.const is None):
        return True
    return value.const if value.is_const and isinstance(value.const, bool) else None


def _last_resize(item, kb):
    for transition in reversed(run(item.pipeline.steps, kb)):
        step = transition.step
        info = kb.lookup(step.qualname)
        if info is None or not info.size or info.size.get("effect") not in ("resize", "crop"):
            continue
        if "interpolation" not in info.params and "resample" not in info.params:
            continue
        if info.size.get("effect") == "crop" and info.kind != "factory" and "Resize" not in info.name \
                and "Sized" not in info.name:
            continue  # a plain crop does not resample
        if step.condition:
            return None
        return step, info, transition.before.container == TENSOR
    return None


def check(ctx):
    for pair in ctx.pairs:
        train, evaluation = _last_resize(pair.train, ctx.kb), _last_resize(pair.eval, ctx.kb)
        if train is None or evaluation is None:
            continue
        (train_step, train_info, train_tensor), (eval_step, eval_info, eval_tensor) = train, evaluation
        train_mode, eval_mode = _mode(train_step, train_info), _mode(eval_step, eval_info)
        if train_mode is None or eval_mode is None:
            continue
        if train_mode != eval_mode:
            yield Finding(CODE, f"evaluation resizes with {eval_mode} interpolation, training with {train_mode}",
                          eval_step.location, [Related(train_step.location, f"training resize ({pair.reason})", OTHER_SIDE)])
            continue
        # antialias only matters for tensors: PIL images are always resized with antialiasing
        train_aa, eval_aa = _antialias(train_step, train_info), _antialias(eval_step, eval_info)
        if train_tensor and eval_tensor and None not in (train_aa, eval_aa) and train_aa != eval_aa:
            yield Finding(CODE, f"evaluation resizes with antialias={eval_aa}, training with antialias={train_aa}",
                          eval_step.location, [Related(train_step.location, f"training resize ({pair.reason})", OTHER_SIDE)])
