"""Preprocessing written by hand: an image read (`cv2.imread`, `Image.open`, `imageio.imread`, a video frame)
followed step by step through a function's statements until a call takes it (`model(x)`).

Only files that read images are looked at (a byte check first), and only their function and module
bodies, statement by statement: no walk of the whole tree. Each chain becomes a `Pipeline` (origin
"hand") of steps named like the library's where one is equivalent (torchvision's ToTensor, Normalize,
Resize) and like rules/knowledge/handwritten.yaml otherwise, so image_state can run over it. Anything not
understood on the image (a project function, an unknown method) is an unknown step: the state after it is
unknown (precision first)."""

from __future__ import annotations

import libcst as cst

from evalparity.extract.scopes import Scope, dotted, qualified_name, single_value
from evalparity.facts import Arg, HandChain, Location, Pipeline, Step, Value
from evalparity.vocabulary.values import const, numbers

MARKERS = (b"imread", b"Image.open", b"VideoCapture")
HAND = "evalparity.hand"
V1 = "torchvision.transforms"
MAX_CHAINS = 200
KEEPS_ORDER_CODES = {"COLOR_GRAY2RGB", "COLOR_GRAY2BGR", "COLOR_GRAY2RGBA", "COLOR_GRAY2BGRA",  # and alpha dropped:
                 "COLOR_RGBA2RGB", "COLOR_BGRA2BGR"}

READS_RGB = {"PIL.Image.open", "imageio.imread", "imageio.v2.imread", "imageio.v3.imread", "skimage.io.imread",
             "scipy.misc.imread", "scipy.ndimage.imread"}
KEEPS = {"numpy.array", "numpy.asarray", "numpy.ascontiguousarray", "numpy.expand_dims", "numpy.transpose",
         "numpy.copy", "copy.deepcopy", "copy.copy", "torch.unsqueeze", "numpy.moveaxis", "numpy.rollaxis"}
AS_TENSOR = {"torch.from_numpy", "torch.tensor", "torch.Tensor", "torch.as_tensor", "torch.FloatTensor"}
KEEP_METHODS = {"copy", "cuda", "cpu", "contiguous", "unsqueeze", "unsqueeze_", "permute", "transpose", "reshape",
                "view", "clone", "detach", "requires_grad_", "squeeze", "to_device", "expand_dims"}
ARITHMETIC_METHODS = {"div", "div_", "sub", "sub_", "mul", "mul_", "add", "add_"}
FLOAT_METHODS = {"float", "double", "half"}
LIBRARIES = ("cv2.", "numpy.", "torch.", "PIL.", "matplotlib.", "os.", "imageio.", "skimage.", "scipy.", "builtins.",
             "math.", "json.", "pickle.", "time.", "random.", "logging.", "sys.", "shutil.", "torchvision.utils.")
NOT_CONSUMERS = {"print", "len", "type", "isinstance", "str", "int", "float", "list", "tuple", "dict", "zip", "min",
                 "max", "enumerate", "range", "getattr", "hasattr"}


def reads_images(source: str | bytes) -> bool:
    data = source.encode("utf-8", "surrogateescape") if isinstance(source, str) else source
    return any(marker in data for marker in MARKERS)


def _const_number(value: Value) -> float | None:
    nums = numbers(value) if value.is_const else None
    return nums[0] if nums is not None and len(nums) == 1 and not isinstance(value.const, bool) else None


def _is_float_dtype(text: str) -> bool:
    text = text.rpartition(".")[2].strip("'\"").lower()
    return text.startswith("float") or text in ("double", "half") or text == "floattensor"


def _combine(a: Value, b: Value, op) -> Value:
    """Elementwise a op b of two folded values (scalars or sequences); unknown when either is not constant."""
    if not (a.is_const and b.is_const):
        return Value("unknown", text=f"{a.text or a.const} ? {b.text or b.const}")
    na, nb = numbers(a), numbers(b)
    if na is None or nb is None:
        return Value("unknown", text=a.text)
    if len(na) == 1 and len(nb) > 1:
        na = na * len(nb)
    if len(nb) == 1 and len(na) > 1:
        nb = nb * len(na)
    if len(na) != len(nb):
        return Value("unknown", text=a.text)
    try:
        out = tuple(op(x, y) for x, y in zip(na, nb))
    except (ZeroDivisionError, OverflowError):  # `x * 0`: no affine map to describe
        return Value("unknown", text=a.text)
    return const(out[0] if len(out) == 1 else out, a.text)


class _Chains:
    def __init__(self, path: str, kb, folder, steps, text, loc, pipelines) -> None:
        self.path, self.kb, self.folder, self.steps, self.text, self.loc = path, kb, folder, steps, text, loc
        self.by_location = {p.location: p for p in pipelines}
        self.found: list[HandChain] = []
        self.scope: Scope | None = None
        self.conds: list[str] = []
        self.env: dict[str, tuple[Step, ...]] = {}

    # statements ---------------------------------------------------------------------------------
    def body(self, scope: Scope, statements) -> None:
        self.scope, self.env, self.conds = scope, {}, []
        self._block(statements)
        seen = set()
        for name, chain in self.env.items():
            if chain[-1].qualname is not None and chain not in seen:
                seen.add(chain)
                self._record(chain, "", None, name)

    def _block(self, statements) -> bool:
        """False when the block ends in a `return` or `raise` (its names never reach what follows)."""
        for statement in statements:
            if len(self.found) > MAX_CHAINS:
                return True
            if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
                for small in statement.body:
                    self._small(small)
                if any(isinstance(small, (cst.Return, cst.Raise)) for small in statement.body):
                    return False  # what follows in this block never runs
            elif isinstance(statement, cst.If):
                if not self._branch(statement):
                    return False  # every arm returns
            elif isinstance(statement, (cst.For, cst.While)):
                self._block(statement.body.body)
            elif isinstance(statement, cst.With):
                self._block(statement.body.body)
            elif isinstance(statement, cst.Try):
                self._block(statement.body.body)
        return True

    def _branch(self, node: cst.If) -> bool:
        """Both arms run from the same names. A name each arm assigns its own way holds both chains after the
        `if`, the steps of each under its arm's condition: `if png: img = Image.open(p) else: img = cv2.imread(p)`
        reads RGB on one path and BGR on the other."""
        test = self.text(node.test)
        before = dict(self.env)
        self.conds.append(test)
        body_goes_on = self._block(node.body.body)
        self.conds.pop()
        body_env, self.env = self.env, dict(before)
        orelse, else_goes_on = node.orelse, True
        if orelse is not None:
            self.conds.append(f"not ({test})")
            else_goes_on = self._branch(orelse) if isinstance(orelse, cst.If) else self._block(orelse.body.body)
            self.conds.pop()
        if not else_goes_on:
            self.env = body_env
        elif body_goes_on:
            self.env = self._join(before, body_env, self.env)
        return body_goes_on or else_goes_on

    @staticmethod
    def _join(before, one, other) -> dict:
        joined = {}
        for name in [*one, *(n for n in other if n not in one)]:
            mine, theirs, old = one.get(name), other.get(name), before.get(name)
            if mine is None or theirs is None:
                if old is None:  # assigned by one arm only
                    joined[name] = mine or theirs
                continue  # an arm made it unknown
            if theirs in (old, mine):
                joined[name] = mine
            elif mine == old:
                joined[name] = theirs
            else:
                shared = len(old) if old and mine[:len(old)] == old == theirs[:len(old)] else 0
                joined[name] = mine + theirs[shared:]
        return joined

    def _small(self, node) -> None:
        if isinstance(node, cst.Assign):
            value = node.value
            for target in node.targets:
                self._assign(target.target, value)
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            self._assign(node.target, node.value)
        elif isinstance(node, cst.AugAssign):
            if isinstance(node.target, cst.Name) and node.target.value in self.env:
                name = node.target.value
                op = {cst.SubtractAssign: "sub", cst.AddAssign: "add", cst.DivideAssign: "div",
                      cst.MultiplyAssign: "mul"}.get(type(node.operator))
                chain = self.env[name]
                self.env[name] = self._arith(chain, op, node.value, node) if op else chain + (self._opaque(node),)
            else:
                self.chain(node.value)
        elif isinstance(node, cst.Expr):
            self.chain(node.value)
        elif isinstance(node, cst.Return) and node.value is not None:
            chain = self.chain(node.value)
            if chain is not None and chain[-1].qualname is not None and chain not in self.env.values():
                # `return img.astype(np.float32) / 255.0` from `load_image`: what the method gives its callers
                name = node.value.value if isinstance(node.value, cst.Name) else self.scope.qualname.rpartition(".")[2]
                self._record(chain, "", None, name)

    def _assign(self, target, value) -> None:
        if isinstance(target, cst.Tuple) and isinstance(value, cst.Call) and self._frame_read(value):
            names = [e.value for e in target.elements]
            if len(names) == 2 and isinstance(names[1], cst.Name):
                self.env[names[1].value] = (self._read("ReadBGR", value),)
                return
        chain = self.chain(value)
        if isinstance(target, cst.Name):
            if chain is not None:
                self.env[target.value] = chain
            else:
                self.env.pop(target.value, None)
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) and chain is not None and \
                target.value.value not in self.env and all(isinstance(e.slice, cst.Slice) for e in target.slice):
            self.env[target.value.value] = chain  # `canvas[:h, :w, :] = image`: padded into a new array

    # expressions --------------------------------------------------------------------------------
    def _step(self, qualname: str | None, name: str, node, args=()) -> Step:
        condition = " and ".join(f"({c})" for c in self.conds) or None
        return Step(qualname, name, tuple(args), self.loc(node), condition=condition)

    def _opaque(self, node) -> Step:
        return self._step(None, self.text(node)[:80], node)

    def _read(self, kind: str, node) -> Step:
        return self._step(f"{HAND}.{kind}", kind, node)

    def _arg(self, name: str, value: Value, node) -> Arg:
        return Arg(name, None, value, self.loc(node))

    def _frame_read(self, call: cst.Call) -> bool:
        """`cap.read()` on a cv2.VideoCapture."""
        func = call.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "read" and not call.args and
                isinstance(func.value, cst.Name)):
            return False
        binding, ok = single_value(self.scope, func.value.value)
        if ok and isinstance(binding.value, cst.Call):
            return qualified_name(binding.scope or self.scope, binding.value.func) == "cv2.VideoCapture"
        return any(w in func.value.value.lower() for w in ("cap", "video", "camera", "cam", "stream"))

    def _start(self, call: cst.Call, qualname: str | None) -> tuple[Step, ...] | None:
        if qualname == "cv2.imread":
            flag = call.args[1].value if len(call.args) > 1 else None
            flags = [a.value for a in call.args if a.keyword is not None and a.keyword.value == "flags"]
            flag = flags[0] if flags else flag
            if flag is not None and self.text(flag).rpartition(".")[2] not in ("1", "IMREAD_COLOR"):
                return None  # grayscale, unchanged (16-bit, alpha): not followed
            return (self._read("ReadBGR", call),)
        if qualname in READS_RGB:
            return (self._read("ReadRGB", call),)
        return None

    def chain(self, expr) -> tuple[Step, ...] | None:
        """The steps from a read to this expression, or None when it does not derive from a read."""
        if isinstance(expr, cst.Name):
            return self.env.get(expr.value)
        if isinstance(expr, cst.Call):
            return self._call(expr)
        if isinstance(expr, cst.BinaryOperation):
            left = self.chain(expr.left)
            right = self.chain(expr.right)
            if left is None and right is None:
                return None
            if left is None or right is not None:
                return (left or right) + (self._opaque(expr),)
            op = {cst.Subtract: "sub", cst.Add: "add", cst.Divide: "div", cst.Multiply: "mul"}.get(type(expr.operator))
            return self._arith(left, op, expr.right, expr) if op else left + (self._opaque(expr),)
        if isinstance(expr, cst.Subscript):
            inner = self.chain(expr.value)
            return None if inner is None else inner + self._subscript(expr)
        if isinstance(expr, (cst.Tuple, cst.List, cst.Dict)):
            for element in getattr(expr, "elements", ()):
                value = getattr(element, "value", None)
                if value is not None:
                    self.chain(value)
            return None
        return None

    def _subscript(self, expr: cst.Subscript) -> tuple[Step, ...]:
        parts = [element.slice for element in expr.slice]
        if len(parts) == 1 and isinstance(parts[0], cst.Index) and isinstance(parts[0].value, cst.SimpleString):
            return ()  # `out['image']`
        def full(p):
            return isinstance(p, cst.Slice) and p.lower is None and p.upper is None and p.step is None
        def axis(p):
            return isinstance(p, cst.Index) and (self.text(p.value) in ("None", "np.newaxis", "numpy.newaxis", "...")
                                                 or isinstance(p.value, cst.Ellipsis))
        last = parts[-1]
        reverse = isinstance(last, cst.Slice) and last.lower is None and last.upper is None and \
            last.step is not None and self.text(last.step) == "-1"
        if reverse and all(full(p) or axis(p) for p in parts[:-1]) and \
                (len(parts) == 3 or (len(parts) == 2 and axis(parts[0]) and self.text(parts[0].value) == "...")):
            return (self._read("FlipChannels", expr),)
        if all(full(p) or axis(p) for p in parts):
            return ()
        if all(isinstance(p, cst.Slice) and p.step is None for p in parts) and len(parts) <= 2:
            return (self._read("Crop", expr),)
        return (self._opaque(expr),)

    def _arith(self, chain, op, operand, node) -> tuple[Step, ...]:
        if self.chain(operand) is not None:
            return chain + (self._opaque(node),)
        value = self.folder.fold(operand, self.scope)
        if value.kind == "unknown":  # `img *= mask`: a mask, a computed array, not an affine map we can name
            return chain + (self._opaque(node),)
        number = _const_number(value)
        last = chain[-1] if chain else None
        open_affine = last is not None and last.qualname == f"{HAND}.Normalize" and \
            last.condition == self._step(None, "", node).condition
        if not open_affine:
            if op == "div" and number == 255:
                return chain + (self._read("Divide255", node),)
            if op == "mul" and number is not None and abs(number * 255 - 1) < 1e-6:
                return chain + (self._read("Divide255", node),)
            if op == "mul" and number == 255:
                return chain + (self._read("Multiply255", node),)
            mean, std = const(0.0, "0"), const(1.0, "1")
            location = node
        else:
            mean, std = last.args[0].value, last.args[1].value
            chain = chain[:-1]
            location = None
        if op in ("sub", "add"):
            if op == "add":
                value = _combine(const(0.0), value, lambda x, y: x - y) if value.is_const else value
            if mean.is_const and _const_number(mean) == 0 and std.is_const and _const_number(std) == 1:
                mean = value
            else:
                mean = _combine(mean, _combine(value, std, lambda x, y: x * y), lambda x, y: x + y)
        elif op == "div":
            std = value if std.is_const and _const_number(std) == 1 else _combine(std, value, lambda x, y: x * y)
        elif op == "mul":
            std = _combine(std, value, lambda x, y: x / y)
        step = self._step(f"{HAND}.Normalize", "Normalize", node,
                          (self._arg("mean", mean, operand), self._arg("std", std, operand)))
        if location is None:
            step = Step(step.qualname, step.name, step.args, Location(
                self.path, last.location.line, last.location.column, step.location.end_line, step.location.end_column),
                condition=step.condition)
        return chain + (step,)

    def _call(self, call: cst.Call) -> tuple[Step, ...] | None:
        func = call.func
        qualname = qualified_name(self.scope, func) if isinstance(func, (cst.Name, cst.Attribute)) else None
        started = self._start(call, qualname)
        if started is not None:
            return started
        if isinstance(func, cst.Attribute):
            receiver = self.chain(func.value)
            if receiver is not None:
                if func.attr.value in ARITHMETIC_METHODS and len(call.args) == 1 and call.args[0].keyword is None:
                    # `x.sub_(m).div_(s)`: one affine map, like `(x - m) / s`
                    return self._arith(receiver, func.attr.value.rstrip("_"), call.args[0].value, call)
                return receiver + self._method(func.attr.value, call)
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        inputs = [(e, self.chain(e)) for e in positional + list(keywords.values())]
        inputs = [(e, c) for e, c in inputs if c is not None]
        if not inputs:
            return None
        source_expr, source = inputs[0]
        first = positional[0] if positional else None
        if qualname is not None and first is source_expr:
            known = self._function(qualname, call, source, positional, keywords)
            if known is not None:
                return known
        applied = self._applied(func, call)
        if applied is not None:
            return source + applied
        callee = dotted(func) or ""
        if callee.rpartition(".")[2] == "normalize" and first is source_expr and \
                (len(positional) == 3 or {"mean", "std"} <= set(keywords)):
            # `normalize(x, mean, std)`: the convention of torchvision's and most projects' helpers
            mean = positional[1] if len(positional) == 3 else keywords["mean"]
            std = positional[2] if len(positional) == 3 else keywords["std"]
            return source + (self._step(f"{V1}.Normalize", callee, call,
                                        (self._arg("mean", self.folder.fold(mean, self.scope), mean),
                                         self._arg("std", self.folder.fold(std, self.scope), std))),)
        if callee and callee not in NOT_CONSUMERS and not (qualname or "").startswith(LIBRARIES):
            self._record(source, callee, call, source_expr.value if isinstance(source_expr, cst.Name) else None)
            return None
        return source + (self._opaque(call),)

    def _applied(self, func, call) -> tuple[Step, ...] | None:
        """A transform object applied to the image: `T.Compose([...])(x)`, `T.ToTensor()(x)`, `tf(x)`."""
        expr = func
        if isinstance(func, cst.Name):
            binding, ok = single_value(self.scope, func.value)
            if not ok or not isinstance(binding.value, cst.Call):
                return None
            expr = binding.value
        if not isinstance(expr, cst.Call):
            return None
        qualname = qualified_name(self.scope, expr.func)
        info = self.kb.lookup(qualname)
        if info is None or info.kind in ("factory", "lambda"):
            return None
        step = self.steps.step(expr, self.scope)
        if step is None:
            return None
        return (Step(step.qualname, step.name, step.args, step.location, step.children,
                     condition=self._step(None, "", call).condition),)

    def _method(self, name: str, call: cst.Call) -> tuple[Step, ...]:
        args = [a.value for a in call.args]
        texts = [self.text(a) for a in args]
        if name in KEEP_METHODS or name == "numpy" or (name == "to" and not any(_is_float_dtype(t) for t in texts)):
            return ()
        if name in FLOAT_METHODS or (name in ("astype", "to", "type") and any(_is_float_dtype(t) for t in texts)) or \
                (name == "type" and texts and texts[0].rpartition(".")[2] == "Tensor"):
            return (self._read("ToFloat", call),)
        if name == "convert" and texts and texts[0].strip("'\"") == "RGB":
            return ()
        if name in ("div", "div_", "sub", "sub_", "mul", "mul_", "add", "add_") and len(args) == 1:
            op = name.rstrip("_")
            return self._arith((), op, args[0], call)
        if name == "resize" and args and isinstance(args[0], (cst.Tuple, cst.List)) and len(args[0].elements) == 2:
            w, h = (self.folder.fold(e.value, self.scope) for e in args[0].elements)
            return (self._step(f"{HAND}.Resize", "resize", call,
                               (self._arg("height", h, args[0]), self._arg("width", w, args[0]))),)
        if name == "crop":
            return (self._read("Crop", call),)
        return (self._opaque(call),)

    def _function(self, qualname, call, source, positional, keywords) -> tuple[Step, ...] | None:
        short = qualname.rpartition(".")[2]
        if qualname == "cv2.cvtColor":
            code = self.text(positional[1] if len(positional) > 1 else keywords.get("code", call)).rpartition(".")[2]
            if code in ("COLOR_BGR2RGB", "COLOR_RGB2BGR"):
                return source + (self._read("FlipChannels", call),)
            if code in KEEPS_ORDER_CODES:  # grey to colour (a grey image has no order), or the alpha channel dropped
                return source
            return source + (self._opaque(call),)
        if qualname in ("skimage.color.gray2rgb", "skimage.color.gray2rgba", "skimage.color.rgba2rgb"):
            return source
        if qualname == "cv2.resize":
            size = positional[1] if len(positional) > 1 else keywords.get("dsize")
            if isinstance(size, (cst.Tuple, cst.List)) and len(size.elements) == 2:
                w, h = (self.folder.fold(e.value, self.scope) for e in size.elements)
                return source + (self._step(f"{HAND}.Resize", "cv2.resize", call,
                                            (self._arg("height", h, size), self._arg("width", w, size))),)
            return source + (self._step(f"{HAND}.Resize", "cv2.resize", call),)
        if qualname in ("skimage.transform.resize", "scipy.misc.imresize"):
            size = positional[1] if len(positional) > 1 else keywords.get("output_shape") or keywords.get("size")
            kind = "UnitResize" if qualname.startswith("skimage") and "preserve_range" not in keywords else "Resize"
            if kind == "Resize" and qualname.startswith("skimage"):
                return source + (self._opaque(call),)
            if isinstance(size, (cst.Tuple, cst.List)) and len(size.elements) >= 2:
                h, w = (self.folder.fold(e.value, self.scope) for e in size.elements[:2])
                return source + (self._step(f"{HAND}.{kind}", short, call,
                                            (self._arg("height", h, size), self._arg("width", w, size))),)
            return source + (self._step(f"{HAND}.{kind}", short, call),)
        if qualname == "PIL.Image.fromarray" and len(positional) == 1 and not keywords:
            return source  # an 8-bit array as a PIL image: values and channel order kept
        if qualname in KEEPS:
            dtype = keywords.get("dtype")
            return source + ((self._read("ToFloat", call),) if dtype is not None and _is_float_dtype(self.text(dtype))
                             else ())
        if qualname == "numpy.flip":
            axis = positional[1] if len(positional) > 1 else keywords.get("axis")
            text = self.text(axis) if axis is not None else ""
            if text in ("-1", "2"):
                return source + (self._read("FlipChannels", call),)
            return source + (() if text in ("1", "0") else (self._opaque(call),))
        if qualname in ("numpy.float32", "numpy.float64", "numpy.single", "numpy.double"):
            return source + (self._read("ToFloat", call),)
        if qualname in AS_TENSOR:
            dtype = keywords.get("dtype")
            steps = (self._read("AsTensor", call),)
            if short == "FloatTensor" or (dtype is not None and _is_float_dtype(self.text(dtype))):
                steps += (self._read("ToFloat", call),)
            return source + steps
        if qualname.startswith(V1 + ".functional."):
            if short in ("to_tensor",):
                return source + (self._step(f"{V1}.ToTensor", short, call),)
            if short == "normalize":
                mean = positional[1] if len(positional) > 1 else keywords.get("mean")
                std = positional[2] if len(positional) > 2 else keywords.get("std")
                if mean is None or std is None:
                    return source + (self._opaque(call),)
                return source + (self._step(f"{V1}.Normalize", short, call,
                                            (self._arg("mean", self.folder.fold(mean, self.scope), mean),
                                             self._arg("std", self.folder.fold(std, self.scope), std))),)
            if short == "resize":
                size = positional[1] if len(positional) > 1 else keywords.get("size")
                args = (self._arg("size", self.folder.fold(size, self.scope), size),) if size is not None else ()
                return source + (self._step(f"{V1}.Resize", short, call, args),)
            return source + (self._opaque(call),)
        return None

    def _record(self, steps, consumer: str, call, name: str | None = None) -> None:
        if not steps or steps[0].qualname not in (f"{HAND}.ReadBGR", f"{HAND}.ReadRGB"):
            return
        first = steps[0].location
        last = self.loc(call) if call is not None else steps[-1].location
        where = Location(self.path, first.line, first.column, last.end_line, last.end_column)
        scope = self.scope.qualname
        pipeline = Pipeline(f"{self.path}:{first.line}:{first.column}#hand{len(self.found)}", self.path, where,
                            tuple(steps), scope, binding=name, origin="hand")
        self.found.append(HandChain(pipeline, consumer, last if call is not None else None))


def _scopes(module_scope: Scope):
    todo = [module_scope]
    while todo:
        scope = todo.pop()
        yield scope
        for bindings in scope.bindings.values():
            for binding in bindings:
                if binding.defines is not None:
                    todo.append(binding.defines)


def hand_chains(path: str, source, module: cst.Module, data, kb, folder, steps, text, loc, pipelines) -> list[HandChain]:
    if not reads_images(source):
        return []
    chains = _Chains(path, kb, folder, steps, text, loc, pipelines)
    for scope in _scopes(data.module_scope):
        if scope.kind == "module":
            statements = [s for s in module.body if not isinstance(s, (cst.FunctionDef, cst.ClassDef))]
        elif scope.kind == "function" and isinstance(scope.node, cst.FunctionDef) and \
                isinstance(scope.node.body, cst.IndentedBlock):
            statements = scope.node.body.body
        else:
            continue
        chains.body(scope, statements)
    return chains.found
