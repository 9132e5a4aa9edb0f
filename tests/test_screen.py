"""The prefilter's second stage keeps files that can contribute on their own and defers the rest."""

import textwrap

import pytest
from conftest import FIXTURES

from evalparity.discovery.screen import screen_names, worth_extracting
from evalparity.engine import check, enabled_codes
from evalparity.extract.files import config_facts, extract_one
from evalparity.vocabulary.knowledge import default_knowledge

KB = default_knowledge()
NAMES = screen_names(KB)


def _keeps(source: str, path: str = "train.py") -> bool:
    return worth_extracting(path, textwrap.dedent(source).encode(), NAMES)


KEPT = {
    "compose": "import torchvision.transforms as T\ntf = T.Compose([T.ToTensor()])\n",
    "loader": "from torch.utils.data import DataLoader\nloader = DataLoader(ds, batch_size=8)\n",
    "dataset": "from torchvision import datasets\nds = datasets.CIFAR10('.', train=False)\n",
    "transform keyword": "ds = MyDataset(root, transform=tf)\n",
    "split": "from torch.utils.data import random_split\na, b = random_split(ds, [8, 2])\n",
    "sequential of transforms": "import torch.nn as nn\nimport torchvision.transforms as T\n"
                                "tf = nn.Sequential(T.Resize(256), T.CenterCrop(224))\n",
    "albumentations sequential": "import albumentations as A\ntf = A.Sequential([A.HorizontalFlip()])\n",
    "loop over a loader": "def evaluate(model, val_loader):\n    for x, y in val_loader:\n        model(x)\n",
    "loop over role-named data": "for x in enumerate(test_data):\n    net(x)\n",
    "loop over role-named files": "for path in tqdm(test_files):\n    net(read(path))\n",
    "loop over a dataset named for its corpus": "for x, y in mnist_test:\n    net(x)\n",
    "loop over a preview loader": "for batch in self.display_loader:\n    show(net(batch))\n",
    "loader class built with arguments": "loader = AudioDataLoader(train_set, batch_size=8)\n",
    "loader factory named with a verb": "loader = get_intrinsic_data_loader(config, rate=2)\n",
    "eval function that really trains": "def validate(model):\n    model.train(True)\n",
    "a loaded model never switched": "import torch\nnet = torch.load(p)\nnet(x)\n",
    "driver call": "for epoch in range(9):\n    validate(model, val_loader)\n",
    "loader factory call": "from loaders import build_loader\nholdout = build_loader(b, is_train=False)\n",
    "bare eval": "model.eval\n",
    "no_grad not called": "import torch\nwith torch.no_grad:\n    y = model(x)\n",
    "dropout in forward": "import torch.nn.functional as F\nclass Net:\n    def forward(self, x):\n"
                          "        return F.dropout(x, 0.5)\n",
    "dropout with literal True": "from torch.nn import functional as F\ndef forward(x):\n"
                                 "    return F.dropout(x, 0.5, training=True)\n",
    "train in an eval function": "def validate(model):\n    model.train()\n",
    "step loop that trains and evaluates": "def fit():\n    model.train()\n    for i in range(9):\n"
                                           "        loss().backward()\n        if i % 3 == 0:\n"
                                           "            model.eval()\n",
    "syntax error": "def broken(:\n",
}

DEFERRED = {
    "words only in comments and strings": "# build a DataLoader and Compose here\nhelp = 'transform='\n",
    "model file with nn.Sequential": "import torch.nn as nn\nimport torchvision.transforms\n"
                                     "body = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())\n",
    "constants only": "MEAN = (0.485, 0.456, 0.406)\nSTD = (0.229, 0.224, 0.225)\n",
    "eval call outside any loop": "def export(model):\n    model.eval()\n    return model\n",
    "trains without switching back": "def fit():\n    for i in range(9):\n        loss().backward()\n"
                                     "    model.eval()\n",
    "loop over layers": "def init(model):\n    for m in model.modules():\n        m.reset_parameters()\n",
    "builtin on a loader": "def size(dataloader):\n    return len(dataloader) if isinstance(dataloader, list) else 0\n",
    "dropout that follows the mode": "import torch.nn.functional as F\ndef forward(self, x):\n"
                                     "    return F.dropout(x, 0.5, training=self.training)\n",
    "a loop over role-named values that are not data": "def check(t):\n    for f in valid_memory_formats:\n"
                                                       "        t.is_contiguous(memory_format=f)\n",
    "a loop over a value named like a split": "def f(val):\n    for v in reversed(val):\n        use(v)\n",
    "a loop over a set": "for item in set1:\n    use(item)\n",
    "a loop over values named with a weak data word": "for name in planner_data:\n    register(name)\n",
    "a loop over functions named loaders": "def load(loaders, i):\n    for loader in loaders:\n"
                                            "        loader(i)\n",
    "a loader-named call that hands nothing over": "body = node.make_loader()\n",
    "a function that loads values, named loader": "value = input_loader(index)\n",
    "eval written as train(False)": "class Module:\n    def eval(self):\n        return self.train(False)\n",
    "an optimizer's state loaded": "import torch\nopt = make_opt()\nopt.load_state_dict(torch.load(p))\n"
                                   "step(opt)\n",
    "a loaded artifact": "import torch\nartifact = torch.load(buf)\nuse(artifact)\n",
    "an identity transform keyword": "export(fn, transform=lambda x: x)\nexport(fn, transform=None)\n",
    "another framework's dropout": "import chainer.functions as F\ndef forward(x):\n    return F.dropout(x, 0.5)\n",
    "dropout outside forward": "import torch.nn.functional as F\ndef block(x):\n    return F.dropout(x, 0.5)\n",
}


@pytest.mark.parametrize("name", sorted(KEPT))
def test_kept(name):
    assert _keeps(KEPT[name])


@pytest.mark.parametrize("name", sorted(DEFERRED))
def test_deferred(name):
    assert not _keeps(DEFERRED[name])


def test_unit_tests_are_not_evaluation_code():
    source = "def test_eval(model):\n    model.train()\n    for x in val_loader:\n        model(x)\n"
    assert _keeps(source, "src/evaluate.py")
    assert not _keeps(source, "tests/test_model.py")


PIPELINES_UNDER_TEST = """
import pytest
import torchvision.transforms as T


def test_eval_pipeline_is_deterministic():
    val_tf = T.Compose([T.RandomCrop(8), T.ToTensor()])
    assert val_tf is not None
"""


def test_test_modules_are_deferred_but_evaluation_scripts_named_test_are_not():
    assert not _keeps(PIPELINES_UNDER_TEST, "tests/test_transforms.py")
    assert not _keeps(PIPELINES_UNDER_TEST.replace("import pytest\n", ""), "test_transforms.py")
    script = "import torchvision.transforms as T\nval_tf = T.Compose([T.RandomCrop(8)])\n"
    assert _keeps(script, "tools/test_net.py")
    assert _keeps(PIPELINES_UNDER_TEST, "transforms_check.py")


def test_code_for_another_framework_has_no_torch_modes():
    source = "import mxnet\nfor batch in val_data:\n    net(batch)\n"
    assert not _keeps(source)


FIXTURE_FILES = sorted(p for p in FIXTURES.rglob("*.py") if "fixes" not in p.parts)


def test_deferred_fixture_files_find_nothing_on_their_own(in_dir, monkeypatch):
    """A file the screen defers would produce no finding by itself even if it were analysed. (Configuration
    files are kept by their own screen, discovery/mmconfig.py, and read without libcst.)"""
    deferred = [p for p in FIXTURE_FILES if not worth_extracting(p.name, p.read_bytes(), NAMES)
                and config_facts(p.name, p.read_bytes()) is None]
    assert deferred, "the fixtures should include files that only supply constants or helpers"
    for path in deferred:
        facts, _ = extract_one(path.name, path.read_bytes(), KB)
        assert facts is not None, path
        in_dir(path.parent)
        monkeypatch.setattr("evalparity.extract.files.worth_extracting", lambda *args: True)
        result = check([path.name], select=tuple(enabled_codes()) + (path.parent.name,))
        found = [f.code for f in result.findings if f.code != "EP902"]  # unused suppressions: checked on every file
        assert not found, (path, found)


def test_the_screen_and_the_call_graph_need_no_libcst():
    """A warm run follows calls into deferred files with the screen: loading libcst would cost it a tenth."""
    import subprocess
    import sys

    code = "import sys, evalparity.discovery.screen, evalparity.relate.callees, evalparity.relate.callgraph; print('libcst' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_dataset_class_built_in_its_own_file_keeps_it_but_a_container_does_not():
    dataset = "from torch.utils.data import Dataset\nclass Clips(Dataset):\n    def __getitem__(self, i):\n" \
              "        return i\nclips = Clips()\n"
    container = "class Boxes:\n    def __getitem__(self, i):\n        return i\n    def __len__(self):\n" \
                "        return 0\nboxes = Boxes()\n"
    assert _keeps(dataset)
    assert not _keeps(container)


def test_python_s_own_eval_mode_is_no_role():
    source = "import ast\nimport torch\ntree = ast.parse(text, mode='eval')\ncode = compile(tree, '<f>', mode='eval')\n"
    assert not _keeps(source)
    assert _keeps(source.replace("ast.parse(text, mode='eval')", "build_dataset(cfg, mode='eval')"))
