"""A few AWS managed policies whose documents are short and stable, by ARN.

Documents as published in the AWS Managed Policy Reference
(https://docs.aws.amazon.com/aws-managed-policy/latest/reference/), checked for this table:
AdministratorAccess v1, PowerUserAccess v12, IAMFullAccess v2, AmazonS3FullAccess,
AmazonS3ReadOnlyAccess v3. Other AWS managed policies must be written into the world file as
customer-managed policies; referring to one by ARN is an error that says so.

Also the two policies AWS Organizations attaches by default: `FullAWSAccess` (SCP) and
`RCPFullAWSAccess` (RCP), usable by name in an organization without defining them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"


def _allow(actions: str | list[str], *, not_action: bool = False) -> dict[str, Any]:
    return {"Effect": "Allow", ("NotAction" if not_action else "Action"): actions, "Resource": "*"}


def _policy(*statements: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType({"Version": "2012-10-17", "Statement": list(statements)})


AWS_MANAGED_POLICIES: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        AWS_MANAGED_PREFIX + "AdministratorAccess": _policy(_allow("*")),
        AWS_MANAGED_PREFIX + "PowerUserAccess": _policy(
            _allow(["iam:*", "organizations:*", "account:*"], not_action=True),
            _allow(
                [
                    "account:GetAccountInformation",
                    "account:GetGovCloudAccountInformation",
                    "account:GetPrimaryEmail",
                    "account:ListRegions",
                    "iam:CreateServiceLinkedRole",
                    "iam:DeleteServiceLinkedRole",
                    "iam:ListRoles",
                    "organizations:DescribeEffectivePolicy",
                    "organizations:DescribeOrganization",
                ]
            ),
        ),
        AWS_MANAGED_PREFIX + "IAMFullAccess": _policy(
            _allow(
                [
                    "iam:*",
                    "organizations:DescribeAccount",
                    "organizations:DescribeOrganization",
                    "organizations:DescribeOrganizationalUnit",
                    "organizations:DescribePolicy",
                    "organizations:ListChildren",
                    "organizations:ListParents",
                    "organizations:ListPoliciesForTarget",
                    "organizations:ListRoots",
                    "organizations:ListPolicies",
                    "organizations:ListTargetsForPolicy",
                ]
            ),
        ),
        AWS_MANAGED_PREFIX + "AmazonS3FullAccess": _policy(_allow(["s3:*", "s3-object-lambda:*"])),
        AWS_MANAGED_PREFIX + "AmazonS3ReadOnlyAccess": _policy(
            _allow(["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"]),
        ),
    }
)

# The organization policies AWS manages, by name: (type, ARN, document).
FULL_AWS_ACCESS_ARN = "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
RCP_FULL_AWS_ACCESS_ARN = "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess"

ORGANIZATIONS_MANAGED: Mapping[str, tuple[str, str, Mapping[str, Any]]] = MappingProxyType(
    {
        "FullAWSAccess": ("scp", FULL_AWS_ACCESS_ARN, _policy(_allow("*"))),
        "RCPFullAWSAccess": (
            "rcp",
            RCP_FULL_AWS_ACCESS_ARN,
            _policy({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
        ),
    }
)


def aws_managed_document(arn: str) -> Mapping[str, Any] | None:
    """The document of an AWS managed policy in the table, or None."""
    return AWS_MANAGED_POLICIES.get(arn)


def plain_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON-ready copy of a table document (the table is read-only)."""
    return {
        "Version": document["Version"],
        "Statement": [dict(statement) for statement in document["Statement"]],
    }
