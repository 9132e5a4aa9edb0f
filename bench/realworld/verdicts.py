"""Judge whole-repository findings: every warning and error of a benchmark run, read by a person.

`bench/realworld/verdicts/SLUG.yaml` holds, for one (repository, commit) of the run, what kind of
repository it is and a verdict on each warning or error found there:

    repo: owner/name
    commit: 40-hex
    kind: scripts            # scripts (you run its train.py) or library (you import it)
    findings:
      - {code: EP401, path: data_provider/data_factory.py, line: 19, verdict: true, why: "..."}

Verdicts: `true` (a careful maintainer fixes it), `wrong` (the claim is false on this code), `noise`
(accurate, but a maintainer would shrug), `duplicate` (the same root cause as another finding that
is reported already). A finding is identified by code, path and line, so verdicts survive message
changes; a finding that moves or appears is listed as unjudged.

    python bench/realworld/verdicts.py OUT NAME             # the table by rule, unjudged findings
    python bench/realworld/verdicts.py OUT NAME --pending   # YAML stubs for the unjudged findings
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
VERDICTS = HERE / "verdicts"
KINDS = ("true", "wrong", "noise", "duplicate")


def slug(repo: str, commit: str) -> str:
    return f"{repo.replace('/', '__')}__{commit[:10]}"


def judged_findings(run: list[dict]) -> list[tuple[dict, dict]]:
    """(run entry, finding) for every warning and error of a run, EP9xx notes left out."""
    return [(entry, finding) for entry in run for finding in entry["findings"]
            if finding["severity"] != "info" and not finding["code"].startswith("EP9")]


def load_verdicts(directory: Path = VERDICTS) -> dict[str, dict]:
    return {path.stem: yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for path in sorted(directory.glob("*.yaml"))}


def python_lines(root: Path) -> int:
    total = 0
    for path in root.rglob("*.py"):
        try:
            total += path.read_bytes().count(b"\n")
        except OSError:
            continue
    return total


def tally(out: Path, name: str, verdicts: dict[str, dict], stream=sys.stdout) -> list[tuple[dict, dict]]:
    run = json.loads((out / f"{name}.findings.json").read_text(encoding="utf-8"))
    table: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    by_kind: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    pending: list[tuple[dict, dict]] = []
    lines_by_kind: collections.Counter = collections.Counter()
    for entry in run:
        record = verdicts.get(slug(entry["repo"], entry["commit"]), {})
        kind = record.get("kind", "unknown")
        lines_by_kind[kind] += python_lines(out / slug(entry["repo"], entry["commit"]))
    for entry, finding in judged_findings(run):
        record = verdicts.get(slug(entry["repo"], entry["commit"]), {})
        known = {(v["code"], v["path"], v["line"]): v["verdict"] for v in record.get("findings") or []}
        verdict = known.get((finding["code"], finding["path"], finding["line"]))
        verdict = str(verdict).lower() if verdict is not None else "unjudged"
        if verdict == "unjudged":
            pending.append((entry, finding))
        table[finding["code"]][verdict] += 1
        table["all"][verdict] += 1
        by_kind[record.get("kind", "unknown")][verdict] += 1
    columns = (*KINDS, "unjudged")
    print(f"{'rule':8}" + "".join(f"{c:>10}" for c in columns) + f"{'worth':>8}", file=stream)
    for code in sorted(table, key=lambda c: (c == "all", c)):
        row = table[code]
        total = sum(row.values())
        judged = total - row["unjudged"]
        worth = f"{row['true'] / judged:.2f}" if judged else "-"
        print(f"{code:8}" + "".join(f"{row[c]:>10}" for c in columns) + f"{worth:>8}", file=stream)
    lines = sum(lines_by_kind.values())
    wrong = table["all"]["wrong"]
    print(f"\n{len(run)} repository snapshots, {lines:,} lines of Python "
          f"({', '.join(f'{k}: {v:,}' for k, v in sorted(lines_by_kind.items()))}); "
          f"wrong per 100k lines: {wrong / lines * 1e5:.2f}" if lines else "", file=stream)
    for kind, row in sorted(by_kind.items()):
        print(f"  {kind}: " + ", ".join(f"{c} {row[c]}" for c in columns if row[c]), file=stream)
    return pending


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("name")
    parser.add_argument("--verdicts", type=Path, default=VERDICTS)
    parser.add_argument("--pending", action="store_true", help="print YAML stubs for the unjudged findings")
    args = parser.parse_args(argv)
    verdicts = load_verdicts(args.verdicts)
    pending = tally(args.out, args.name, verdicts, stream=sys.stderr if args.pending else sys.stdout)
    if args.pending:
        for entry, finding in pending:
            print(f"# {slug(entry['repo'], entry['commit'])}: {finding['message']}")
            print(f"- {{code: {finding['code']}, path: {finding['path']}, line: {finding['line']}, "
                  f"verdict: , why: \"\"}}")
    elif pending:
        print(f"\n{len(pending)} unjudged: run with --pending for stubs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
