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
