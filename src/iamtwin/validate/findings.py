"""The values the validator produces: finding types, issue codes, locations and findings.

Finding types and issue codes follow IAM Access Analyzer's policy validation
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html):
an ERROR is a part of the policy that does not work, a SECURITY_WARNING grants access that is
overly permissive, a WARNING breaks a best practice, a SUGGESTION is stylistic. Codes that Access
Analyzer does not have are marked `iamtwin` and named in the same SNAKE_CASE style.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

CHECK_REFERENCE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"


class FindingType(StrEnum):
    """How much a finding matters, in Access Analyzer's four levels."""

    ERROR = "ERROR"
    SECURITY_WARNING = "SECURITY_WARNING"
    WARNING = "WARNING"
    SUGGESTION = "SUGGESTION"


class PolicyType(StrEnum):
    """The kind of policy being validated; it decides which elements and keys are allowed."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    TRUST = "trust"
    SCP = "scp"
    RCP = "rcp"


# How the reference page titles each finding type (its anchors are built from these words).
_TYPE_HEADINGS = {
    FindingType.ERROR: "error",
    FindingType.SECURITY_WARNING: "security-warning",
    FindingType.WARNING: "general-warning",
    FindingType.SUGGESTION: "suggestion",
}


@dataclass(frozen=True, slots=True)
class IssueCode:
    """One kind of finding: its code, type, title and where to learn more.

    `origin` is `access-analyzer` for codes Access Analyzer reports, `iamtwin` for our own;
    `reference` overrides the learn-more link (our own codes point at the AWS page they follow).
    """

    code: str
    finding_type: FindingType
    title: str
    origin: str = "access-analyzer"
    reference: str = ""

    @property
    def learn_more(self) -> str:
        """The documentation link shown with the finding."""
        if self.reference:
            return self.reference
        slug = re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")
        return f"{CHECK_REFERENCE}#access-analyzer-reference-policy-checks-{_TYPE_HEADINGS[self.finding_type]}-{slug}"


def iamtwin_code(code: str, finding_type: FindingType, title: str, reference: str) -> IssueCode:
    """An issue code of our own, documented by the AWS page whose rule it checks."""
    return IssueCode(code, finding_type, title, "iamtwin", reference)


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where a finding is: the file, the policy's JSON path, and the line and column in the file."""

    file: str
    path: str = ""
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        return where


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding about one policy; `resource` and `policy` name it inside a template or plan."""

    issue: IssueCode
    message: str
    location: SourceLocation
    resource: str = ""
    policy: str = ""

    @property
    def code(self) -> str:
        """The issue code."""
        return self.issue.code

    @property
    def finding_type(self) -> FindingType:
        """The finding type of the issue code."""
        return self.issue.finding_type

    def to_dict(self) -> dict[str, object]:
        """The finding as JSON-ready data, in the CloudFormation policy validator's field names."""
        location: dict[str, object] = {"file": self.location.file, "path": self.location.path}
        if self.location.line is not None:
            location["line"] = self.location.line
            location["column"] = self.location.column
        return {
            "findingType": self.finding_type.value,
            "code": self.code,
            "message": self.message,
            "resourceName": self.resource,
            "policyName": self.policy,
            "details": {"learnMoreLink": self.issue.learn_more, "location": location},
        }
