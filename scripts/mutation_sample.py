"""A sampled mutation score per package, with a fast test selection per module (docs/contributing.md).

mutmut generates the mutants (`--generate`, mutmut's own first step): mutants/src holds every mutated function next to the original, and the one named in the
environment variable MUTANT_UNDER_TEST is the one that runs. This script draws a fixed-seed sample of those
mutants per package, runs for each only the tests that exercise its module (a check's own fixtures, a
reporter's golden files), stops at the first failing test, and prints the score per package and every
survivor. mutmut's own `run` does the same for every mutant with the tests its stats associate with each
function, which on this project takes hours.

    python scripts/mutation_sample.py --generate --per-package 30 --timeout 150 [--only checks,report] [--json out.json]

Run it under `nice -n 10`. A survivor is shown with `mutmut show NAME` (from the repository root).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
PACKAGES = ("checks", "relate", "report", "fixes", "suppress", "baseline")
# the tests that exercise each package; a check's module adds `-k EPxxx` for its own fixtures
TESTS = {
    "checks": ["tests/test_fixtures.py", "tests/test_fixture_output.py", "tests/test_severity.py", "tests/test_modes_checks.py", "tests/test_fixes.py"],
    "relate": ["tests/test_fixtures.py", "tests/test_modes_flow.py", "tests/test_callees.py",
               "tests/test_loaders_roles.py", "tests/test_resolver.py", "tests/test_severity.py",
               "tests/test_project_modules.py",
               # the YAML/JSON pipelines, mmcv configs, configuration values, model layers, hand-written chains
               "tests/test_dataconfig.py", "tests/test_mmconfig.py", "tests/test_config_values.py",
               "tests/test_model_layers.py", "tests/test_hand_chains.py"],
    "report": ["tests/test_golden_levels.py", "tests/test_formats.py", "tests/test_report_contracts.py",
               "tests/test_progress.py", "tests/test_notebooks.py", "tests/test_positions.py",
               "tests/test_properties.py", "tests/test_examples.py", "tests/test_suppress.py",
               # the summary's fix and baseline lines, the pipelines view, the text report, the command line
               "tests/test_text_report.py", "tests/test_fixer.py", "tests/test_baseline.py", "tests/test_flags.py",
               "tests/test_cli.py", "tests/test_summary.py", "tests/test_report_handbuilt.py"],
    "fixes": ["tests/test_fix_edits.py", "tests/test_fix_rounds.py", "tests/test_fixes.py", "tests/test_fixer.py",
              "tests/test_flags.py", "tests/test_stdin.py", "tests/test_fixture_output.py"] + [
        f"tests/test_never_harm.py::{name}" for name in (  # the fix tests there (the file also drives processes)
            "test_a_sampler_that_may_be_none_is_neither_claimed_nor_fixed",
            "test_eval_mode_fix_restores_training_and_introduces_nothing",
            "test_a_fix_that_would_introduce_a_finding_is_refused", "test_missing_parentheses_and_missing_eval_fix_once",
            "test_a_factory_shared_by_both_splits_is_reported_but_never_fixed",
            "test_a_setting_merged_from_a_shared_dict_is_reported_but_never_fixed")],
    "suppress": ["tests/test_suppress.py", "tests/test_properties.py", "tests/test_notebooks.py"],
    "baseline": ["tests/test_baseline.py", "tests/test_properties.py"],
}


def wilson(killed: int, n: int, z: float = 1.645) -> tuple[float, float]:
    """The Wilson score interval of a killed share (z = 1.645: 90 % two-sided), honest at small n and near 100 %."""
    if n == 0:
        return 0.0, 1.0
    p = killed / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def sizes_of(text: str, default: int) -> dict[str, int]:
    """`checks=60,fixes=40`: the sample size per package (the others take --per-package)."""
    sizes = dict.fromkeys(PACKAGES, default)
    for item in filter(None, text.split(",")):
        package, _, size = item.partition("=")
        sizes[package] = int(size)
    return sizes


def package_of(source: Path) -> str:
    parts = source.relative_to(MUTANTS / "src" / "evalparity").with_suffix("").parts
    name = parts[0].removesuffix(".py")
    return name if name in PACKAGES else ""


def mutants_by_package() -> dict[str, list[tuple[str, Path]]]:
    found = defaultdict(list)
    for meta in sorted((MUTANTS / "src" / "evalparity").rglob("*.py.meta")):
        source = meta.with_suffix("")
        package = package_of(source)
        if not package:
            continue
        names = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        found[package] += [(name, source) for name in sorted(names)]
    return found


def selection(package: str, source: Path) -> list[str]:
    tests = list(TESTS[package])
    if package == "checks":
        code = re.search(r'^CODE = "(EP\d+)"', source.read_text(encoding="utf-8"), re.M)
        if code:  # the check's fixtures and whatever else names its code
            return tests + ["-k", code.group(1)]
    return tests


def run(name: str, tests: list[str], timeout: float) -> str:
    env = {**os.environ, "MUTANT_UNDER_TEST": name, "PYTHONPATH": str(MUTANTS / "src"), "PYTHONHASHSEED": "0"}
    try:
        done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                               *tests],
                              cwd=MUTANTS, env=env, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout"  # counted as killed: an endless loop is noticed
    if done.returncode == 0:
        return "survived"
    if done.returncode == 1:
        return "killed"
    return "no tests" if done.returncode == 5 else f"error {done.returncode}"


def generate() -> None:
    """mutmut's own first step (the start of `mutmut run`): copy src/ into mutants/ and mutate the files of
    [tool.mutmut] only_mutate; files whose mutants are up to date are left alone."""
    from mutmut.__main__ import (
        copy_also_copy_files,
        copy_src_dir,
        create_mutants,
        set_mutant_under_test,
        setup_source_paths,
    )

    os.chdir(ROOT)
    MUTANTS.mkdir(exist_ok=True)
    if not (MUTANTS / ".git").exists():  # see scripts/mutation.sh: mutants/ must not look git-ignored
        subprocess.run(["git", "init", "-q", str(MUTANTS)], check=True)
    set_mutant_under_test("mutant_generation")
    copy_src_dir()
    copy_also_copy_files()
    setup_source_paths()
    stats = create_mutants(2)
    set_mutant_under_test("")
    print(f"mutants: {stats.mutated} files mutated, {stats.unmodified} up to date", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-package", type=int, default=40)
    parser.add_argument("--sizes", default="", help="sample size per package, e.g. checks=60,fixes=40")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--only", default=",".join(PACKAGES))
    parser.add_argument("--names", nargs="*", help="run exactly these mutants (after a fix, to re-check survivors)")
    parser.add_argument("--json")
    parser.add_argument("--generate", action="store_true", help="generate or update mutants/ with mutmut first")
    parser.add_argument("--no-sync", action="store_true", help="keep mutants/tests as it is (another run uses it)")
    args = parser.parse_args()
    if args.generate:
        generate()
    if not (MUTANTS / "src").is_dir():
        sys.exit("no mutants/: run with --generate first")
    # the current tests and fixtures, not the ones mutmut copied when it generated the mutants
    if not args.no_sync:
        shutil.rmtree(MUTANTS / "tests", ignore_errors=True)
        shutil.copytree(ROOT / "tests", MUTANTS / "tests", ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
        shutil.copy2(ROOT / "pyproject.toml", MUTANTS / "pyproject.toml")
    everything = mutants_by_package()
    sizes = sizes_of(args.sizes, args.per_package)
    chosen: dict[str, list[tuple[str, Path]]] = {}
    for package in args.only.split(","):
        pool = everything.get(package, [])
        if args.names:
            chosen[package] = [m for m in pool if m[0] in args.names]
        else:
            chosen[package] = sorted(random.Random(args.seed).sample(pool, min(sizes[package], len(pool))))
    # the unmutated code must pass every selection, or a "kill" means nothing: each package's test files
    # once, whole (a check's `-k EPxxx` selections are parts of them)
    for package, picked in chosen.items():
        if picked and run("", TESTS[package], args.timeout * 6) != "survived":
            sys.exit(f"the unmutated code fails {' '.join(TESTS[package])}: fix that first")
    outcomes: dict[str, dict[str, str]] = {}
    for package, picked in chosen.items():
        outcomes[package] = {}
        for name, source in picked:
            start = time.monotonic()
            outcome = run(name, selection(package, source), args.timeout)
            outcomes[package][name] = outcome
            print(f"{outcome:9} {time.monotonic() - start:5.1f}s {name}", flush=True)
    print()
    print(f"{'package':10} {'mutants':>7} {'sampled':>7} {'killed':>6} {'survived':>8} {'score':>6} {'90% Wilson':>11}")
    for package, results in outcomes.items():
        killed = sum(1 for o in results.values() if o in ("killed", "timeout"))
        survived = sum(1 for o in results.values() if o == "survived")
        scored = killed + survived
        score = f"{100 * killed / scored:.0f}%" if scored else "-"
        low, high = wilson(killed, scored)
        print(f"{package:10} {len(everything.get(package, [])):7} {len(results):7} {killed:6} {survived:8} {score:>6}"
              f" {100 * low:4.0f}-{100 * high:.0f}%")
    for package, results in outcomes.items():
        for name, outcome in results.items():
            if outcome not in ("killed", "timeout"):
                print(f"{outcome}: {name}")
    if args.json:
        Path(args.json).write_text(json.dumps(outcomes, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
