"""Archive rule filters: parsing with coded errors, and matching findings with eq, neq, contains and exists.

Criterion operators: https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_Criterion.html;
filter keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-filter-keys.html.
"""

from __future__ import annotations

from typing import Any

import pytest

from iamtwin.analyze.archive_rules import ArchiveRuleError, parse_archive_rule
from iamtwin.analyze.external_access import ExternalAccessFinding, Zone
from iamtwin.catalog import AccessLevel

FINDING = ExternalAccessFinding(
    zone=Zone.ACCOUNT,
    resource="arn:aws:s3:::reports",
    resource_type="AWS::S3::Bucket",
    resource_owner_account="111111111111",
    principal=("AWS", "*"),
    condition=(("aws:SourceVpce", "vpce-1a2b3c4d"),),
    actions=("s3:GetObject",),
    access_levels=(AccessLevel.READ,),
    is_public=False,
    statements=(),
)

MATCHING: list[tuple[str, dict[str, Any], bool]] = [
    ("eq on the resource matches", {"resource": {"eq": ["arn:aws:s3:::reports"]}}, True),
    ("eq holds when any value is equal", {"resourceType": {"eq": ["AWS::SQS::Queue", "AWS::S3::Bucket"]}}, True),
    ("eq on another owner does not match", {"resourceOwnerAccount": {"eq": ["222222222222"]}}, False),
    ("neq holds when no value is equal", {"resourceOwnerAccount": {"neq": ["222222222222"]}}, True),
    ("neq fails on an equal value", {"isPublic": {"neq": ["false"]}}, False),
    ("isPublic is the text true or false", {"isPublic": {"eq": ["false"]}}, True),
    ("contains matches a part of the value", {"resource": {"contains": ["report"]}}, True),
    ("a condition key matches without regard to case", {"condition.AWS:SOURCEVPCE": {"eq": ["vpce-1a2b3c4d"]}}, True),
    ("exists true on a present condition", {"condition.aws:SourceVpce": {"exists": True}}, True),
    ("exists false on an absent condition", {"condition.aws:SourceIp": {"exists": False}}, True),
    ("exists true on an absent condition", {"condition.aws:SourceIp": {"exists": True}}, False),
    ("the principal of another type is absent", {"principal.Service": {"exists": True}}, False),
    ("neq on an absent value holds", {"principal.Federated": {"neq": ["x"]}}, True),
    ("eq on an absent value fails", {"principal.Federated": {"eq": ["x"]}}, False),
    ("every criterion must hold", {"principal.AWS": {"eq": ["*"]}, "isPublic": {"eq": ["true"]}}, False),
    ("every operator of a criterion must hold", {"resource": {"contains": ["reports"], "neq": ["a"]}}, True),
]


@pytest.mark.parametrize(("name", "rule_filter", "matches"), MATCHING, ids=[m[0] for m in MATCHING])
def test_filter_matching(name: str, rule_filter: dict[str, Any], matches: bool) -> None:
    """The rule matches the finding exactly when every criterion's operators hold."""
    assert parse_archive_rule("rule", rule_filter).matches(FINDING) is matches


MALFORMED: list[tuple[str, str, object]] = [
    ("the filter must be JSON", "rule", "{"),
    ("the filter must not be empty", "rule", {}),
    ("the filter must be an object", "rule", ["isPublic"]),
    ("status is not an archive rule key", "rule", {"status": {"eq": ["ACTIVE"]}}),
    ("unknown keys are refused", "rule", {"owner": {"eq": ["x"]}}),
    ("unknown principal types are refused", "rule", {"principal.User": {"eq": ["x"]}}),
    ("unknown operators are refused", "rule", {"resource": {"equals": ["x"]}}),
    ("a criterion needs an operator", "rule", {"resource": {}}),
    ("exists is a boolean", "rule", {"resource": {"exists": "yes"}}),
    ("values are strings", "rule", {"resource": {"eq": [1]}}),
    ("at most 20 values", "rule", {"resource": {"eq": [str(i) for i in range(21)]}}),
    ("at least one value", "rule", {"resource": {"eq": []}}),
    ("isPublic takes true or false", "rule", {"isPublic": {"eq": ["yes"]}}),
    ("a rule name starts with a letter", "1rule", {"isPublic": {"eq": ["true"]}}),
    ("a rule name has no spaces", "my rule", {"isPublic": {"eq": ["true"]}}),
]


@pytest.mark.parametrize(("name", "rule_name", "rule_filter"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_rules_are_coded_errors(name: str, rule_name: str, rule_filter: object) -> None:
    """A malformed rule is an INVALID_ARCHIVE_RULE error, never a crash."""
    with pytest.raises(ArchiveRuleError) as raised:
        parse_archive_rule(rule_name, rule_filter)
    assert raised.value.code == "INVALID_ARCHIVE_RULE"


def test_a_rule_round_trips_through_its_json() -> None:
    """What the store keeps parses back to the same rule."""
    rule = parse_archive_rule("r", {"resource": {"contains": ["a"], "exists": True}, "isPublic": {"eq": ["true"]}})
    assert parse_archive_rule("r", rule.filter_json()) == rule
