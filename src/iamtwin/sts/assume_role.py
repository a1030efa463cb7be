"""AssumeRole: who may become a role, for how long, with which tags, policies and source identity.

The trust policy is evaluated by the engine with the caller as principal and the role as
resource, so the cross-account rule (the caller's own policies must allow `sts:AssumeRole` too),
SCPs and boundaries apply exactly as for any other request. Passing session tags also needs
`sts:TagSession`, and setting a source identity `sts:SetSourceIdentity`, each decided the same way.
Reference: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import IamtwinError
from ..evaluate.principal import PrincipalKind, parse_principal
from ..world.assemble import set_tag
from ..world.iam_errors import IamError
from ..world.model import Role
from ..world.store.documents import DocumentRole, checked_document
from ..world.store.load import StoreReader
from ..world.stored import MFA_AUTH_TIME, Caller, World
from .denied import StsAccessDenied, refused
from .errors import StsError, StsErrorCode
from .issue import Credentials, issue_role_session
from .limits import (
    check_assume_role_duration,
    check_external_id,
    check_role_session_name,
    check_serial_number,
    check_session_parameters,
    check_source_identity,
    check_token_code,
)
from .mfa import verify_mfa


@dataclass(frozen=True, slots=True)
class AssumeRoleRequest:
    """The parameters of an AssumeRole call."""

    role_arn: str
    role_session_name: str
    external_id: str | None = None
    duration_seconds: int | None = None
    policy: str | None = None
    policy_arns: Sequence[str] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    transitive_tag_keys: Sequence[str] = ()
    source_identity: str | None = None
    serial_number: str | None = None
    token_code: str | None = None
    context: Mapping[str, str | list[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AssumedRole:
    """The result of AssumeRole."""

    credentials: Credentials
    arn: str
    assumed_role_id: str
    packed_policy_size: int
    source_identity: str | None
    session_id: str

    def to_dict(self) -> dict[str, object]:
        """The AssumeRoleResult structure of an STS response."""
        out: dict[str, object] = {
            "Credentials": self.credentials.to_dict(),
            "AssumedRoleUser": {"AssumedRoleId": self.assumed_role_id, "Arn": self.arn},
            "PackedPolicySize": self.packed_policy_size,
        }
        if self.source_identity is not None:
            out["SourceIdentity"] = self.source_identity
        return out


def _check_parameters(r: AssumeRoleRequest) -> None:
    check_role_session_name(r.role_session_name)
    if r.external_id is not None:
        check_external_id(r.external_id)
    if r.source_identity is not None:
        check_source_identity(r.source_identity)
    if r.serial_number is not None:
        check_serial_number(r.serial_number)
    if r.token_code is not None:
        check_token_code(r.token_code)
    if (r.serial_number is None) != (r.token_code is None):
        raise StsError(
            StsErrorCode.VALIDATION_ERROR,
            "SerialNumber and TokenCode must be given together",
            reason="MFA_PARAMETERS_INCOMPLETE",
        )


def find_role(world: World, role_arn: str) -> Role | None:
    """The stored role an ARN names (with its path), or None."""
    try:
        who = parse_principal(role_arn)
    except IamtwinError:  # a malformed ARN names no role
        return None
    if who.kind is not PrincipalKind.ROLE_SESSION or not who.given_as_role or who.account is None:
        return None
    if not world.view.has_account(who.account):
        return None
    role = world.view.role(who.account, who.name or "")
    return role if role is not None and role.arn == role_arn else None


def assume_role(world: World, caller: Caller, r: AssumeRoleRequest) -> AssumedRole:
    """Check, authorize and issue an AssumeRole session; nothing is written unless all passes."""
    _check_parameters(r)
    principal = parse_principal(caller.arn)
    if principal.kind is PrincipalKind.ROOT:
        raise refused("Roles may not be assumed by root accounts.", "ROOT_CALLER")
    parent = caller.session
    chaining = principal.kind is PrincipalKind.ROLE_SESSION
    inherited_keys = tuple(parent.transitive_tag_keys) if parent else ()
    packed = check_session_parameters(
        r.policy, r.policy_arns, r.tags, r.transitive_tag_keys, inherited_transitive_keys=inherited_keys
    )
    role = find_role(world, r.role_arn)
    now = world.clock.now()
    context: dict[str, str | list[str]] = dict(r.context)
    context["sts:RoleSessionName"] = r.role_session_name
    if r.external_id is not None:
        context["sts:ExternalId"] = r.external_id
    if r.source_identity is not None:
        context["sts:SourceIdentity"] = r.source_identity
    for key, value in r.tags.items():
        context[f"aws:RequestTag/{key}"] = value
    if r.tags:
        context["aws:TagKeys"] = list(r.tags)
    if r.transitive_tag_keys:
        context["sts:TransitiveTagKeys"] = list(r.transitive_tag_keys)
    mfa_at = parent.context.get(MFA_AUTH_TIME) if parent else None
    if r.serial_number is not None and r.token_code is not None:
        verify_mfa(world, caller, r.serial_number, r.token_code, now)
        mfa_at = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        context["aws:MultiFactorAuthPresent"] = "true"
        context["aws:MultiFactorAuthAge"] = "0"

    decision = world.authorize(caller, "sts:AssumeRole", r.role_arn, context, now=now)
    if not decision.allowed or role is None:
        raise StsAccessDenied(decision, reason="ASSUME_ROLE_DENIED" if role is not None else "NO_SUCH_ROLE")
    if r.tags or r.transitive_tag_keys:
        tagging = world.authorize(caller, "sts:TagSession", r.role_arn, context, now=now)
        if not tagging.allowed:
            raise StsAccessDenied(tagging, reason="TAG_SESSION_DENIED")
    inherited_identity = parent.source_identity if parent else None
    source_identity = inherited_identity
    if r.source_identity is not None:
        if inherited_identity is not None and r.source_identity != inherited_identity:
            raise refused(
                f"the source identity `{inherited_identity}` of the calling session cannot be changed",
                "SOURCE_IDENTITY_IMMUTABLE",
            )
        if inherited_identity is None:
            setting = world.authorize(caller, "sts:SetSourceIdentity", r.role_arn, context, now=now)
            if not setting.allowed:
                raise StsAccessDenied(setting, reason="SET_SOURCE_IDENTITY_DENIED")
        source_identity = r.source_identity
    duration = check_assume_role_duration(
        r.duration_seconds, max_session_duration=role.max_session_duration, role_chaining=chaining
    )
    policies = _session_policies(world, r)

    tags: dict[str, str] = {}
    keys: list[str] = []
    if parent is not None:  # transitive tags pass down the chain and stay transitive
        for key, value in parent.tags.items():
            if key.lower() in {k.lower() for k in parent.transitive_tag_keys}:
                set_tag(tags, key, value)
        keys.extend(parent.transitive_tag_keys)
    for key, value in r.tags.items():
        set_tag(tags, key, value)
    keys.extend(k for k in r.transitive_tag_keys if k.lower() not in {x.lower() for x in keys})

    issued = issue_role_session(
        world.engine,
        role,
        r.role_session_name,
        now,
        duration,
        source_identity=source_identity,
        parent_id=parent.id if parent else None,
        tags=tags,
        transitive_tag_keys=tuple(keys),
        policies=policies,
        mfa_at=mfa_at if isinstance(mfa_at, str) else None,
    )
    return AssumedRole(
        issued.credentials, issued.arn, issued.assumed_role_id, packed, source_identity, issued.session.id
    )


def _session_policies(world: World, r: AssumeRoleRequest) -> tuple[tuple[str, str], ...] | None:
    """The session policies as (id, document text); None when the call passed none."""
    if r.policy is None and not r.policy_arns:
        return None
    out: list[tuple[str, str]] = []
    if r.policy is not None:
        try:
            checked_document(r.policy, DocumentRole.IDENTITY, "Policy")
        except IamError as err:
            raise StsError(
                StsErrorCode.MALFORMED_POLICY_DOCUMENT, err.message, reason=err.reason, location=err.location
            ) from err
        out.append((f"{r.role_arn}#session-policy", r.policy))
    if r.policy_arns:
        with world.engine.connect() as conn:
            found = StoreReader(conn).managed(list(r.policy_arns))
        for arn in r.policy_arns:
            policy = found.get(arn)
            if policy is None:
                raise StsError(
                    StsErrorCode.INVALID_PARAMETER_VALUE,
                    f"Policy {arn} does not exist.",
                    reason="NO_SUCH_SESSION_POLICY",
                )
            document = policy.document
            out.append((arn, document if isinstance(document, str) else json.dumps(document)))
    return tuple(out)
