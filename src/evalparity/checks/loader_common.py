"""Helpers shared by the DataLoader checks (EP4)."""

from __future__ import annotations

from ..facts import Arg, Location
from ..findings import Related
from ..loaderroles import RoledLoader, loader_roles
from ..evalloops import unit_test_file
from .common import strongest


def torch_loaders(ctx, role: str | None = None) -> list[RoledLoader]:
    """Loaders resolved to torch.utils.data.DataLoader, with a decided role when one is asked for (then
    never in unit tests, whose loaders exercise code rather than train or evaluate models)."""
    return [item for item in loader_roles(ctx.project).items
            if item.loader.torch and (role is None or (item.role == role and
                                                         not unit_test_file(item.site_path or item.path)))]


def const_setting(item: RoledLoader, name: str):
    """(True, value) when the setting is a known constant, (True, default) when it is not written and
    nothing is spread in, (False, None) when it cannot be known."""
    arg = item.setting(name)
    if arg is not None:
        return (True, arg.value.const) if arg.value.is_const else (False, None)
    if item.loader.spread:
        return False, None
    return True, None


def at(item: RoledLoader, arg: Arg | None) -> Location:
    """Where to report a setting: the argument when it is written out, else the loader (or the factory call)."""
    if arg is not None and item.site is None:
        return arg.location
    return item.where


def role_related(item: RoledLoader, role: str, flagged: Location) -> list[Related]:
    related = []
    if item.site is not None:
        related.append(Related(item.loader.location, "loader built here (in the factory)"))
    evidence = strongest(item.evidence, role)
    if evidence is not None and evidence.location not in (None, flagged):
        related.append(Related(evidence.location, f"{role} role: {evidence.reason}"))
    return related
