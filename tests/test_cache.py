"""Facts survive the cache unchanged, and output is identical with and without it, for any --jobs."""

import json

import pytest

from conftest import EXAMPLES, FIXTURES
from evalparity import extraction
from evalparity.cache import CACHE_DIR, Cache, clean
from evalparity.engine import check
from evalparity.extract import extract_source
from evalparity.knowledge import default_knowledge
from evalparity.report.json_format import as_dict
from evalparity.serialize import dumps, loads


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.py"))[:40] + sorted(EXAMPLES.rglob("*.py")),
                         ids=lambda p: p.name)
def test_facts_round_trip(path):
    facts = extract_source(path.name, path.read_bytes(), default_knowledge())
    assert loads(dumps(facts)) == facts


def _findings(tmp_path, **kwargs):
    result = check([str(EXAMPLES), str(FIXTURES)], **kwargs)
    data = as_dict(result)
    return json.dumps(data["findings"], sort_keys=True), data["errors"]


def test_same_output_with_cache_and_any_jobs(tmp_path, monkeypatch):
    kb = default_knowledge()
    baseline = _findings(tmp_path, kb=kb)
    monkeypatch.setattr(extraction, "POOL_THRESHOLD", 1)
    assert _findings(tmp_path, kb=kb, jobs=2) == baseline
    cache = Cache(tmp_path, kb.digest)
    assert _findings(tmp_path, kb=kb, jobs=2, cache=cache) == baseline
    assert any((tmp_path / CACHE_DIR / "v1").rglob("*.json"))
    assert _findings(tmp_path, kb=kb, jobs=1, cache=Cache(tmp_path, kb.digest)) == baseline


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
    for entry in (tmp_path / CACHE_DIR).rglob("*.json"):
        entry.write_text("{not json")
    assert check([str(EXAMPLES)], kb=kb, cache=cache).findings == check([str(EXAMPLES)], kb=kb).findings


def test_key_depends_on_content_path_and_salt(tmp_path):
    a, b = Cache(tmp_path, "kb1"), Cache(tmp_path, "kb2")
    assert a.key("x.py", b"1") != a.key("x.py", b"2") != a.key("y.py", b"1")
    assert a.key("x.py", b"1") != b.key("x.py", b"1")
