"""Plain data extracted from one file: no CST nodes, so it can be cached and compared."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TRAIN = "train"
EVAL = "eval"
UNKNOWN = "unknown"


class Array(tuple):
    """A folded numpy/torch array constant: arithmetic applies per element."""


@dataclass(frozen=True)
class Location:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int

    def short(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Value:
    """A static value: ``const`` (folded), ``symbol`` (computed at run time; equal only to itself),
    ``unknown`` (a parameter, attribute or anything not followed), ``ref`` (an imported name that the
    project stage resolves), or ``config`` (a literal-keyed read of configuration: an argparse option,
    a key of a YAML/JSON file named by a literal path; `key` says which, see vocabulary.values.config_key),
    which the project stage resolves to a constant when the project defines it unambiguously."""

    kind: str
    const: Any = None
    key: str = ""
    text: str = ""
    origin: Location | None = None
    source: str = ""  # a constant read from configuration: where it came from ("the argparse default of `--bs`")

    @property
    def is_const(self) -> bool:
        return self.kind == "const"


@dataclass(frozen=True)
class Arg:
    name: str | None
    position: int | None
    value: Value
    location: Location


@dataclass(frozen=True)
class Step:
    qualname: str | None
    name: str
    args: tuple[Arg, ...]
    location: Location
    children: tuple["Step", ...] = ()
    condition: str | None = None
    synthetic: bool = False
    defined: Location | None = None  # a project-defined transform's summarised code (relate: Project.resolve_steps)

    @property
    def short_name(self) -> str:
        return (self.name if self.defined is not None else self.qualname or self.name).rpartition(".")[2]


@dataclass(frozen=True)
class Evidence:
    role: str
    weight: float
    reason: str
    location: Location | None = None


@dataclass
class Pipeline:
    id: str
    path: str
    location: Location
    steps: tuple[Step, ...]
    scope: str
    binding: str | None = None
    container: str | None = None
    complete: bool = True
    variant: str | None = None
    origin: str = "compose"
    tta: bool = False
    conditions: tuple[str, ...] = ()
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class Ref:
    """How a dataset call names its pipeline: a binding, an attribute, an inline pipeline or a dict item."""

    kind: str  # name | attr | inline | item | import | call (a project function that returns a pipeline)
    scope: str
    name: str = ""  # for `call`: the function's qualified name in its module (`local`) or import path
    key: str = ""  # for `call`: local | import
    pipeline_ids: tuple[str, ...] = ()
    consts: tuple[tuple[str, "Value"], ...] = ()  # for `call`: each argument's value (position or keyword)


@dataclass
class DatasetUse:
    location: Location
    callee: str
    ref: Ref
    scope: str
    binding: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    argument: Location | None = None  # the argument that passes the pipeline (`transform=train_tf`)


@dataclass(frozen=True)
class SplitUse:
    """``a, b = random_split(ds, …)`` or ``b = Subset(ds, …)``."""

    location: Location
    callee: str
    source: str
    targets: tuple[str, ...]
    scope: str


@dataclass(frozen=True)
class Sampler:
    """One value a DataLoader's `sampler=` / `batch_sampler=` can take: a known sampler class, `none`, or
    `other` (a project sampler, a parameter, anything not followed)."""

    kind: str  # DistributedSampler | RandomSampler | WeightedRandomSampler | SubsetRandomSampler | ... | none | other
    location: Location | None = None
    args: tuple[Arg, ...] = ()
    text: str = ""
    branch: str | None = None  # the role of the branch that picks it (`if is_training: sampler = …`)


@dataclass(frozen=True)
class ParamDependence:
    """A loader setting written in terms of its factory's parameter: `shuffle=is_train`."""

    setting: str
    param: str
    cases: tuple[tuple[Any, Value], ...]  # parameter value → folded setting
    direct: bool = False  # the setting is the parameter itself: any constant passed is the setting


@dataclass(frozen=True)
class LoaderUse:
    location: Location
    dataset: str
    binding: str | None
    scope: str
    torch: bool = False  # resolved to torch.utils.data.DataLoader
    args: tuple[Arg, ...] = ()  # settings by canonical name (positional ones named), folded
    spread: bool = False  # `**kwargs` / `*args`: settings not written out are unknown
    samplers: tuple[Sampler, ...] = ()  # what `sampler=` can be
    batch_samplers: tuple[Sampler, ...] = ()
    dataset_text: str = ""
    dataset_location: Location | None = None
    key: str | None = None  # dict key, or the comprehension key this instance was built for
    evidence: tuple[Evidence, ...] = ()
    branch: str | None = None  # role selected by an enclosing `if is_train:`
    function: str | None = None  # enclosing function (qualname)
    params: tuple[str, ...] = ()  # that function's parameters
    returned: bool = False  # the function returns this loader (a loader factory)
    return_index: int | None = None  # `return dataset, loader`: the loader's place in the returned tuple
    depends: tuple[ParamDependence, ...] = ()
    iterable: bool = False  # the dataset is an IterableDataset
    synthetic: bool = False  # random or fake data (`RandomDataset`, `FakeData`, `TensorDataset(torch.randn(…))`)
    dataset_class: str | None = None  # what built the dataset: `pkg.data.TrainDataset` (through imports) or a local class
    drawn_once: bool = False  # `next(iter(DataLoader(…)))`: one batch for a preview or a prediction
    guards: tuple[tuple[str, bool], ...] = ()  # (parameter, truth) the enclosing `if param:` / `if not param:` need


@dataclass(frozen=True)
class DatasetCall:
    """A known library dataset constructed with or without its split argument (`CIFAR10(root)`)."""

    location: Location
    qualname: str
    binding: str | None
    scope: str
    split_param: str  # train | split
    split: Value | None  # None: not given (the default split is used)
    default: Any
    key: str | None = None
    evidence: tuple[Evidence, ...] = ()
    split_off: bool = False  # later carved up by Subset/random_split or a subset sampler


@dataclass(frozen=True)
class ModeCall:
    """`.eval()`, `.train()`, `.train(False)`, `.requires_grad_()`, `.apply(set_bn_eval)`; a bare
    `model.eval` statement; `with torch.no_grad:` without the call."""

    location: Location
    receiver: str
    kind: str  # eval | train | unknown | requires_grad | bare | grad-not-called
    submodule: bool = False  # receiver is a loop variable over `.modules()` / `.children()`
    text: str = ""


@dataclass(frozen=True)
class CallEdge:
    """A call that may reach a function of the project (for the call graph)."""

    location: Location
    callee: str  # dotted text: `validate`, `self.validate`, `engine.evaluate`
    qualname: str | None  # through imports: `pkg.engine.evaluate`
    local: str | None = None  # a function of this file: `validate`, `Trainer.validate`, `validate.run`
    args: tuple[str, ...] = ()  # positional argument texts
    kwargs: tuple[tuple[str, str], ...] = ()
    consts: tuple[tuple[str, Value], ...] = ()  # folded arguments (`0`, `'train'`) by position or keyword
    binding: str | None = None
    grad: str | None = None  # innermost gradient context around the call in its function
    method: bool = False  # `self.validate(...)`: `local` names the class method
    targets: tuple[str, ...] = ()  # `data, loader = make(...)`: the names unpacked from the result


@dataclass(frozen=True)
class Loop:
    location: Location  # the `for` statement; its range covers the body
    iter_text: str
    iter_name: str | None  # the loader-like name iterated (`val_loader`, `self.val_loader`)
    iter_key: str | None = None  # `loaders['val']`
    target: str = ""
    grad: str | None = None


@dataclass(frozen=True)
class ModelCall:
    location: Location
    callee: str
    grad: str | None = None
    discarded: bool = False  # a bare expression statement: the output is not used


@dataclass
class FunctionFacts:
    qualname: str  # "<module>" for module-level code
    name: str
    location: Location
    cls: str | None = None
    bases: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    grad: str | None = None  # decorator: no_grad | inference_mode | enable_grad | unknown
    modes: list[ModeCall] = field(default_factory=list)
    calls: list[CallEdge] = field(default_factory=list)
    loops: list[Loop] = field(default_factory=list)
    model_calls: list[ModelCall] = field(default_factory=list)
    grads: list[tuple[str, Location]] = field(default_factory=list)  # `with no_grad():` blocks
    training: list[Location] = field(default_factory=list)  # backward / optimizer steps
    grad_uses: list[Location] = field(default_factory=list)  # autograd.grad, requires_grad_ on inputs
    fresh: tuple[str, ...] = ()  # names bound to a new object built here (`net = Net(…)`, `copy.deepcopy(model)`)


@dataclass
class HandChain:
    """An image read by hand (`cv2.imread`, `Image.open`, a video frame) and converted step by step until a
    call takes it (`model(x)`, `self.transform(x)`), or until the end of its function (`consumer` empty)."""

    pipeline: Pipeline  # origin "hand": steps named in rules/knowledge/handwritten.yaml or the library's
    consumer: str = ""  # dotted callee text
    consumer_location: Location | None = None


@dataclass(frozen=True)
class DropoutCall:
    location: Location
    function: str
    callee: str
    training: Value | None  # None: not given
    spread: bool = False
    flag: str | None = None  # only under `if self.<flag>:`


@dataclass(frozen=True)
class Option:
    """`parser.add_argument('--val-batch-size', type=int, default=1)`: the attribute it sets on the parsed
    namespace and its default (unknown when required, positional or not a constant); also
    `parser.set_defaults(bs=1)`. dest `*`: defaults set from a mapping, any option may change."""

    dest: str
    default: Value
    location: Location
    flag: str = ""  # the option as written (`--val-batch-size`)


@dataclass(frozen=True)
class Import:
    local: str
    module: str
    name: str | None
    level: int = 0


@dataclass(frozen=True)
class Draw:
    """A call that draws random numbers in a function: `np.random.randint(…)`, `random.random()`,
    `T.RandomCrop.get_params(…)`, a random library transform built there (`T.RandomHorizontalFlip()`)."""

    location: Location
    name: str  # as written: `np.random.randint`
    conditions: tuple[str, ...] = ()  # the enclosing `if` tests in its function, as text (`not x` for else)
    index: bool = False  # draws a sample index (`randint(len(self))`): a retry, not augmentation


@dataclass(frozen=True)
class HelperCall:
    """A call from a dataset method to a method, project function or attribute: `self.crop(buf)`,
    `color_aug(img)`, `self.transform(img)`."""

    location: Location
    kind: str  # method (`self.x(…)`) | local (a function of this file) | import
    name: str  # method or attribute name, local qualname, or import path
    args: tuple[tuple[str, str], ...] = ()  # (position or keyword, source text)
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True)
class FunctionDraws:
    """What a function draws at random and which helpers it calls (for dataset classes and the module
    functions their methods call)."""

    qualname: str
    name: str
    location: Location
    params: tuple[str, ...] = ()  # positional and keyword, without self
    draws: tuple[Draw, ...] = ()
    calls: tuple[HelperCall, ...] = ()
    seeded: bool = False  # `np.random.seed(…)`, `random.seed(…)`, `torch.manual_seed(…)` in the function


@dataclass(frozen=True)
class DatasetClass:
    """A Dataset subclass (or a class with `__getitem__`): its constructor's parameters, the attributes
    `__init__` sets from them, and the methods `__getitem__` reaches."""

    qualname: str
    location: Location
    bases: tuple[str, ...] = ()
    params: tuple[str, ...] = ()  # `__init__`'s positional parameters, without self
    defaults: tuple[tuple[str, Value], ...] = ()
    attributes: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # `self.attr = text` under conditions, in order
    methods: tuple[FunctionDraws, ...] = ()  # `__getitem__` and the methods it reaches
    default_pipelines: tuple[tuple[str, str], ...] = ()  # (parameter, pipeline id) built as its default


@dataclass(frozen=True)
class ClassCall:
    """A call of a class that may be a project dataset: `VideoDataset(root, split='val')`."""

    location: Location
    callee: str  # as written
    key: str  # local | import
    name: str  # the local class's qualname, or the import path
    scope: str
    binding: str | None = None
    consts: tuple[tuple[str, Value], ...] = ()  # each argument's folded value (position or keyword)
    spread: bool = False  # `*args` / `**kwargs`: parameters not written out are unknown
    evidence: tuple[Evidence, ...] = ()
    choices: tuple[tuple[str, tuple[tuple[Any, Location], ...]], ...] = ()  # `mode=mode` assigned constants in branches


@dataclass(frozen=True)
class TransformSummary:
    """What a project-defined transform does (extract/summaries.py): a class's `__call__`/`forward` or a module
    function, as steps of the knowledge base's vocabulary. An argument Value of kind `param` (key: the
    constructor parameter) is filled in from the call that builds the transform (relate: Project.resolve_steps)."""

    qualname: str  # in its module: `Normalize`, `to_tensor`
    kind: str  # class | function
    location: Location  # the summarised method or function
    steps: tuple[Step, ...]
    params: tuple[str, ...] = ()  # the constructor's (a class) parameters, without self
    defaults: tuple[tuple[str, Value], ...] = ()


@dataclass(frozen=True)
class CfgNode:
    """A value of an OpenMMLab-style configuration file, read without running it (discovery/mmconfig.py), or
    of a YAML or JSON file (discovery/dataconfig.py):
    a `dict`, a `list` (or tuple), a `const`, a `cls` (a class imported by a new-style config: `text` is its
    import path), a `ref` to a variable of the base configuration (`_base_.x.y`, `{{_base_.x}}`, a name the
    file does not define: `text` is the dotted name), or `unknown` (anything else: `text` is the source)."""

    kind: str
    location: Location
    items: tuple = ()  # dict: ((key, CfgNode), ...); list: (CfgNode, ...)
    const: Any = None
    text: str = ""
    delete: bool = False  # a dict with `_delete_=True`: replaces the base's dict instead of merging into it
    refs: bool = False  # a `ref` is inside (the project stage resolves only those)


@dataclass(frozen=True)
class ConfigFile:
    """An OpenMMLab-style configuration file: its module-level variables, in order, and its bases."""

    bases: tuple[str, ...]  # `_base_` paths as written (relative to the file), or the files a new-style
    # config imports its bases from (`with read_base(): from .._base_.x import *`, as relative paths)
    variables: tuple[tuple[str, CfgNode], ...]
    opaque: str = ""  # why the variables cannot be trusted (a module-level mutation, a loop): nothing is read
    lazy: bool = False  # a new-style config (`read_base()`)
    location: Location | None = None  # the first line of the file (for findings about the file itself)
    code: bool = False  # it also defines functions: read as Python too


@dataclass(frozen=True)
class PretrainedUse:
    """A model built with pretrained weights (extract/pretrained.py), the weights as written. `model` is ""
    when the name is computed at run time, `weights` is "?" when whether it is pretrained is not known."""

    location: Location
    library: str  # torchvision | timm | open_clip | clip
    model: str  # torchvision: the builder's qualified name; timm, open_clip, clip: the model name
    weights: str = ""  # torchvision: `Enum.MEMBER`, `MEMBER`, `DEFAULT` or `legacy`; open_clip: the tag
    binding: str | None = None
    scope: str = "<module>"
    text: str = ""


@dataclass
class FileFacts:
    path: str
    pipelines: list[Pipeline] = field(default_factory=list)
    datasets: list[DatasetUse] = field(default_factory=list)
    splits: list[SplitUse] = field(default_factory=list)
    loaders: list[LoaderUse] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    constants: dict[str, Value] = field(default_factory=dict)
    dataset_calls: list[DatasetCall] = field(default_factory=list)
    functions: list[FunctionFacts] = field(default_factory=list)
    misuses: list[ModeCall] = field(default_factory=list)  # bare `model.eval`, `with torch.no_grad:`
    dropouts: list[DropoutCall] = field(default_factory=list)
    trims: list[Location] = field(default_factory=list)  # `[:len(dataset)]`, `gather_for_metrics`: exact-N gathers
    retransformed: list[tuple[str, str]] = field(default_factory=list)  # (scope, name) of `name….transform = …`
    shuffled_names: list[tuple[str, str]] = field(default_factory=list)  # (scope, variable) a shuffle reorders
    shuffling_classes: list[str] = field(default_factory=list)  # classes whose methods shuffle (datasets that reorder themselves)
    dataset_classes: list[DatasetClass] = field(default_factory=list)
    random_functions: list[FunctionDraws] = field(default_factory=list)  # module functions that draw at random
    class_calls: list[ClassCall] = field(default_factory=list)
    hand_chains: list[HandChain] = field(default_factory=list)  # images read and converted by hand (extract/handprep.py)
    transform_summaries: list["TransformSummary"] = field(default_factory=list)  # extract/summaries.py
    error: str | None = None
    error_location: Location | None = None
    legacy: str | None = None  # parsed with an older grammar (`async=True`): a note, the file is still analysed
    legacy_location: Location | None = None
    lines: tuple[str, ...] = ()
    import_line: int = 0  # 1-based line before which a new module-level import can go (0: unknown)
    options: list[Option] = field(default_factory=list)  # argparse options defined here
    # (root name, first key or `*`, inside a function) of writes to configuration-like objects:
    # `args.bs = 4`, `cfg['val'] = …`, `cfg.merge_from_file(…)`, `setattr(args, k, v)`
    config_writes: list[tuple[str, str, bool]] = field(default_factory=list)
    config: ConfigFile | None = None  # an OpenMMLab-style configuration file (pipelines and loaders as data)
    # a YAML or JSON file that declares pipelines or loaders (Hydra `_target_`, albumentations' serialised form):
    # its documents (discovery/dataconfig.py)
    declared: tuple[CfgNode, ...] = ()
    pretrained: list[PretrainedUse] = field(default_factory=list)  # models built with pretrained weights


