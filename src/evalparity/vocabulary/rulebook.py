"""Rule metadata from rules/EPxxx.yaml: code, name, severity, default state and documentation."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from evalparity.vocabulary.resources import load_yaml, rules_dir

REQUIRED = ("code", "name", "severity", "summary", "what", "why", "example", "use_instead")
SEVERITIES = ("error", "warning", "info")
FIXABILITY = ("safe", "unsafe", "none")  # `fix:` in a rule's YAML: what its findings' fixes are


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    default: bool
    summary: str
    what: str
    why: str
    example: str
    use_instead: str
    references: tuple[str, ...]
    status: str = "stable"
    fix: str = "none"  # one of FIXABILITY: `--fix` applies it (safe), needs `--unsafe-fixes`, or no fix


class RuleError(Exception):
    pass


@lru_cache(maxsize=1)
def load_rules() -> dict[str, Rule]:
    rules = {}
    for path in sorted(rules_dir().glob("EP*.yaml")):
        data = load_yaml(path.read_text(encoding="utf-8"))
        missing = [key for key in REQUIRED if not data.get(key)]
        if missing:
            raise RuleError(f"{path}: missing {', '.join(missing)}")
        if data["severity"] not in SEVERITIES:
            raise RuleError(f"{path}: severity: expected one of {SEVERITIES}")
        fix = data.get("fix", "none")
        if fix not in FIXABILITY:
            raise RuleError(f"{path}: fix: expected one of {FIXABILITY}")
        rules[data["code"]] = Rule(
            code=data["code"], name=data["name"], severity=data["severity"], default=bool(data.get("default", True)),
            summary=data["summary"].strip(), what=data["what"].strip(), why=data["why"].strip(),
            example=data["example"].rstrip() + "\n", use_instead=data["use_instead"].rstrip() + "\n",
            references=tuple(data.get("references") or ()), status=data.get("status", "stable"), fix=fix,
        )
    return rules
