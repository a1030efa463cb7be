"""AWS's access-denied message, rendered from a Decision.

Wording follows AWS's "Troubleshoot access denied error messages" page
(https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html):
`User: <principal> is not authorized to perform: <action> on resource: <resource>` followed by
`because no <type> policy allows the <action> action` (implicit deny) or
`with an explicit deny in a <type> policy` (explicit deny). The ARN of the denying policy is
appended after a colon when it is known, as described in AWS's announcement
https://aws.amazon.com/blogs/security/enhanced-access-denied-error-messages-with-policy-arns/.
"""

from __future__ import annotations

from ..policy.model import Effect
from .decision import Decision, Outcome, PolicyType

_PHRASES: dict[PolicyType, str] = {
    PolicyType.IDENTITY: "identity-based policy",
    PolicyType.RESOURCE: "resource-based policy",
    PolicyType.PERMISSIONS_BOUNDARY: "permissions boundary",
    PolicyType.SESSION: "session policy",
    PolicyType.SCP: "service control policy",
    PolicyType.RCP: "resource control policy",
    PolicyType.VPC_ENDPOINT: "VPC endpoint policy",
}


def policy_type_phrase(policy_type: PolicyType) -> str:
    """How AWS names a policy type in an access-denied message (`service control policy`)."""
    return _PHRASES[policy_type]


def _with_article(phrase: str) -> str:
    # Every phrase starts with a consonant sound except `identity-based policy`.
    return f"an {phrase}" if phrase[0] in "aeiou" else f"a {phrase}"


def denial_message(decision: Decision) -> str | None:
    """The AWS-style access-denied message for a denied decision; None when it is allowed."""
    if decision.outcome is Outcome.ALLOWED:
        return None
    request = decision.request
    # blocked_by is never empty for a denial; identity is AWS's default culprit if it were.
    policy_type = decision.blocked_by[0] if decision.blocked_by else PolicyType.IDENTITY
    phrase = policy_type_phrase(policy_type)
    head = f"User: {request.principal.display} is not authorized to perform: {request.action}"
    if request.resource is not None:
        head += f" on resource: {request.resource}"
    if decision.outcome is Outcome.IMPLICIT_DENY:
        return f"{head} because no {phrase} allows the {request.action} action"
    message = f"{head} with an explicit deny in {_with_article(phrase)}"
    policy_id = _denying_policy(decision, policy_type)
    # Only a real policy ARN is named; inline policies (ids like `<owner arn>#<name>`) have none.
    if policy_id is not None and policy_id.startswith("arn:") and "#" not in policy_id:
        message += f": {policy_id}"
    return message


def _denying_policy(decision: Decision, policy_type: PolicyType) -> str | None:
    """The first blocking policy that holds a matched deny statement of `policy_type`."""
    denying = {
        ref.policy_id for ref in decision.matched if ref.effect is Effect.DENY and ref.policy_type is policy_type
    }
    return next((pid for pid in decision.blocking_policies if pid in denying), None)
