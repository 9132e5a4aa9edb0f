"""The EP5 checks are pure functions over facts: hand-built FileFacts, no source code."""

from evalparity.checks import (
    CheckContext,
    eval_without_eval_mode,
    eval_without_no_grad,
    mode_call_missing_parens,
    train_mode_not_restored,
)
from evalparity.facts import CallEdge, FileFacts, FunctionFacts, Location, Loop, ModeCall, ModelCall
from evalparity.relate.project import Project


def at(line, column=1, end_line=None, end_column=80):
    return Location("train.py", line, column, end_line or line, end_column)


def _context(facts):
    return CheckContext(Project({facts.path: facts}), [], [], None)


def _epoch_script(train_inside_fit: bool) -> FileFacts:
    """train(model) and validate(model) in an epoch loop; validate calls model.eval()."""
    train = FunctionFacts("train_epoch", "train_epoch", at(1, 1, 6), params=("model",),
                          loops=[Loop(at(3, 5, 5), "loader", "loader")],
                          model_calls=[ModelCall(at(4, 9), "model")], training=[at(5, 9)])
    if train_inside_fit:
        train.modes.append(ModeCall(at(2, 5), "model", "train", text="model.train()"))
    validate = FunctionFacts("validate", "validate", at(8, 1, 12), params=("model",),
                             modes=[ModeCall(at(9, 5), "model", "eval", text="model.eval()")],
                             loops=[Loop(at(10, 5, 11), "val_loader", "val_loader", grad="no_grad")],
                             model_calls=[ModelCall(at(11, 9), "model", grad="no_grad")])
    module = FunctionFacts("<module>", "<module>", at(1),
                           modes=[ModeCall(at(14), "model", "train", text="model.train()")],
                           loops=[Loop(at(15, 1, 17), "range(10)", None)],
                           calls=[CallEdge(at(16, 5), "train_epoch", None, "train_epoch", ("model",)),
                                  CallEdge(at(17, 5), "validate", None, "validate", ("model",))])
    return FileFacts("train.py", functions=[module, train, validate])


def test_ep502_fires_when_train_is_hoisted_above_the_loop():
    findings = list(train_mode_not_restored.check(_context(_epoch_script(train_inside_fit=False))))
    assert [(f.code, f.location.line) for f in findings] == [("EP502", 17)]
    assert {r.location.line for r in findings[0].related} == {9, 14, 16}
    assert findings[0].message.startswith("`validate(…)` leaves `model` in eval mode")
    assert [r.label for r in findings[0].related if r.location.line == 14] == [
        "mode switch: the only `.train()`, before the loop"]


def test_ep502_is_silent_when_the_training_function_sets_its_mode():
    assert list(train_mode_not_restored.check(_context(_epoch_script(train_inside_fit=True)))) == []


def test_ep501_and_ep505_are_silent_for_the_classic_loop():
    context = _context(_epoch_script(train_inside_fit=True))
    assert list(eval_without_eval_mode.check(context)) == []
    assert list(eval_without_no_grad.check(context)) == []


def test_ep504_reports_misuses():
    facts = FileFacts("train.py", misuses=[ModeCall(at(3), "model", "bare", text="model.eval")])
    (finding,) = mode_call_missing_parens.check(_context(facts))
    assert finding.code == "EP504" and finding.message == "`model.eval` without parentheses"
    assert finding.help == "call `model.eval()`"
