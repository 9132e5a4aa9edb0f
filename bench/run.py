"""Benchmark: evalparity against bare libcst parsing on the same files, in one run.

    python bench/run.py DIR [--jobs N]

Prints R, the time to parse every .py file under DIR with libcst in one process, then evalparity
cold with one job, cold with all cores, and warm (cache filled), each in seconds and as a ratio to R,
with the peak memory of the evalparity process. Each evalparity run is a fresh process.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUN = """
import sys
from pathlib import Path
from evalparity.discovery.cache import Cache
from evalparity.engine import check
from evalparity.extract.files import settle_loaded_facts
from evalparity.vocabulary.knowledge import default_knowledge
settle_loaded_facts()  # as the command line does: this process ends after one run
target, jobs, cache_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
kb = default_knowledge()
cache = Cache(Path(cache_dir), kb.digest) if cache_dir else None
result = check([target], kb=kb, jobs=jobs, cache=cache)
print(len(result.findings), result.files_checked, len(result.errors))
"""


def python_files(root: Path) -> list[Path]:
    skip = {".git", ".venv", "venv", "node_modules", "__pycache__", "build", "dist"}
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skip]
        found += [Path(folder) / n for n in names if n.endswith(".py")]
    return sorted(found)


def bare_parse(files: list[Path]) -> tuple[float, int]:
    import libcst as cst

    sources = []
    for path in files:
        try:
            sources.append(path.read_bytes())
        except OSError:
            pass
    start = time.perf_counter()
    parsed = 0
    for source in sources:
        try:
            cst.parse_module(source)
            parsed += 1
        except Exception:
            pass
    return time.perf_counter() - start, parsed


def run_evalparity(target: Path, jobs: int, cache_dir: str) -> tuple[float, float, str]:
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", RUN, str(target), str(jobs), cache_dir],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    output = process.stdout.read().strip()
    if status != 0:
        sys.exit(f"evalparity failed: {process.stderr.read()}")
    return elapsed, usage.ru_maxrss / 1024, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    files = python_files(args.directory)
    reference, parsed = bare_parse(files)
    print(f"{len(files)} .py files under {args.directory} ({parsed} parse)")
    print(f"{'run':<28}{'seconds':>9}{'x R':>8}{'files/s':>10}{'peak MB':>9}  findings files errors")
    print(f"{'R: bare libcst parse':<28}{reference:>9.2f}{1:>8.3f}{len(files) / reference:>10.0f}{'':>9}")
    with tempfile.TemporaryDirectory() as cache_dir:
        runs = [("cold, --jobs 1", 1, ""), (f"cold, --jobs {args.jobs}", args.jobs, ""),
                (f"fill cache, --jobs {args.jobs}", args.jobs, cache_dir), (f"warm, --jobs {args.jobs}", args.jobs, cache_dir)]
        for label, jobs, cache in runs:
            seconds, peak, output = run_evalparity(args.directory, jobs, cache)
            print(f"{label:<28}{seconds:>9.2f}{seconds / reference:>8.3f}{len(files) / seconds:>10.0f}{peak:>9.0f}  {output}")


if __name__ == "__main__":
    main()
