"""Cross-file resolution: which file a module name means, and what an imported name is there."""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Callable

from evalparity.discovery.dataconfig import DATA_SUFFIXES
from evalparity.discovery.paths import FileError, read_source
from evalparity.facts import FileFacts, Pipeline, Step, TransformSummary, Value
from evalparity.relate.callees import reexport

MAX_HOPS = 5


@lru_cache(maxsize=65536)  # a pure function of the path, asked again and again while resolving calls
def _dotted(path: str) -> tuple[str, ...]:
    parts = PurePosixPath(path.replace("\\", "/")).with_suffix("").parts
    parts = tuple(p for p in parts if p not in ("", ".", "/"))
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return parts


def _inside(path: str, package: tuple[str, ...]) -> bool:
    return _dotted(path)[:len(package)] == package


class Project:
    """The analysed files, plus deferred ones (skipped by the prefilter) that are extracted only when
    an import needs a constant or pipeline from them."""

    def __init__(self, files: dict[str, FileFacts], deferred: dict[str, Callable[[], FileFacts | None]] | None = None,
                 libraries: frozenset[str] = frozenset(), parsers: frozenset[str] | None = None):
        self.files = files
        self._parsers = parsers  # skipped files that define command-line options (None: not known, read them)
        # packages whose behaviour the knowledge base describes (`torch`, `torchvision`, …): a copy of one
        # inside the checked folder is followed only from its own modules, so that a call into it means what
        # it means when the library is installed
        self.libraries = libraries
        self._deferred = dict(deferred or {})
        self._suffixes: dict[tuple[str, ...], list[str]] = {}
        self._imports: dict[str, set[str]] = {}
        self._derived: dict[Callable, object] = {}
        self.kb = None  # set by the engine: which steps the knowledge base describes (summaries stand in for the rest)
        for path in list(files) + list(self._deferred):
            if path.endswith(DATA_SUFFIXES):
                continue  # a YAML or JSON file: no module name means it
            parts = _dotted(path)
            for start in range(len(parts)):
                self._suffixes.setdefault(parts[start:], []).append(path)

    def module_file(self, importer: str, module: str) -> str | None:
        """The project file a module name refers to, seen from `importer` (relative names start with dots)."""
        level = len(module) - len(module.lstrip("."))
        parts = tuple(p for p in module[level:].split(".") if p)
        if level:
            folder = _dotted(str(PurePosixPath(importer.replace("\\", "/")).parent / "x.py"))[:-1]
            folder = folder[: len(folder) - (level - 1)] if level > 1 else folder
            target = folder + parts
            exact = [c for c in self._suffixes.get(target, []) if _dotted(c) == target]
            return exact[0] if exact else None
        candidates = self._suffixes.get(parts, [])
        if parts and parts[0] in self.libraries:
            candidates = [c for c in candidates if _inside(importer, _dotted(c)[:len(_dotted(c)) - len(parts) + 1])]
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        here = _dotted(importer)[:-1]
        # a script imports from the folder it runs in or above it (its sys.path): a candidate whose
        # top-level folder is an ancestor of the importer wins, the nearest first
        rooted = [c for c in candidates if here[:len(_dotted(c)) - len(parts)] == _dotted(c)[:-len(parts)]]
        if rooted:
            depth = max(len(_dotted(c)) for c in rooted)
            nearest = [c for c in rooted if len(_dotted(c)) == depth]
            if len(nearest) == 1:
                return nearest[0]

        def shared(path: str) -> int:
            count = 0
            for a, b in zip(here, _dotted(path)):
                if a != b:
                    break
                count += 1
            return count

        ranked = sorted(candidates, key=shared, reverse=True)
        return ranked[0] if shared(ranked[0]) > shared(ranked[1]) else None

    def split_qualname(self, importer: str, qualname: str) -> tuple[str, str] | None:
        """`pkg.data.MEAN` → (file of pkg.data, 'MEAN'), trying the longest module prefix first."""
        level = len(qualname) - len(qualname.lstrip("."))
        parts = qualname[level:].split(".")
        for cut in range(len(parts) - 1, -1, -1):
            if cut == 0 and level == 0:
                break
            path = self.module_file(importer, "." * level + ".".join(parts[:cut]))
            if path is not None:
                return path, ".".join(parts[cut:])
        return None

    def derived(self, build: Callable[["Project"], object]):
        """A project-wide analysis (call graph, loader roles, …), built on first use and kept for this run."""
        if build not in self._derived:
            self._derived[build] = build(self)
        return self._derived[build]

    def deferred_paths(self) -> list[str]:
        """Files skipped by the prefilter and not loaded yet."""
        return list(self._deferred)

    def deferred_parsers(self) -> dict[str, bytes]:
        """The text of each skipped file not loaded yet that defines command-line options: known from the
        prefilter's reading (kept in the cache's manifest), so a warm run reads only those."""
        found = {}
        for path in (self._deferred if self._parsers is None else self._parsers & self._deferred.keys()):
            data = read_source(Path(path))
            if not isinstance(data, FileError) and (b"add_argument" in data or b"set_defaults" in data):
                found[path] = data
        return found

    def source_of(self, path: str) -> bytes | None:
        """A project file's text, analysed or skipped, without extracting it."""
        if path in self.files:
            return "\n".join(self.files[path].lines).encode()
        return self.deferred_source(path)

    def deferred_source(self, path: str) -> bytes | None:
        """The text of a deferred file not extracted yet (None for an analysed or unreadable file)."""
        if path in self.files or path not in self._deferred:
            return None
        data = read_source(Path(path))
        return None if isinstance(data, FileError) else data

    def facts(self, path: str) -> FileFacts | None:
        if path in self.files:
            return self.files[path]
        load = self._deferred.pop(path, None)
        loaded = load() if load is not None else None
        if loaded is not None:
            self.files[path] = loaded
        return loaded

    def imports_of(self, path: str) -> set[str]:
        """Project files that `path` imports from."""
        cached = self._imports.get(path)
        if cached is None:
            cached = set()
            for record in self.facts(path).imports:
                dots = "." * record.level
                module = dots + record.module
                target = self.module_file(path, module) if module.strip(".") or record.level else None
                if target is None and record.name:
                    target = self.module_file(path, f"{module}.{record.name}" if record.module else dots + record.name)
                if target is not None and target != path:
                    cached.add(target)
            self._imports[path] = cached
        return cached

    def pipelines_named(self, importer: str, qualname: str, built_in: bool = False) -> list[Pipeline]:
        """The module-level pipelines bound to an imported name, or (`built_in`) those built in the body of the
        imported function of that name (a factory such as `get_transform(phase)`)."""
        found = self.split_qualname(importer, qualname)
        if found is None:
            return []
        path, name = found
        facts = self.facts(path)
        if facts is None:
            return []
        direct = [p for p in facts.pipelines if (p.scope == name if built_in else
                                                  p.scope == "<module>" and p.binding == name)]
        if direct:
            return direct
        for record in facts.imports:
            if record.local == name and record.name:
                target = "." * record.level + (f"{record.module}." if record.module else "") + record.name
                return self.pipelines_named(path, target, built_in) if target != qualname else []
        return []

    def resolve_value(self, importer: str, value: Value, hops: int = 0) -> Value:
        """An imported constant (`ref`) or a read of configuration (`config`, relate/config_values.py) as
        the constant it is, when the project says; else the value unchanged."""
        if value.kind == "config":
            from evalparity.relate.config_values import config_values

            return config_values(self).resolve(importer, value)
        if value.kind != "ref" or hops > MAX_HOPS:
            return value
        found = self.split_qualname(importer, value.key)
        if found is None:
            return value
        path, name = found
        facts = self.facts(path)
        if facts is None:
            return value
        if name in facts.constants:
            if "." in name and not self._configured(importer, value, path, name):
                return value
            resolved = self.resolve_value(path, facts.constants[name], hops + 1)
            if "." in name and resolved.is_const and not resolved.source:
                where = f" in {resolved.origin.short()}" if resolved.origin is not None else f" in {path}"
                resolved = dataclasses.replace(resolved, source=f"`{name}`{where}")
            return dataclasses.replace(resolved, text=value.text) if resolved.kind != "ref" else value
        for record in facts.imports:
            if record.local == name and record.name:
                target = "." * record.level + (f"{record.module}." if record.module else "") + record.name
                nested = Value("ref", key=target, text=value.text)
                resolved = self.resolve_value(path, nested, hops + 1)
                return resolved if resolved.kind != "ref" else value
        return value

    def _configured(self, importer: str, value: Value, path: str, name: str) -> bool:
        """A constant of a configuration module's object (`cfg.VAL.BS`, `C['val']['bs']`) holds when no
        file changes that part of the object: not the reading file (`cfg.merge_from_file(…)`), not a
        function of the module itself (`def cfg_from_file(…)`), nor any other analysed file."""
        from evalparity.relate.config_values import config_values, read_root

        root, _, rest = name.partition(".")
        key = rest.partition(".")[0]
        roots = {root, read_root(value.text), read_root(self.facts(path).constants[name].text)}
        return not config_values(self).written(roots, key, defining=path)

    def resolve_steps(self, pipeline: Pipeline) -> Pipeline:
        """Imported constants and configuration reads in the steps' arguments resolved, and each step that is
        a summarised project transform (extract/summaries.py) replaced by the steps of its summary."""
        def fix_args(step: Step) -> Step:
            args = tuple(
                dataclasses.replace(a, value=self.resolve_value(pipeline.path, a.value))
                if a.value.kind in ("ref", "config") else a
                for a in step.args
            )
            return dataclasses.replace(step, args=args)

        def fix(step: Step) -> tuple[Step, ...]:
            step = fix_args(step)
            summary = self.summary_of(pipeline.path, step) if not step.children else None
            if summary is not None:
                return self._substituted(step, summary)
            children = tuple(c for child in step.children for c in fix(child))
            return (dataclasses.replace(step, children=children),)

        steps = tuple(s for step in pipeline.steps for s in fix(step))
        if steps == pipeline.steps:
            return pipeline
        return dataclasses.replace(pipeline, steps=steps)

    def summary_of(self, importer: str, step: Step) -> TransformSummary | None:
        """The summary of the project class or function a step names (through imports), if it has one."""
        kb = self.kb
        if kb is None or (step.qualname is not None and kb.lookup(step.qualname) is not None):
            return None
        if step.qualname is None:
            if not step.name.isidentifier():
                return None
            facts = self.facts(importer)
            if facts is None:
                return None
            found = next((s for s in facts.transform_summaries if s.qualname == step.name), None)
            if found is None:  # `jitter` passed by name, imported with `from aug import jitter`
                record = next((r for r in facts.imports if r.local == step.name and r.name), None)
                if record is not None:
                    target = "." * record.level + (f"{record.module}." if record.module else "") + record.name
                    return self._summary_in(importer, target, 0)
            return found
        return self._summary_in(importer, step.qualname, 0)

    def _summary_in(self, importer: str, qualname: str, hops: int) -> TransformSummary | None:
        found = self.split_qualname(importer, qualname)
        if found is None or hops > MAX_HOPS:
            return None
        path, name = found
        data = self.deferred_source(path)
        if data is not None and not _may_define_transform(data, name.rpartition(".")[2]):
            how, target = reexport(data, name)  # a deferred file is extracted only for a transform it defines
            return self._summary_in(path, target, hops + 1) if how == "imported" and target != qualname else None
        facts = self.facts(path)
        if facts is None:
            return None
        for summary in facts.transform_summaries:
            if summary.qualname == name:
                return summary
        for record in facts.imports:
            if record.local == name and record.name:
                target = "." * record.level + (f"{record.module}." if record.module else "") + record.name
                return self._summary_in(path, target, hops + 1) if target != qualname else None
        return None

    def _substituted(self, step: Step, summary: TransformSummary) -> tuple[Step, ...]:
        """The summary's steps at the step's place, its constructor parameters filled in from the step's
        arguments (else their defaults; unknown when not given or spread)."""
        given: dict[str, Value] = dict(summary.defaults)
        for a in step.args:
            if a.name is None and a.position is None:
                given = {}  # `*args` / `**kw`: what each parameter gets is not known
                break
            key = a.name if a.name is not None else (
                summary.params[a.position] if a.position is not None and a.position < len(summary.params) else None)
            if key is not None:
                given[key] = a.value
        home = summary.location.path

        def fill(value: Value) -> Value:
            if value.kind == "param":
                return given.get(value.key) or Value("unknown", text=value.text)
            return self.resolve_value(home, value) if value.kind in ("ref", "config") else value

        return tuple(Step(s.qualname, step.name, tuple(dataclasses.replace(a, value=fill(a.value)) for a in s.args),
                          step.location, condition=step.condition, synthetic=True, defined=s.location)
                     for s in summary.steps)


def _walk(steps):
    for step in steps:
        yield step
        yield from _walk(step.children)


walk_steps = _walk


def _may_define_transform(source: bytes, name: str) -> bool:
    """Whether a file's text may define `name` as something extract/summaries.py summarises: a function, or a
    class with `__call__` or `forward`."""
    encoded = name.encode()
    if b"def " + encoded + b"(" in source:
        return True
    return b"class " + encoded in source and (b"def __call__" in source or b"def forward" in source)
