"""docs/rules/ is generated from rules/*.yaml and must be up to date; the guides exist and link up."""

import importlib.util

from conftest import ROOT

spec = importlib.util.spec_from_file_location("gen_rule_docs", ROOT / "scripts" / "gen_rule_docs.py")
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)


def test_rule_pages_are_up_to_date():
    problems = gen.stale()
    assert not problems, "\n".join(problems) + "\nrun: python scripts/gen_rule_docs.py"


def test_every_rule_has_a_page_with_every_section():
    rules = gen.load()
    assert [r["code"] for r in rules] == [p.stem for p in sorted((ROOT / "rules").glob("EP*.yaml"))]
    for rule in rules:
        text = gen.page(rule)
        for heading in ("## What it flags", "## Why it matters", "## Example", "## Use instead", "## Suppressing it"):
            assert heading in text, (rule["code"], heading)


def test_guides_exist_and_cover_the_options():
    configuration = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for key in ("select", "extend-select", "ignore", "per-file-ignores", "exclude", "extend-exclude",
                "respect-gitignore", "fail-on", "knowledge", "role-hints", "--config", "--isolated",
                "--baseline", "--write-baseline", "--statistics", "--exit-zero", "--quiet", "--output-file"):
        assert f"`{key}" in configuration, key
    ci = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    for needle in ("upload-sarif", "codequality", ".pre-commit-config.yaml", "--format github"):
        assert needle in ci, needle


def test_the_editor_guide_covers_each_editor_and_is_linked():
    guide = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
    for needle in ("evalparity server", "evalparity[server]", "vscode-languageclient", "vim.lsp.start", "lspconfig",
                   "languages.toml", "eglot-server-programs", "--stdin-filename", "flake8 --select=EP",
                   "source.fixAll.evalparity"):
        assert needle in guide, needle
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/editors.md" in readme and "docs/editors.md" not in "\n".join(readme.splitlines()[:8])
    assert "(editors.md)" in (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
