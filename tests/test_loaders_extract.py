"""Extraction of DataLoader facts: folded settings, samplers, comprehension keys, factory parameters,
and torchvision datasets built without their split argument."""

from evalparity.extract.source import extract_source
from evalparity.vocabulary.knowledge import default_knowledge


def _facts(source):
    return extract_source("snippet.py", source, default_knowledge())


def _settings(loader):
    return {a.name: (a.value.const if a.value.is_const else a.value.kind) for a in loader.args}


def test_positional_and_keyword_settings_are_folded():
    facts = _facts(
        "from torch.utils.data import DataLoader\n"
        "BS = 32\n"
        "val_loader = DataLoader(val_set, BS * 2, False, drop_last=not False)\n"
    )
    (loader,) = facts.loaders
    assert loader.torch and loader.binding == "val_loader" and loader.dataset == "val_set"
    assert _settings(loader) == {"dataset": "unknown", "batch_size": 64, "shuffle": False, "drop_last": True}
    assert not loader.spread


def test_spread_keywords_make_unwritten_settings_unknown():
    facts = _facts("import torch\nloader = torch.utils.data.DataLoader(ds, batch_size=8, **kwargs)\n")
    (loader,) = facts.loaders
    assert loader.spread and "drop_last" not in _settings(loader)


def test_local_dataloader_class_is_not_torch():
    facts = _facts("class DataLoader:\n    pass\nloader = DataLoader(ds, drop_last=True)\n")
    assert [loader.torch for loader in facts.loaders] == [False]


def test_sampler_candidates_follow_assignments_and_branches():
    facts = _facts(
        "import torch\n"
        "from torch.utils.data.distributed import DistributedSampler\n"
        "if distributed:\n"
        "    sampler = DistributedSampler(val_set, shuffle=False)\n"
        "else:\n"
        "    sampler = None\n"
        "val_loader = torch.utils.data.DataLoader(val_set, sampler=sampler)\n"
        "other = torch.utils.data.DataLoader(val_set, sampler=make_sampler())\n"
    )
    first, second = facts.loaders
    assert sorted(s.kind for s in first.samplers) == ["DistributedSampler", "none"]
    sampler = next(s for s in first.samplers if s.kind == "DistributedSampler")
    assert next(a for a in sampler.args if a.name == "shuffle").value.const is False
    assert [s.kind for s in second.samplers] == ["other"]


def test_dict_comprehension_gives_one_loader_per_key():
    facts = _facts(
        "from torch.utils.data import DataLoader\n"
        "loaders = {x: DataLoader(sets[x], shuffle=(x == 'train')) for x in ['train', 'val']}\n"
    )
    by_key = {loader.key: loader for loader in facts.loaders}
    assert set(by_key) == {"train", "val"}
    assert _settings(by_key["train"])["shuffle"] is True and _settings(by_key["val"])["shuffle"] is False
    assert by_key["val"].binding == "loaders"
    assert any(e.role == "eval" and "'val'" in e.reason for e in by_key["val"].evidence)


def test_factory_records_parameter_dependence():
    facts = _facts(
        "from torch.utils.data import DataLoader\n"
        "def make(ds, is_train, bs):\n"
        "    return DataLoader(ds, batch_size=bs, shuffle=is_train, drop_last=not is_train)\n"
    )
    (loader,) = facts.loaders
    assert loader.returned and loader.function == "make" and loader.params == ("ds", "is_train", "bs")
    depends = {d.setting: d for d in loader.depends}
    assert depends["batch_size"].direct
    assert dict(depends["drop_last"].cases)[False].const is True


def test_branch_role_and_iterable_dataset():
    facts = _facts(
        "from torch.utils.data import DataLoader, IterableDataset\n"
        "class Stream(IterableDataset):\n"
        "    pass\n"
        "def build(is_train):\n"
        "    if is_train:\n"
        "        return DataLoader(Stream())\n"
        "    return DataLoader(ds)\n"
    )
    train, other = facts.loaders
    assert train.branch == "train" and train.iterable
    assert other.branch == "eval" and not other.iterable


def test_dataset_without_split_argument_uses_the_default():
    facts = _facts(
        "import torchvision\n"
        "test_set = torchvision.datasets.CIFAR10('data')\n"
        "val_set = torchvision.datasets.SVHN('data', 'test')\n"
    )
    first, second = facts.dataset_calls
    assert first.split is None and first.default is True and first.binding == "test_set"
    assert second.split_param == "split" and second.split.const == "test"


def test_loader_and_flow_facts_survive_the_cache_round_trip():
    from conftest import FIXTURES

    from evalparity.discovery.cache import decode_facts, encode

    # every other loader and loop fixture: the codec is one for all facts (test_cache.py reads the others back)
    for path in (sorted(FIXTURES.glob("EP4*/**/*.py")) + sorted(FIXTURES.glob("EP5*/**/*.py")))[::2]:
        facts = _facts(path.read_text(encoding="utf-8"))
        assert decode_facts(encode(facts)) == facts, path
