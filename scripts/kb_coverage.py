#!/usr/bin/env python3
"""Report which public transforms of the supported libraries are missing from the knowledge base.

Developer script, not part of the linter: unlike evalparity itself it *imports* the libraries it checks, so
run it in an environment that has them installed (torch, torchvision, albumentations, kornia, timm). A library
that cannot be imported is reported as "not importable" and skipped.

What counts as a public transform, per knowledge-base library prefix:

* ``torchvision.transforms`` - classes exported by ``torchvision.transforms`` whose defining module is
  ``torchvision.transforms.transforms`` or ``torchvision.transforms.autoaugment`` and whose instances are
  callable (``__call__`` or an ``nn.Module``); enums (``InterpolationMode``, ``AutoAugmentPolicy``) are not
  transforms.
* ``torchvision.transforms.v2`` - classes exported by ``torchvision.transforms.v2`` that subclass
  ``torchvision.transforms.v2.Transform`` (the base class itself excluded).
* ``albumentations`` / ``albumentations.pytorch`` - classes exported by the package that subclass
  ``BasicTransform`` or ``BaseCompose``, minus the abstract bases (BasicTransform, DualTransform,
  ImageOnlyTransform, Transform3D, BaseCompose).
* ``kornia.augmentation`` - ``nn.Module`` classes exported by ``kornia.augmentation``,
  ``kornia.augmentation.auto`` and ``kornia.augmentation.container``, plus the ADA preset; classes whose name
  contains ``Base`` are abstract bases and excluded.
* ``timm.data`` - classes defined in timm's transform modules (transforms, auto_augment, random_erasing, mixup,
  naflex_transforms, naflex_random_erasing, naflex_mixup, tf_preprocessing) whose instances are callable, plus
  the transform factories: ``create_transform`` and ``transforms_*`` in transforms_factory, and the
  ``*_transform`` functions of auto_augment. Functional helpers that take an image (``center_crop_or_pad`` ...)
  are not transforms. A module that cannot be imported (tf_preprocessing needs tensorflow) is read with ``ast``.

* ``openmmlab`` (``--openmmlab DIR …``) - OpenMMLab packages cannot be installed next to torch here, so their
  transform registries are read with ``ast`` from source trees (fetched repositories): every class decorated
  with ``@TRANSFORMS.register_module()`` or ``@PIPELINES.register_module()`` (the registered name when
  ``name=`` is given) under each DIR, a package folder such as ``mmcv/mmcv`` or ``mmdetection/mmdet``. The
  version is read from the package's ``version.py``. Configuration files name these types
  (``dict(type='RandomFlip')``); one knowledge-base file, library ``openmmlab``, covers all the packages.

A name counts as covered when the knowledge-base file for that library prefix has an entry of that name.
Entries with no matching public class are listed as "not in installed version" (information only).
For covered entries the script also compares the recorded ``params`` with the positional parameters of the
installed signature, and the recorded ``p`` default with the signature default, and lists mismatches.

Exit status: 0 when every file loads (missing transforms are reported, not failures); 2 when a knowledge-base
file cannot be read or fails validation.
"""

from __future__ import annotations

import argparse
import ast
import enum
import importlib
import importlib.metadata
import importlib.util
import inspect
import os
import sys
import warnings
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DEFAULT_KB = REPO / "rules" / "knowledge" / "transforms"

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")  # albumentations checks PyPI for updates on import
warnings.filterwarnings("ignore")


# ----------------------------------------------------------------------------- knowledge base
def load_kb(kb_dir: Path) -> dict[str, dict[str, dict]]:
    """library prefix -> {entry name: raw entry}; raises SystemExit(2) on an unreadable or invalid file."""
    validator = None
    sys.path.insert(0, str(REPO / "src"))
    try:
        from evalparity.vocabulary.knowledge import KnowledgeError, load_transform_file  # strict schema check

        validator = (load_transform_file, KnowledgeError)
    except Exception:  # noqa: BLE001 - the package is optional here; plain YAML loading still works
        pass
    finally:
        sys.path.pop(0)
    libraries: dict[str, dict[str, dict]] = {}
    for path in sorted(kb_dir.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("transforms"), dict):
                raise ValueError("expected a mapping with `library` and `transforms`")
            if validator is not None:
                validator[0](path)
        except Exception as exc:  # noqa: BLE001
            print(f"error: {path}: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
        libraries.setdefault(str(data["library"]), {}).update(
            {str(k): (v or {}) for k, v in data["transforms"].items()})
    return libraries


# ----------------------------------------------------------------------------- discovery helpers
def _callable_class(obj: type) -> bool:
    if issubclass(obj, (enum.Enum, BaseException)):
        return False
    try:
        import torch.nn as nn

        if issubclass(obj, nn.Module):
            return True
    except ImportError:
        pass
    return callable(getattr(obj, "__call__", None)) and "__call__" in {
        name for klass in obj.__mro__[:-1] for name in vars(klass)}


def _exported_classes(module) -> dict[str, type]:
    names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
    return {n: getattr(module, n) for n in names if inspect.isclass(getattr(module, n, None))}


def torchvision_v1() -> dict[str, object]:
    import torchvision.transforms as T

    homes = ("torchvision.transforms.transforms", "torchvision.transforms.autoaugment")
    return {n: c for n, c in _exported_classes(T).items() if c.__module__ in homes and _callable_class(c)}


def torchvision_v2() -> dict[str, object]:
    import torchvision.transforms.v2 as v2

    return {n: c for n, c in _exported_classes(v2).items() if issubclass(c, v2.Transform) and c is not v2.Transform}


ALB_BASES = {"BasicTransform", "DualTransform", "ImageOnlyTransform", "Transform3D", "BaseCompose"}


def _albumentations(module_name: str) -> dict[str, object]:
    module = importlib.import_module(module_name)
    from albumentations.core.composition import BaseCompose
    from albumentations.core.transforms_interface import BasicTransform

    return {n: getattr(module, n) for n in dir(module)
            if inspect.isclass(getattr(module, n)) and issubclass(getattr(module, n), (BasicTransform, BaseCompose))
            and n not in ALB_BASES}


def kornia_aug() -> dict[str, object]:
    import torch.nn as nn

    found: dict[str, object] = {}
    for name in ("kornia.augmentation", "kornia.augmentation.auto", "kornia.augmentation.container"):
        for n, c in _exported_classes(importlib.import_module(name)).items():
            if issubclass(c, nn.Module) and c.__module__.startswith("kornia.augmentation") and "Base" not in n:
                found[n] = c
    try:
        from kornia.augmentation.presets.ada import AdaptiveDiscriminatorAugmentation

        found["AdaptiveDiscriminatorAugmentation"] = AdaptiveDiscriminatorAugmentation
    except ImportError:
        pass
    return found


TIMM_CLASS_MODULES = ("transforms", "auto_augment", "random_erasing", "mixup", "naflex_transforms",
                      "naflex_random_erasing", "naflex_mixup", "tf_preprocessing")


def _classes_by_ast(module_name: str) -> dict[str, object]:
    spec = importlib.util.find_spec(module_name)
    if spec is None or not spec.origin:
        return {}
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    return {node.name: None for node in tree.body
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_")
            and any(isinstance(f, ast.FunctionDef) and f.name in ("__call__", "forward") for f in node.body)}


def timm_data() -> dict[str, object]:
    found: dict[str, object] = {}
    for short in TIMM_CLASS_MODULES:
        name = f"timm.data.{short}"
        try:
            module = importlib.import_module(name)
        except ImportError:
            found.update(_classes_by_ast(name))
            continue
        for n, obj in vars(module).items():
            if n.startswith("_") or getattr(obj, "__module__", None) != name:
                continue
            if inspect.isclass(obj) and _callable_class(obj):
                found[n] = obj
            elif short == "auto_augment" and inspect.isfunction(obj) and n.endswith("_transform"):
                found[n] = obj
    factory = importlib.import_module("timm.data.transforms_factory")
    for n, obj in vars(factory).items():
        if inspect.isfunction(obj) and obj.__module__ == factory.__name__ and (
                n == "create_transform" or n.startswith("transforms_")):
            found[n] = obj
    return found


LIBRARIES = [  # (knowledge-base prefix, distribution for the version, discovery function)
    ("torchvision.transforms", "torchvision", torchvision_v1),
    ("torchvision.transforms.v2", "torchvision", torchvision_v2),
    ("albumentations", "albumentations", lambda: _albumentations("albumentations")),
    ("albumentations.pytorch", "albumentations", lambda: _albumentations("albumentations.pytorch")),
    ("kornia.augmentation", "kornia", kornia_aug),
    ("timm.data", "timm", timm_data),
]


OPENMMLAB_REGISTRIES = ("TRANSFORMS", "PIPELINES")


def openmmlab_registry(root: Path) -> dict[str, str]:
    """Registered transform name -> `path:line` of its class, read with ast from a package's source tree."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            for decorator in node.decorator_list:
                func = decorator.func if isinstance(decorator, ast.Call) else decorator
                if not (isinstance(func, ast.Attribute) and func.attr == "register_module"
                        and isinstance(func.value, ast.Name) and func.value.id in OPENMMLAB_REGISTRIES):
                    continue
                name = node.name
                for keyword in decorator.keywords if isinstance(decorator, ast.Call) else ():
                    if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                        name = str(keyword.value.value)
                found.setdefault(name, f"{path.relative_to(root.parent).as_posix()}:{node.lineno}")
    return found


def _source_version(root: Path) -> str:
    for candidate in (root / "version.py", root / "__init__.py"):
        try:
            text = candidate.read_text(encoding="utf-8")
        except OSError:
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__version__"
                                                    for t in node.targets) and isinstance(node.value, ast.Constant):
                return str(node.value.value)
    return "-"


def openmmlab_rows(roots: list[Path], entries: dict[str, dict]) -> tuple[list[tuple], list[str]]:
    rows, seen = [], set()
    for root in roots:
        registered = openmmlab_registry(root)
        seen |= set(registered)
        missing = sorted(set(registered) - set(entries))
        rows.append((f"openmmlab ({root.name}: {root})", _source_version(root), str(len(registered)),
                     str(len(registered) - len(missing)), ", ".join(missing) if missing else "-"))
    stale = sorted(set(entries) - seen)
    details = [f"openmmlab: in the knowledge base but registered in none of the trees read: {', '.join(stale)}"] \
        if stale else []
    return rows, details


# ----------------------------------------------------------------------------- signature check
def positional_params(obj) -> tuple[list[str], object]:
    """Positional parameter names of a class constructor or function, and the default of `p` if any."""
    target = obj.__init__ if inspect.isclass(obj) else obj
    params = list(inspect.signature(target).parameters.values())
    if inspect.isclass(obj):
        params = params[1:]
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    p_default = next((p.default for p in params if p.name == "p"), inspect.Parameter.empty)
    return names, p_default


def signature_problems(name: str, entry: dict, obj) -> list[str]:
    if obj is None:
        return []
    try:
        actual, p_default = positional_params(obj)
    except (TypeError, ValueError):
        return []
    problems = []
    recorded = list(entry.get("params") or [])
    if recorded != actual[:len(recorded)] or (actual and not recorded and entry.get("kind") not in ("compose", "wrapper")):
        problems.append(f"{name}: params {recorded} vs signature {actual}")
    p_spec = entry.get("p")
    if isinstance(p_spec, dict) and p_spec.get("name") == "p" and p_default is not inspect.Parameter.empty:
        if p_spec.get("default") is None or float(p_spec["default"]) != float(p_default):
            problems.append(f"{name}: p default {p_spec.get('default')} vs signature {p_default}")
    return problems


# ----------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb-dir", type=Path, default=DEFAULT_KB, help="folder of transform YAML files")
    parser.add_argument("--openmmlab", type=Path, nargs="*", default=[], metavar="DIR",
                        help="OpenMMLab package source trees (mmcv/mmcv, mmdetection/mmdet, …) to read registries from")
    parser.add_argument("--only-openmmlab", action="store_true", help="skip the importable libraries")
    args = parser.parse_args(argv)
    kb = load_kb(args.kb_dir)

    rows, details = [], []
    for prefix, dist, discover in ([] if args.only_openmmlab else LIBRARIES):
        try:
            version = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        try:
            public = discover()
        except Exception as exc:  # noqa: BLE001 - report and go on with the other libraries
            rows.append((prefix, version, "-", "-", f"not importable: {type(exc).__name__}: {exc}"))
            continue
        entries = kb.get(prefix, {})
        missing = sorted(set(public) - set(entries))
        covered = len(public) - len(missing)
        rows.append((prefix, version, str(len(public)), str(covered), ", ".join(missing) if missing else "-"))
        stale = sorted(set(entries) - set(public))
        if stale:
            details.append(f"{prefix}: in the knowledge base but not in the installed version: {', '.join(stale)}")
        problems = [msg for n in sorted(set(public) & set(entries))
                    for msg in signature_problems(n, entries[n], public[n])]
        details.extend(f"{prefix}: {msg}" for msg in problems)

    if args.openmmlab:
        more, notes = openmmlab_rows(args.openmmlab, kb.get("openmmlab", {}))
        rows.extend(more)
        details.extend(notes)
    header = ("library", "version", "public transforms", "covered", "missing")
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(4)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths)) + "  " + header[4]
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[4])
    if details:
        print()
        print("notes:")
        for d in details:
            print(f"  {d}")
    else:
        print("\nno signature mismatches, no stale entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
