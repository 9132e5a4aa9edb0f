"""OpenMMLab-style configuration files: the text test, the reader, mmengine's merge of `_base_` chains, and
findings on a base reported once whatever the number of children that inherit it."""

from __future__ import annotations

import os
import textwrap

import pytest

from evalparity.discovery.cache import Cache
from evalparity.discovery.mmconfig import looks_like_config, merge, read_config
from evalparity.engine import analyze, check
from evalparity.facts import CfgNode, Location
from evalparity.relate.mmconfig import _lookup, _Resolver, config_items


def _write(root, files: dict[str, str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def _variables(text: str) -> dict:
    config = read_config("c.py", textwrap.dedent(text).encode())
    assert config is not None and not config.opaque, config
    return dict(config.variables)


def _plain(node: CfgNode):
    if node.kind == "dict":
        return {k: _plain(v) for k, v in node.items}
    if node.kind == "list":
        return [_plain(v) for v in node.items]
    if node.kind == "const":
        return node.const
    return (node.kind, node.text)


BASE = """\
    img_norm_cfg = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
    train_pipeline = [dict(type='LoadImageFromFile'), dict(type='RandomFlip', prob=0.5),
                      dict(type='Normalize', **img_norm_cfg), dict(type='PackInputs')]
    test_pipeline = [dict(type='LoadImageFromFile'), dict(type='Normalize', **img_norm_cfg), dict(type='PackInputs')]
    train_dataloader = dict(batch_size=8, dataset=dict(type='D', pipeline=train_pipeline),
                            sampler=dict(type='DefaultSampler', shuffle=True))
    val_dataloader = dict(batch_size=8, num_workers=2, dataset=dict(type='D', pipeline=test_pipeline),
                          sampler=dict(type='DefaultSampler', shuffle=False))
    test_dataloader = val_dataloader
"""


@pytest.mark.parametrize("text, expected", [
    (b"_base_ = './a.py'\n", True),
    (b"with read_base():\n    from .a import *\n", True),
    (b"train_pipeline = [\n    dict(type='RandomFlip'),\n]\n", True),
    (b"data = dict(\n    train=dict(pipeline=[dict(\n        type='X')]))\n", True),
    (b"optimizer = dict(type='SGD', lr=0.1)\n", True),  # a schedule file configurations name as a base
    (b"x = 1\ndef f():\n    return dict(type='SGD')\n", False),  # no module-level dict
    (b"train_pipeline = [T.RandomCrop(32)]\n", False),  # no `dict(type=` entries
    (b"def f():\n    _base_ = 1\n", False),  # not at the start of a line
])
def test_looks_like_config(text, expected):
    assert looks_like_config(text) is expected


def test_reader_folds_what_the_file_builds():
    found = _variables("""\
        import copy
        norm = dict(mean=[1, 2, 3], std=[4, 5, 6])
        size = 224
        base = [dict(type='Load')]
        train_pipeline = [*base, dict(type='Normalize', **norm, to_rgb=False)] + [dict(type='Crop', size=size // 2)]
        test_pipeline = copy.deepcopy(base)
        first = train_pipeline[0]
        loader = {**dict(batch_size=2), 'shuffle': -1}
        ref = _base_.model.backbone
        old = {{_base_.test_pipeline}}
        """)
    assert _plain(found["train_pipeline"]) == [
        {"type": "Load"}, {"type": "Normalize", "mean": [1, 2, 3], "std": [4, 5, 6], "to_rgb": False},
        {"type": "Crop", "size": 112}]
    assert _plain(found["test_pipeline"]) == [{"type": "Load"}]
    assert _plain(found["first"]) == {"type": "Load"}
    assert _plain(found["loader"]) == {"batch_size": 2, "shuffle": -1}
    assert _plain(found["ref"]) == ("ref", "model.backbone")
    assert _plain(found["old"]) == ("ref", "test_pipeline")
    # the spread entry keeps the location where it is written, in the pipeline that spreads it
    assert found["train_pipeline"].items[1].location.line == 5


def test_reader_names_the_classes_of_new_style_configs():
    config = read_config("configs/vit/c.py", textwrap.dedent("""\
        from mmengine.config import read_base
        from mmpretrain.datasets import RandomFlip
        with read_base():
            from .._base_.datasets.imagenet import *
            from .schedule import *
        test_pipeline = [dict(type=RandomFlip, prob=0.5)]
        """).encode())
    assert config.lazy and config.bases == ("../_base_/datasets/imagenet.py", "./schedule.py")
    assert _plain(dict(config.variables)["test_pipeline"]) == [
        {"type": ("cls", "mmpretrain.datasets.RandomFlip"), "prob": 0.5}]


@pytest.mark.parametrize("text, unknown", [
    ("test_pipeline = [dict(type='RandomFlip')]\nloader = dict(pipeline=test_pipeline)\nother = dict(a=1)\n"
     "test_pipeline[0]['prob'] = 0\n", {"test_pipeline", "loader"}),  # the loader holds the same list
    ("test_pipeline = [dict(type='RandomFlip')]\ntest_pipeline.append(dict(type='Pack'))\n", {"test_pipeline"}),
    ("custom_keys = dict(a=1)\ncustom_keys.update({k: 1 for k in 'ab'})\ntest_pipeline = [dict(type='X')]\n",
     {"custom_keys"}),
    ("d = dict(a=dict(b=1))\nd.pop('a')\nval_dataloader = dict(x=d)\n", {"d"}),  # read after the change
])
def test_reader_forgets_what_is_changed_in_place(text, unknown):
    config = read_config("c.py", text.encode())
    assert config is not None and not config.opaque
    assert {name for name, node in config.variables if node.kind == "unknown"} == unknown


@pytest.mark.parametrize("text", [
    "_base_ = './a.py'\n_base_['test_pipeline'][1]['scale'] = 192\n",
    "_base_ = './a.py'\n_base_.train_dataloader.dataset.pipeline = []\n",
    "test_pipeline = []\nfor s in (1, 2):\n    test_pipeline.append(dict(type='Resize', scale=s))\n",
])
def test_reader_gives_up_on_loops_and_changes_of_the_base(text):
    config = read_config("c.py", text.encode())
    assert config is not None and config.opaque and config.variables == ()


def test_reader_refuses_modules_that_are_not_configurations():
    assert read_config("m.py", b"class A:\n    pass\ntrain_pipeline = [dict(type='X')]\n") is None
    assert read_config("m.py", b"def f():\n    pass\nx = dict(type='X')\n") is None  # code, and no config name
    # Python that builds pipelines with calls is read as code too
    assert read_config("m.py", b"import torchvision.transforms as T\ntf = T.Compose([])\nx = dict(type='X')\n").code
    assert not read_config("m.py", b"optimizer = dict(type='SGD', lr=round(0.1, 2))\n").code
    assert read_config("m.py", b"train_pipeline = [\n") is None


def test_new_style_update_merges():
    found = _variables("""\
        train_dataloader = dict(batch_size=8, sampler=dict(type='DefaultSampler', shuffle=True))
        train_dataloader.update(batch_size=2, sampler=dict(shuffle=False))
        """)
    assert _plain(found["train_dataloader"]) == {"batch_size": 2, "sampler": {"type": "DefaultSampler",
                                                                              "shuffle": False}}


def _node(value) -> CfgNode:
    where = Location("x.py", 1, 1, 1, 1)
    if isinstance(value, dict):
        delete = value.pop("_delete_", False)
        return CfgNode("dict", where, tuple((k, _node(v)) for k, v in value.items()), delete=delete)
    if isinstance(value, list):
        return CfgNode("list", where, tuple(_node(v) for v in value))
    return CfgNode("const", where, const=value)


@pytest.mark.parametrize("base, child, merged", [
    ({"a": 1, "b": {"c": 2, "d": 3}}, {"b": {"c": 5}}, {"a": 1, "b": {"c": 5, "d": 3}}),  # key by key
    ({"p": [1, 2, 3]}, {"p": [4]}, {"p": [4]}),  # a list replaces
    ({"o": {"type": "SGD", "lr": 0.1, "momentum": 0.9}}, {"o": {"_delete_": True, "type": "AdamW", "lr": 1e-3}},
     {"o": {"type": "AdamW", "lr": 1e-3}}),  # `_delete_=True` replaces
    ({"s": {"type": "DefaultSampler", "shuffle": True}}, {"s": {"type": "InfiniteSampler"}},
     {"s": {"type": "InfiniteSampler", "shuffle": True}}),  # another type still merges (mmengine's rule)
    ({"x": 1}, {"x": {"y": 2}}, {"x": {"y": 2}}),  # a dict over a scalar replaces
])
def test_merge_follows_mmengine(base, child, merged):
    assert _plain(merge(_node(base), _node(child))) == merged


def test_base_chain_resolves_within_the_repository(tmp_path, in_dir):
    _write(tmp_path, {
        "configs/_base_/data.py": BASE,
        "configs/_base_/runtime.py": "default_scope = 'mmpretrain'\n",  # read here although nothing extracts it
        "configs/m/a.py": """\
            _base_ = ['../_base_/data.py', '../_base_/runtime.py', 'mmdet::_base_/x.py']
            val_dataloader = dict(batch_size=1, dataset=dict(pipeline={{_base_.train_pipeline}}))
            """,
        "configs/m/b.py": """\
            _base_ = './a.py'
            val_dataloader = dict(sampler=dict(_delete_=True, type='SequentialSampler'))
            cycle = dict(x=1)
            """,
        "configs/m/loop1.py": "_base_ = './loop2.py'\ntrain_pipeline = [dict(type='X')]\n",
        "configs/m/loop2.py": "_base_ = './loop1.py'\ntrain_pipeline = [dict(type='Y')]\n",
    })
    in_dir(tmp_path)
    if True:
        analysis = analyze(["configs"])
        resolver = _Resolver(analysis.project)
        b = resolver.effective("configs/m/b.py").variables
        assert _plain(_lookup(b, "val_dataloader")) == {
            "batch_size": 1, "num_workers": 2, "dataset": {"type": "D", "pipeline": _plain(b["train_pipeline"])},
            "sampler": {"type": "SequentialSampler"}}
        assert _plain(b["test_dataloader"])["batch_size"] == 8  # copied in the base: the children do not reach it
        assert b["default_scope"].const == "mmpretrain"
        assert resolver.effective("configs/m/loop1.py") is None or "train_pipeline" in \
            resolver.effective("configs/m/loop1.py").variables  # a cycle ends, whatever it yields


def test_a_base_finding_is_reported_once_for_all_its_children(tmp_path, in_dir):
    random_eval = BASE.replace("test_pipeline = [dict(type='LoadImageFromFile'),",
                               "test_pipeline = [dict(type='LoadImageFromFile'), dict(type='RandomFlip', prob=0.5),")
    random_eval = random_eval.replace("dict(type='DefaultSampler', shuffle=False)", "dict(type='DefaultSampler')")
    files = {"configs/_base_/data.py": random_eval}
    for index in range(12):
        files[f"configs/m/c{index}.py"] = f"_base_ = '../_base_/data.py'\nmodel = dict(depth={index})\n"
    _write(tmp_path, files)
    in_dir(tmp_path)
    if True:
        result = check(["configs"])
        items = config_items(analyze(["configs"]).project)
    found = sorted((f.code, f.location.path, f.location.line) for f in result.findings)
    assert found == [("EP101", "configs/_base_/data.py", 4), ("EP403", "configs/_base_/data.py", 8)]
    assert len(items.roled) == 2 and len(items.pairs) == 1  # one item per list written, not per child


def test_a_pair_says_which_configuration_pairs_it(tmp_path, in_dir):
    # both lists in the file that builds the loaders: the same configuration; a child that overrides the
    # training list pairs it with its base's evaluation list
    _write(tmp_path, {
        "one/configs/a.py": BASE,
        "two/configs/_base_/data.py": BASE,
        "two/configs/m/c.py": """\
            _base_ = '../_base_/data.py'
            train_pipeline = [dict(type='LoadImageFromFile'), dict(type='RandomResize', scale=(512, 512))]
            train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
            """,
    })
    in_dir(tmp_path)
    reasons = {}
    for folder in ("one", "two"):
        for pair in config_items(analyze([folder]).project).pairs:
            reasons[(pair.train.pipeline.path, pair.eval.pipeline.path)] = pair.reason
    assert reasons == {
        ("one/configs/a.py", "one/configs/a.py"): "same configuration",
        ("two/configs/_base_/data.py", "two/configs/_base_/data.py"): "same configuration",
        ("two/configs/m/c.py", "two/configs/_base_/data.py"): "configuration two/configs/m/c.py with its bases"}


def test_a_wrapped_dataset_pairs_its_outermost_pipeline_and_nesting_has_a_limit(tmp_path, in_dir):
    # MultiImageMixDataset's pipeline is the training one; the inner dataset's list only loads the images.
    # Lists more than four datasets deep are not looked for.
    deep = "dict(type='W', dataset=" * 5 + "dict(type='D', pipeline=[dict(type='RandomFlip', prob=0.5)])" + ")" * 5
    _write(tmp_path, {"configs/a.py": f"""\
        train_pipeline = [dict(type='Mosaic', img_scale=(640, 640)), dict(type='RandomFlip', prob=0.5)]
        test_pipeline = [dict(type='Resize', scale=(640, 640)), dict(type='PackDetInputs')]
        train_dataloader = dict(dataset=dict(type='MultiImageMixDataset', pipeline=train_pipeline, dataset=dict(
            type='CocoDataset', pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadAnnotations')])))
        val_dataloader = dict(dataset=dict(type='CocoDataset', pipeline=test_pipeline))
        test_dataloader = dict(dataset={deep})
        """})
    in_dir(tmp_path)
    items = config_items(analyze(["configs"]).project)
    assert [(p.train.pipeline.location.line, p.eval.pipeline.location.line) for p in items.pairs] == [(1, 2)]
    assert sorted(i.pipeline.location.line for i in items.roled) == [1, 2, 4]  # nothing from line 6


def test_configuration_facts_come_from_the_cache(tmp_path, in_dir):
    _write(tmp_path, {"configs/a.py": BASE.replace("dict(type='DefaultSampler', shuffle=False)",
                                                   "dict(type='DefaultSampler', shuffle=True)")})
    in_dir(tmp_path)
    if True:
        cache = Cache(tmp_path / "cache", "salt")
        first = check(["configs"], cache=cache)
        second = check(["configs"], cache=Cache(tmp_path / "cache", "salt"))
    assert [(f.code, f.location.line) for f in first.findings] == [("EP403", 8)]
    assert [(f.code, f.location.line) for f in second.findings] == [("EP403", 8)]


def test_no_fix_is_offered_in_a_configuration(tmp_path, in_dir):
    _write(tmp_path, {"configs/a.py": BASE.replace("val_dataloader = dict(batch_size=8,",
                                                   "val_dataloader = dict(batch_size=8, drop_last=True,")})
    in_dir(tmp_path)
    if True:
        result = check(["configs"])
    assert [f.code for f in result.findings] == ["EP401"]
    assert result.findings[0].fix is None


def test_fixture_configurations_use_known_transforms():
    """Every OpenMMLab type a configuration fixture names is in rules/knowledge/transforms/openmmlab.yaml: an
    unknown one would make its pipeline opaque and the fixture prove nothing."""
    from conftest import FIXTURES

    from evalparity.relate.project import walk_steps
    from evalparity.vocabulary.knowledge import default_knowledge

    cases = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.glob("EP*/*mmcfg*"))
    assert len(cases) >= 20
    previous = os.getcwd()
    os.chdir(FIXTURES)
    try:
        roled = config_items(analyze(cases).project).roled
    finally:
        os.chdir(previous)
    names = {step.qualname for item in roled for step in walk_steps(item.pipeline.steps)}
    assert len(names) > 20
    assert sorted(n for n in names if default_knowledge().lookup(n) is None) == []


def test_alternatives_are_opaque_steps(tmp_path, in_dir):
    """`TestTimeAug` and any `transforms` list of lists hold alternatives, one pass each, not a sequence: the
    step is kept whole (its entries are neither its steps nor lists to read as steps)."""
    _write(tmp_path, {"configs/a.py": """\
        test_pipeline = [
            dict(type='LoadImageFromFile'),
            dict(type='TestTimeAug', transforms=[dict(type='RandomFlip', prob=1.0)]),
            dict(type='RandomChoice', transforms=[[dict(type='RandomFlip', prob=0.5)], [dict(type='Resize', scale=8)]]),
            dict(type='Compose', transforms=[dict(type='Resize', scale=224)]),
        ]
        val_dataloader = dict(batch_size=8, dataset=dict(type='ImageNet', pipeline=test_pipeline))
        """})
    in_dir(tmp_path)
    (item,) = config_items(analyze(["configs"]).project).roled
    assert [(s.short_name, [c.short_name for c in s.children]) for s in item.pipeline.steps] == [
        ("LoadImageFromFile", []), ("TestTimeAug", []), ("RandomChoice", []), ("Compose", ["Resize"])]
