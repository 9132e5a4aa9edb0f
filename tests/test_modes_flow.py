"""Model-mode facts and their flow: mode calls, gradient contexts, the call graph across modules, and
what reaches a model call."""

from evalparity.engine import analyze
from evalparity.extract.source import extract_source
from evalparity.relate.callgraph import call_graph
from evalparity.relate.mode_flow import mode_flow
from evalparity.vocabulary.knowledge import default_knowledge


def _facts(source):
    return extract_source("snippet.py", source, default_knowledge())


def _function(facts, name):
    return next(fn for fn in facts.functions if fn.name == name)


def test_mode_calls_and_their_kinds():
    facts = _facts(
        "import torch.nn as nn\n"
        "def f(model, flag):\n"
        "    model.eval()\n"
        "    model.train(False)\n"
        "    model.train()\n"
        "    model.train(mode=flag)\n"
        "    model.requires_grad_(False)\n"
        "    trainer.train()\n"
        "    for m in model.modules():\n"
        "        if isinstance(m, nn.Dropout):\n"
        "            m.train()\n"
    )
    modes = [(m.receiver, m.kind, m.submodule) for m in _function(facts, "f").modes]
    assert modes == [("model", "eval", False), ("model", "eval", False), ("model", "train", False),
                     ("model", "unknown", False), ("model", "requires_grad", False), ("m", "train", True)]


def test_gradient_contexts_loops_and_model_calls():
    facts = _facts(
        "import torch\n"
        "@torch.no_grad()\n"
        "def a(net, loader):\n"
        "    for x, y in enumerate(tqdm(loader)):\n"
        "        net(x)\n"
        "def b(model, loaders):\n"
        "    with torch.inference_mode():\n"
        "        for x in loaders['val']:\n"
        "            out = model.module(x)\n"
        "    with torch.set_grad_enabled(phase == 'train'):\n"
        "        model(x)\n"
    )
    a, b = _function(facts, "a"), _function(facts, "b")
    assert a.grad == "no_grad" and a.loops[0].iter_name == "loader"
    assert [c.callee for c in a.model_calls] == ["net"]
    assert b.loops[0].iter_name == "loaders" and b.loops[0].iter_key == "val" and b.loops[0].grad == "inference_mode"
    assert [(c.callee, c.grad) for c in b.model_calls] == [("model.module", "inference_mode"), ("model", "unknown")]


def test_misuses_and_functional_dropout():
    facts = _facts(
        "import torch\n"
        "import torch.nn.functional as F\n"
        "model.eval\n"
        "with torch.no_grad:\n"
        "    pass\n"
        "class M(torch.nn.Module):\n"
        "    def forward(self, x):\n"
        "        return F.dropout(x, 0.1, self.training) + F.dropout2d(x)\n"
    )
    assert [m.kind for m in facts.misuses] == ["bare", "grad-not-called"]
    assert [(d.callee, d.training is None) for d in facts.dropouts] == [("dropout", False), ("dropout2d", True)]


def test_call_graph_and_reaching_mode_across_modules(tmp_path, in_dir):
    (tmp_path / "engine.py").write_text(
        "import torch\n"
        "def train_one_epoch(model, loader, optimizer):\n"
        "    model.train()\n"
        "    for x in loader:\n"
        "        model(x).sum().backward()\n"
        "        optimizer.step()\n"
        "@torch.no_grad()\n"
        "def evaluate(net, loader):\n"
        "    for x in loader:\n"
        "        net(x)\n", encoding="utf-8")
    (tmp_path / "main.py").write_text(
        "from engine import evaluate, train_one_epoch\n"
        "for epoch in range(3):\n"
        "    train_one_epoch(model, train_loader, optimizer)\n"
        "    evaluate(model, val_loader)\n", encoding="utf-8")
    in_dir(tmp_path)
    project = analyze(["."]).project
    graph, flow = call_graph(project), mode_flow(project)
    callers = graph.callers[("engine.py", "evaluate")]
    assert [(caller, edge.callee) for caller, edge in callers] == [(("main.py", "<module>"), "evaluate")]
    assert flow.trains(("engine.py", "train_one_epoch")) and not flow.trains(("engine.py", "evaluate"))
    call = graph.function(("engine.py", "evaluate")).model_calls[0]
    state, trail = flow.reaching(("engine.py", "evaluate"), call.location)
    assert state == "train"
    assert trail[0].callee == "evaluate" and trail[1].text == "model.train()" and trail[1].receiver == "model"


ENGINE = ("import torch\n"
          "@torch.no_grad()\n"
          "def evaluate(net, loader):\n"
          "    for x in loader:\n"
          "        net(x)\n")


def _package(tmp_path, init, main):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text(init, encoding="utf-8")
    (package / "engine.py").write_text(ENGINE, encoding="utf-8")
    (tmp_path / "main.py").write_text(main, encoding="utf-8")


def test_calls_through_a_package_reexport_resolve_without_extracting_the_package(tmp_path, in_dir):
    _package(tmp_path, (
        '"""Runs the training loop."""\n'
        "from .engine import evaluate as evaluate_model\n"
        "from .helpers import log\n"
        "def helper_defined_here(model, loader):\n"
        "    model.eval()\n"), (
        "from pkg import evaluate_model, helper_defined_here, log\n"
        "for epoch in range(3):\n"
        "    evaluate_model(model, val_loader)\n"
        "    helper_defined_here(model, val_loader)\n"
        "    log(val_loader)\n"))
    in_dir(tmp_path)
    project = analyze(["."]).project
    graph = call_graph(project)
    targets = {edge.callee: graph.resolve("main.py", edge) for fn in project.files["main.py"].functions
               for edge in fn.calls}
    assert targets["evaluate_model"] == ("pkg/engine.py", "evaluate")
    assert targets["helper_defined_here"] == ("pkg/__init__.py", "helper_defined_here")
    assert targets["log"] is None
    assert "pkg/__init__.py" in project.files  # defines a function that was called: extracted


def test_a_reexport_alone_does_not_extract_the_package(tmp_path, in_dir):
    _package(tmp_path, "from .engine import evaluate\n",
             "from pkg import evaluate\nfor epoch in range(3):\n    evaluate(model, val_loader)\n")
    in_dir(tmp_path)
    project = analyze(["."]).project
    graph = call_graph(project)
    edge = project.files["main.py"].functions[0].calls[0]
    assert graph.resolve("main.py", edge) == ("pkg/engine.py", "evaluate")
    assert "pkg/__init__.py" not in project.files
