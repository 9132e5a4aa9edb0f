"""Loader roles across files: factory instances take the role and settings of their call site; a loader
iterated by an evaluation function gains weak evidence; unknown roles produce nothing."""

from evalparity.engine import analyze
from evalparity.facts import EVAL, TRAIN, UNKNOWN
from evalparity.relate.loader_roles import loader_roles


def _project(tmp_path, files, in_dir):
    for name, source in files.items():
        (tmp_path / name).write_text(source, encoding="utf-8")
    in_dir(tmp_path)
    return analyze(["."]).project


FACTORY = (
    "from torch.utils.data import DataLoader\n"
    "def build_loader(ds, is_train):\n"
    "    return DataLoader(ds, batch_size=64, shuffle=is_train, drop_last=is_train)\n"
)


def test_factory_instances_per_call_site(tmp_path, in_dir):
    project = _project(tmp_path, {
        "loaders.py": FACTORY,
        "main.py": "from loaders import build_loader\ntrain_loader = build_loader(a, True)\nholdout = build_loader(b, is_train=False)\n",
    }, in_dir)
    items = {item.name: item for item in loader_roles(project).items}
    assert items["train_loader"].role == TRAIN and items["holdout"].role == EVAL
    assert items["holdout"].setting("drop_last").value.const is False
    assert items["train_loader"].setting("shuffle").value.const is True
    assert items["holdout"].site_path == "main.py"


def test_iteration_in_an_evaluation_function_is_weak_evidence(tmp_path, in_dir):
    project = _project(tmp_path, {
        "run.py": (
            "import torch\n"
            "loader = torch.utils.data.DataLoader(ds)\n"
            "holdout_set = None\n"
            "other = torch.utils.data.DataLoader(test_set)\n"
            "def evaluate(model):\n"
            "    for x in loader:\n"
            "        model(x)\n"
            "    for x in other:\n"
            "        model(x)\n"
        ),
    }, in_dir)
    items = {item.name: item for item in loader_roles(project).items}
    assert items["loader"].role == UNKNOWN  # one weak hint is not enough
    assert items["other"].role == EVAL
    assert any("iterated in `evaluate()`" in e.reason for e in items["other"].evidence)


def test_contradicting_evidence_is_unknown(tmp_path, in_dir):
    project = _project(tmp_path, {
        "run.py": "import torch\ntrain_loader = torch.utils.data.DataLoader(test_set, drop_last=True)\n",
    }, in_dir)
    (item,) = loader_roles(project).items
    assert item.role == UNKNOWN
