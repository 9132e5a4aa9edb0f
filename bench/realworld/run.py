"""The public benchmark of documented train/eval defects: recall and precision of evalparity on real code.

    python bench/realworld/run.py --check MIRROR          # every line, token and related line at its commit
    python bench/realworld/run.py MIRROR OUT              # materialize, run evalparity, print the tables
    python bench/realworld/run.py --clone MIRROR          # git clone what is missing (needs network access)

MIRROR is a folder of git clones (bare or not), one per repository, named `owner+name` (optionally with a
`repo/` git folder inside, as `fetch` lays them out), `owner__name` or `owner/name`. Each (repository,
commit) is written whole into OUT (every .py and .ipynb file at that commit: users lint whole
repositories, and cross-file context must be there), evalparity runs on it, and its findings are
matched against the manifest:

- a finding matches a defect when its code belongs to the defect's class and one of its locations
  (primary or related) is in the defect's file within 3 lines of the defect's line (or inside
  [line, end_line]), or in the other side's file within 3 lines of the other side's line;
- a warning or error finding in a labelled file (a file with a defect or a clean entry) that matches no
  defect is a false alarm; info findings and the linter's own codes (EP9xx: syntax errors, unreadable
  files) are notes, and findings in the other files of those repositories are listed separately, for
  review.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.yaml"
NEAR = 3
SUFFIXES = (".py", ".ipynb")


@dataclass
class Defect:
    id: str
    repo: str
    commit: str
    cls: str
    severity: str
    path: str
    line: int
    end_line: int
    expect: str
    related: tuple[str, int] | None
    evidence: str
    note: str


@dataclass
class Clean:
    id: str
    repo: str
    commit: str
    shape: str
    path: str
    line: int
    end_line: int
    expect: str
    note: str


@dataclass
class Manifest:
    classes: dict[str, list[str]]
    defects: list[Defect] = field(default_factory=list)
    clean: list[Clean] = field(default_factory=list)

    def targets(self) -> list[tuple[str, str]]:
        seen = {(d.repo, d.commit) for d in self.defects} | {(c.repo, c.commit) for c in self.clean}
        return sorted(seen, key=lambda t: (t[0].lower(), t[1]))


def load(path: Path = MANIFEST) -> Manifest:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    manifest = Manifest({name: list(codes) for name, codes in data["classes"].items()})
    ids: set[str] = set()
    for entry in data["repos"]:
        repo, commit = entry["repo"], str(entry["commit"])
        if len(commit) != 40 or any(c not in "0123456789abcdef" for c in commit):
            raise SystemExit(f"{repo}: commit must be 40 lowercase hex digits, not {commit!r}")
        for item in entry.get("defects") or []:
            if item["class"] not in manifest.classes:
                raise SystemExit(f"{item['id']}: unknown class {item['class']!r}")
            related = item.get("related")
            manifest.defects.append(Defect(
                item["id"], repo, commit, item["class"], item["severity"], item["path"], int(item["line"]),
                int(item.get("end_line") or item["line"]), str(item["expect"]),
                (related["path"], int(related["line"])) if related else None, item["evidence"], item["note"]))
            ids.add(item["id"]) if item["id"] not in ids else _duplicate(item["id"])
        for item in entry.get("clean") or []:
            manifest.clean.append(Clean(item["id"], repo, commit, item["shape"], item["path"], int(item["line"]),
                                        int(item.get("end_line") or item["line"]), str(item["expect"]), item["note"]))
            ids.add(item["id"]) if item["id"] not in ids else _duplicate(item["id"])
    return manifest


def _duplicate(name: str) -> None:
    raise SystemExit(f"duplicate id in the manifest: {name}")


# ---- the mirror ------------------------------------------------------------------------------------

def git_dir(mirror: Path, repo: str) -> Path | None:
    owner, name = repo.split("/")
    for candidate in (mirror / f"{owner}+{name}" / "repo", mirror / f"{owner}+{name}", mirror / f"{owner}__{name}",
                      mirror / owner / name):
        if (candidate / "HEAD").exists() or (candidate / ".git").exists():
            return candidate
    return None


def git(directory: Path, *args: str, data: bytes | None = None) -> bytes:
    done = subprocess.run(["git", "-C", str(directory), *args], input=data, capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode("utf-8", "replace").strip() or f"git {' '.join(args)} failed")
    return done.stdout


def file_lines(directory: Path, commit: str, path: str) -> list[str] | None:
    try:
        return git(directory, "show", f"{commit}:{path}").decode("utf-8", "replace").splitlines()
    except RuntimeError:
        return None


def check_manifest(manifest: Manifest, mirror: Path) -> int:
    """Every defect's lines hold its `expect` token at its commit; every related line and clean line exists."""
    problems = []
    cache: dict[tuple[str, str, str], list[str] | None] = {}

    def lines_of(repo: str, commit: str, path: str):
        key = (repo, commit, path)
        if key not in cache:
            directory = git_dir(mirror, repo)
            cache[key] = None if directory is None else file_lines(directory, commit, path)
        return cache[key]

    for repo, commit in manifest.targets():
        directory = git_dir(mirror, repo)
        if directory is None:
            problems.append(f"{repo}: no clone in {mirror}")
            continue
        try:
            git(directory, "cat-file", "-e", f"{commit}^{{commit}}")
        except RuntimeError:
            problems.append(f"{repo}: commit {commit} is not in the clone")
    for item in [*manifest.defects, *manifest.clean]:
        end = item.end_line
        lines = lines_of(item.repo, item.commit, item.path)
        if lines is None:
            problems.append(f"{item.id}: {item.path} does not exist at {item.commit[:10]}")
        elif not (0 < item.line <= end <= len(lines)):
            problems.append(f"{item.id}: lines {item.line}-{end} are outside {item.path} ({len(lines)} lines)")
        elif not any(item.expect in text for text in lines[item.line - 1:end]):
            problems.append(f"{item.id}: `{item.expect}` is not on {item.path}:{item.line}-{end}")
        related = getattr(item, "related", None)
        if related:
            other = lines_of(item.repo, item.commit, related[0])
            if other is None or not 0 < related[1] <= len(other):
                problems.append(f"{item.id}: related {related[0]}:{related[1]} does not exist at {item.commit[:10]}")
    for line in problems:
        print(line)
    count = len(manifest.defects) + len(manifest.clean)
    repos = len({d.repo for d in manifest.defects} | {c.repo for c in manifest.clean})
    print(f"{count - len({p.split(':')[0] for p in problems})} of {count} entries verified "
          f"({len(manifest.defects)} defects, {len(manifest.clean)} clean) in {repos} repositories; "
          f"{len(problems)} problem{'s' if len(problems) != 1 else ''}")
    return 1 if problems else 0


def clone_missing(manifest: Manifest, mirror: Path) -> int:
    mirror.mkdir(parents=True, exist_ok=True)
    failed = 0
    for repo in sorted({repo for repo, _ in manifest.targets()}):
        if git_dir(mirror, repo) is not None:
            continue
        owner, name = repo.split("/")
        target = mirror / f"{owner}+{name}" / "repo"
        print(f"cloning {repo}", flush=True)
        done = subprocess.run(["git", "clone", "--quiet", "--mirror", f"https://github.com/{repo}.git", str(target)])
        failed += done.returncode != 0
    return 1 if failed else 0


def materialize(directory: Path, commit: str, target: Path) -> int:
    """Write every .py and .ipynb file of the commit under target; returns how many."""
    listing = git(directory, "ls-tree", "-r", "-z", "--full-tree", commit).decode("utf-8", "surrogateescape")
    wanted = []
    for record in filter(None, listing.split("\0")):
        meta, _, path = record.partition("\t")
        mode, kind, obj = meta.split()
        if kind == "blob" and mode != "120000" and path.endswith(SUFFIXES):
            wanted.append((obj, path))
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    process = subprocess.Popen(["git", "-C", str(directory), "cat-file", "--batch"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE)
    written = 0
    for obj, path in wanted:
        process.stdin.write(obj.encode() + b"\n")
        process.stdin.flush()
        header = process.stdout.readline().split()
        if len(header) < 3 or header[1] != b"blob":
            continue
        data = process.stdout.read(int(header[2]))
        process.stdout.read(1)
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(data)
        written += 1
    process.stdin.close()
    process.wait()
    return written


def slug(repo: str, commit: str) -> str:
    return f"{repo.replace('/', '__')}__{commit[:10]}"


# ---- running and matching ------------------------------------------------------------------------

def run_evalparity(command: list[str], source: Path, jobs: int) -> list[dict]:
    done = subprocess.run([*command, "check", ".", "--format", "json", "--isolated", "--exit-zero", "--no-cache",
                           "--jobs", str(jobs), "--quiet"], cwd=source, capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"evalparity exited {done.returncode} in {source}: "
                           f"{done.stderr.decode('utf-8', 'replace').strip()[-400:]}")
    return json.loads(done.stdout)["findings"]


def _locations(finding: dict) -> list[tuple[str, int]]:
    return [(finding["path"], finding["line"])] + [(r["path"], r["line"]) for r in finding.get("related", [])]


def matches(finding: dict, defect: Defect, classes: dict[str, list[str]]) -> bool:
    if finding["code"] not in classes[defect.cls]:
        return False
    for path, line in _locations(finding):
        if path == defect.path and defect.line - NEAR <= line <= defect.end_line + NEAR:
            return True
        if defect.related and path == defect.related[0] and abs(line - defect.related[1]) <= NEAR:
            return True
    return False


def near_clean(finding: dict, clean: Clean) -> bool:
    return finding["path"] == clean.path and clean.line - NEAR <= finding["line"] <= clean.end_line + NEAR


@dataclass
class Outcome:
    found: dict[str, list[dict]] = field(default_factory=dict)  # defect id → matching findings
    false_alarms: list[tuple[str, dict, str]] = field(default_factory=list)  # (repo, finding, why)
    notes: list[tuple[str, dict]] = field(default_factory=list)  # info and EP9xx findings matching no defect
    unlabelled: list[tuple[str, dict]] = field(default_factory=list)
    findings: int = 0
    seconds: float = 0.0


def evaluate(manifest: Manifest, findings_by_target: dict[tuple[str, str], list[dict]]) -> Outcome:
    outcome = Outcome()
    for (repo, commit), findings in findings_by_target.items():
        defects = [d for d in manifest.defects if (d.repo, d.commit) == (repo, commit)]
        cleans = [c for c in manifest.clean if (c.repo, c.commit) == (repo, commit)]
        labelled = {d.path for d in defects} | {c.path for c in cleans}
        for finding in findings:
            outcome.findings += 1
            hits = [d for d in defects if matches(finding, d, manifest.classes)]
            for defect in hits:
                outcome.found.setdefault(defect.id, []).append(finding)
            if hits:
                continue
            if finding["severity"] == "info" or finding["code"].startswith("EP9"):
                if finding["path"] in labelled:
                    outcome.notes.append((repo, finding))
                continue
            clean = next((c for c in cleans if near_clean(finding, c)), None)
            if clean is not None:
                outcome.false_alarms.append((repo, finding, f"near clean `{clean.id}` ({clean.shape}): {clean.note}"))
            elif finding["path"] in labelled:
                outcome.false_alarms.append((repo, finding, "in a labelled file, matches no defect"))
            else:
                outcome.unlabelled.append((repo, finding))
    return outcome


def class_of(code: str, classes: dict[str, list[str]]) -> str:
    return next((name for name, codes in classes.items() if code in codes), "other")


def report(manifest: Manifest, outcome: Outcome, out=sys.stdout, severities=("error", "warning", "info")) -> dict:
    classes = manifest.classes
    rows = []
    table: dict[str, dict] = {}
    tp_by_class: dict[str, int] = defaultdict(int)
    fp_by_class: dict[str, int] = defaultdict(int)
    for defect in manifest.defects:
        if defect.id in outcome.found:
            tp_by_class[defect.cls] += 1
    for _, finding, _ in outcome.false_alarms:
        fp_by_class[class_of(finding["code"], classes)] += 1
    total_defects = total_found = total_fp = 0
    for name in [*classes, *(["other"] if fp_by_class.get("other") else [])]:
        defects = [d for d in manifest.defects if d.cls == name]
        found = tp_by_class[name]
        fp = fp_by_class[name]
        total_defects += len(defects)
        total_found += found
        total_fp += fp
        table[name] = {"defects": len(defects), "found": found, "false_alarms": fp}
        rows.append((name, len(defects), found, fp))
    print(f"{'class':<26}{'defects':>8}{'found':>7}{'recall':>8}{'false':>7}{'precision':>11}", file=out)
    for name, defects, found, fp in rows:
        print(f"{name:<26}{defects:>8}{found:>7}{_ratio(found, defects):>8}{fp:>7}{_ratio(found, found + fp):>11}",
              file=out)
    print(f"{'all':<26}{total_defects:>8}{total_found:>7}{_ratio(total_found, total_defects):>8}{total_fp:>7}"
          f"{_ratio(total_found, total_found + total_fp):>11}", file=out)
    clean_hit = {c.id for c in manifest.clean for repo, f, why in outcome.false_alarms if why.startswith(f"near clean `{c.id}`")}
    print(f"clean entries: {len(manifest.clean)}, with a false alarm: {len(clean_hit)}; findings in all: "
          f"{outcome.findings} ({len(outcome.notes)} info or EP9 notes, {len(outcome.unlabelled)} warnings and "
          f"errors in unlabelled files)", file=out)
    return {"classes": table, "defects": total_defects, "found": total_found, "false_alarms": total_fp,
            "clean": len(manifest.clean), "clean_with_false_alarm": len(clean_hit), "findings": outcome.findings,
            "notes": len(outcome.notes), "unlabelled": len(outcome.unlabelled)}


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "-"


def details(manifest: Manifest, outcome: Outcome, out=sys.stdout) -> None:
    print("\n## Missed defects", file=out)
    for defect in manifest.defects:
        if defect.id not in outcome.found:
            print(f"- [{defect.cls}] {defect.repo} {defect.path}:{defect.line} ({defect.id}): {defect.note}", file=out)
    print("\n## False alarms", file=out)
    for repo, finding, why in outcome.false_alarms:
        print(f"- {repo} {finding['path']}:{finding['line']} {finding['code']}: {finding['message'][:160]} — {why}",
              file=out)
    print("\n## Notes: info and EP9 findings in labelled files", file=out)
    for repo, finding in outcome.notes:
        print(f"- {repo} {finding['path']}:{finding['line']} {finding['code']}: {finding['message'][:120]}", file=out)
    print("\n## Warnings and errors in unlabelled files (for review)", file=out)
    for repo, finding in outcome.unlabelled:
        print(f"- {repo} {finding['path']}:{finding['line']} {finding['code']} [{finding['severity']}]: "
              f"{finding['message'][:160]}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mirror", type=Path)
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("--check", action="store_true", help="verify the manifest against the clones and stop")
    parser.add_argument("--clone", action="store_true", help="git clone the repositories missing from MIRROR")
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--evalparity", default=None,
                        help="the command to run (default: this Python's `-m evalparity`)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", default="", help="only repositories whose name contains this")
    parser.add_argument("--name", default="report", help="write OUT/NAME.txt and OUT/NAME.json (default: report)")
    parser.add_argument("--rescore", action="store_true",
                        help="score the findings saved by the last run of this NAME again, without running evalparity")
    args = parser.parse_args(argv)
    manifest = load(args.manifest)
    if args.clone:
        return clone_missing(manifest, args.mirror)
    if args.check:
        return check_manifest(manifest, args.mirror)
    if args.out is None:
        parser.error("OUT is needed to run the benchmark")
    command = args.evalparity.split() if args.evalparity else [sys.executable, "-m", "evalparity"]
    findings_by_target = {}
    started = time.monotonic()
    saved = args.out / f"{args.name}.findings.json"
    if args.rescore:
        for entry in json.loads(saved.read_text(encoding="utf-8")):
            findings_by_target[(entry["repo"], entry["commit"])] = entry["findings"]
    for repo, commit in ([] if args.rescore else manifest.targets()):
        if args.only and args.only.lower() not in repo.lower():
            continue
        directory = git_dir(args.mirror, repo)
        if directory is None:
            print(f"skipped {repo}: no clone in {args.mirror}", file=sys.stderr)
            continue
        target = args.out / slug(repo, commit)
        stamp = target / ".materialized"
        if not stamp.exists():
            materialize(directory, commit, target)
            stamp.write_text(commit)
        findings_by_target[(repo, commit)] = run_evalparity(command, target, args.jobs)
    if not args.rescore:
        args.out.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps([{"repo": r, "commit": c, "findings": f}
                                     for (r, c), f in findings_by_target.items()]), encoding="utf-8")
    if args.only or args.rescore:
        manifest.defects = [d for d in manifest.defects if (d.repo, d.commit) in findings_by_target]
        manifest.clean = [c for c in manifest.clean if (c.repo, c.commit) in findings_by_target]
    outcome = evaluate(manifest, findings_by_target)
    outcome.seconds = time.monotonic() - started
    summary = report(manifest, outcome)
    details(manifest, outcome)
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / f"{args.name}.txt", "w", encoding="utf-8") as stream:
        report(manifest, outcome, stream)
        details(manifest, outcome, stream)
    (args.out / f"{args.name}.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"\n{len(findings_by_target)} repositories in {outcome.seconds:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
