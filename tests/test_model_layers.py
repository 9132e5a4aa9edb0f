"""Whether a model's mode matters (relate/model_layers.py): the class a name means is found through the
project's imports, star imports included, and its mode-dependent layers are named."""

from evalparity.engine import analyze
from evalparity.relate.model_layers import SOME, _build


def test_a_class_reached_through_a_star_import_is_found(tmp_path, monkeypatch):
    (tmp_path / "nets").mkdir()
    (tmp_path / "nets" / "__init__.py").write_text("from .empty import *\nfrom .base import *\n")
    (tmp_path / "nets" / "empty.py").write_text("SEED = 0\n")
    (tmp_path / "nets" / "base.py").write_text(
        "import torch.nn as nn\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.drop = nn.Dropout(0.5)\n")
    (tmp_path / "train.py").write_text("import torch\nfrom nets import Net\nmodel = Net()\nmodel.eval()\n")
    monkeypatch.chdir(tmp_path)
    project = analyze(["."]).project
    modules = _build(project)
    path, node = modules.definition("train.py", "Net")
    assert (path.replace("\\", "/"), node.name) == ("nets/base.py", "Net")
    layers = modules.body(path, node, 0)
    assert layers.verdict == SOME and layers.found[0][0].endswith("Dropout")


def test_a_class_named_through_an_imported_module_is_found(tmp_path, monkeypatch):
    (tmp_path / "nets").mkdir()
    (tmp_path / "nets" / "__init__.py").write_text("")
    (tmp_path / "nets" / "base.py").write_text("import torch.nn as nn\nclass Net(nn.Module):\n    pass\n")
    (tmp_path / "train.py").write_text("import torch\nfrom nets import base\nmodel = base.Net()\nmodel.eval()\n")
    monkeypatch.chdir(tmp_path)
    path, node = _build(analyze(["."]).project).definition("train.py", "base.Net")
    assert (path.replace("\\", "/"), node.name) == ("nets/base.py", "Net")


def test_a_file_with_no_syntax_tree_has_no_class_or_function():
    # a file the running Python's ast cannot parse (syntax newer than it, which libcst reads) has no tree:
    # its classes and functions are not found, and nothing fails
    from evalparity.relate.syntax_trees import class_def, functions

    assert class_def(None, "Net") is None and class_def(None, "Net.Head") is None
    assert functions(None, "Trainer.fit") == []


def test_a_module_attribute_is_followed_through_re_exports_up_to_the_limit(tmp_path, monkeypatch):
    # train.py → nets.base → nets.a → nets.b → nets.c: four hops, the most followed (MAX_DEPTH)
    (tmp_path / "nets").mkdir()
    (tmp_path / "nets" / "__init__.py").write_text("")
    (tmp_path / "nets" / "base.py").write_text("from .a import Net\n")
    (tmp_path / "nets" / "a.py").write_text("from .b import Net\n")
    (tmp_path / "nets" / "b.py").write_text("from .c import Net\n")
    (tmp_path / "nets" / "c.py").write_text("import torch.nn as nn\nclass Net(nn.Module):\n    pass\n")
    (tmp_path / "train.py").write_text("import torch\nfrom nets import base\nmodel = base.Net()\nmodel.eval()\n")
    monkeypatch.chdir(tmp_path)
    path, node = _build(analyze(["."]).project).definition("train.py", "base.Net")
    assert (path.replace("\\", "/"), node.name) == ("nets/c.py", "Net")
