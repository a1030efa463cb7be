"""AssumeRoleWithWebIdentity and AssumeRoleWithSAML: a federated identity becomes a role session.

The caller presents no AWS credentials; the provider registered in the role's account vouches for
it. Its token or assertion is verified (`oidc.py`, `saml.py`), and the role's trust policy is then
evaluated with the provider as principal and the token's claims as `<provider>:…` / `saml:…` keys.
References: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
and https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import jwt
from sqlalchemy import and_, select

from ..world.model import Role
from ..world.store.codec import load_strings
from ..world.store.schema import identity_providers
from ..world.stored import Caller, World
from .assume_role import find_role
from .denied import StsAccessDenied, refused
from .errors import StsError, StsErrorCode
from .issue import Credentials, issue_role_session
from .limits import (
    check_assume_role_duration,
    check_role_session_name,
    check_session_parameters,
    check_source_identity,
)
from .oidc import OidcProvider, verify_web_identity_token
from .oidc_discovery import JwksSource
from .saml import parse_idp_metadata, verify_saml_response
from .token_session_claims import token_session_attributes


@dataclass(frozen=True, slots=True)
class FederatedSession:
    """The result of a federated AssumeRole call: the session and what the provider asserted."""

    credentials: Credentials
    arn: str
    assumed_role_id: str
    packed_policy_size: int
    provider: str
    subject: str
    audience: str
    source_identity: str | None
    extra: Mapping[str, str]

    def to_dict(self) -> dict[str, object]:
        """The result structure of an STS response (web identity or SAML fields in `extra`)."""
        out: dict[str, object] = {
            "Credentials": self.credentials.to_dict(),
            "AssumedRoleUser": {"AssumedRoleId": self.assumed_role_id, "Arn": self.arn},
            "PackedPolicySize": self.packed_policy_size,
            "Audience": self.audience,
            **self.extra,
        }
        if self.source_identity is not None:
            out["SourceIdentity"] = self.source_identity
        return out


def _role(world: World, role_arn: str, action: str) -> Role:
    role = find_role(world, role_arn)
    if role is None:
        raise refused(f"Not authorized to perform {action}", "NO_SUCH_ROLE")
    return role


def _issue(
    world: World,
    role: Role,
    session_name: str,
    duration: int,
    now: datetime,
    keys: Mapping[str, str],
    tags: Mapping[str, str],
    transitive: tuple[str, ...],
    source_identity: str | None,
    policy: str | None,
) -> tuple[str, str, Credentials]:
    policies = None if policy is None else ((f"{role.arn}#session-policy", policy),)
    issued = issue_role_session(
        world.engine,
        role,
        session_name,
        now,
        duration,
        source_identity=source_identity,
        tags=tags,
        transitive_tag_keys=transitive,
        policies=policies,
        keys=keys,
    )
    return issued.arn, issued.assumed_role_id, issued.credentials


def _authorize(
    world: World,
    principal: str,
    action: str,
    role_arn: str,
    context: dict[str, str | list[str]],
    tags: Mapping[str, str],
    now: datetime,
    source_identity: str | None = None,
) -> None:
    for key, value in tags.items():
        context[f"aws:RequestTag/{key}"] = value
    if tags:
        context["aws:TagKeys"] = list(tags)
    decision = world.authorize(Caller(principal), action, role_arn, context, now=now)
    if not decision.allowed:
        raise StsAccessDenied(decision, reason="TRUST_POLICY_DENIED")
    if tags:
        tagging = world.authorize(Caller(principal), "sts:TagSession", role_arn, context, now=now)
        if not tagging.allowed:
            raise StsAccessDenied(tagging, reason="TAG_SESSION_DENIED")
    # A federated principal sets a source identity only where the trust policy also allows
    # sts:SetSourceIdentity (id_credentials_temp_control-access_monitor.html).
    if source_identity is not None:
        setting = world.authorize(Caller(principal), "sts:SetSourceIdentity", role_arn, context, now=now)
        if not setting.allowed:
            raise StsAccessDenied(setting, reason="SET_SOURCE_IDENTITY_DENIED")


def _provider_row(world: World, account: str, **where: str) -> object | None:
    clauses = [identity_providers.c.account_id == account]
    clauses.extend(identity_providers.c[name] == value for name, value in where.items())
    with world.engine.connect() as conn:
        return conn.execute(select(identity_providers).where(and_(*clauses))).first()


def assume_role_with_web_identity(
    world: World,
    role_arn: str,
    session_name: str,
    token: str,
    jwks: JwksSource,
    *,
    duration_seconds: int | None = None,
    policy: str | None = None,
) -> FederatedSession:
    """Exchange an OIDC token of a provider registered in the role's account for a role session."""
    action = "sts:AssumeRoleWithWebIdentity"
    check_role_session_name(session_name)
    packed = check_session_parameters(policy)
    role = _role(world, role_arn, action)
    account = role.arn.split(":")[4]
    try:
        issuer = str(jwt.decode(token, options={"verify_signature": False}).get("iss", ""))
    except jwt.PyJWTError as exc:
        raise StsError(
            StsErrorCode.INVALID_IDENTITY_TOKEN, "the web identity token is not a JWT", reason="MALFORMED_TOKEN"
        ) from exc
    url = issuer.split("://", 1)[-1].rstrip("/")
    row = _provider_row(world, account, type="oidc", url=url)
    if row is None:
        raise StsError(
            StsErrorCode.INVALID_IDENTITY_TOKEN,
            f"No OpenIDConnect provider found in your account for {issuer}",
            reason="NO_SUCH_PROVIDER",
        )
    provider = OidcProvider(url, load_strings(row.client_ids), row.arn)  # type: ignore[attr-defined]
    now = world.clock.now()
    verified = verify_web_identity_token(token, provider, jwks, now)
    carried = token_session_attributes(verified.claims)
    packed = check_session_parameters(policy, (), carried.tags, carried.transitive_tag_keys)
    if carried.source_identity is not None:
        check_source_identity(carried.source_identity)
    duration = check_assume_role_duration(duration_seconds, max_session_duration=role.max_session_duration)
    context: dict[str, str | list[str]] = {
        **verified.condition_keys(),
        "aws:FederatedProvider": provider.arn,
        "sts:RoleSessionName": session_name,
    }
    if carried.source_identity is not None:
        context["sts:SourceIdentity"] = carried.source_identity
    _authorize(world, provider.arn, action, role_arn, context, carried.tags, now, carried.source_identity)
    arn, user_id, credentials = _issue(
        world,
        role,
        session_name,
        duration,
        now,
        {"aws:FederatedProvider": provider.arn},
        carried.tags,
        carried.transitive_tag_keys,
        carried.source_identity,
        policy,
    )
    return FederatedSession(
        credentials,
        arn,
        user_id,
        packed,
        verified.issuer,
        verified.subject,
        verified.audience,
        carried.source_identity,
        {"SubjectFromWebIdentityToken": verified.subject, "Provider": verified.issuer},
    )


def assume_role_with_saml(
    world: World,
    role_arn: str,
    principal_arn: str,
    saml_assertion: str,
    *,
    duration_seconds: int | None = None,
    policy: str | None = None,
) -> FederatedSession:
    """Exchange a signed SAML response of a registered SAML provider for a role session."""
    action = "sts:AssumeRoleWithSAML"
    role = _role(world, role_arn, action)
    account = role.arn.split(":")[4]
    row = _provider_row(world, account, type="saml", arn=principal_arn)
    if row is None:
        raise StsError(
            StsErrorCode.INVALID_IDENTITY_TOKEN,
            f"SAML provider {principal_arn} does not exist",
            reason="NO_SUCH_PROVIDER",
        )
    metadata = parse_idp_metadata(row.saml_metadata or "")  # type: ignore[attr-defined]
    now = world.clock.now()
    assertion = verify_saml_response(saml_assertion, metadata, now, provider_arn=principal_arn)
    if not assertion.permits_role(role_arn):
        raise refused(
            f"Not authorized to perform {action}: the assertion's Role attribute does not name "
            f"{role_arn} with {principal_arn}",
            "ROLE_NOT_IN_ASSERTION",
        )
    tags = dict(assertion.principal_tags)
    packed = check_session_parameters(policy, (), tags, assertion.transitive_tag_keys)
    requested = duration_seconds if duration_seconds is not None else assertion.session_duration
    duration = check_assume_role_duration(
        min(requested, role.max_session_duration) if requested else None, max_session_duration=role.max_session_duration
    )
    keys = assertion.condition_keys()
    context: dict[str, str | list[str]] = {**keys, "sts:RoleSessionName": assertion.role_session_name}
    if assertion.source_identity is not None:
        context["sts:SourceIdentity"] = assertion.source_identity
    _authorize(world, principal_arn, action, role_arn, context, tags, now, assertion.source_identity)
    session_keys = {"aws:FederatedProvider": principal_arn}
    arn, user_id, credentials = _issue(
        world,
        role,
        assertion.role_session_name,
        duration,
        now,
        session_keys,
        tags,
        assertion.transitive_tag_keys,
        assertion.source_identity,
        policy,
    )
    extra = {
        "Subject": assertion.subject,
        "SubjectType": str(keys["saml:sub_type"]),
        "Issuer": assertion.issuer,
        "NameQualifier": str(keys["saml:namequalifier"]),
    }
    return FederatedSession(
        credentials,
        arn,
        user_id,
        packed,
        assertion.issuer,
        assertion.subject,
        assertion.recipient,
        assertion.source_identity,
        extra,
    )


def register_saml_provider(world: World, account_id: str, name: str, metadata: str) -> str:
    """CreateSAMLProvider: read the IdP's metadata as IAM does, then store the provider; its ARN."""
    parse_idp_metadata(metadata)
    with world.changes() as iam:
        return iam.create_saml_provider(account_id, name, metadata)
