"""What the call graph asks of deferred files, answered without extracting them."""

import pytest

from evalparity.relate.callees import function_matters, reexport

MATTERS = {
    "switches modes": "def evaluate(model):\n    model.eval()\n",
    "trains": "def step(loss, optimizer):\n    loss.backward()\n    optimizer.step()\n",
    "loops over calls": "def run(model, loader):\n    for x in loader:\n        model(x)\n",
    "loops over forward calls": "def run(model, loader):\n    for x in loader:\n        model.forward(x)\n",
    "gathers exactly": "def gather(outputs, dataset):\n    return outputs[:len(dataset)]\n",
    "hands a parameter on": "from .engine import evaluate\ndef run(model, loader):\n    return evaluate(model, loader)\n",
    "through a function of the file": "def run(model):\n    return _switch(model)\ndef _switch(model):\n"
                                      "    model.train()\n",
    "decorated": "import torch\n@torch.no_grad()\ndef run(model, x):\n    return model(x)\n",
    "not found": "def other():\n    pass\n",
}
INERT = {
    "set-up": "import os\nimport torch\ndef init_distributed_mode(args):\n    args.rank = int(os.environ['RANK'])\n"
              "    torch.cuda.set_device(args.gpu)\n    setup_for_distributed(args.rank == 0)\n"
              "def setup_for_distributed(is_master):\n    print(is_master)\n",
    "metric without model calls": "import torch\ndef accuracy(output, target, topk=(1,)):\n"
                                  "    with torch.no_grad():\n        res = []\n        for k in topk:\n"
                                  "            res.append(output.topk(k)[1].eq(target).sum())\n        return res\n",
    "builtins only": "def count(loader):\n    return len(loader)\n",
}


@pytest.mark.parametrize("name", sorted(MATTERS))
def test_called_function_matters(name):
    function = "other_name" if name == "not found" else (
        "gather" if name == "gathers exactly" else "step" if name == "trains" else
        "evaluate" if name == "switches modes" else "run")
    assert function_matters(MATTERS[name].encode(), function)


@pytest.mark.parametrize("name", sorted(INERT))
def test_called_function_is_inert(name):
    function = {"set-up": "init_distributed_mode", "metric without model calls": "accuracy",
                "builtins only": "count"}[name]
    assert not function_matters(INERT[name].encode(), function)


def test_reexport_follows_the_first_binding_import_in_source_order():
    source = b"from .engine import evaluate as run\nfrom .other import run\n"
    assert reexport(source, "run") == ("imported", ".engine.evaluate")
    assert reexport(b"from . import helpers\n", "helpers") == ("imported", ".helpers")
    assert reexport(b"from .engine import *\n", "run") == ("absent", None)
    assert reexport(b"from .engine import run\ndef run():\n    pass\n", "run") == ("defined", None)
    assert reexport(b"def broken(:\n", "run") == ("defined", None)


LIBRARY_SHAPES = {
    "a value handed to a helper": "from .layout import is_storage\ndef to_tensor(x, hints=False):\n"
                                  "    return is_storage(x)\n",
    "a loop over an imported helper": "from .sizes import convert\ndef shapes(x):\n    out = []\n"
                                      "    for s in x:\n        out.append(convert(s))\n    return out\n",
    "a loop over a local function": "def shapes(x, hints):\n    shape_fn = str if hints else repr\n"
                                    "    for s in x:\n        print(shape_fn(s))\n",
    "a loop over the class's own inert method": "class Guards:\n    def shapes(self, items):\n"
                                                "        for item in items:\n            self.emit(item)\n"
                                                "    def emit(self, item):\n        print(item)\n",
    "cached": "import functools\n@functools.cache\ndef shapes():\n    return {1, 2}\n",
    "a context manager": "from contextlib import contextmanager\n@contextmanager\ndef shapes():\n    yield\n",
    "typing overloads": "from typing import overload\n@overload\ndef shapes(x: int) -> int: ...\n"
                        "def shapes(x):\n    return x\n",
}
STILL_MATTERS = {
    "a model called in a loop by its global name": "net = build()\ndef run(loader):\n    for x in loader:\n"
                                                   "        net(x)\n",
    "the class's model in a loop": "class Tester:\n    def run(self, loader):\n        for x in loader:\n"
                                   "            self.model(x)\n",
    "a context manager that switches modes": "from contextlib import contextmanager\n@contextmanager\n"
                                             "def run(model):\n    model.eval()\n    yield\n    model.train()\n",
    "a loader handed on": "from .engine import loop\ndef run(val_loader):\n    return loop(val_loader)\n",
}


@pytest.mark.parametrize("name", sorted(LIBRARY_SHAPES))
def test_library_helpers_called_from_analysed_code_are_not_worth_extracting(name):
    function = "to_tensor" if name == "a value handed to a helper" else "shapes"
    assert not function_matters(LIBRARY_SHAPES[name].encode(), function)


@pytest.mark.parametrize("name", sorted(STILL_MATTERS))
def test_models_and_loaders_in_called_functions_still_matter(name):
    assert function_matters(STILL_MATTERS[name].encode(), "run")


def test_only_the_called_function_that_can_matter_is_extracted(tmp_path, monkeypatch):
    import evalparity.extract.files as files
    from evalparity.engine import check
    from evalparity.vocabulary.knowledge import default_knowledge

    tmp_path = tmp_path / "project"  # not under a folder named for a test: its loops would not count
    tmp_path.mkdir()

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text(
        "import torch\nclass Meter:\n    def __init__(self, loader):\n        for batch in loader:\n            self.net(batch)\n")
    (tmp_path / "pkg" / "sizes.py").write_text("from .layout import convert\ndef to_size(x):\n"
                                               "    # the loader is not needed here\n    return convert(x)\n")
    (tmp_path / "pkg" / "engine.py").write_text("def evaluate(model, loader):\n    model.eval()\n"
                                                "    for x in loader:\n        model(x)\n")
    (tmp_path / "train.py").write_text(
        "import torch\nfrom pkg import Meter\nfrom pkg.sizes import to_size\nfrom pkg.engine import evaluate\n"
        "def train(model, train_loader, val_loader, optimizer):\n    model.train()\n    for x in train_loader:\n"
        "        model(to_size(x)).backward()\n        optimizer.step()\n    evaluate(model, val_loader)\n"
        "    Meter(val_loader)\n")
    extracted = []
    original = files.extract_one

    def recording(shown, source, kb):
        extracted.append(shown.replace("\\", "/"))
        return original(shown, source, kb)

    monkeypatch.setattr(files, "extract_one", recording)
    monkeypatch.chdir(tmp_path)
    check(["."], kb=default_knowledge(), jobs=1, cache=None)
    assert sorted(extracted) == ["pkg/engine.py", "train.py"]
