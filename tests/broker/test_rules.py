"""Broker rule files: refusals with stable codes and locations, exact matching, quorum, round trip."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

import iamtwin
from iamtwin.broker.errors import BrokerError
from iamtwin.broker.quorum import quorum_met
from iamtwin.broker.requests import Approval
from iamtwin.broker.rules import ApprovalRule, ApproverQuota, Audience, Person, parse_duration, parse_rules

from .corpus import load_cases

_, CASES = load_cases("rules.yaml")
EXAMPLE = Path(iamtwin.__file__).parent / "broker" / "examples" / "scenario05-rules.yaml"
T = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("case", CASES)
def test_rule_file_case(case: dict[str, Any]) -> None:
    """A valid file parses; an invalid one is INVALID_RULES at the offending path."""
    if "path" not in case:
        parse_rules(case["rules"])
        return
    with pytest.raises(BrokerError) as caught:
        parse_rules(case["rules"])
    assert caught.value.code == "INVALID_RULES"
    assert caught.value.location is not None and caught.value.location.path == case["path"]


@pytest.mark.parametrize(
    ("text", "seconds"), [("900", 900), ("15m", 900), ("4h", 14400), ("1d", 86400), (3600, 3600), ("90s", 90)]
)
def test_durations(text: str | int, seconds: int) -> None:
    """Durations are whole seconds or a number with s, m, h or d."""
    assert parse_duration(text, "x") == seconds


def test_audiences_match_exactly() -> None:
    """Groups and attribute values match whole and case-sensitively: `Admin` is not `S3Admin`."""
    admins = Audience(frozenset({"Admin"}), {"department": "storage"})
    assert admins.includes(Person("a", frozenset({"Admin"})))
    assert not admins.includes(Person("b", frozenset({"S3Admin", "admin", "Admins"})))
    assert admins.includes(Person("c", attributes={"department": "storage"}))
    assert not admins.includes(Person("d", attributes={"department": "Storage"}))
    assert not admins.includes(Person("e", attributes={"department": "storage "}))
    assert not Audience(frozenset(), {}).includes(Person("f"))


def _approval(who: str, *groups: str) -> Approval:
    return Approval(who, frozenset(groups), T)


@pytest.mark.parametrize(
    ("approvals", "met"),
    [
        ([], False),
        ([_approval("p", "peers")], False),
        ([_approval("p", "peers"), _approval("q", "peers")], False),
        ([_approval("p", "peers"), _approval("s", "security")], True),
        ([_approval("d", "peers", "security")], False),
        ([_approval("d", "peers", "security"), _approval("p", "peers")], True),
        ([_approval("p", "peers"), _approval("d", "peers", "security")], True),
        ([_approval("d", "peers", "security"), _approval("e", "peers", "security")], True),
    ],
)
def test_quorum_is_and_across_groups_one_seat_per_person(approvals: list[Approval], met: bool) -> None:
    """1 peer AND 1 security: two different people, whatever order they approve in."""
    rule = ApprovalRule("r", (ApproverQuota("peers", 1), ApproverQuota("security", 1)))
    assert quorum_met(rule, approvals) is met


def test_quorum_counts() -> None:
    """A quota of two takes two distinct approvers of that group."""
    rule = ApprovalRule("r", (ApproverQuota("reviewers", 2),))
    assert not quorum_met(rule, [_approval("a", "reviewers")])
    assert quorum_met(rule, [_approval("a", "reviewers"), _approval("b", "reviewers")])


def test_the_scenario_05_example_parses_and_round_trips() -> None:
    """The shipped example is valid, and the stored JSON form reads back to equal rules."""
    rules = parse_rules(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    assert rules.eligibility[0].max_seconds == 4 * 3600
    assert parse_rules(yaml.safe_load(rules.to_json())) == rules
