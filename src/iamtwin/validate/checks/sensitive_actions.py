"""`iam:PassRole` and `iam:CreateServiceLinkedRole` granted on every resource.

Passing any role lets a principal give a service more permissions than it has itself
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html); Access Analyzer
reports each way the action and resource can be too wide as its own code (security warnings for
PassRole, general warnings for CreateServiceLinkedRole), in identity-based policies.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...policy.source import child_path
from ..context import CheckContext
from ..findings import Finding, FindingType, IssueCode, PolicyType
from .grants import ActionGrant, ResourceGrant, grant_of

SW, W = FindingType.SECURITY_WARNING, FindingType.WARNING

_SHAPES: dict[tuple[ActionGrant, ResourceGrant], tuple[str, str]] = {
    (ActionGrant.NAMED, ResourceGrant.STAR): ("WITH_STAR_IN_RESOURCE", "with star in resource"),
    (ActionGrant.STAR, ResourceGrant.STAR): ("WITH_STAR_IN_ACTION_AND_RESOURCE", "with star in action and resource"),
    (ActionGrant.NOT_ACTION, ResourceGrant.STAR): (
        "WITH_NOT_ACTION_AND_STAR_IN_RESOURCE",
        "with NotAction and star in resource",
    ),
    (ActionGrant.NAMED, ResourceGrant.NOT_RESOURCE): ("WITH_NOT_RESOURCE", "with NotResource"),
    (ActionGrant.STAR, ResourceGrant.NOT_RESOURCE): (
        "WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
        "with star in action and NotResource",
    ),
    (ActionGrant.NOT_ACTION, ResourceGrant.NOT_RESOURCE): (
        "WITH_NOT_ACTION_AND_NOT_RESOURCE",
        "with NotAction and NotResource",
    ),
}


def _family(prefix: str, title: str, finding_type: FindingType) -> dict[tuple[ActionGrant, ResourceGrant], IssueCode]:
    return {
        shape: IssueCode(f"{prefix}_{suffix}", finding_type, f"{title} {words}")
        for shape, (suffix, words) in _SHAPES.items()
    }


PASS_ROLE = _family("PASS_ROLE", "Pass role", SW)
CREATE_SLR = _family("CREATE_SLR", "Create SLR", W)
_ACTIONS = (("iam:PassRole", PASS_ROLE), ("iam:CreateServiceLinkedRole", CREATE_SLR))

CODES = (*PASS_ROLE.values(), *CREATE_SLR.values())


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Report Allow statements of identity policies that reach a sensitive action on every resource."""
    if ctx.policy_type is not PolicyType.IDENTITY:
        return
    for statement in ctx.raw_statements:
        for action, family in _ACTIONS:
            grant = grant_of(statement, action)
            if grant is None:
                continue
            issue = family.get((grant.action, grant.resource))
            if issue is None:
                continue
            element = "NotResource" if grant.resource is ResourceGrant.NOT_RESOURCE else "Resource"
            message = f"the statement allows `{action}` on every resource (or all but a few); name the resources"
            yield ctx.finding(issue, message, child_path(statement.path, element))
