"""Plain data extracted from one file: no CST nodes, so it can be cached and compared."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TRAIN = "train"
EVAL = "eval"
UNKNOWN = "unknown"


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
    ``unknown`` (a parameter, attribute or anything not followed), or ``ref`` (an imported name that the
    project stage resolves)."""

    kind: str
    const: Any = None
    key: str = ""
    text: str = ""
    origin: Location | None = None

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

    @property
    def short_name(self) -> str:
        return (self.qualname or self.name).rpartition(".")[2]


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
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class Ref:
    """How a dataset call names its pipeline: a binding, an attribute, an inline pipeline or a dict item."""

    kind: str  # name | attr | inline | item | call
    scope: str
    name: str = ""
    key: str = ""
    pipeline_ids: tuple[str, ...] = ()


@dataclass
class DatasetUse:
    location: Location
    callee: str
    ref: Ref
    scope: str
    binding: str | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(frozen=True)
class SplitUse:
    """``a, b = random_split(ds, …)`` or ``b = Subset(ds, …)``."""

    location: Location
    callee: str
    source: str
    targets: tuple[str, ...]
    scope: str


@dataclass(frozen=True)
class LoaderUse:
    location: Location
    dataset: str
    binding: str | None
    scope: str


@dataclass(frozen=True)
class Import:
    local: str
    module: str
    name: str | None
    level: int = 0


@dataclass
class FileFacts:
    path: str
    pipelines: list[Pipeline] = field(default_factory=list)
    datasets: list[DatasetUse] = field(default_factory=list)
    splits: list[SplitUse] = field(default_factory=list)
    loaders: list[LoaderUse] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    constants: dict[str, Value] = field(default_factory=dict)
    error: str | None = None
    error_location: Location | None = None
    lines: tuple[str, ...] = ()


