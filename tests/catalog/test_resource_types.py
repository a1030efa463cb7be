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
