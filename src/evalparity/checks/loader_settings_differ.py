"""EP406 (off by default): paired training and evaluation loaders differ in settings that do not change
the metrics of a map-style dataset (batch_size, num_workers, pin_memory)."""

from __future__ import annotations

from evalparity.checks.loader_common import const_setting, torch_loaders
from evalparity.facts import EVAL, TRAIN
from evalparity.findings import OTHER_SIDE, Finding, Related

CODE = "EP406"
SETTINGS = ("batch_size", "num_workers", "pin_memory")
DEFAULTS = {"batch_size": 1, "num_workers": 0, "pin_memory": False}


def _scope(item) -> tuple[str, str]:
    return (item.site_path or item.path, item.site_scope if item.site is not None else item.loader.scope)


def _partner(item, trains):
    for same in (lambda t: t.loader.location == item.loader.location,
                 lambda t: _scope(t) == _scope(item),
                 lambda t: _scope(t)[0] == _scope(item)[0]):
        found = [t for t in trains if same(t)]
        if len(found) == 1:
            return found[0]
        if found:
            return None
    return None


def check(ctx):
    trains = torch_loaders(ctx, TRAIN)
    for item in torch_loaders(ctx, EVAL):
        partner = _partner(item, trains)
        if partner is None:
            continue
        parts = []
        for name in SETTINGS:
            known_eval, value_eval = const_setting(item, name)
            known_train, value_train = const_setting(partner, name)
            if not (known_eval and known_train):
                continue
            value_eval = DEFAULTS[name] if value_eval is None else value_eval
            value_train = DEFAULTS[name] if value_train is None else value_train
            if value_eval != value_train:
                parts.append((name, f"{name}={value_eval!r} here, {value_train!r} in training"))
        if parts:
            message = (f"evaluation loader {item.label} differs from {partner.label} in "
                       f"{', '.join(name for name, _ in parts)}")
            yield Finding(CODE, message, item.where,
                          [Related(partner.where, f"training loader {partner.label}", OTHER_SIDE)],
                          notes=[text for _, text in parts])
