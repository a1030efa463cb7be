"""Which policy types apply to a request, per AWS's documented exemptions."""

from __future__ import annotations

from ..policy.arn import parse_arn
from .principal import PrincipalKind
from .request import Request

# Services whose resources resource control policies apply to.
# https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
RCP_SERVICES = frozenset(
    {"s3", "sts", "kms", "sqs", "secretsmanager", "ecr", "aoss", "cognito-idp", "logs", "dynamodb"}
)

# Actions a role's trust policy must allow besides sts:AssumeRole*.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
_TRUST_POLICY_ACTIONS = frozenset({"sts:tagsession", "sts:setsourceidentity", "sts:setcontext"})

# Principals whose permissions come from IAM identity policies in an account.
IAM_PRINCIPALS = frozenset(
    {PrincipalKind.ROOT, PrincipalKind.USER, PrincipalKind.ROLE_SESSION, PrincipalKind.FEDERATED_USER}
)

# Principals that carry session policies.
SESSION_PRINCIPALS = frozenset({PrincipalKind.ROLE_SESSION, PrincipalKind.FEDERATED_USER})


def may_require_resource_policy(action_lower: str, service: str) -> bool:
    """False when `resource_policy_required` is false for this action whatever the resource."""
    if service == "kms":
        return True
    return service == "sts" and (action_lower.startswith("sts:assumerole") or action_lower in _TRUST_POLICY_ACTIONS)


def resource_policy_required(request: Request) -> bool:
    """True where AWS requires the resource's own policy to allow: KMS keys and role trust policies.

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
    """
    if request.resource is None:
        return False
    arn = parse_arn(request.resource)
    if arn is None:
        return False
    service = request.service
    if service == "kms" and arn.service == "kms" and arn.resource.startswith("key/"):
        return True
    action = request.action.lower()
    return (
        service == "sts"
        and (action.startswith("sts:assumerole") or action in _TRUST_POLICY_ACTIONS)
        and arn.service == "iam"
        and arn.resource.startswith("role/")
    )
