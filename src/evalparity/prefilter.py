"""Decide from raw bytes whether a file can contribute anything, before paying for a parse."""

from __future__ import annotations

import re

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


def _pattern(names) -> re.Pattern[bytes]:
    return re.compile(b"|".join(re.escape(n.encode()) for n in sorted(names)))


def markers(kb: KnowledgeBase) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """(names that alone make a file worth parsing, names that need a library hint too), each as one
    compiled alternation so a file is scanned once."""
    names = {entry.name for entry in kb.all_entries() if entry.kind in ("compose", "factory")}
    names |= {"Sequential", *EXTRA_MARKERS, *MODE_MARKERS}
    names |= {name for entries in kb.datasets.values() for name in entries}
    return _pattern(names - AMBIGUOUS), _pattern(names & AMBIGUOUS)


def may_contribute(data: bytes, wanted: tuple[re.Pattern[bytes], re.Pattern[bytes]]) -> bool:
    plain, ambiguous = wanted
    if plain.search(data):
        return True
    return bool(ambiguous.search(data)) and any(hint in data for hint in LIBRARY_HINTS)
