"""Facts survive the cache unchanged, and output is identical with and without it, for any --jobs."""

import gc
import json
import os
import pickle
from pathlib import Path

import pytest
from conftest import EXAMPLES, FIXTURES

from evalparity.discovery import cache as cache_module
from evalparity.discovery.cache import (
    CACHE_DIR,
    FORMAT,
    MANIFEST,
    Cache,
    Manifest,
    Signature,
    clean,
    decode_facts,
    encode,
)
from evalparity.engine import check
from evalparity.extract import files as extraction
from evalparity.extract.source import extract_source
from evalparity.report.json_format import as_dict
from evalparity.vocabulary.knowledge import default_knowledge


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.py"))[:40] + sorted(EXAMPLES.rglob("*.py")),
                         ids=lambda p: p.name)
def test_facts_round_trip(path):
    facts = extract_source(path.name, path.read_bytes(), default_knowledge())
    assert decode_facts(encode(facts)) == facts


def test_codec_keeps_folded_arrays_and_refuses_other_classes():
    from evalparity.facts import Array, FileFacts, Value

    facts = FileFacts("a.py", constants={"MEAN": Value("const", const=Array((0.5, 0.25)), text="m")})
    again = decode_facts(encode(facts))
    assert again == facts and type(again.constants["MEAN"].const) is Array
    with pytest.raises(pickle.UnpicklingError):
        decode_facts(encode(FileFacts("a.py", constants={"x": Value("const", const=Path("x"))})))
    with pytest.raises(TypeError):
        decode_facts(encode(("not", "facts")))


def _corpus() -> list[str]:
    """examples/ and a part of the fixture cases: every other folder case (facts that cross files), notebook and
    configuration file, and every fourth single-file case of each rule's folder, its first included (so every
    rule's shapes are in it, whatever cases are added; the test below asserts that the findings span many rules)."""
    from annotations import fixture_cases

    cases = fixture_cases(FIXTURES)
    others = [case for case in cases if case.suffix != ".py"]
    singles: dict[Path, list[Path]] = {}
    for case in cases:
        if case.suffix == ".py":
            singles.setdefault(case.parent, []).append(case)
    chosen = {case for group in singles.values() for case in group[::4]} | set(others[::2])
    return [str(EXAMPLES)] + [str(case) for case in cases if case in chosen]


def _findings(**kwargs):
    result = check(_corpus(), **kwargs)
    data = as_dict(result)
    return json.dumps(data["findings"], sort_keys=True), data["errors"]


def test_same_output_with_cache_and_any_jobs_and_from_settled_facts(tmp_path, monkeypatch):
    """Over examples/ and a part of the fixtures: with nothing cached (filling a cache), with workers filling another
    cache, reading that one back, and reading the first with the facts settled (frozen from the collector).
    One test, not two sharing a module fixture: with pytest 9.2, xdist's loadgroup no longer keeps marked
    tests in one worker (pytest-dev/pytest-xdist#1386), and each worker ran the corpus again."""
    kb = default_knowledge()
    filled, pooled = tmp_path / "serial", tmp_path / "pool"
    baseline = _findings(kb=kb, cache=Cache(filled, kb.digest))
    assert len({finding["code"] for finding in json.loads(baseline[0])}) >= 15  # the corpus holds many shapes
    with monkeypatch.context() as patch:
        patch.setattr(extraction, "POOL_THRESHOLD", 1)
        assert _findings(kb=kb, jobs=2, cache=Cache(pooled, kb.digest)) == baseline  # workers fill a cache
        assert any((pooled / CACHE_DIR / FORMAT).rglob("*.pickle"))
        assert _findings(kb=kb, jobs=1, cache=Cache(pooled, kb.digest)) == baseline  # and it is read back
    monkeypatch.setattr(extraction, "_SETTLE", True)
    frozen = gc.get_freeze_count()
    try:
        assert _findings(kb=kb, cache=Cache(filled, kb.digest)) == baseline
        assert gc.isenabled() and gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()


def test_cache_folder_is_tagged_and_ignored(tmp_path):
    kb = default_knowledge()
    check([str(EXAMPLES)], kb=kb, cache=Cache(tmp_path, kb.digest))
    root = tmp_path / CACHE_DIR
    assert (root / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert "*" in (root / ".gitignore").read_text().splitlines()
    assert clean(tmp_path) and not root.exists() and not clean(tmp_path)


def test_corrupt_entry_is_a_miss(tmp_path):
    kb = default_knowledge()
    cache = Cache(tmp_path, kb.digest)
    check([str(EXAMPLES)], kb=kb, cache=cache)
    entries = list((tmp_path / CACHE_DIR).rglob("*.pickle"))
    assert entries
    for entry in entries:
        entry.write_bytes(b"\x80\x05not a pickle")
    assert check([str(EXAMPLES)], kb=kb, cache=cache).findings == check([str(EXAMPLES)], kb=kb).findings


def test_key_depends_on_content_path_and_salt(tmp_path):
    a, b = Cache(tmp_path, "kb1"), Cache(tmp_path, "kb2")
    assert a.key("x.py", b"1") != a.key("x.py", b"2") != a.key("y.py", b"1")
    assert a.key("x.py", b"1") != b.key("x.py", b"1")


def test_identical_inputs_give_identical_keys_and_each_input_changes_the_key(tmp_path):
    a, again = Cache(tmp_path, "kb1"), Cache(tmp_path / "elsewhere", "kb1")
    assert a.key("x.py", b"1") == a.key("x.py", b"1") == again.key("x.py", b"1")
    keys = {a.key("x.py", b"1"), a.key("y.py", b"1"), a.key("pkg/x.py", b"1"), a.key("x.py", b"2"),
            a.key("x.py", b"1\n"), Cache(tmp_path, "kb2").key("x.py", b"1")}
    assert len(keys) == 6
    # the path and the content are kept apart: moving a byte from one to the other is another key
    assert a.key("x.py1", b"") != a.key("x.py", b"1")
    assert len(a.key("x.py", b"1")) == 64 and int(a.key("x.py", b"1"), 16) >= 0


def test_the_salt_follows_the_knowledge_base_and_the_role_hints(tmp_path):
    from evalparity.cli import cache_salt
    from evalparity.config import load_config
    from evalparity.vocabulary.knowledge import load_knowledge

    kb = default_knowledge()
    mine = tmp_path / "mine.yaml"
    mine.write_text("library: mylib\nsource: in-house\ntransforms:\n  RandomGamma: {random: true}\n")
    other = tmp_path / "other.yaml"
    other.write_text("library: mylib\nsource: in-house\ntransforms:\n  RandomGamma: {random: false}\n")
    hints = tmp_path / "hints.toml"
    hints.write_text('[role-hints]\neval = ["dev"]\n')
    more = tmp_path / "more.toml"
    more.write_text('[role-hints]\neval = ["dev", "holdout"]\n')
    train = tmp_path / "train.toml"
    train.write_text('[role-hints]\ntrain = ["dev"]\n')
    assert cache_salt(kb, None) == cache_salt(default_knowledge(), None)
    assert cache_salt(kb, load_config(hints)) == cache_salt(kb, load_config(hints))
    salts = [cache_salt(kb, None), cache_salt(load_knowledge((str(mine),)), None),
             cache_salt(load_knowledge((str(other),)), None), cache_salt(kb, load_config(hints)),
             cache_salt(kb, load_config(more)), cache_salt(kb, load_config(train))]
    assert len(set(salts)) == len(salts)
    assert len({Cache(tmp_path, salt).key("x.py", b"1") for salt in salts}) == len(salts)


# ---- the manifest: unchanged files are neither read nor screened -----------------------------------

MARK = "import torchvision.transforms as T\n"
RANDOM_EVAL = MARK + "val_tf = T.Compose([T.RandomCrop(8), T.ToTensor()])\n"
CLEAN_EVAL = MARK + "val_tf = T.Compose([T.CenterCrop(8), T.ToTensor()])\n"
HELPER = "MEAN = (0.5, 0.5, 0.5)\n"  # no marker: deferred by the prefilter
COMMENTED = "# the DataLoader lives elsewhere\nSIZE = 8\n"  # a marker in a comment: deferred by the screen


@pytest.fixture
def project(tmp_path, in_dir, monkeypatch):
    """A small project in the current directory; files count as settled as soon as they are written."""
    monkeypatch.setattr(cache_module, "RACY_NS", 0)
    root = tmp_path / "project"
    root.mkdir()
    (root / "eval_a.py").write_text(RANDOM_EVAL)
    (root / "eval_b.py").write_text(CLEAN_EVAL)
    (root / "stats.py").write_text(HELPER)
    (root / "notes.py").write_text(COMMENTED)
    in_dir(root)
    return root


class Reads:
    """Counts the files extraction reads."""

    def __init__(self, monkeypatch):
        self.paths = []
        original = extraction.read_source

        def counting(path):
            self.paths.append(Path(path).name)
            return original(path)

        monkeypatch.setattr(extraction, "read_source", counting)


def _run(cache_root, salt="kb"):
    kb = default_knowledge()
    result = check(["."], kb=kb, cache=Cache(cache_root, salt))
    return sorted((f.location.path, f.location.line, f.code) for f in result.findings), result.errors


def test_unchanged_files_are_not_read_again(project, tmp_path, monkeypatch):
    first = _run(tmp_path)
    entries = Cache(tmp_path, "kb").manifest().entries
    assert {name: eager for name, (_, _, eager, _) in entries.items()} == {
        "eval_a.py": True, "eval_b.py": True, "stats.py": False, "notes.py": False}
    reads = Reads(monkeypatch)
    assert _run(tmp_path) == first
    assert reads.paths == []
    assert ("eval_a.py", 2, "EP101") in first[0]


def test_a_warm_run_reads_of_the_skipped_files_only_those_with_command_line_options(project, tmp_path,
                                                                                  monkeypatch):
    """A loader that reads `args.bs` asks the project for parsers: the manifest knows which skipped files
    define options, so a warm run reads those and no other skipped file."""
    (project / "options.py").write_text("import argparse\np = argparse.ArgumentParser()\n"
                                        "p.add_argument('--bs', type=int, default=1)\n")
    (project / "eval_c.py").write_text("from torch.utils.data import DataLoader\n"
                                       "def make(val_set, args):\n"
                                       "    return DataLoader(val_set, batch_size=args.bs, drop_last=True)\n")
    first = _run(tmp_path)
    marks = {name: entry[3] for name, entry in Cache(tmp_path, "kb").manifest().entries.items()}
    assert marks["options.py"] == "p" and marks["stats.py"] == marks["notes.py"] == ""
    assert not any(code == "EP401" for _, _, code in first[0])  # a batch of one: dropping the last is harmless
    reads = Reads(monkeypatch)
    from evalparity.relate import project as project_module
    monkeypatch.setattr(project_module, "read_source", lambda path: (reads.paths.append(Path(path).name),
                                                                     extraction.read_source(path))[1])
    assert _run(tmp_path) == first
    assert set(reads.paths) == {"options.py"}


def test_recorded_decision_and_key_are_trusted_while_the_stat_is_unchanged(project, tmp_path, monkeypatch):
    monkeypatch.setattr(extraction, "signature", lambda path: Signature(1, 1, 1, 1, 1))
    before = _run(tmp_path)
    (project / "eval_a.py").write_text(CLEAN_EVAL)  # a change that the (faked) stat does not show
    assert _run(tmp_path) == before
    assert ("eval_a.py", 2, "EP101") in before[0]


def test_a_modified_file_is_read_and_analysed_again(project, tmp_path, monkeypatch):
    before = _run(tmp_path)
    (project / "eval_b.py").write_text(RANDOM_EVAL + "# longer\n")
    (project / "eval_a.py").write_text(CLEAN_EVAL)
    reads = Reads(monkeypatch)
    after = _run(tmp_path)
    assert sorted(reads.paths) == ["eval_a.py", "eval_b.py"]
    assert ("eval_a.py", 2, "EP101") in before[0] and ("eval_b.py", 2, "EP101") not in before[0]
    assert ("eval_b.py", 2, "EP101") in after[0] and ("eval_a.py", 2, "EP101") not in after[0]
    assert _run(tmp_path) == after


def test_a_file_changed_just_now_is_read_until_it_settles(project, tmp_path, monkeypatch):
    _run(tmp_path)
    monkeypatch.setattr(cache_module, "RACY_NS", 2_000_000_000)
    (project / "eval_b.py").write_text(RANDOM_EVAL)
    for _ in range(2):
        reads = Reads(monkeypatch)
        findings, _ = _run(tmp_path)
        assert reads.paths == ["eval_b.py"] and ("eval_b.py", 2, "EP101") in findings


def test_the_manifest_records_only_settled_stats():
    now = 10**18
    manifest = Manifest(started_ns=now)
    manifest.record("old.py", Signature(now - 3 * 10**9, now - 3 * 10**9, 1, 1, 1), "k", True)
    manifest.record("new.py", Signature(now - 3 * 10**9, now - 10**9, 1, 1, 1), "k", True)
    assert list(manifest.entries) == ["old.py"] and manifest.changed


def test_a_deferred_file_is_read_only_when_needed(project, tmp_path, monkeypatch):
    (project / "eval_b.py").write_text(MARK + "from stats import MEAN\n"
                                       "val_tf = T.Compose([T.ToTensor(), T.Normalize(MEAN, MEAN)])\n")
    first = _run(tmp_path)
    for entry in (tmp_path / CACHE_DIR / FORMAT).rglob("*.pickle"):
        entry.unlink()  # facts gone, manifest kept: the deferred helper must be read again, lazily
    reads = Reads(monkeypatch)
    assert _run(tmp_path) == first
    assert "stats.py" in reads.paths and "notes.py" not in reads.paths


def test_a_corrupt_or_foreign_manifest_is_an_empty_one(project, tmp_path, monkeypatch):
    first = _run(tmp_path)
    manifest = tmp_path / CACHE_DIR / FORMAT / MANIFEST
    planted = tmp_path / "planted"

    class Plant:
        def __reduce__(self):
            return os.mkdir, (str(planted),)

    for garbage in (b"", b"\x80\x05garbage", pickle.dumps(("x", {})), pickle.dumps(Plant()),
                    pickle.dumps((Cache(tmp_path, "kb")._identity, {"eval_a.py": Plant()}))):
        manifest.write_bytes(garbage)
        reads = Reads(monkeypatch)
        assert _run(tmp_path) == first
        assert len(reads.paths) == 4
    assert not planted.exists()
    reads = Reads(monkeypatch)
    assert _run(tmp_path) == first and reads.paths == []  # rewritten whole by the last run


def test_another_salt_does_not_reuse_the_manifest(project, tmp_path, monkeypatch):
    _run(tmp_path, "kb")
    reads = Reads(monkeypatch)
    _run(tmp_path, "other kb")
    assert len(reads.paths) == 4


def test_deleted_files_drop_out_of_the_manifest(project, tmp_path, monkeypatch):
    _run(tmp_path)
    (project / "eval_a.py").unlink()
    (project / "stats.py").unlink()
    findings, _ = _run(tmp_path)
    assert not any(path == "eval_a.py" for path, _, _ in findings)
    assert set(Cache(tmp_path, "kb").manifest().entries) == {"eval_b.py", "notes.py"}


def test_files_that_cannot_be_read_are_reported_every_run(project, tmp_path):
    (project / "nul.py").write_bytes(b"x = 1\x00\n")
    for _ in range(3):
        findings, _ = _run(tmp_path)
        assert [(path, code) for path, _, code in findings if code == "EP903"] == [("nul.py", "EP903")]
    assert "nul.py" not in Cache(tmp_path, "kb").manifest().entries


def test_editing_a_configuration_file_changes_the_next_warm_run(tmp_path, monkeypatch):
    """Values read from a YAML file are looked up when the project is related, on every run: the
    cached facts of the Python file hold only the key read, so editing the YAML alone changes the result."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "configs").mkdir()
    config = tmp_path / "configs" / "eval.yaml"
    config.write_text("val:\n  batch_size: 1\n", encoding="utf-8")
    (tmp_path / "evaluate.py").write_text(
        "import torch, yaml\nfrom torch.utils.data import DataLoader\nfrom torchvision.datasets import CIFAR10\n"
        "cfg = yaml.safe_load(open('configs/eval.yaml'))\n"
        "val_loader = DataLoader(CIFAR10('d', train=False), batch_size=cfg['val']['batch_size'], drop_last=True)\n"
        "def evaluate(model):\n    model.eval()\n    return [model(x) for x, _ in val_loader]\n", encoding="utf-8")
    kb = default_knowledge()

    def codes():
        return [f.code for f in check(["evaluate.py"], kb=kb, cache=Cache(tmp_path, kb.digest)).findings]

    assert "EP401" not in codes()  # batches of one
    config.write_text("val:\n  batch_size: 32\n", encoding="utf-8")
    assert "EP401" in codes()  # the same cached facts, the file's new value
    config.unlink()
    assert "EP401" in codes()  # unknown again: reported as before configuration was read
