"""What the calls of a function record for the flow facts (a mixin of extract/loopvisitor.Flow): mode calls
(`.eval()`, `.train(False)`, `.requires_grad_()`, `.apply(set_bn_eval)`), edges of the call graph, and
functional dropout in `forward`."""

from __future__ import annotations

import re

import libcst as cst

from evalparity.facts import CallEdge, DropoutCall, FunctionFacts, ModeCall
from evalparity.vocabulary.mode_words import (
    SUBMODULE_NAMES,
    mode_helper,
    model_like,
    non_module_receiver,
    strip_wrappers,
)
from evalparity.vocabulary.naming import role_of_name

_KEYED_MODEL = re.compile(r"[\w.]+\[(['\"])\w[\w-]*\1\]")  # `models['G']`: a model in a dict, not a submodule


class CallFacts:
    def _mode(self, node: cst.Call, func: cst.Attribute, fn: FunctionFacts) -> bool:
        attr = func.attr.value
        if attr not in ("eval", "train", "requires_grad_", "apply"):
            return False
        receiver = self.text(func.value)
        args = [a for a in node.args if not a.star]
        if attr == "apply":
            if args and mode_helper(self.text(args[0].value)):
                fn.modes.append(ModeCall(self.loc(node), receiver, "unknown", text=self.text(node)))
                return True
            return False
        if non_module_receiver(receiver) or any(a.star for a in node.args):
            return False
        if attr == "requires_grad_":
            if model_like(receiver) or receiver in self.receivers:
                fn.modes.append(ModeCall(self.loc(node), receiver, "requires_grad", text=self.text(node)))
            else:
                fn.grad_uses.append(self.loc(node))
            return True
        if attr == "eval":
            if args:
                return False
            kind = "eval"
        else:
            if len(args) > 1 or (args and args[0].keyword is not None and args[0].keyword.value != "mode"):
                return False
            value = self.folder.fold(args[0].value, self.frame.scope) if args else None
            if value is None:
                kind = "train"
            elif value.is_const and isinstance(value.const, bool):
                kind = "train" if value.const else "eval"
            elif value.is_const:
                return False
            else:
                kind = "unknown"
        submodule = (self.frame.guards > 0 or receiver in self.frame.module_vars or receiver in SUBMODULE_NAMES
                     or ("[" in receiver and not _KEYED_MODEL.fullmatch(receiver)) or "modules()" in receiver)
        if not submodule:
            self.receivers.add(strip_wrappers(receiver))
        fn.modes.append(ModeCall(self.loc(node), receiver, kind, submodule, self.text(node)))
        return True

    def _edge(self, node: cst.Call, callee: str, qualname: str | None, fn: FunctionFacts) -> None:
        scope = self.frame.scope
        head, _, rest = callee.partition(".")
        local, method = None, False
        if head == "self" and rest and "." not in rest:
            cls = scope.enclosing_class
            owner = scope
            while owner is not None and owner.kind != "class":
                owner = owner.parent
            if cls is None or owner is None:
                return
            local, method = f"{owner.qualname}.{rest}", True
        elif not rest:
            bindings = scope.lookup(head) or []
            if len(bindings) == 1 and bindings[0].defines is not None and bindings[0].defines.kind == "function":
                local = bindings[0].defines.qualname
            elif not (bindings and head in bindings[0].scope.imported) and not mode_helper(callee):
                return
        elif qualname is None and not (mode_helper(callee) or callee.endswith("from_pretrained") or
                                       _role_method(head, rest, scope)):
            return
        args, kwargs, consts = [], [], []
        for index, arg in enumerate(node.args):
            if arg.star:
                continue
            text = self.text(arg.value)
            key = arg.keyword.value if arg.keyword is not None else str(index)
            if arg.keyword is None:
                args.append(text)
            else:
                kwargs.append((arg.keyword.value, text))
            value = self.folder.fold(arg.value, scope)
            if value.is_const:
                consts.append((key, value))
        context = self.data.contexts.get(id(node))
        binding = context.name if context is not None and context.kind == "assign" else None
        targets = context.names if context is not None and context.kind == "unpack" else ()
        fn.calls.append(CallEdge(self.loc(node), callee, qualname, local, tuple(args), tuple(kwargs),
                                 tuple(consts), binding, self._grad(), method, targets))

    def _dropout(self, node: cst.Call, qualname: str) -> None:
        function = next((f.fn for f in reversed(self.frames) if f.fn is not None), None)
        if function is None or function.name != "forward" or self.training_guards:
            return
        training, spread = None, any(a.star for a in node.args)
        positional = [a for a in node.args if a.keyword is None and not a.star]
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "training":
                training = self.folder.fold(arg.value, self.frame.scope)
        if training is None and len(positional) > 2:
            training = self.folder.fold(positional[2].value, self.frame.scope)
        where = self.loc(node)
        flag = next((name for name, body in reversed(self.flag_guards) if _within(self.loc(body), where)), None)
        self.records.dropouts.append(DropoutCall(where, function.qualname, qualname.rpartition(".")[2],
                                                 training, spread, flag))


def _within(outer, inner) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and \
        (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)


def _role_method(head: str, rest: str, scope) -> bool:
    """`model.val_start()`, `trainer.train_epoch(loader)`: a method named for a role, called on a local
    name; the relate stage resolves it when one project class alone defines that method."""
    if not rest.isidentifier() or rest in ("train", "eval") or role_of_name(rest) is None:
        return False
    bindings = scope.lookup(head) or []
    return bool(bindings) and head not in bindings[0].scope.imported
