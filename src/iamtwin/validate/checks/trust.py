"""Role trust policies: the assume action must fit the principal, and web identities must be narrowed.

- `sts:AssumeRole` is for AWS and service principals, `sts:AssumeRoleWithSAML` for SAML
  providers, `sts:AssumeRoleWithWebIdentity` for OIDC providers
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp.html).
- A web identity trust without a condition on the provider's `sub` trusts every identity the
  provider issues tokens for; for GitHub, every workflow of every repository
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ...policy.source import child_path
from ..check import condition_entries, condition_values, element_strings, strings_at
from ..context import CheckContext, RawStatement
from ..findings import Finding, FindingType, IssueCode, PolicyType, iamtwin_code

OIDC_PAGE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html"
MISMATCHED_ACTION_FOR_PRINCIPAL = IssueCode(
    "MISMATCHED_ACTION_FOR_PRINCIPAL", FindingType.ERROR, "Mismatched action for principal"
)
OIDC_TRUST_WITHOUT_SUB_CONDITION = iamtwin_code(
    "OIDC_TRUST_WITHOUT_SUB_CONDITION", FindingType.SECURITY_WARNING, "OIDC trust without sub condition", OIDC_PAGE
)
SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED = IssueCode(
    "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED", FindingType.WARNING, "Specific GitHub repo and branch recommended"
)

CODES = (MISMATCHED_ACTION_FOR_PRINCIPAL, OIDC_TRUST_WITHOUT_SUB_CONDITION, SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED)

GITHUB = "token.actions.githubusercontent.com"
_WEB_IDENTITY_NAMES = ("accounts.google.com", "cognito-identity.amazonaws.com", "graph.facebook.com", "www.amazon.com")
# Actions that accompany any assume action (tags, source identity, context).
_COMPANIONS = ("sts:tagsession", "sts:setsourceidentity", "sts:setcontext")


def _provider(federated: str) -> tuple[str, str] | None:
    """('saml'|'oidc', provider host) of a federated principal; None when it is neither."""
    if ":saml-provider/" in federated:
        return "saml", federated.split(":saml-provider/", 1)[1]
    if ":oidc-provider/" in federated:
        return "oidc", federated.split(":oidc-provider/", 1)[1]
    if federated in _WEB_IDENTITY_NAMES:
        return "oidc", federated
    return None


def run(ctx: CheckContext) -> Iterator[Finding]:
    """Check each trust statement's action against its principals, and web identity conditions."""
    if ctx.policy_type is not PolicyType.TRUST:
        return
    for statement in ctx.raw_statements:
        principal = statement.value.get("Principal")
        if not isinstance(principal, Mapping):
            continue
        kinds: set[str] = set()
        providers: list[str] = []
        for kind, values in principal.items():
            for _path, value in strings_at(values, ""):
                if kind == "Federated":
                    found = _provider(value)
                    if found is not None:
                        kinds.add(found[0])
                        if found[0] == "oidc":
                            providers.append(found[1])
                elif kind in ("AWS", "Service"):
                    kinds.add("aws")
        yield from _actions(ctx, statement, kinds)
        if statement.value.get("Effect") == "Allow":
            for provider in providers:
                yield from _web_identity(ctx, statement, provider)


_EXPECTED = {"aws": "sts:AssumeRole", "saml": "sts:AssumeRoleWithSAML", "oidc": "sts:AssumeRoleWithWebIdentity"}


def _actions(ctx: CheckContext, statement: RawStatement, kinds: set[str]) -> Iterator[Finding]:
    if not kinds:
        return
    allowed = {_EXPECTED[k].lower() for k in kinds}
    for path, action in element_strings(statement, "Action"):
        lowered = action.lower()
        if "*" in lowered or "?" in lowered or not lowered.startswith("sts:assumerole"):
            continue
        if lowered not in allowed and lowered not in _COMPANIONS:
            wanted = " or ".join(f"`{_EXPECTED[k]}`" for k in sorted(kinds))
            message = f"`{action}` does not fit the statement's principal; use {wanted}"
            yield ctx.finding(MISMATCHED_ACTION_FOR_PRINCIPAL, message, path)


def _web_identity(ctx: CheckContext, statement: RawStatement, provider: str) -> Iterator[Finding]:
    sub_key = f"{provider}:sub".lower()
    subs: list[tuple[str, str]] = []
    for _operator, key, path, values in condition_entries(statement):
        if key.lower() == sub_key:
            subs.extend((p, v) for p, v in condition_values(values, path) if isinstance(v, str))
    if not subs:
        message = f"the role trusts every identity of `{provider}`; add a condition on `{provider}:sub`"
        yield ctx.finding(OIDC_TRUST_WITHOUT_SUB_CONDITION, message, child_path(statement.path, "Principal"))
        return
    if provider != GITHUB:
        return
    for path, value in subs:
        if not _names_repo_and_ref(value):
            message = f"`{value}` does not name one repository and branch; use `repo:OWNER/REPO:ref:refs/heads/BRANCH`"
            yield ctx.finding(SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED, message, path)


def _names_repo_and_ref(subject: str) -> bool:
    """`repo:owner/name:ref:refs/heads/main` with no wildcard in the owner or the repository."""
    parts = subject.split(":", 3)
    if len(parts) < 4 or parts[0] != "repo" or parts[2] != "ref":
        return False
    owner_repo = parts[1]
    return "/" in owner_repo and not any(c in owner_repo for c in "*?") and parts[3] not in ("*", "")
