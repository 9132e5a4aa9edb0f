"""Pipelines declared in YAML or JSON files (Hydra `_target_`, albumentations' serialised form): the text
screen, the readers and the places they keep, roles and pairs, and what happens to the YAML and JSON files
that declare nothing (most of them): not read past the screen, not errors, not counted, not read again warm."""

from __future__ import annotations

import json
import os
import textwrap

import pytest

from evalparity.discovery import cache as cache_module
from evalparity.discovery.cache import Cache
from evalparity.discovery.dataconfig import MAX_DATA_BYTES, looks_like_data_config, read_data_config
from evalparity.engine import analyze, check
from evalparity.relate.mmconfig import config_items


def _write(root, files: dict[str, str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def _plain(node):
    if node.kind == "dict":
        return {k: _plain(v) for k, v in node.items}
    if node.kind == "list":
        return [_plain(v) for v in node.items]
    if node.kind == "const":
        return node.const
    return (node.kind, node.text)


@pytest.mark.parametrize("text, expected", [
    (b"train:\n  - _target_: torchvision.transforms.RandomCrop\n    size: 32\n", True),
    (b'{"_target_": "albumentations.HorizontalFlip"}', True),
    (b"_target_: 'kornia.augmentation.RandomHorizontalFlip'\n", True),
    (b"loader:\n  _target_: torch.utils.data.DataLoader\n", True),
    (b'{"transform": {"__class_fullname__": "Compose"}}', True),
    (b"_target_: src.models.MyModel\nlr: 0.1\n", False),  # Hydra, but nothing a pipeline is made of
    (b"name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n", False),
    (b'{"images": [{"file_name": "torchvision.transforms.png"}]}', False),
])
def test_screen(text, expected):
    assert looks_like_data_config(text) is expected


def test_yaml_values_and_places():
    text = textwrap.dedent("""\
        val:
          - _target_: torchvision.transforms.Resize
            size: [256, 256]
            antialias: true
          - {_target_: torchvision.transforms.Normalize, mean: "${norm.mean}", std: [0.5, .5, 5e-1]}
        lr: 1e-3
        name: "1e-3"
        """).encode()
    (root,) = read_data_config("c.yaml", text)
    assert _plain(root) == {
        "val": [{"_target_": "torchvision.transforms.Resize", "size": [256, 256], "antialias": True},
                {"_target_": "torchvision.transforms.Normalize", "mean": ("unknown", "${norm.mean}"),
                 "std": [0.5, 0.5, 0.5]}],
        "lr": 0.001,  # OmegaConf's float, where YAML 1.1 reads a string
        "name": "1e-3",  # quoted: a string
    }
    listed = dict(root.items)["val"]
    first, second = listed.items
    assert (first.location.line, first.location.column) == (2, 5)
    assert (second.location.line, second.location.column) == (5, 5)
    assert (dict(first.items)["size"].location.line, dict(first.items)["size"].location.column) == (3, 11)


def test_yaml_alias_is_one_node_and_merge_keys():
    (root,) = read_data_config("c.yaml", b"a: &p\n  - {x: 1}\nb: *p\nbase: &b {k: 1, j: 2}\nc:\n  <<: *b\n  j: 3\n")
    items = dict(root.items)
    assert items["a"] is items["b"]
    assert _plain(items["c"]) == {"k": 1, "j": 3}


def test_json_values_and_places():
    text = ('{"__version__": "1.3.0",\n "transform": {"__class_fullname__": "Compose", "p": 1.0,\n'
            '  "transforms": [\n    {"__class_fullname__": "HorizontalFlip", "always_apply": false, "p": 0.5},\n'
            '    {"s": "a\\"b\\u00e9", "n": -1.5e3, "i": 7, "z": null, "t": true, "e": [], "o": {}}]}}\n')
    (root,) = read_data_config("a.json", text.encode())
    assert _plain(root) == json.loads(text)
    transforms = dict(dict(root.items)["transform"].items)["transforms"]
    flip, other = transforms.items
    assert (flip.location.line, flip.location.column) == (4, 5)
    assert (other.location.line, other.location.column) == (5, 5)
    assert (dict(other.items)["n"].location.line, dict(other.items)["n"].location.column) == (5, 30)


@pytest.mark.parametrize("text", [b'{"a": 1,}', b'{"a": 1} x', b"[1, 2", b'{"a" 1}', b"\xff\xfe", b""])
def test_json_that_does_not_parse_is_nothing(text):
    assert not read_data_config("a.json", text)


def test_yaml_that_does_not_parse_is_nothing():
    assert read_data_config("a.yaml", b"a: [1, 2\nb: {") is None


HYDRA = """\
    data:
      train:
        dataset:
          _target_: torchvision.datasets.CIFAR10
          train: true
          transform:
            _target_: torchvision.transforms.Compose
            transforms:
              - _target_: torchvision.transforms.RandomCrop
                _args_: [32]
                padding: 4
              - _target_: torchvision.transforms.RandomHorizontalFlip
              - _target_: torchvision.transforms.ToTensor
      val:
        dataset:
          _target_: torchvision.datasets.CIFAR10
          train: false
          transform:
            _target_: torchvision.transforms.Compose
            transforms:
              - _target_: torchvision.transforms.RandomCrop
                _args_: [32]
              - _target_: torchvision.transforms.ToTensor
"""


def test_hydra_pipelines_roles_pairs_and_positional_args(tmp_path, in_dir):
    _write(tmp_path, {"conf/data.yaml": HYDRA})
    in_dir(tmp_path)
    items = config_items(analyze(["."]).project)
    roles = {item.pipeline.binding: item.role for item in items.roled}
    assert roles == {"data.train.dataset.transform": "train", "data.val.dataset.transform": "eval"}
    assert [(p.train.pipeline.binding, p.eval.pipeline.binding) for p in items.pairs] == [
        ("data.train.dataset.transform", "data.val.dataset.transform")]
    crop = next(i for i in items.roled if i.role == "eval").pipeline.steps[0]
    assert crop.qualname == "torchvision.transforms.RandomCrop"
    assert [(a.name, a.position, a.value.const) for a in crop.args] == [("size", 0, 32)]
    findings = check(["."]).findings
    assert [(f.code, f.location.path, f.location.line) for f in findings] == [("EP101", "conf/data.yaml", 21)]
    assert findings[0].fix is None  # configuration files are data: no fix


def test_dataset_split_against_key_is_no_role(tmp_path, in_dir):
    # the key says val, the dataset says train: which one the project means is not known
    _write(tmp_path, {"c.yaml": """\
        val:
          _target_: torchvision.datasets.MNIST
          train: true
          transform:
            _target_: torchvision.transforms.RandomRotation
            degrees: 10
        """})
    in_dir(tmp_path)
    items = config_items(analyze(["."]).project)
    assert [item.role for item in items.roled] == ["unknown"]
    assert not check(["."]).findings


def test_albumentations_json_by_file_name(tmp_path, in_dir):
    def saved(*transforms):
        return json.dumps({"__version__": "1.3.0", "transform": {
            "__class_fullname__": "Compose", "p": 1.0, "transforms": list(transforms),
            "bbox_params": None, "keypoint_params": None, "additional_targets": {}}}, indent=2)

    flip = {"__class_fullname__": "albumentations.augmentations.transforms.HorizontalFlip", "always_apply": False,
            "p": 0.5}
    always = {"__class_fullname__": "VerticalFlip", "always_apply": True, "p": 0.5}
    (tmp_path / "augs").mkdir()
    (tmp_path / "augs" / "train.json").write_text(saved(flip), encoding="utf-8")
    (tmp_path / "augs" / "valid.json").write_text(saved(flip, always), encoding="utf-8")
    (tmp_path / "augs" / "heavy.json").write_text(saved(flip), encoding="utf-8")  # no role: silent
    in_dir(tmp_path)
    findings = check(["."]).findings
    # the flip at p=0.5 is random; always_apply=True makes the vertical flip happen every time
    assert [(f.code, f.location.path, f.location.line) for f in findings] == [("EP101", "augs/valid.json", 7)]
    items = config_items(analyze(["."]).project)
    vertical = next(i for i in items.roled if i.pipeline.path == "augs/valid.json").pipeline.steps[1]
    assert [(a.name, a.value.const) for a in vertical.args] == [("p", 1.0)]


def test_unrelated_yaml_and_json_cost_nothing(tmp_path, in_dir, monkeypatch):
    _write(tmp_path, {
        ".github/workflows/ci.yml": "on: [push]\n",
        "data/annotations.json": '{"images": []}',
        "conf/model.yaml": "_target_: src.models.Net\n",
        "conf/broken.yaml": "_target_: torchvision.transforms.Resize\n  size: [1\n",  # passes the screen, no parse
        "train.py": "print('hello')\n",
    })
    (tmp_path / "data" / "big.json").write_bytes(b'{"_target_": "torchvision.transforms.Resize", "x": "'
                                                  + b"a" * MAX_DATA_BYTES + b'"}')
    monkeypatch.setattr(cache_module, "RACY_NS", 0)  # the files were just written: trust their stat anyway
    in_dir(tmp_path)
    result = check(["."])
    assert not result.findings and not result.errors
    assert result.files_checked == 1  # train.py; YAML and JSON files count when they declare something
    assert check(["conf/model.yaml"]).files_checked == 0  # named on the command line: still nothing to say
    # a warm run reads none of them again
    cache = Cache(tmp_path / ".evalparity_cache", "salt")
    analyze(["."], cache=cache)
    opened = []
    real = open

    def spy(file, *args, **kwargs):
        if str(file).endswith((".yaml", ".yml", ".json")) and ".evalparity_cache" not in str(file):
            opened.append(str(file))
        return real(file, *args, **kwargs)

    import builtins
    monkeypatch.setattr(builtins, "open", spy)
    from pathlib import Path
    monkeypatch.setattr(Path, "read_bytes", lambda self: spy(self, "rb").read())
    analyze(["."], cache=Cache(tmp_path / ".evalparity_cache", "salt"))
    assert opened == []


def test_declared_facts_are_cached(tmp_path, in_dir):
    _write(tmp_path, {"conf/data.yaml": HYDRA})
    in_dir(tmp_path)
    cold = check(["."], cache=Cache(tmp_path / ".evalparity_cache", "salt")).findings
    warm_analysis = analyze(["."], cache=Cache(tmp_path / ".evalparity_cache", "salt"))
    assert warm_analysis.files["conf/data.yaml"].declared
    warm = check(["."], cache=Cache(tmp_path / ".evalparity_cache", "salt")).findings
    assert [(f.code, f.location.line) for f in cold] == [(f.code, f.location.line) for f in warm] == [("EP101", 21)]


def test_yaml_module_name_never_shadows_python(tmp_path, in_dir):
    # configs/train.yaml must not be taken for the module configs.train
    _write(tmp_path, {
        "configs/train.yaml": "train_transforms:\n  - _target_: torchvision.transforms.RandomCrop\n    size: 32\n",
        "configs/train.py": "MEAN = (0.5,)\n",
    })
    in_dir(tmp_path)
    project = analyze(["."]).project
    assert project.module_file("main.py", "configs.train") == "configs/train.py"


def test_excluded_folders_are_not_read(tmp_path, in_dir):
    _write(tmp_path, {"build/val.yaml": "val:\n  - _target_: torchvision.transforms.RandomCrop\n    size: 3\n",
                      "src/x.py": "x = 1\n"})
    in_dir(tmp_path)
    assert not check(["."]).findings
    assert os.path.exists(tmp_path / "build" / "val.yaml")


def test_yaml_alias_bomb_is_nothing():
    lines = ["a0: &a0 [{_target_: torchvision.transforms.RandomCrop, size: 1}]"]
    for level in range(1, 12):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    assert read_data_config("bomb.yaml", "\n".join(lines).encode()) is None
    assert read_data_config("ok.yaml", "\n".join(lines[:3]).encode()) is not None


def test_show_files_lists_only_yaml_that_may_declare(tmp_path, in_dir):
    from evalparity.engine import Options
    from evalparity.report.settings import files

    _write(tmp_path, {"conf/val.yaml": HYDRA, "conf/ci.yml": "on: [push]\n", "a.json": "{}", "train.py": "x = 1\n"})
    in_dir(tmp_path)
    assert files(["."], Options())[0] == ["conf/val.yaml", "train.py"]


def test_nested_steps_by_key_and_by_position(tmp_path, in_dir):
    # a wrapper's `transforms:` and a Compose's positional `_args_: [[...]]` are its steps, not arguments
    _write(tmp_path, {"conf/val.yaml": """\
        _target_: torchvision.transforms.Compose
        transforms:
          - _target_: torchvision.transforms.RandomApply
            transforms:
              - {_target_: torchvision.transforms.ColorJitter, brightness: 0.4}
            p: 0.8
          - _target_: torchvision.transforms.Compose
            _args_:
              - - {_target_: torchvision.transforms.CenterCrop, size: 32}
          - _target_: torchvision.transforms.ToTensor
        """})
    in_dir(tmp_path)
    (item,) = config_items(analyze(["."]).project).roled
    assert item.role == "eval"
    assert [(s.name, [a.name for a in s.args], [c.name for c in s.children]) for s in item.pipeline.steps] == [
        ("RandomApply", ["p"], ["ColorJitter"]), ("Compose", [], ["CenterCrop"]), ("ToTensor", [], [])]
    assert [(f.code, f.location.line) for f in check(["."]).findings] == [("EP101", 5)]  # the jitter


def test_a_whole_float_size_is_shown_as_the_int_it_is(tmp_path, in_dir):
    # YAML writes `192.0` where a tool dumped a float: the crop is 192 pixels, and the message says 192
    _write(tmp_path, {"conf/data.yaml": """\
        transforms:
          train:
            _target_: torchvision.transforms.Compose
            transforms:
              - _target_: torchvision.transforms.RandomResizedCrop
                size: 224.0
          val:
            _target_: torchvision.transforms.Compose
            transforms:
              - _target_: torchvision.transforms.CenterCrop
                size: 192.0
        """})
    in_dir(tmp_path)
    assert [(f.code, f.message) for f in check(["."]).findings] == [
        ("EP301", "evaluation images end at 192x192, training images at 224x224")]
