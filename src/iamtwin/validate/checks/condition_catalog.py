"""Condition keys checked against the catalogue: does the key exist, and can it occur in the requests?

- An `aws:` key that is not a global condition key, or a key of a known service that the
  service does not define, is never in any request
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html,
  https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
- A global key that cannot matter in the policy type (`aws:SourceArn` in an SCP) is unsupported there.
- `aws:RequestTag`, `aws:ResourceTag` and `aws:PrincipalTag` need a tag key after a slash.
- A key no action of the statement ever carries (scenario 01: `aws:TagKeys` on
  `lambda:InvokeFunction`) makes the condition a constant. A missing key makes a condition false,
  except with `...IfExists`, `ForAllValues`, a negated operator, or `Null: true`, which are then true
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
  So an Allow either grants unconditionally or never, and a Deny either always or never applies.
"""

from __future__ import annotations

from collections.abc import Iterator

from ... import catalog
from ...policy.model import SetQualifier
from ...policy.operators import split_operator
from ..check import condition_entries, condition_values
from ..context import CheckContext
from ..findings import Finding, FindingType, IssueCode, iamtwin_code
from ..source import is_unresolved
from .resource_types import statement_actions

E, SW, W = FindingType.ERROR, FindingType.SECURITY_WARNING, FindingType.WARNING
OPERATORS_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"

INVALID_GLOBAL_CONDITION_KEY = IssueCode("INVALID_GLOBAL_CONDITION_KEY", E, "Invalid global condition key")
INVALID_SERVICE_CONDITION_KEY = IssueCode("INVALID_SERVICE_CONDITION_KEY", E, "Invalid service condition key")
UNSUPPORTED_GLOBAL_CONDITION_KEY = IssueCode("UNSUPPORTED_GLOBAL_CONDITION_KEY", E, "Unsupported global condition key")
MISSING_TAG_KEY_IN_CONDITION = IssueCode("MISSING_TAG_KEY_IN_CONDITION", E, "Missing tag key in condition")
CONDITION_RESTRICTS_NOTHING = iamtwin_code(
    "CONDITION_RESTRICTS_NOTHING", SW, "Condition restricts nothing", OPERATORS_PAGE
)
ALLOW_NEVER_APPLIES = iamtwin_code("ALLOW_NEVER_APPLIES", W, "Allow never applies", OPERATORS_PAGE)
DENY_NEVER_APPLIES = iamtwin_code("DENY_NEVER_APPLIES", SW, "Deny never applies", OPERATORS_PAGE)
DENY_ALWAYS_APPLIES = iamtwin_code("DENY_ALWAYS_APPLIES", W, "Deny always applies", OPERATORS_PAGE)

CODES = (
    INVALID_GLOBAL_CONDITION_KEY,
    INVALID_SERVICE_CONDITION_KEY,
    UNSUPPORTED_GLOBAL_CONDITION_KEY,
    MISSING_TAG_KEY_IN_CONDITION,
    CONDITION_RESTRICTS_NOTHING,
    ALLOW_NEVER_APPLIES,
    DENY_NEVER_APPLIES,
    DENY_ALWAYS_APPLIES,
)

_TAG_FAMILIES = ("aws:requesttag", "aws:resourcetag", "aws:principaltag")
# Global keys whose presence the catalogue decides per action (the others depend on the caller).
_PER_ACTION_GLOBALS = ("aws:requesttag/", "aws:resourcetag/", "aws:tagkeys")
_NEGATED = ("StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NumericNotEquals", "DateNotEquals")
_NEGATED_OTHER = ("ArnNotEquals", "ArnNotLike", "NotIpAddress")


def true_when_absent(operator: str, values: object) -> bool | None:
    """Whether a condition holds when its key is missing from the request; None for an unknown operator."""
    split = split_operator(operator)
    if split is None:
        return None
    qualifier, base, if_exists = split
    if if_exists or qualifier is SetQualifier.FOR_ALL_VALUES:
        return True
    if qualifier is SetQualifier.FOR_ANY_VALUE:
        return False
    if base == "Null":
        texts = {str(v).lower() for _p, v in condition_values(values, "")}
        return texts == {"true"}
    return base in _NEGATED or base in _NEGATED_OTHER


def _key_problem(ctx: CheckContext, key: str) -> tuple[IssueCode, str] | None:
    lowered = key.lower()
    prefix = lowered.split(":", 1)[0]
    if lowered in _TAG_FAMILIES:
        return MISSING_TAG_KEY_IN_CONDITION, f"`{key}` needs a tag key: write `{key}/TagKey`"
    if prefix == "aws":
        found = catalog.global_key(key)
        if found is None:
            return INVALID_GLOBAL_CONDITION_KEY, f"`{key}` is not an AWS global condition key"
        if ctx.policy_type.value not in {kind.value for kind in found.policy_kinds}:
            message = (
                f"`{key}` is never set in requests a {ctx.policy_type.value} policy governs ({found.availability})"
            )
            return UNSUPPORTED_GLOBAL_CONDITION_KEY, message
        return None
    if catalog.service(prefix) is not None and catalog.condition_key(key) is None:
        return INVALID_SERVICE_CONDITION_KEY, f"the service `{prefix}` has no condition key `{key}`"
    return None


# Service keys that come with the caller's credentials, not with the action, so any request may
# carry them: EC2 instance role credentials (ec2:SourceInstanceARN, ec2:RoleDelivery, …,
# https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html), Lambda
# function credentials (lambda:SourceFunctionArn,
# https://docs.aws.amazon.com/lambda/latest/dg/permissions-source-function-arn.html) and
# sessions AWS Glue creates (glue:RoleAssumedBy, glue:CredentialIssuingService,
# https://docs.aws.amazon.com/glue/latest/dg/using-identity-based-policies.html).
_CREDENTIAL_KEYS = frozenset(
    {
        "ec2:sourceinstancearn",
        "ec2:sourceinstanceprivateipv4",
        "ec2:roledelivery",
        "lambda:sourcefunctionarn",
        "glue:roleassumedby",
        "glue:credentialissuingservice",
    }
)


def _decided_by_catalogue(key: str, actions: tuple[catalog.Action, ...]) -> bool:
    """Whether the catalogue's per-action key lists say if requests carry the key.

    A service's key is judged only for that service's actions: other services may add their own
    keys to requests they make (Glue, EC2 and Lambda credentials do).
    """
    lowered = key.lower()
    if lowered.startswith("aws:"):
        return lowered.startswith(_PER_ACTION_GLOBALS)
    prefix = lowered.split(":", 1)[0]
    if lowered in _CREDENTIAL_KEYS or catalog.service(prefix) is None:
        return False
    return all(act.service.lower() == prefix for act in actions)


def _hint(key: str, operator: str, values: object, actions: tuple[catalog.Action, ...]) -> str:
    """For a request-tag key on actions that act on tagged resources, the resource-tag key meant."""
    lowered = key.lower()
    split = split_operator(operator)
    if not lowered.startswith(("aws:tagkeys", "aws:requesttag/")) or split is None or split[1] == "Null":
        return ""
    tag = key.split("/", 1)[1] if "/" in key else next((str(v) for _p, v in condition_values(values, "")), "TagKey")
    if any(catalog.key_in_request(act, f"aws:ResourceTag/{tag}") for act in actions):
        return f"; to test the resource's tag, use `aws:ResourceTag/{tag}`"
    return ""


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Check each condition key exists, fits the policy type, and occurs in the statement's requests."""
    for statement in ctx.raw_statements:
        actions = statement_actions(statement)
        effect = statement.value.get("Effect")
        for operator, key, path, values in condition_entries(statement):
            if is_unresolved(key) or ":" not in key:
                continue
            problem = _key_problem(ctx, key)
            if problem is not None:
                yield ctx.finding(problem[0], problem[1], path)
                continue
            if not actions or effect not in ("Allow", "Deny") or not _decided_by_catalogue(key, actions):
                continue
            if any(catalog.key_in_request(act, key) for act in actions):
                continue
            absent = true_when_absent(operator, values)
            if absent is None:
                continue
            names = ", ".join(f"`{a.full_name}`" for a in actions[:3]) + (", …" if len(actions) > 3 else "")
            never = f"`{key}` is never in a request for {names}"
            hint = _hint(key, operator, values, actions)
            if effect == "Allow" and absent:
                message = f"{never}, and `{operator}` is true when the key is missing: the condition restricts nothing"
                yield ctx.finding(CONDITION_RESTRICTS_NOTHING, message + hint, path)
            elif effect == "Allow":
                message = f"{never}, so `{operator}` is always false: the statement never allows anything"
                yield ctx.finding(ALLOW_NEVER_APPLIES, message + hint, path)
            elif absent:
                message = (
                    f"{never}, and `{operator}` is true when the key is missing: the statement denies every request"
                )
                yield ctx.finding(DENY_ALWAYS_APPLIES, message + hint, path)
            else:
                message = f"{never}, so `{operator}` is always false: the statement never denies anything"
                yield ctx.finding(DENY_NEVER_APPLIES, message + hint, path)
