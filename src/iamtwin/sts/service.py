"""The STS service over a stored world: every call STS answers, with the caller resolved once.

A caller is a principal ARN (as `iamtwin sts … --principal` names it), an access key id, or a
`Caller` the API layer built from verified SigV4 credentials.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select

from ..evaluate.decision import Decision
from ..evaluate.principal import PrincipalKind, parse_principal
from ..simulate.output import decision_to_json
from ..world.store.schema import world_keys
from ..world.stored import MFA_AUTH_TIME, Caller, World
from .assume_role import AssumedRole, AssumeRoleRequest, assume_role
from .denied import StsAccessDenied, refused
from .errors import StsError, StsErrorCode
from .issue import Credentials, SessionRequest, issue
from .limits import check_serial_number, check_session_token_duration, check_token_code
from .mfa import verify_mfa

_MESSAGE_KEY = "authorization-message-key"


@dataclass(frozen=True, slots=True)
class CallerIdentity:
    """GetCallerIdentity's answer."""

    account: str
    arn: str
    user_id: str

    def to_dict(self) -> dict[str, str]:
        """The GetCallerIdentityResult structure."""
        return {"UserId": self.user_id, "Account": self.account, "Arn": self.arn}


class Sts:
    """AWS STS over one world."""

    def __init__(self, world: World) -> None:
        self.world = world

    def caller(self, who: str | Caller) -> Caller:
        """The caller of a call, resolved from an ARN or an access key id."""
        return who if isinstance(who, Caller) else self.world.caller(who)

    def assume_role(self, who: str | Caller, role_arn: str, role_session_name: str, **options: Any) -> AssumedRole:
        """AssumeRole (options as in `AssumeRoleRequest`)."""
        return assume_role(self.world, self.caller(who), AssumeRoleRequest(role_arn, role_session_name, **options))

    def get_caller_identity(self, who: str | Caller) -> CallerIdentity:
        """GetCallerIdentity: needs no permission, as in AWS."""
        caller = self.caller(who)
        if caller.session is not None:
            return CallerIdentity(caller.session.account_id, caller.arn, caller.session.user_id)
        principal = parse_principal(caller.arn)
        if principal.kind is PrincipalKind.ROOT:
            return CallerIdentity(principal.account or "", caller.arn, principal.account or "")
        if principal.kind is PrincipalKind.USER and principal.account is not None:
            user = self.world.view.user(principal.account, principal.name or "")
            if user is not None:
                return CallerIdentity(principal.account, user.arn, user.user_id or "")
        raise StsError(
            StsErrorCode.INVALID_CLIENT_TOKEN_ID,
            "The security token included in the request is invalid.",
            reason="UNKNOWN_CALLER",
        )

    def get_session_token(
        self,
        who: str | Caller,
        *,
        duration_seconds: int | None = None,
        serial_number: str | None = None,
        token_code: str | None = None,
    ) -> Credentials:
        """GetSessionToken: temporary credentials of an IAM user (or root), optionally MFA-authenticated."""
        caller = self.caller(who)
        principal = parse_principal(caller.arn)
        if caller.session is not None or principal.kind not in (PrincipalKind.USER, PrincipalKind.ROOT):
            raise refused("Cannot call GetSessionToken with session credentials", "SESSION_CREDENTIALS")
        root = principal.kind is PrincipalKind.ROOT
        duration = check_session_token_duration(duration_seconds, root=root)
        if serial_number is not None:
            check_serial_number(serial_number)
        if token_code is not None:
            check_token_code(token_code)
        now = self.world.clock.now()
        mfa = serial_number is not None and token_code is not None
        if mfa:
            verify_mfa(self.world, caller, serial_number or "", token_code or "", now)
        identity = self.get_caller_identity(caller)
        context: dict[str, str | list[str]] = {
            "aws:userid": identity.user_id,
            "aws:TokenIssueTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:MultiFactorAuthPresent": "true" if mfa else "false",
        }
        if mfa:
            context[MFA_AUTH_TIME] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        with self.world.engine.begin() as conn:
            _, credentials = issue(
                conn,
                SessionRequest(
                    kind="session-token",
                    account_id=identity.account,
                    arn=caller.arn,
                    base_arn=caller.arn,
                    user_id=identity.user_id,
                    issued_at=now,
                    duration=duration,
                    source_identity=None,
                    parent_id=None,
                    tags={},
                    transitive_tag_keys=(),
                    policies=None,
                    context=context,
                ),
            )
        return credentials

    # -- encoded authorization messages ----------------------------------------------------------

    def _fernet(self) -> Fernet:
        with self.world.engine.begin() as conn:
            row = conn.execute(select(world_keys.c.value).where(world_keys.c.name == _MESSAGE_KEY)).first()
            if row is None:
                key = Fernet.generate_key().decode()
                conn.execute(world_keys.insert().values(name=_MESSAGE_KEY, value=key))
            else:
                key = row.value
        return Fernet(key.encode())

    def encode_authorization_message(self, decision: Decision) -> str:
        """The opaque message AWS attaches to some denials; only DecodeAuthorizationMessage reads it."""
        payload = json.dumps({"nonce": secrets.token_hex(8), "decision": decision_to_json(decision)})
        return self._fernet().encrypt(payload.encode()).decode()

    def decode_authorization_message(self, who: str | Caller, encoded_message: str) -> Mapping[str, Any]:
        """DecodeAuthorizationMessage: the full decision, for a caller allowed sts:DecodeAuthorizationMessage."""
        caller = self.caller(who)
        decision = self.world.authorize(caller, "sts:DecodeAuthorizationMessage")
        if not decision.allowed:
            raise StsAccessDenied(decision, reason="DECODE_DENIED")
        try:
            payload = json.loads(self._fernet().decrypt(encoded_message.encode()))
        except (InvalidToken, ValueError) as exc:
            raise StsError(
                StsErrorCode.INVALID_AUTHORIZATION_MESSAGE,
                "The encoded authorization message is not valid.",
                reason="UNREADABLE_MESSAGE",
            ) from exc
        decoded: Mapping[str, Any] = payload["decision"]
        return decoded


def revoke_older_sessions(world: World, role_arn: str) -> str:
    """Deny every session of the role issued before now, as the console's "Revoke active sessions" does.

    AWS attaches the inline policy `AWSRevokeOlderSessions`: Deny `*` when `aws:TokenIssueTime` is
    before the revocation time. Returns that time.
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html)
    """
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or not parts[5].startswith("role/"):
        raise StsError(StsErrorCode.VALIDATION_ERROR, f"`{role_arn}` is not a role ARN", reason="INVALID_ROLE_ARN")
    cutoff = world.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Action": ["*"],
                "Resource": ["*"],
                "Condition": {"DateLessThan": {"aws:TokenIssueTime": cutoff}},
            }
        ],
    }
    with world.changes() as iam:
        iam.put_inline_policy("role", parts[4], parts[5].rsplit("/", 1)[-1], "AWSRevokeOlderSessions", document)
    return cutoff
