"""What a pipeline asks for and what the orchestrator keeps: GrantRequest, Grant, GrantOutcome.

A request names the resource whose policy changes, the service principal to let in, the actions,
and the source the service acts for (`aws:SourceArn`, `aws:SourceAccount`), the confused-deputy
conditions AWS recommends (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
It never names who asks: the requester is the authenticated caller, passed in by the edge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from ..policy.arn import parse_arn
from .errors import GrantError, GrantErrorCode

_FIELDS = {"resource", "principal", "actions", "sourceArn", "sourceAccount"}


class GrantState(StrEnum):
    """Where a grant stands."""

    ACTIVE = "active"
    REVOKED = "revoked"


class Restoration(StrEnum):
    """How a revocation put the policy back."""

    EXACT = "exact"  # the policy was as the grant left it: its previous text is back, byte for byte
    STATEMENT_REMOVED = "statement-removed"  # the policy changed since: only the grant's statement left it


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise GrantError(GrantErrorCode.INVALID, f"`{name}` must be a non-empty string")
    return value


@dataclass(frozen=True, slots=True)
class GrantRequest:
    """Let `principal` (a service) perform `actions` on `resource` on behalf of `source_arn` of `source_account`."""

    resource: str
    principal: str
    actions: tuple[str, ...]
    source_arn: str
    source_account: str

    @classmethod
    def from_json(cls, data: object) -> GrantRequest:
        """Read a request body (`resource`, `principal`, `actions` or `action`, `sourceArn`, `sourceAccount`)."""
        if not isinstance(data, Mapping):
            raise GrantError(GrantErrorCode.INVALID, "the grant request must be a JSON object")
        given = dict(data)
        if "action" in given and "actions" not in given:
            given["actions"] = [given.pop("action")]
        unknown = sorted(set(given) - _FIELDS)
        if unknown:
            raise GrantError(GrantErrorCode.INVALID, f"unknown field `{unknown[0]}`")
        actions = given.get("actions")
        if isinstance(actions, str):
            actions = [actions]
        if not isinstance(actions, list) or not actions or not all(isinstance(a, str) and a for a in actions):
            raise GrantError(GrantErrorCode.INVALID, "`actions` must be a non-empty list of strings")
        request = cls(
            _text(given, "resource"),
            _text(given, "principal"),
            tuple(sorted(set(actions))),
            _text(given, "sourceArn"),
            _text(given, "sourceAccount"),
        )
        request.check()
        return request

    def check(self) -> None:
        """Refuse a request whose parts are not what they claim to be (ARNs, an account id, a service)."""
        target = parse_arn(self.resource)
        if target is None or "*" in self.resource or "?" in self.resource:
            raise GrantError(GrantErrorCode.INVALID, f"`{self.resource}` is not a resource ARN")
        if not self.principal.endswith(".amazonaws.com") or "*" in self.principal:
            raise GrantError(GrantErrorCode.INVALID, f"`{self.principal}` is not a service principal")
        for action in self.actions:
            service, sep, name = action.partition(":")
            if not sep or not service or not name or "*" in action or "?" in action:
                raise GrantError(GrantErrorCode.INVALID, f"`{action}` is not an action of the form `service:Action`")
        if not (len(self.source_account) == 12 and self.source_account.isdigit()):
            raise GrantError(GrantErrorCode.INVALID, f"`{self.source_account}` is not an account id")
        source = parse_arn(self.source_arn)
        if source is None:
            raise GrantError(GrantErrorCode.INVALID, f"`{self.source_arn}` is not an ARN")
        # Wildcards may narrow within the source's own resources, never widen to other services,
        # regions or accounts: `arn:aws:execute-api:*:*:*` would let any API of any account in.
        fixed = (source.partition, source.service, source.region, source.account)
        if any("*" in part or "?" in part for part in fixed) or not source.account:
            raise GrantError(
                GrantErrorCode.INVALID, f"`{self.source_arn}` must name its partition, service, region and account"
            )

    def to_json(self) -> dict[str, Any]:
        """The request as the API takes it."""
        return {
            "resource": self.resource,
            "principal": self.principal,
            "actions": list(self.actions),
            "sourceArn": self.source_arn,
            "sourceAccount": self.source_account,
        }


@dataclass(frozen=True, slots=True)
class Grant:
    """One statement the orchestrator added, as the ledger keeps it."""

    id: str
    sid: str
    request: GrantRequest
    requester: str  # aws:PrincipalArn of who asked (the role, not the session)
    requester_account: str
    session_arn: str  # the very caller that asked
    statement: Mapping[str, Any]
    previous_policy: str | None  # the resource policy's stored text before the grant (None: no policy)
    applied_policy: str  # its stored text right after
    state: GrantState
    created_at: datetime
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The grant as the API and the CLI show it (without the policy texts)."""
        out: dict[str, Any] = {
            "id": self.id,
            "sid": self.sid,
            "state": self.state.value,
            "request": self.request.to_json(),
            "requester": self.requester,
            "sessionArn": self.session_arn,
            "statement": dict(self.statement),
            "createdAt": self.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        if self.revoked_at is not None:
            out["revokedAt"] = self.revoked_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            out["revokedBy"] = self.revoked_by
        return out


@dataclass(frozen=True, slots=True)
class GrantOutcome:
    """What a call did: the grant, whether the policy changed, and how a revocation restored it."""

    grant: Grant
    changed: bool
    restoration: Restoration | None = None

    def to_json(self) -> dict[str, Any]:
        """The outcome as the API answers it."""
        out: dict[str, Any] = {"grant": self.grant.to_json(), "changed": self.changed}
        if self.restoration is not None:
            out["restoration"] = self.restoration.value
        return out
