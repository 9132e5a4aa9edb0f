"""From collected records to FileFacts: pipelines with their definition evidence, dataset uses,
splits and loaders."""

from __future__ import annotations

from pathlib import PurePath

import libcst as cst

from evalparity.extract.collector import CallSite, Collected, Context, _call_name
from evalparity.extract.datasets import DatasetFacts
from evalparity.extract.folding import MAPPING_WRAPPERS, Folder
from evalparity.extract.scopes import Scope, dotted, qualified_name, single_value
from evalparity.extract.steps import Draft, StepBuilder, branch_role
from evalparity.facts import (
    EVAL,
    TRAIN,
    Arg,
    DatasetUse,
    Evidence,
    FileFacts,
    Import,
    LoaderUse,
    Option,
    Pipeline,
    Ref,
    SplitUse,
    Step,
    Value,
)
from evalparity.vocabulary.call_names import TRANSFORM_KEYWORDS
from evalparity.vocabulary.knowledge import KnowledgeBase, TransformInfo
from evalparity.vocabulary.naming import is_tta, mixed_roles, opposite, role_of_flag, role_of_name, role_of_string
from evalparity.vocabulary.semantics import arg as semantic_arg
from evalparity.vocabulary.semantics import matches
from evalparity.vocabulary.values import const, unknown

W_BRANCH, W_FACTORY, W_NAME, W_KEY, W_SCOPE, W_USE, W_WEAK = 3.0, 3.0, 2.0, 2.0, 2.0, 2.0, 1.0
FILE_ROLES = {"train": TRAIN, "training": TRAIN, "finetune": TRAIN, "eval": EVAL, "evaluate": EVAL,
              "evaluation": EVAL, "validate": EVAL, "validation": EVAL, "inference": EVAL, "predict": EVAL,
              "test": EVAL}
ROLE_KEYWORDS_BOOL = {"train", "is_train", "training", "is_training"}
MAX_MAPPING = 200
ROLE_KEYWORDS_STR = {"split", "image_set", "mode", "subset", "phase", "set", "stage", "fold"}


class Builder:
    def __init__(self, path: str, data: Collected, kb: KnowledgeBase, text, loc, position) -> None:
        self.path = path
        self.data = data
        self.kb = kb
        self.text = text
        self.loc = loc
        self.folder = Folder(text, loc, kb.library_constant)
        self.steps = StepBuilder(data, kb, self.folder, text, loc, position)
        self.by_node: dict[int, list[Pipeline]] = {}
        self.given: dict[int, Ref] = {}  # a dataset call → the pipeline it was given
        self.facts = FileFacts(path)

    def build(self) -> tuple[FileFacts, DatasetFacts]:
        """The file's facts, and the Dataset-class reader that summaries reuse. (Not kept on the builder: the
        reader refers to it, and the cycle would keep the file's syntax tree alive until a collection.)"""
        sites = [s for s in self.data.calls if self.steps.is_pipeline_call(s.scope, s.node)]
        built = [(site, self._pipelines(site)) for site in sites]
        for site, pipelines in built:
            if id(site.node) in self.steps.consumed:
                continue
            self.by_node[id(site.node)] = pipelines
            self.facts.pipelines.extend(pipelines)
        for site in self.data.calls:
            self._use(site)
        self.facts.imports = [Import(r.local, r.module, r.name, r.level) for r in self.data.imports]
        self.facts.retransformed = list(self.data.retransformed)
        self.facts.shuffling_classes = list(self.data.shuffling_classes)
        self.facts.shuffled_names = list(self.data.shuffled_names)
        self._constants()
        datasets = DatasetFacts(self)
        datasets.build()
        self._options()
        self.facts.config_writes = sorted(set(self.data.config_writes))
        return self.facts, datasets

    # pipelines ----------------------------------------------------------------------------------
    def _pipelines(self, site: CallSite) -> list[Pipeline]:
        scope, call = site.scope, site.node
        qualname, info = self.steps.info(scope, call)
        location = self.loc(call)
        base_id = f"{self.path}:{location.line}:{location.column}"
        if info is not None and info.kind == "factory":
            drafts, complete = self._factory_drafts(call, scope, qualname, info)
        else:
            exprs, positional = self.steps.children_exprs(scope, call, info)
            if positional:
                drafts = [d for e in exprs for d in self.steps.drafts_for_element(e, scope, (), 1)]
                complete = True
            else:
                drafts, complete = self.steps.drafts_for_list(exprs, scope, call)
        evidence = self._definition_evidence(site, qualname, info)
        base_role, _, _ = branch_role(site.conds)
        variants = {branch_role(d.conds)[0] for d in drafts} - {None}
        if not variants or base_role is not None:
            keep = [d for d in drafts if branch_role(d.conds)[0] in (None, base_role)]
            return [self._pipeline(base_id, site, keep, complete, evidence, None)]
        result = []
        for role in (TRAIN, EVAL):
            keep = [d for d in drafts if branch_role(d.conds)[0] in (None, role)]
            test = next(branch_role(d.conds)[1] for d in drafts if branch_role(d.conds)[0] is not None)
            variant_evidence = evidence + [Evidence(role, W_BRANCH, f"built when `{self.text(test)}` selects {role}",
                                                    self.loc(test))]
            result.append(self._pipeline(f"{base_id}#{role}", site, keep, complete, variant_evidence, role))
        return result

    def _pipeline(self, pid, site, drafts: list[Draft], complete, evidence, variant) -> Pipeline:
        context = self._context(site.node)
        binding = context.name if context and context.kind in ("assign", "return") else None
        container = None
        if context and context.kind == "dict":
            parent = self.data.contexts.get(id(context.parent))
            container = f"{parent.name if parent and parent.kind == 'assign' else 'dict'}@{self.loc(context.parent).line}"
            binding = parent.name if parent and parent.kind == "assign" else None
        steps = tuple(self._with_condition(d) for d in drafts)
        names = [binding, site.scope.function, context.key if context else None]
        return Pipeline(
            id=pid, path=self.path, location=self.loc(site.node), steps=steps, scope=site.scope.qualname,
            binding=binding, container=container, complete=complete, variant=variant,
            origin="factory" if any(s.synthetic for s in steps) else "compose",
            tta=any(is_tta(n) for n in names), evidence=list(evidence),
            conditions=tuple(("" if c.positive else "not ") + self.text(c.test)
                             for c in site.conds if branch_role((c,))[0] is None),
        )

    def _with_condition(self, draft: Draft) -> Step:
        loose = [c for c in draft.conds if branch_role((c,))[0] is None]
        if not loose:
            return draft.step
        text = " and ".join(self._cond_text(c) for c in loose)
        step = draft.step
        return Step(step.qualname, step.name, step.args, step.location, step.children, text, step.synthetic)

    def _cond_text(self, cond) -> str:
        """`x`, `not x`; a negated `a and b` is written `not (a and b)` so that the parts of a step's
        condition joined by ` and ` stay readable as separate conjuncts."""
        text = self.text(cond.test)
        if cond.positive:
            return text
        if isinstance(cond.test, cst.BooleanOperation):
            return f"not ({text})"
        return "not " + text

    def _context(self, node) -> Context | None:
        return self.data.contexts.get(id(node))

    def _definition_evidence(self, site: CallSite, qualname, info) -> list[Evidence]:
        evidence: list[Evidence] = []
        location = self.loc(site.node)
        role, test, positive = branch_role(site.conds)
        own = self._context(site.node)
        if own is not None and mixed_roles(own.name if own.kind == "assign" else own.key if own.kind in ("dict", "item")
                                           else None):
            role = None  # `t['val_train']` under `if 'val' in need:`: its own name says more than the branch
        if role is not None:
            side = "" if positive else "not "
            evidence.append(Evidence(role, W_BRANCH, f"built under `{side}{self.text(test)}`", self.loc(test)))
        context = self._context(site.node)
        if context is not None:
            if context.kind == "assign" and role_of_name(context.name):
                evidence.append(Evidence(role_of_name(context.name), W_NAME, f"bound to `{context.name}`", location))
            if context.kind in ("dict", "item") and role_of_string(context.key or ""):
                evidence.append(Evidence(role_of_string(context.key), W_KEY, f"under dict key '{context.key}'",
                                         location))
        scope = site.scope
        while scope is not None and scope.kind != "module":
            role = None if _is_unit_test(scope, self.path) else role_of_name(scope.name)
            if role is not None:
                what = "function" if scope.kind == "function" else "class"
                evidence.append(Evidence(role, W_SCOPE, f"defined in {what} `{scope.name}`", location))
                break
            scope = scope.parent
        if info is not None and info.kind == "factory":
            evidence.extend(self._factory_evidence(site, qualname, info))
        stem = PurePath(self.path).stem.lower()
        if stem in FILE_ROLES:
            evidence.append(Evidence(FILE_ROLES[stem], W_WEAK, f"in file `{PurePath(self.path).name}`", None))
        return evidence

    # factories ----------------------------------------------------------------------------------
    def _arg_value(self, call: cst.Call, scope: Scope, info: TransformInfo, name: str):
        for index, arg in enumerate(call.args):
            if arg.keyword is not None and arg.keyword.value == name:
                return self.folder.fold(arg.value, scope)
            if arg.keyword is None and not arg.star and info.position_of(name) == index:
                return self.folder.fold(arg.value, scope)
        return None

    def _factory_evidence(self, site: CallSite, qualname, info: TransformInfo) -> list[Evidence]:
        location = self.loc(site.node)
        short = info.name
        if info.role_arg is not None:
            value = self._arg_value(site.node, site.scope, info, info.role_arg.name)
            raw = value.const if value is not None and value.is_const else (
                info.role_arg.default if value is None else None)
            if isinstance(raw, bool):
                role = TRAIN if raw else EVAL
                return [Evidence(role, W_FACTORY, f"`{short}({info.role_arg.name}={raw})`", location)]
            return []
        role = role_of_name(short)
        return [Evidence(role, W_FACTORY, f"`{short}` builds a {role} pipeline", location)] if role else []

    def _factory_drafts(self, call, scope, qualname, info: TransformInfo) -> tuple[list[Draft], bool]:
        """The factory as one step, plus the conversion and Normalize steps it documents adding —
        only when its arguments show those steps are really produced."""
        location = self.loc(call)
        args = self.steps.args(call, scope, info)
        factory = Step(qualname, info.name, args, location, synthetic=True)
        drafts = [Draft(factory, ())]
        spread = any(a.star for a in call.args)
        known = not spread and all(matches(semantic_arg(factory, name), accepted) is True
                                   for name, accepted in info.steps_known_when)
        if not known:
            return drafts, False
        if info.scale:
            drafts.append(Draft(Step("torchvision.transforms.ToTensor", "ToTensor", (), location, synthetic=True), ()))
        normalization = next((s for s in self.kb.constant_sets if s.name == info.normalization), None)
        mean = self._arg_value(call, scope, info, info.mean.name) if info.mean else None
        std = self._arg_value(call, scope, info, info.std.name) if info.std else None
        if normalization is not None or (mean is not None and std is not None):
            mean = mean or const(normalization.mean, f"{normalization.name} mean")
            std = std or const(normalization.std, f"{normalization.name} std")
            step = Step("torchvision.transforms.Normalize", "Normalize",
                        (Arg("mean", None, mean, location), Arg("std", None, std, location)), location,
                        synthetic=True)
            drafts.append(Draft(step, ()))
        return drafts, True

    # uses ---------------------------------------------------------------------------------------
    def _use(self, site: CallSite) -> None:
        call, scope = site.node, site.scope
        name = call.func.attr.value if isinstance(call.func, cst.Attribute) else (
            call.func.value if isinstance(call.func, cst.Name) else "")
        context = self._context(call)
        binding = context.name if context and context.kind == "assign" else None
        location = self.loc(call)
        if name == "DataLoader":
            dataset = self._dataset_arg(call)
            if dataset:
                self.facts.loaders.append(LoaderUse(location, dataset, binding, scope.qualname))
            return
        if name in ("random_split", "Subset") and call.args and isinstance(call.args[0].value, cst.Name):
            targets = next((t.targets for t in self.data.tuple_assigns if t.value is call), None)
            if targets is None and binding:
                targets = (binding,)
            if targets:
                self.facts.splits.append(SplitUse(location, name, call.args[0].value.value, tuple(targets),
                                                  scope.qualname))
            return
        params = self._dataset_params(call, scope)
        expr = self._argument(call, params, TRANSFORM_KEYWORDS)
        if expr is None or self.steps.is_pipeline_call(scope, call):
            return
        ref = self._ref(expr, scope)
        if ref is None:
            return
        self.given[id(call)] = ref
        use = DatasetUse(location, self.text(call.func), ref, scope.qualname, binding)
        use.evidence = self._dataset_evidence(site, binding, context, params)
        use.argument = next((self.loc(arg) for arg in call.args if arg.value is expr), None)
        self.facts.datasets.append(use)

    @staticmethod
    def _dataset_arg(call: cst.Call) -> str | None:
        for arg in call.args:
            if (arg.keyword is None or arg.keyword.value == "dataset") and not arg.star:
                return arg.value.value if isinstance(arg.value, cst.Name) else None
        return None

    def _dataset_params(self, call: cst.Call, scope: Scope) -> tuple[str, ...]:
        """Positional parameter names of a known dataset class, also through `cls = A if x else B`."""
        qualname = qualified_name(scope, call.func)
        params = self.kb.dataset_params(qualname)
        if params is None and isinstance(call.func, cst.Name):
            binding, ok = single_value(scope, call.func.value)
            if ok and isinstance(binding.value, cst.IfExp):
                options = {self.kb.dataset_params(qualified_name(scope, branch))
                           for branch in (binding.value.body, binding.value.orelse)}
                params = options.pop() if len(options) == 1 else None
        return params or ()

    @staticmethod
    def _argument(call: cst.Call, params: tuple[str, ...], names) -> cst.BaseExpression | None:
        """The expression passed for any of `names`, by keyword or by its position in `params`."""
        positional = []
        for arg in call.args:
            if arg.star:
                break
            if arg.keyword is None:
                positional.append(arg.value)
            elif arg.keyword.value in names:
                return arg.value
        for index, param in enumerate(params):
            if param in names and index < len(positional):
                return positional[index]
        return None

    def _ref(self, expr, scope: Scope) -> Ref | None:
        if isinstance(expr, cst.Call) and id(expr) in self.by_node:
            return Ref("inline", scope.qualname, pipeline_ids=tuple(p.id for p in self.by_node[id(expr)]))
        if isinstance(expr, cst.Call):
            return self._factory_call(expr, scope)
        if isinstance(expr, cst.Name):
            binding, ok = single_value(scope, expr.value)
            if ok and id(binding.value) in self.by_node:
                return Ref("name", scope.qualname, expr.value,
                           pipeline_ids=tuple(p.id for p in self.by_node[id(binding.value)]))
            context = self.data.contexts.get(id(binding.value)) if ok else None
            if ok and isinstance(binding.value, cst.Call) and binding.scope is scope and context is not None and \
                    context.kind == "assign" and context.name == expr.value:  # not `a, b = f()`
                found = self._factory_call(binding.value, scope)
                if found is not None:
                    return found
            qualname = qualified_name(scope, expr)
            if qualname is not None:
                return Ref("import", scope.qualname, qualname)
            return Ref("name", scope.qualname, expr.value)
        if isinstance(expr, cst.Attribute):
            owner = expr.value.value if isinstance(expr.value, cst.Name) else None
            if owner and expr.attr.value in TRANSFORM_KEYWORDS and (scope.qualname, owner) not in self.data.retransformed:
                binding, ok = single_value(scope, owner)  # `transform=train_set.transform`
                if ok and id(binding.value) in self.given:
                    return self.given[id(binding.value)]
            return Ref("attr", scope.qualname, expr.attr.value)
        if isinstance(expr, cst.Subscript) and isinstance(expr.value, cst.Name) and len(expr.slice) == 1:
            index = expr.slice[0].slice
            if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
                return Ref("item", scope.qualname, expr.value.value, key=str(index.value.evaluated_value))
        return None

    def _factory_call(self, call: cst.Call, scope: Scope) -> Ref | None:
        """`transform=get_transform(28)`: a call of a function of this module or an import, whose
        returned pipeline the relate stage specialises with the constants passed here."""
        if isinstance(call.func, cst.Name):
            bindings = scope.lookup(call.func.value) or []
            if len(bindings) == 1 and bindings[0].defines is not None and bindings[0].defines.kind == "function":
                where, name = "local", bindings[0].defines.qualname
            else:
                where, name = "import", qualified_name(scope, call.func)
        elif isinstance(call.func, cst.Attribute):
            where, name = "import", qualified_name(scope, call.func)
        else:
            return None
        if not name:
            return None
        consts, position = [], 0
        for arg in call.args:
            if arg.star:
                return None  # `**cfg`: what the parameters get is not known here
            key = arg.keyword.value if arg.keyword is not None else str(position)
            position += arg.keyword is None
            consts.append((key, self.folder.fold(arg.value, scope)))
        return Ref("call", scope.qualname, name, key=where, consts=tuple(consts))

    def _dataset_evidence(self, site: CallSite, binding, context, params) -> list[Evidence]:
        call, scope = site.node, site.scope
        evidence: list[Evidence] = []
        named = [(arg.keyword.value, arg) for arg in call.args if arg.keyword is not None]
        positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
        named += [(param, arg) for param, arg in zip(params, positional)
                  if param in ROLE_KEYWORDS_BOOL or param in ROLE_KEYWORDS_STR]
        for key, arg in named:
            value = self.folder.fold(arg.value, scope)
            where = self.loc(arg)
            if key in ROLE_KEYWORDS_BOOL and value.is_const and isinstance(value.const, bool):
                role = role_of_flag(key) if value.const else opposite(role_of_flag(key))
                if role:
                    evidence.append(Evidence(role, W_USE, f"dataset built with {key}={value.const}", where))
            elif key in ROLE_KEYWORDS_STR and value.is_const and isinstance(value.const, str):
                role = role_of_string(value.const)
                if role:
                    evidence.append(Evidence(role, W_USE, f"dataset built with {key}='{value.const}'", where))
        positional = [a for a in call.args if a.keyword is None and not a.star]
        if positional:
            hint = self._path_hint(positional[0].value, scope)
            if hint:
                role = role_of_string(hint) if not isinstance(positional[0].value, cst.Name) else role_of_name(hint)
                if role:
                    evidence.append(Evidence(role, W_NAME, f"dataset read from `{self.text(positional[0].value)}`",
                                             self.loc(positional[0])))
        if binding and role_of_name(binding):
            evidence.append(Evidence(role_of_name(binding), W_NAME, f"dataset bound to `{binding}`", self.loc(call)))
        if context is not None and context.kind == "dict" and role_of_string(context.key or ""):
            evidence.append(Evidence(role_of_string(context.key), W_KEY, f"under dict key '{context.key}'",
                                     self.loc(call)))
        if context is not None and context.kind == "arg" and isinstance(context.parent, cst.Call):
            loader = self._context(context.parent)
            name = loader.name if loader is not None and loader.kind == "assign" else None
            if name and role_of_name(name) and "loader" in name.lower():
                evidence.append(Evidence(role_of_name(name), W_NAME, f"dataset passed straight to `{name}`",
                                         self.loc(context.parent)))
        role, test, positive = branch_role(site.conds)
        if role is not None:
            side = "" if positive else "not "
            evidence.append(Evidence(role, W_BRANCH, f"built under `{side}{self.text(test)}`", self.loc(test)))
        return evidence

    def _path_hint(self, expr, scope: Scope) -> str | None:
        if isinstance(expr, cst.SimpleString):
            value = expr.evaluated_value
            return value if isinstance(value, str) else None
        if isinstance(expr, cst.Name):
            return expr.value
        if isinstance(expr, cst.Call) and expr.args:
            return self._path_hint(expr.args[-1].value, scope)
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide):
            return self._path_hint(expr.right, scope)
        if isinstance(expr, cst.FormattedString):
            literal = [p.value for p in expr.parts if isinstance(p, cst.FormattedStringText)]
            return literal[-1] if literal else None
        return None

    # module constants (for imports from other files) -------------------------------------------
    def _constants(self) -> None:
        """Module-level names with one value; for configuration modules also the constants inside a
        mapping written out (`C = {'val': {'bs': 1}}`, `EasyDict(…)`, `dict(val=dict(bs=1))`) and the
        attributes assigned once at module level (`__C.VAL.BS = 1`), by dotted name (`C.val.bs`), and
        under a module-level alias (`cfg = __C`)."""
        module = self.data.module_scope
        constants = self.facts.constants
        aliases = []
        for name, bindings in module.bindings.items():
            if len(bindings) == 1 and bindings[0].value is not None and bindings[0].kind == "assign":
                value = self.folder.fold(cst.Name(name), module)
                if value.kind in ("const", "symbol", "ref"):
                    constants[name] = value
                if isinstance(bindings[0].value, cst.Name):
                    aliases.append((name, bindings[0].value.value))
                elif not bindings[0].conds:
                    self._mapping(name, bindings[0].value, module, 0)
        written = {}
        for name, value, target, branched in self.data.attr_assigns:
            written.setdefault(name, []).append((value, target, branched))
        for name, assigned in written.items():
            root = name.partition(".")[0]
            if len(assigned) != 1 or assigned[0][2] or len(module.bindings.get(root, ())) != 1 or name in constants:
                continue
            folded = self.folder.fold(assigned[0][0], module)
            if folded.is_const:
                constants[name] = Value("const", const=folded.const, text=name, origin=self.loc(assigned[0][1]))
        for alias, target in aliases:
            prefix = target + "."
            for name, value in list(constants.items()):
                if name.startswith(prefix) and f"{alias}.{name[len(prefix):]}" not in constants:
                    constants[f"{alias}.{name[len(prefix):]}"] = value

    def _mapping(self, name: str, expr, scope, depth: int) -> None:
        """The constants of a mapping written out, under dotted names."""
        if depth > 6:
            return
        if isinstance(expr, cst.Call) and (dotted(expr.func) or "").rpartition(".")[2] in MAPPING_WRAPPERS:
            if len(expr.args) == 1 and expr.args[0].keyword is None and not expr.args[0].star:
                self._mapping(name, expr.args[0].value, scope, depth + 1)
                return
            items = [(a.keyword.value, a.value) for a in expr.args if a.keyword is not None]
            if len(items) != len(expr.args):
                return
        elif isinstance(expr, cst.Dict):
            items = []
            for element in expr.elements:
                if not isinstance(element, cst.DictElement) or not isinstance(element.key, cst.SimpleString):
                    return
                key = element.key.evaluated_value
                if not isinstance(key, str) or "." in key:
                    return
                items.append((key, element.value))
        else:
            return
        if len(items) > MAX_MAPPING:
            return  # a table (labels, vocabularies), not a configuration
        for key, value in items:
            dotted_name = f"{name}.{key}"
            if isinstance(value, (cst.Dict, cst.Call)):
                self._mapping(dotted_name, value, scope, depth + 1)
                if isinstance(value, cst.Dict):
                    continue
            folded = self.folder.fold(value, scope)
            if folded.is_const:
                self.facts.constants[dotted_name] = Value("const", const=folded.const, text=dotted_name,
                                                          origin=self.loc(value))

    # argparse options ------------------------------------------------------------------------------
    def _options(self) -> None:
        for site in self.data.options:
            call, scope = site.node, site.scope
            if _call_name(call) == "set_defaults":
                for arg in call.args:
                    if arg.star:
                        self.facts.options.append(Option("*", unknown(self.text(arg)), self.loc(arg)))
                    elif arg.keyword is not None:
                        self.facts.options.append(Option(arg.keyword.value, self.folder.fold(arg.value, scope),
                                                         self.loc(arg), f"set_defaults({arg.keyword.value}=…)"))
                continue
            option = self._option(call, scope)
            if option is not None:
                self.facts.options.append(option)

    def _option(self, call: cst.Call, scope) -> Option | None:
        """One `add_argument`: its dest (`dest=`, else the first long option with dashes made
        underscores, else the first short one) and the default the parsed namespace holds when the
        command line does not give it: `default=`, False for `store_true`, True for `store_false`, None
        when nothing is given; a string default goes through `type=int`/`float` as argparse does.
        Required and positional arguments, and anything not written out, have an unknown default."""
        flags, keywords = [], {}
        for arg in call.args:
            if arg.star:
                return None
            if arg.keyword is None:
                folded = self.folder.fold(arg.value, scope)
                if not (folded.is_const and isinstance(folded.const, str)):
                    return None
                flags.append(folded.const)
            else:
                keywords[arg.keyword.value] = arg.value
        if not flags:
            return None
        dest_expr = keywords.get("dest")
        if dest_expr is not None:
            folded = self.folder.fold(dest_expr, scope)
            if not (folded.is_const and isinstance(folded.const, str)):
                return None
            dest = folded.const
        else:
            long = [f for f in flags if f.startswith("--")]
            short = [f for f in flags if f.startswith("-")]
            chosen = long[0] if long else (short[0] if short else flags[0])
            dest = chosen.lstrip("-").replace("-", "_")
        where, flag = self.loc(call), flags[0]
        text = self.text(call)
        positional = not flags[0].startswith("-")
        required = keywords.get("required")
        if positional or (required is not None and self.text(required) != "False"):
            return Option(dest, unknown(text), where, flag)
        action = self.folder.fold(keywords["action"], scope) if "action" in keywords else None
        action = action.const if action is not None and action.is_const else ("?" if action is not None else "store")
        if "default" in keywords:
            default = self.folder.fold(keywords["default"], scope)
        elif action in ("store_true", "store_false"):
            default = const(action == "store_false")
        elif action in ("store", "append", "count", "store_const", "append_const"):
            default = const(None)
        else:
            default = unknown(text)
        if default.is_const and isinstance(default.const, str) and "type" in keywords:
            convert = {"int": int, "float": float, "str": str}.get(self.text(keywords["type"]))
            try:
                default = const(convert(default.const)) if convert else unknown(text)
            except ValueError:
                default = unknown(text)
        if default.is_const:
            default = Value("const", const=default.const, text=default.text, origin=where)
        return Option(dest, default, where, flag)


def _is_unit_test(scope: Scope, path: str) -> bool:
    """In a test file, pytest/unittest names (`test_resize`, `TestTransforms`) say nothing about
    evaluation; in a training script `def test(model, loader)` or `def test_epoch(...)` is the evaluation."""
    file = PurePath(path)
    in_tests = file.name.startswith("test_") or file.stem.endswith("_test") or "tests" in file.parts[:-1]
    if not in_tests:
        return False
    if scope.kind == "function":
        return scope.name.startswith("test")
    return scope.kind == "class" and scope.name.startswith("Test")
