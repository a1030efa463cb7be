"""A policy found in an input, ready to check: its value, type, origin and source positions.

Inputs (policy files, CloudFormation templates, Terraform plans) all reduce to PolicySource.
A value that could not be known offline (a CloudFormation intrinsic function we do not resolve)
is written as a placeholder between `⟦` and `⟧`; checks leave any text holding one alone, so an
unresolved value never causes a finding of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import Location
from ..policy.problems import ProblemLog
from .findings import PolicyType

PLACEHOLDER_OPEN = "⟦"
PLACEHOLDER_CLOSE = "⟧"


def placeholder(description: str) -> str:
    """The text standing for a value known only at deployment (`⟦Ref MyQueue⟧`)."""
    return f"{PLACEHOLDER_OPEN}{description}{PLACEHOLDER_CLOSE}"


def is_unresolved(text: str) -> bool:
    """True when the text holds a placeholder, so no check may judge it."""
    return PLACEHOLDER_OPEN in text


@dataclass(frozen=True, slots=True)
class PolicySource:
    """One policy to validate.

    `positions` maps the policy's JSON paths to (line, column) in `file`; a path without a
    position is located at its nearest positioned ancestor (a Terraform plan gives only the
    position of the attribute holding the policy, under the path ``""``). `text` is the policy as
    written when it was a JSON string of its own (its size is measured on it); `duplicate_keys`
    are the paths of keys written twice in one object; `size_quota` is the quota of the entity or
    service holding the policy when it differs from the policy type's; `resource_service` is the
    service prefix of the resource a resource policy is attached to, when the input says (`s3` for
    a bucket policy); `aws_managed` marks an AWS managed policy, which AWS writes and no customer
    quota limits.
    """

    file: str
    value: object
    policy_type: PolicyType
    positions: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    resource: str = ""
    policy: str = ""
    text: str | None = None
    duplicate_keys: tuple[str, ...] = ()
    size_quota: int | None = None
    resource_service: str = ""
    aws_managed: bool = False

    def locate(self, path: str) -> Location:
        """The line and column of a JSON path in the file (or of its nearest positioned ancestor)."""
        return ProblemLog(self.positions).locate(path)
