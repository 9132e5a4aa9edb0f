"""`check --show-settings` and `check --show-files`: the resolved settings of a run, and the files it
would check, without analysing anything."""

from __future__ import annotations

from pathlib import Path

from evalparity.discovery.dataconfig import is_data_file, may_declare
from evalparity.discovery.paths import Excluder, FileError, discover, display_path
from evalparity.vocabulary.rulebook import load_rules


def settings_lines(config, options, cache: Path | None) -> list[str]:
    """`key  value` lines: the configuration file found, the selected and unselected rules, per-file
    ignores, excludes, fail-on, knowledge files, role hints and the cache folder (None: --no-cache).
    `options` is the run's engine.Options."""
    excluder = options.excluder
    codes = sorted(options.enabled())
    rows = [
        ("config file", display_path(config.path) if config and config.path else "none (the defaults)"),
        ("project root", display_path(config.root) if config else "none (no configuration file)"),
        ("select", ", ".join(codes) or "none"),
        ("not selected", ", ".join(sorted(set(load_rules()) - set(codes))) or "none"),
        ("per-file-ignores", "; ".join(f"{glob} = {', '.join(c)}" for glob, c in config.per_file_ignores)
         if config and config.per_file_ignores else "none"),
        ("exclude", ", ".join(sorted(excluder.patterns)) if excluder else "none"),
        ("respect-gitignore", str(excluder.gitignore).lower() if excluder else "false"),
        ("force-exclude", str(options.force_exclude).lower()),
        ("fail-on", config.fail_on if config and config.fail_on else "warning"),
        ("knowledge", ", ".join(display_path(k) for k in config.knowledge) if config and config.knowledge
         else "the built-in knowledge base"),
        ("role-hints", f"train = {list(config.train_words)}, eval = {list(config.eval_words)}"
         if config and (config.train_words or config.eval_words) else "none"),
        ("cache dir", "none (--no-cache)" if cache is None else display_path(cache)),
    ]
    width = max(len(key) for key, _ in rows)
    return [f"{key:<{width}}  {value}" for key, value in rows]


def files(paths: list[str], options) -> tuple[list[str], list[FileError]]:
    """The display paths of the files a check of `paths` would read (sorted), and the paths in error."""
    found, errors = discover(paths, options.excluder or Excluder(gitignore=False), options.force_exclude)
    # a YAML or JSON file is listed when its text may declare a pipeline or loader (most hold other data)
    return sorted(display_path(f) for f in found if not is_data_file(str(f)) or may_declare(f)), errors
