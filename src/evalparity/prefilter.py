"""Decide from raw bytes whether a file can contribute anything, before paying for a parse."""

from __future__ import annotations

from .knowledge import KnowledgeBase

EXTRA_MARKERS = ("DataLoader", "transform=", "transforms=", "transform =", "transforms =", "ImageFolder",
                 "DatasetFolder", "random_split", "Subset")
# model modes and gradient contexts (EP5): `.eval()`, a bare `model.eval`, `no_grad`, `F.dropout(`
MODE_MARKERS = (".eval(", ".train(", ".eval\n", ".train\n", ".eval\r", ".train\r", "no_grad:", "inference_mode:",
                "enable_grad:", "F.dropout", "functional.dropout", "F.alpha_dropout", "functional.alpha_dropout",
                "loader(", "for epoch")  # loader factories (`build_loader(ds, is_train=False)`), epoch loops
# Names that torch.nn also uses (nn.Sequential is in every model file): they count only next to an
# import of a transform library.
AMBIGUOUS = {"Sequential"}
LIBRARY_HINTS = (b"transforms", b"albumentations", b"kornia")


def markers(kb: KnowledgeBase) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    """(names that alone make a file worth parsing, names that need a library hint too)."""
    names = {entry.name for entry in kb.all_entries() if entry.kind in ("compose", "factory")}
    names |= {"Sequential", *EXTRA_MARKERS, *MODE_MARKERS}
    names |= {name for entries in kb.datasets.values() for name in entries}
    plain = tuple(sorted(n.encode() for n in names - AMBIGUOUS))
    return plain, tuple(sorted(n.encode() for n in names & AMBIGUOUS))


def may_contribute(data: bytes, wanted: tuple[tuple[bytes, ...], tuple[bytes, ...]]) -> bool:
    plain, ambiguous = wanted
    if any(marker in data for marker in plain):
        return True
    return any(marker in data for marker in ambiguous) and any(hint in data for hint in LIBRARY_HINTS)
