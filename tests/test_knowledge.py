"""The knowledge base loads, answers lookups through re-exports, and rejects malformed files clearly."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from evalparity.cli import cli
from evalparity.vocabulary.knowledge import KnowledgeError, load_knowledge, load_transform_file


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


@pytest.mark.parametrize("qualname, name", [
    ("torchvision.transforms.RandomCrop", "RandomCrop"),
    ("torchvision.transforms.transforms.RandomCrop", "RandomCrop"),
    ("torchvision.transforms.v2.RandomCrop", "RandomCrop"),
    ("torchvision.transforms.v2._geometry.RandomCrop", "RandomCrop"),
    ("albumentations.augmentations.transforms.HorizontalFlip", "HorizontalFlip"),
    ("albumentations.pytorch.ToTensorV2", "ToTensorV2"),
    ("kornia.augmentation.RandomHorizontalFlip", "RandomHorizontalFlip"),
    ("timm.data.create_transform", "create_transform"),
])
def test_lookup_through_reexports(kb, qualname, name):
    assert kb.lookup(qualname).name == name


def test_v2_and_v1_are_separate_entries(kb):
    assert kb.lookup("torchvision.transforms.v2.ToDtype").library == "torchvision.transforms.v2"
    assert kb.lookup("torchvision.transforms.ToDtype") is None


def test_functional_is_not_a_transform(kb):
    assert kb.lookup("torchvision.transforms.functional.normalize") is None
    assert kb.lookup("mylib.RandomCrop") is None


def test_library_constants_match_reexports(kb):
    assert kb.library_constant("timm.data.IMAGENET_DEFAULT_MEAN") == pytest.approx((0.485, 0.456, 0.406))
    assert kb.library_constant("timm.data.constants.IMAGENET_DEFAULT_STD") == pytest.approx((0.229, 0.224, 0.225))


@pytest.mark.parametrize("body, key, reason", [
    ("library: x\ntransforms:\n  A: {random: maybe}\n", "transforms.A.random", "expected true or false"),
    ("library: x\ntransforms:\n  A: {colour: 1}\n", "transforms.A.colour", "unknown key"),
    ("library: x\ntransforms:\n  A: {kind: blender}\n", "transforms.A.kind", "expected one of"),
    ("transforms: {}\n", "library", "expected an import prefix"),
    ("library: x\ntransforms: [1]\n", "transforms", "expected a mapping"),
])
def test_malformed_file_names_file_key_and_reason(tmp_path, body, key, reason):
    path = tmp_path / "mine.yaml"
    path.write_text(body)
    with pytest.raises(KnowledgeError) as error:
        load_transform_file(path)
    assert str(path) in str(error.value) and key in str(error.value) and reason in str(error.value)


def test_malformed_user_file_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "mine.yaml"
    bad.write_text("library: mylib\ntransforms:\n  RandomGamma: {random: sometimes}\n")
    (tmp_path / "a.py").write_text("x = 1\n")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "a.py"), "--knowledge", str(bad)])
    assert result.exit_code == 2
    assert "transforms.RandomGamma.random: expected true or false" in result.output
    assert "Traceback" not in result.output


def test_user_knowledge_makes_a_custom_transform_random(tmp_path):
    mine = tmp_path / "mine.yaml"
    mine.write_text("library: mylib\nsource: in-house\ntransforms:\n  RandomGamma: {random: true}\n")
    code = tmp_path / "a.py"
    code.write_text("from torchvision import transforms\nfrom mylib import RandomGamma\n"
                    "val_tf = transforms.Compose([RandomGamma(), transforms.ToTensor()])\n")
    assert CliRunner().invoke(cli, ["check", str(code)]).exit_code == 0
    result = CliRunner().invoke(cli, ["check", str(code), "--knowledge", str(mine), "--format", "concise"])
    assert result.exit_code == 1 and "EP101" in result.output and "RandomGamma" in result.output


def test_rules_data_ships_inside_the_wheel_and_loads_from_it(tmp_path):
    # the build backend itself, in this process: `pip wheel` would first install it in an environment of its own
    from hatchling.builders.wheel import WheelBuilder

    wheel = Path(next(WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"])))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "unpacked")
    assert "evalparity/_rules/EP101.yaml" in names
    assert "evalparity/_rules/knowledge/transforms/torchvision.yaml" in names
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import evalparity.vocabulary.resources as r, evalparity.vocabulary.knowledge as k;"
             "assert r.rules_dir().is_relative_to(sys.argv[1]), r.rules_dir();"
             "print(len(list(k.load_knowledge().all_entries())))")
    run = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "unpacked")], capture_output=True, text=True,
                         cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert int(run.stdout) > 300


def _whole_entries(text: str, at_least: int) -> str:
    """The document's first lines, cut before the entry that starts after `at_least` lines."""
    lines = text.splitlines()
    cut = next(n for n in range(at_least, len(lines)) if lines[n].startswith("  ") and lines[n][2] != " ")
    return "\n".join(lines[:cut]) + "\n"


def test_yaml_reader_gives_safe_load_data_and_errors():
    import yaml

    from evalparity.vocabulary.resources import load_yaml, rules_dir

    files = sorted(rules_dir().rglob("*.yaml"))
    assert len(files) > 30
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.name == "pretrained.yaml":  # generated, 2,300 lines of the same shapes: its first 300 or so
            text = _whole_entries(text, 300)
        assert load_yaml(text) == yaml.safe_load(text), path
    broken = "a: [1, 2\nb: 3\n"
    with pytest.raises(yaml.YAMLError) as fast:
        load_yaml(broken)
    with pytest.raises(yaml.YAMLError) as plain:
        yaml.safe_load(broken)
    assert str(fast.value) == str(plain.value)
    with pytest.raises(yaml.constructor.ConstructorError):
        load_yaml("!!python/object:os.system {}\n")
