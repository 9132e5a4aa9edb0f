"""Tolerant equality and folding of Normalize constants."""

import libcst as cst
import pytest

from evalparity.extract.collector import collect
from evalparity.extract.folding import Folder
from evalparity.facts import Location, Value
from evalparity.vocabulary.values import const, equal, unknown


def fold(source: str, name: str = "x") -> Value:
    module = cst.parse_module(source)
    data = collect(module, set())
    folder = Folder(lambda n: module.code_for_node(n), lambda n: Location("f.py", 1, 1, 1, 1),
                    lambda q: (0.485, 0.456, 0.406) if q == "timm.data.IMAGENET_DEFAULT_MEAN" else None)
    return folder.fold(cst.Name(name), data.module_scope)


@pytest.mark.parametrize("source, expected", [
    ("x = .5", 0.5),
    ("x = (0.5,) * 3", (0.5, 0.5, 0.5)),
    ("x = [0.5] * 3", (0.5, 0.5, 0.5)),
    ("x = 123.675 / 255", 123.675 / 255),
    ("x = -1", -1),
    ("x = [v / 255 for v in (125.3, 123.0, 113.9)]", (125.3 / 255, 123.0 / 255, 113.9 / 255)),
    ("import numpy as np\nx = np.array([123.675, 116.28, 103.53]) / 255", (0.485, 0.456, 0.406)),
    ("m = (0.1, 0.2)\nx = m", (0.1, 0.2)),
    ("a, x = 1, (0.3,)", (0.3,)),
    ("from timm.data import IMAGENET_DEFAULT_MEAN\nx = IMAGENET_DEFAULT_MEAN", (0.485, 0.456, 0.406)),
])
def test_folds_to_constant(source, expected):
    value = fold(source)
    assert value.kind == "const"
    got = value.const if isinstance(value.const, tuple) else (value.const,)
    want = expected if isinstance(expected, tuple) else (expected,)
    assert all(abs(a - b) < 1e-9 for a, b in zip(got, want)) and len(got) == len(want)


def test_run_time_value_is_a_symbol_equal_only_to_itself():
    value = fold("import numpy as np\nimages = np.load('a.npy')\nx = images.mean(axis=0)")
    assert value.kind == "symbol"
    assert equal(value, value) is True
    assert equal(value, const((0.5, 0.5, 0.5))) is False


def test_parameters_and_attributes_are_unknown():
    assert fold("def f(x):\n    pass\n").kind == "unknown"
    assert fold("x = args.mean").kind == "unknown"


def test_imported_project_constant_is_a_reference():
    value = fold("from .stats import MEAN\nx = MEAN")
    assert value.kind == "ref" and value.key == ".stats.MEAN"


@pytest.mark.parametrize("a, b, same", [
    ((0.229, 0.224, 0.225), (0.2290, 0.224, 0.225), True),
    ((0.4914, 0.4822, 0.4465), (0.491, 0.482, 0.447), True),
    ((0.5, 0.5, 0.5), (0.485, 0.456, 0.406), False),
    ((0.2023, 0.1994, 0.2010), (0.2470, 0.2435, 0.2616), False),
    (0.5, (0.5, 0.5, 0.5), True),
    ((0.5, 0.5), (0.5, 0.5, 0.5), False),
    ((123.675, 116.28, 103.53), (123.68, 116.28, 103.53), True),
])
def test_tolerant_equality(a, b, same):
    assert equal(const(a), const(b)) is same


def test_unknowns_make_no_claim_unless_same_expression():
    assert equal(unknown("args.mean"), unknown("args.mean")) is True
    assert equal(unknown("args.mean"), unknown("cfg.mean")) is None
    assert equal(unknown("args.mean"), const((0.5,))) is None
