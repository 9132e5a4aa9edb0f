#!/usr/bin/env python3
"""Generate docs/rules/EPxxx.md (one page per rule) and docs/rules/README.md (the index) from
rules/EPxxx.yaml.

    python scripts/gen_rule_docs.py          # write the pages
    python scripts/gen_rule_docs.py --check  # exit 1 when a page is missing, stale or left over

tests/test_docs.py fails when the pages are stale: run this script after editing a rule's YAML.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
OUT = ROOT / "docs" / "rules"
HEADER = "<!-- Generated from rules/{code}.yaml by scripts/gen_rule_docs.py. Do not edit by hand. -->"


def load() -> list[dict]:
    rules = []
    for path in sorted(RULES.glob("EP*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data.setdefault("default", True)
        rules.append(data)
    return rules


def _block(text: str) -> str:
    return text.strip() + "\n"


def page(rule: dict) -> str:
    code, name = rule["code"], rule["name"]
    state = "on" if rule["default"] else f"off (enable with `extend-select = [\"{code}\"]`)"
    lines = [
        HEADER.format(code=code),
        "",
        f"# {code} `{name}`",
        "",
        f"**Severity:** {rule['severity']} · **On by default:** {state}"
        + (f" · **Status:** {rule['status']}" if rule.get("status", "stable") != "stable" else ""),
        "",
        _block(rule["summary"]),
        "## What it flags",
        "",
        _block(rule["what"]),
        "## Why it matters",
        "",
        _block(rule["why"]),
        "## Example",
        "",
        "```python",
        rule["example"].rstrip(),
        "```",
        "",
        "## Use instead",
        "",
        "```python",
        rule["use_instead"].rstrip(),
        "```",
        "",
        "## Suppressing it",
        "",
        f"Add `# noqa: {code}` to the flagged line, `# evalparity: noqa: {code}` anywhere in a file for the "
        f"whole file, or list `{code}` under `ignore` or `per-file-ignores` in `[tool.evalparity]` "
        "(see [configuration](../configuration.md)).",
        "",
    ]
    if rule.get("references"):
        lines += ["## References", ""] + [f"- <{ref}>" for ref in rule["references"]] + [""]
    return "\n".join(lines)


def index(rules: list[dict]) -> str:
    lines = ["<!-- Generated from rules/*.yaml by scripts/gen_rule_docs.py. Do not edit by hand. -->", "",
             "# Rules", "", "| code | name | severity | default | summary |", "|---|---|---|---|---|"]
    for rule in rules:
        summary = " ".join(rule["summary"].split()).replace("|", "\\|")
        lines.append(f"| [{rule['code']}]({rule['code']}.md) | `{rule['name']}` | {rule['severity']} | "
                     f"{'on' if rule['default'] else 'off'} | {summary} |")
    return "\n".join(lines) + "\n"


def expected() -> dict[Path, str]:
    rules = load()
    pages = {OUT / f"{rule['code']}.md": page(rule) for rule in rules}
    pages[OUT / "README.md"] = index(rules)
    return pages


def stale() -> list[str]:
    """Pages that are missing, differ from their YAML, or belong to no rule."""
    pages = expected()
    problems = [f"{p.relative_to(ROOT)} is missing" for p in pages if not p.exists()]
    problems += [f"{p.relative_to(ROOT)} is out of date" for p, text in pages.items()
                 if p.exists() and p.read_text(encoding="utf-8") != text]
    problems += [f"{p.relative_to(ROOT)} has no rules/{p.stem}.yaml" for p in sorted(OUT.glob("EP*.md"))
                 if p not in pages]
    return problems


def main(argv: list[str]) -> int:
    if "--check" in argv:
        problems = stale()
        for problem in problems:
            print(problem)
        return 1 if problems else 0
    OUT.mkdir(parents=True, exist_ok=True)
    pages = expected()
    for path, text in pages.items():
        path.write_text(text, encoding="utf-8")
    for path in OUT.glob("EP*.md"):
        if path not in pages:
            path.unlink()
    print(f"wrote {len(pages)} pages to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
