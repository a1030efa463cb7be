"""The shape of resource ARNs: prefix, six fields, partition, service case, Region and account.

`arn:partition:service:region:account-id:resource`
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html). IAM ARNs have no Region
and always an account (or `aws` for AWS managed policies)
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns).
Fields holding a wildcard are not judged; whether the resource part fits the actions' resource
types is the catalogue check's question.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..check import element_strings
from ..context import CheckContext
from ..findings import Finding, FindingType, IssueCode

E = FindingType.ERROR
INVALID_ARN_PREFIX = IssueCode("INVALID_ARN_PREFIX", E, "Invalid ARN prefix")
MISSING_ARN_FIELD = IssueCode("MISSING_ARN_FIELD", E, "Missing ARN field")
INVALID_PARTITION = IssueCode("INVALID_PARTITION", E, "Invalid partition")
INVALID_ARN_SERVICE_CASE = IssueCode("INVALID_ARN_SERVICE_CASE", E, "Invalid ARN service case")
INVALID_ARN_REGION = IssueCode("INVALID_ARN_REGION", E, "Invalid ARN Region")
INVALID_ARN_ACCOUNT = IssueCode("INVALID_ARN_ACCOUNT", E, "Invalid ARN account")
ARN_REGION_NOT_ALLOWED = IssueCode("ARN_REGION_NOT_ALLOWED", E, "ARN Region not allowed")
INVALID_ARN_RESOURCE = IssueCode("INVALID_ARN_RESOURCE", E, "Invalid ARN resource")

CODES = (
    INVALID_ARN_PREFIX,
    MISSING_ARN_FIELD,
    INVALID_PARTITION,
    INVALID_ARN_SERVICE_CASE,
    INVALID_ARN_REGION,
    INVALID_ARN_ACCOUNT,
    ARN_REGION_NOT_ALLOWED,
    INVALID_ARN_RESOURCE,
)

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")
_REGION = re.compile(r"^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$")
_ACCOUNT = re.compile(r"^\d{12}$")


def _wild(text: str) -> bool:
    return "*" in text or "?" in text or "${" in text


def arn_problem(arn: str) -> tuple[IssueCode, str] | None:
    """The first problem of a resource ARN's shape, or None."""
    if arn == "*":
        return None
    prefix, colon, _ = arn.partition(":")
    if prefix != "arn" and not (colon and _wild(prefix)):
        return INVALID_ARN_PREFIX, f"`{arn}` does not start with `arn:`"
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return MISSING_ARN_FIELD, f"`{arn}` has fewer than six colon-separated fields"
    _, partition, service, region, account, resource = parts
    if not _wild(partition) and partition not in PARTITIONS:
        return INVALID_PARTITION, f"`{partition}` is not a partition ({', '.join(PARTITIONS)})"
    if not _wild(service) and service != service.lower():
        return INVALID_ARN_SERVICE_CASE, f"the service `{service}` must be written in lowercase"
    if region and not _wild(region) and not _REGION.match(region):
        return INVALID_ARN_REGION, f"`{region}` is not a Region code"
    if account and not _wild(account) and not _ACCOUNT.match(account) and account != "aws":
        return INVALID_ARN_ACCOUNT, f"`{account}` is not a 12-digit account ID"
    if service == "iam":
        if region and not _wild(region):
            return ARN_REGION_NOT_ALLOWED, f"IAM ARNs have no Region; remove `{region}`"
        if not account:
            return INVALID_ARN_ACCOUNT, f"`{arn}`: IAM ARNs need the 12-digit account ID"
    if resource != resource.strip() or not resource:
        return INVALID_ARN_RESOURCE, f"`{arn}`: the resource part is empty or starts or ends with white space"
    return None


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Check the shape of every Resource and NotResource entry."""
    for statement in ctx.raw_statements:
        for element in ("Resource", "NotResource"):
            for path, arn in element_strings(statement, element):
                problem = arn_problem(arn)
                if problem is not None:
                    yield ctx.finding(problem[0], problem[1], path)
