"""Decide from raw bytes whether a file can contribute anything, before paying for a parse."""

from __future__ import annotations

from .knowledge import KnowledgeBase

EXTRA_MARKERS = ("DataLoader", "transform=", "transforms=", "transform =", "transforms =", "ImageFolder",
                 "DatasetFolder", "random_split", "Subset")
# model modes and gradient contexts (EP5): `.eval()`, a bare `model.eval`, `no_grad`, `F.dropout(`
MODE_MARKERS = (".eval(", ".train(", ".eval\n", ".train\n", ".eval\r", ".train\r", "no_grad:", "inference_mode:",
                "enable_grad:", "F.dropout", "functional.dropout", "F.alpha_dropout", "functional.alpha_dropout",
                "loader(", "for epoch")  # loader factories (`build_loader(ds, is_train=False)`), epoch loops


def markers(kb: KnowledgeBase) -> tuple[bytes, ...]:
    """Names that every pipeline, dataset use or loader must spell out in the source."""
    names = {entry.name for entry in kb.all_entries() if entry.kind in ("compose", "factory")}
    names |= {"Sequential", *EXTRA_MARKERS, *MODE_MARKERS}
    names |= {name for entries in kb.datasets.values() for name in entries}
    return tuple(sorted(name.encode() for name in names))


def may_contribute(data: bytes, wanted: tuple[bytes, ...]) -> bool:
    return any(marker in data for marker in wanted)
