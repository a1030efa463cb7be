"""Region codes that name no AWS Region: in resource ARNs, and in `aws:RequestedRegion` conditions.

A well-formed code that is no Region of the ARN's partition (`us-east-7`, `eu-west-2` in
`aws-cn`) matches no resource (INVALID_REGION,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html);
in `aws:RequestedRegion` it matches no request
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion).
The Regions of each partition are read from botocore's endpoint data, which lists every Region
AWS has launched up to the installed botocore release.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from ...policy.operators import split_operator
from ..check import condition_entries, condition_values, element_strings
from ..context import CheckContext
from ..findings import Finding, FindingType, IssueCode, iamtwin_code
from .arn_format import arn_problem

INVALID_REGION = IssueCode("INVALID_REGION", FindingType.ERROR, "Invalid Region")
UNKNOWN_REQUESTED_REGION = iamtwin_code(
    "UNKNOWN_REQUESTED_REGION",
    FindingType.WARNING,
    "Unknown requested Region",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion",
)
CODES = (INVALID_REGION, UNKNOWN_REQUESTED_REGION)

_REGION_SHAPE = re.compile(r"^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$")


@cache
def regions_by_partition() -> dict[str, frozenset[str]]:
    """Every Region code of each partition, from botocore's endpoint data."""
    # Imported here, on the first policy that names a Region: botocore is slow to import.
    from botocore.loaders import Loader

    data = Loader().load_data("endpoints")
    return {p["partition"]: frozenset(p["regions"]) for p in data["partitions"]}


def _all_regions() -> frozenset[str]:
    return frozenset().union(*regions_by_partition().values())


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Report ARN Regions unknown to their partition and requested Regions AWS does not have."""
    for statement in ctx.raw_statements:
        for element in ("Resource", "NotResource"):
            for path, arn in element_strings(statement, element):
                if arn == "*" or arn_problem(arn) is not None or "${" in arn:
                    continue
                _prefix, partition, _service, region, _rest = arn.split(":", 4)
                if not region or any(c in region for c in "*?"):
                    continue
                known = regions_by_partition()
                if partition not in known:
                    continue
                if region not in known[partition]:
                    message = f"`{region}` is not a Region of the `{partition}` partition (in `{arn}`)"
                    yield ctx.finding(INVALID_REGION, message, path)
        for operator, key, path, values in condition_entries(statement):
            split = split_operator(operator)
            if key.lower() != "aws:requestedregion" or split is None or not split[1].startswith("String"):
                continue
            for value_path, value in condition_values(values, path):
                text = value if isinstance(value, str) else ""
                if text and not any(c in text for c in "*?$") and text not in _all_regions():
                    hint = "" if _REGION_SHAPE.match(text) else " (a Region code looks like `eu-west-2`)"
                    message = f"`{text}` is not an AWS Region; no request is made to it{hint}"
                    yield ctx.finding(UNKNOWN_REQUESTED_REGION, message, value_path)
