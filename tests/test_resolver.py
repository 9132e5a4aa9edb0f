"""The lean resolver (extract/scopes.py) names what libcst's QualifiedNameProvider names.

Where libcst returns one imported candidate, the lean resolver returns the same name; where libcst's
candidates include a local binding or disagree, the lean resolver makes no claim (None). The three
documented differences are tested on their own below."""

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, QualifiedNameProvider, QualifiedNameSource

from evalparity.extract.collector import collect
from evalparity.extract.scopes import qualified_name

CASES = {
    "module alias": "import torchvision.transforms as T\nT.RandomCrop(1)\n",
    "from-import alias": "from torchvision import transforms as tf\ntf.RandomCrop(1)\n",
    "name alias": "from torchvision.transforms import RandomCrop as RC\nRC(1)\n",
    "top package": "import torchvision\ntorchvision.transforms.RandomCrop(1)\n",
    "dotted import": "import torchvision.transforms\ntorchvision.transforms.RandomCrop(1)\n",
    "re-export path": "from torchvision.transforms.transforms import RandomCrop\nRandomCrop(1)\n",
    "v2": "from torchvision.transforms import v2\nv2.RandomCrop(1)\n",
    "local class shadows": "from torchvision.transforms import ToTensor\nclass ToTensor:\n    pass\nToTensor()\n",
    "parameter shadows": "import torchvision.transforms as T\ndef f(T):\n    return T.RandomCrop(1)\n",
    "local assignment shadows": "import torchvision.transforms as T\ndef f():\n    T = object()\n    return T.RandomCrop(1)\n",
    "conditional import": ("import sys\nif sys.argv:\n    import torchvision.transforms as T\nelse:\n"
                           "    import torchvision.transforms.v2 as T\nT.RandomCrop(1)\n"),
    "class body does not enclose methods": ("import torchvision.transforms as T\nclass A:\n    T = None\n"
                                            "    def f(self):\n        return T.RandomCrop(1)\n"),
    "nested function": ("import albumentations as A\ndef outer():\n    def inner():\n"
                        "        return A.HorizontalFlip()\n    return inner\n"),
    "import inside function": "def f():\n    import kornia.augmentation as K\n    return K.RandomCrop((2, 2))\n",
    "relative import": "from .transforms import build\nbuild()\n",
    "builtin": "list((1, 2))\n",
}


class _Names(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self):
        self.names = {}

    def visit_Call(self, node):
        self.names[node.func] = self.get_metadata(QualifiedNameProvider, node.func, set())


def _libcst_names(wrapper, node):
    visitor = _Names()
    wrapper.visit(visitor)
    return visitor.names.get(node, set())


@pytest.mark.parametrize("name", sorted(CASES))
def test_resolves_like_libcst(name):
    module = cst.parse_module(CASES[name])
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    calls = collect(module, {"RandomCrop", "RC", "ToTensor", "HorizontalFlip", "build", "list"}).calls
    assert calls
    for site in calls:
        mine = qualified_name(site.scope, site.node.func)
        theirs = _libcst_names(wrapper, site.node.func)
        imported = {q.name for q in theirs if q.source == QualifiedNameSource.IMPORT}
        if len(theirs) == 1 and len(imported) == 1:
            assert mine == imported.pop()
        else:
            assert mine is None, (theirs, mine)


def test_difference_none_fallback_keeps_the_import():
    module = cst.parse_module("try:\n    import albumentations as A\nexcept ImportError:\n    A = None\nA.Blur()\n")
    site = collect(module, {"Blur"}).calls[0]
    assert qualified_name(site.scope, site.node.func) == "albumentations.Blur"


def test_difference_single_star_import():
    module = cst.parse_module("from torchvision.transforms import *\nRandomCrop(3)\n")
    site = collect(module, {"RandomCrop"}).calls[0]
    assert qualified_name(site.scope, site.node.func) == "torchvision.transforms.RandomCrop"


def test_difference_module_returned_by_a_helper():
    source = ("def get_module(use_v2):\n    if use_v2:\n        import torchvision.transforms.v2\n"
              "        return torchvision.transforms.v2\n    import torchvision.transforms\n"
              "    return torchvision.transforms\nT = get_module(False)\nT.RandomCrop(2)\n")
    module = cst.parse_module(source)
    site = collect(module, {"RandomCrop"}).calls[0]
    assert qualified_name(site.scope, site.node.func) == "torchvision.transforms.RandomCrop"
