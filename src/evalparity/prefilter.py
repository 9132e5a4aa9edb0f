"""Decide from raw bytes whether a file can contribute anything, before paying for a parse."""

from __future__ import annotations

from .knowledge import KnowledgeBase

EXTRA_MARKERS = ("DataLoader", "transform=", "transforms=", "transform =", "transforms =", "ImageFolder",
                 "DatasetFolder", "random_split", "Subset")


def markers(kb: KnowledgeBase) -> tuple[bytes, ...]:
    """Names that every pipeline, dataset use or loader must spell out in the source."""
    names = {entry.name for entry in kb.all_entries() if entry.kind in ("compose", "factory")}
    names |= {"Sequential", *EXTRA_MARKERS}
    names |= {name for entries in kb.datasets.values() for name in entries}
    return tuple(sorted(name.encode() for name in names))


def may_contribute(data: bytes, wanted: tuple[bytes, ...]) -> bool:
    return any(marker in data for marker in wanted)
