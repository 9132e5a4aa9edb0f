"""What the EP4/EP5 rule documents must say (their examples are run by test_rule_docs.py)."""

from evalparity.vocabulary.rulebook import load_rules


def test_ep406_is_off_and_honest():
    rule = load_rules()["EP406"]
    assert not rule.default and rule.severity == "info"
    for word in ("num_workers", "pin_memory", "batch_size", "do not change", "drop_last", "collate_fn", "sampler",
                 "shuffle", "transform"):
        assert word in rule.why


def test_ep405_says_value_error():
    rule = load_rules()["EP405"]
    assert rule.severity == "error" and "ValueError" in rule.why
