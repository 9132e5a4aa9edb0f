"""Decide from raw bytes whether a file can contribute anything, before paying for a parse."""

from __future__ import annotations

from dataclasses import dataclass

from evalparity.vocabulary.knowledge import KnowledgeBase

EXTRA_MARKERS = ("DataLoader", "transform=", "transforms=", "transform =", "transforms =", "ImageFolder",
                 "DatasetFolder", "random_split", "Subset")
# model modes and gradient contexts (EP5): `.eval()`, a bare `model.eval`, `no_grad`, `F.dropout(`
MODE_MARKERS = (".eval(", ".train(", ".eval\n", ".train\n", ".eval\r", ".train\r", "no_grad:", "inference_mode:",
                "enable_grad:", "F.dropout", "functional.dropout", "F.alpha_dropout", "functional.alpha_dropout",
                "loader(", "for epoch",  # loader factories (`build_loader(ds, is_train=False)`), epoch loops
                "load_state_dict(", "torch.load(")  # inference scripts: trained weights loaded into a model
# a model built with pretrained weights (EP211): `resnet50(pretrained=True)`, `weights=ResNet50_Weights.…`,
# `timm.create_model(…)`, `open_clip.create_model_and_transforms(…)`, `clip.load(…)`
PRETRAINED_MARKERS = ("pretrained=True", "pretrained = True", "_Weights.", "weights=\"", "weights='", "create_model",
                      "clip.load(")
# a factory told which role to build: `data_provider(args, flag='test')`, `get_dataset(split="val")`
ROLE_ARGUMENT_MARKERS = ("flag='", 'flag="', "split='", 'split="', "phase='", 'phase="', "is_train=", "is_training=")
# Names that torch.nn also uses (nn.Sequential is in every model file) count only next to a transform
# library; dataset class names only next to `datasets` (they are imported from torchvision.datasets).
SEQUENTIAL_HINTS = (b"transforms", b"albumentations", b"kornia")
DATASET_HINT = b"datasets"
# a project Dataset class, read when the file also instantiates it (screen.py); containers of library code
# define `__getitem__` too, without a Dataset
DATASET_CLASS_HINT = b"Dataset"
# an inference or demo script that reads images by hand and runs a torch model (extract/handprep.py)
IMAGE_READS = (b"imread", b"Image.open", b"VideoCapture")


@dataclass(frozen=True)
class Markers:
    plain: tuple[bytes, ...]
    gated: tuple[tuple[tuple[bytes, ...], tuple[bytes, ...]], ...]  # (hints, names): names count if a hint is present


def markers(kb: KnowledgeBase) -> Markers:
    """The names every pipeline, dataset use, loader or mode call must spell out in the source."""
    names = {entry.name for entry in kb.all_entries() if entry.kind in ("compose", "factory")}
    names |= {*EXTRA_MARKERS, *MODE_MARKERS, *ROLE_ARGUMENT_MARKERS, *PRETRAINED_MARKERS}
    names -= {"Sequential"}
    # a marker that contains another one adds nothing: `ReplayCompose` is found by `Compose`
    plain = sorted(n for n in names if not any(other != n and other in n for other in names))
    datasets = sorted({name for entries in kb.datasets.values() for name in entries})
    return Markers(tuple(n.encode() for n in plain),
                   ((SEQUENTIAL_HINTS, (b"Sequential",)), ((DATASET_HINT,), tuple(n.encode() for n in datasets)),
                    (IMAGE_READS, (b"torch",)), ((DATASET_CLASS_HINT,), (b"__getitem__",))))


def may_contribute(data: bytes, wanted: Markers) -> bool:
    if any(marker in data for marker in wanted.plain):
        return True
    return any(any(hint in data for hint in hints) and any(name in data for name in names)
               for hints, names in wanted.gated)
