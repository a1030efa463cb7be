"""Which resource type an ARN is of, for an action, by the reference's ARN formats (table in resource_type_cases.yaml).

https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from iamtwin import catalog

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "resource_type_cases.yaml").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_match_resource_type(case: dict[str, Any]) -> None:
    """Each case's ARN is of the expected resource type of the action (or of none)."""
    assert case["doc"].startswith("https://docs.aws.amazon.com/")
    found = catalog.match_resource_type(case["action"], case["arn"])
    assert (found.name if found else None) == case["expect"]


def test_format_values_and_fill_round_trip() -> None:
    """Filling a format with the values an ARN gives it yields the ARN again."""
    fmt = "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    values = catalog.format_values("arn:aws:s3:::b/k/ey", fmt)
    assert values == {"Partition": "aws", "BucketName": "b", "ObjectName": "k/ey"}
    assert catalog.fill_format(fmt, values) == "arn:aws:s3:::b/k/ey"
    assert catalog.fill_format(fmt, {"Partition": "aws"}) is None
    assert catalog.fill_format(fmt, {"Partition": "aws"}, missing="*") == "arn:aws:s3:::*/*"
    assert catalog.placeholders(fmt) == ("Partition", "BucketName", "ObjectName")
    assert catalog.format_values("arn:aws:s3:::b", fmt) is None


@pytest.mark.parametrize(
    ("region", "partition"),
    [("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"), ("us-isob-east-1", "aws-iso-b")],
)
def test_partition_of_region(region: str, partition: str) -> None:
    """Regions belong to their partition (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html)."""
    assert catalog.partition_of(region) == partition


def test_every_type_has_single_formats() -> None:
    """No format holds several joined by `, ` (the data joins API Gateway's `/apis/` and `/restapis/` forms)."""
    stage = catalog.resource_type("apigateway", "stage")
    assert stage is not None
    assert stage.arn_formats == (
        "arn:${Partition}:apigateway:${Region}::/apis/${ApiId}/stages/${StageName}",
        "arn:${Partition}:apigateway:${Region}::/restapis/${RestApiId}/stages/${StageName}",
    )
    for prefix in catalog.service_prefixes():
        for act in catalog.actions(prefix):
            for arn_format in catalog.arn_formats(act):
                assert ", " not in arn_format and arn_format.startswith("arn:"), (act.full_name, arn_format)


# Pattern/ARN pairs checked against the engine: when the engine's Resource matching says the pattern
# matches a concrete ARN of a type, the catalogue must say the pattern fits that type's format.
ENGINE_PAIRS = [
    (
        "arn:aws:elasticloadbalancing:*:*:listener/net/lb*",
        "elasticloadbalancing:DeleteListener",
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/net/lb1/50dc6c495c0c9188/f2f7dc8efc522ab2",
    ),
    ("arn:aws:ec2:*:*:snapshot/*", "ec2:CreateSnapshot", "arn:aws:ec2:us-east-1::snapshot/snap-1234"),
    (
        "arn:aws:ecs:*:*:task-definition/*",
        "ecs:TagResource",
        "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3",
    ),
    ("arn:aws:s3:::*/*", "s3:GetObject", "arn:aws:s3:::b/k/ey"),
    ("arn:aws:s3:::b?", "s3:ListBucket", "arn:aws:s3:::b1"),
    (
        "arn:aws:logs:*:*:log-group:/aws/lambda/*:*",
        "logs:PutLogEvents",
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:log-stream:2024/01/01",
    ),
]


@pytest.mark.parametrize(("pattern", "action", "arn"), ENGINE_PAIRS)
def test_pattern_fit_agrees_with_the_engine(pattern: str, action: str, arn: str) -> None:
    """A pattern the engine matches against an ARN of a type fits that type.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
    """
    from iamtwin.policy.arn import arn_matches

    assert arn_matches(pattern, arn)
    of_arn = catalog.match_resource_type(action, arn)
    assert of_arn is not None
    assert catalog.arns.pattern_fits_format(pattern, of_arn.arn_format)
    assert catalog.match_resource_type(action, pattern) is not None


def test_header_wildcards_stay_in_their_field() -> None:
    """In the Region field a `?` cannot take a colon, so `arn:aws:sqs:?:…` fits no queue ARN with a Region."""
    fmt = "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}"
    assert catalog.arns.pattern_fits_format("arn:aws:sqs:*:111122223333:q", fmt)
    assert not catalog.arns.pattern_fits_format("arn:aws:sqs:us-east-1?111122223333:q", fmt)
    assert not catalog.arns.pattern_fits_format("arn:aws:s3:::b/*", "arn:${Partition}:s3:::${BucketName}")
