"""The prefilter's first stage (discovery/prefilter.py): the byte markers a file must contain to be parsed
at all. A marker missing from the list skips every file that only it would have let through, silently:
these tests pin the list to the knowledge base and follow one such file to its finding."""

import pytest
from click.testing import CliRunner

from evalparity.cli import cli
from evalparity.discovery.prefilter import DATASET_HINT, MODE_MARKERS, SEQUENTIAL_HINTS, markers, may_contribute
from evalparity.discovery.screen import screen_names, worth_extracting
from evalparity.engine import check
from evalparity.vocabulary.knowledge import default_knowledge

KB = default_knowledge()
WANTED = markers(KB)
# a test split under an evaluation name, and nothing else: only the dataset class name marks the file
ONLY_A_DATASET = b'from torchvision import datasets\n\ntest_set = datasets.MNIST("data", train=True, download=True)\n'


def _gated(hint: bytes) -> tuple[bytes, ...]:
    return next(names for hints, names in WANTED.gated if hint in hints)


def test_every_dataset_class_of_the_knowledge_base_is_a_gated_marker():
    names = {name.encode() for entries in KB.datasets.values() for name in entries}
    assert len(names) > 20  # torchvision's datasets at least
    assert set(_gated(DATASET_HINT)) == names
    assert {b"MNIST", b"CIFAR10", b"ImageFolder"} <= names | set(WANTED.plain)


def test_every_pipeline_constructor_is_found_by_a_plain_marker():
    names = {e.name for e in KB.all_entries() if e.kind in ("compose", "factory")} - {"Sequential"}
    assert names
    for name in names:
        assert any(marker in name.encode() for marker in WANTED.plain), name


def test_mode_markers_and_sequential_are_where_they_belong():
    for marker in MODE_MARKERS:
        assert any(plain in marker.encode() for plain in WANTED.plain), marker
    assert b"Sequential" not in WANTED.plain
    assert _gated(SEQUENTIAL_HINTS[0]) == (b"Sequential",)
    # no plain marker contains another: the shorter one already finds every file the longer one would
    assert not [(a, b) for a in WANTED.plain for b in WANTED.plain if a != b and a in b]


@pytest.mark.parametrize("name", [b"MNIST", b"CIFAR100", b"FashionMNIST", b"SVHN", b"STL10"])
def test_a_dataset_name_next_to_datasets_is_enough(name):
    source = ONLY_A_DATASET.replace(b"MNIST", name)
    assert may_contribute(source, WANTED)
    assert not may_contribute(source.replace(b"datasets", b"data_sets"), WANTED)  # no hint: another library
    assert not any(marker in source for marker in WANTED.plain)  # only the dataset marker lets it through


def test_the_first_stage_lets_through_what_the_second_keeps():
    assert worth_extracting("evaluate.py", ONLY_A_DATASET, screen_names(KB))


def test_a_file_marked_only_by_its_dataset_is_checked_in_a_folder(tmp_path, in_dir):
    (tmp_path / "evaluate.py").write_bytes(ONLY_A_DATASET)
    in_dir(tmp_path)
    result = check(["."], kb=KB)
    assert [(f.location.path, f.location.line, f.code) for f in result.findings] == [("evaluate.py", 3, "EP407")]
    concise = CliRunner().invoke(cli, ["check", ".", "--isolated", "--no-cache", "--format", "concise"]).output
    assert concise.startswith("evaluate.py:3:12: EP407 [error] training split `MNIST(…, train=True)` used for evaluation")


def test_getitem_marks_a_file_only_next_to_a_dataset():
    dataset = b"from torch.utils.data import Dataset\nclass Clips(Dataset):\n    def __getitem__(self, i):\n" \
              b"        return i\nclips = Clips()\n"
    container = b"class Boxes:\n    def __getitem__(self, i):\n        return i\nboxes = Boxes()\n"
    assert may_contribute(dataset, WANTED)
    assert not any(marker in dataset for marker in WANTED.plain)  # only the gated marker lets it through
    assert not may_contribute(container, WANTED)
