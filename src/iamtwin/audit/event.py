"""An audit event: one API call in CloudTrail's record shape, plus iamtwin's reasons for its decision.

Field names and nesting follow CloudTrail's record contents
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html)
and its userIdentity element
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
Optional fields are left out of the JSON when they do not apply, as CloudTrail does; `iamtwinDecision`
is iamtwin's own field (CloudTrail readers ignore fields they do not know, as its eventVersion rules ask).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

EVENT_VERSION = "1.11"
EVENT_TYPE = "AwsApiCall"


def cloudtrail_time(moment: datetime) -> str:
    """A time as CloudTrail writes `eventTime`: UTC, seconds, `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def event_source(service: str) -> str:
    """CloudTrail's eventSource for a service's signing name: `iam.amazonaws.com`, `ec2.amazonaws.com`, …."""
    return f"{service}.amazonaws.com"


@dataclass(frozen=True, slots=True)
class SessionIssuer:
    """Who issued a session's credentials: the role of an assumed-role session, the user of a federation."""

    type: str  # Role | IAMUser | Root
    principal_id: str
    arn: str
    account_id: str
    user_name: str

    def to_cloudtrail(self) -> dict[str, Any]:
        """CloudTrail's `sessionIssuer` object."""
        return {
            "type": self.type,
            "principalId": self.principal_id,
            "arn": self.arn,
            "accountId": self.account_id,
            "userName": self.user_name,
        }


@dataclass(frozen=True, slots=True)
class SessionContext:
    """The session of temporary credentials: its issuer, when it began, whether MFA signed it in."""

    creation_date: datetime
    mfa_authenticated: bool
    issuer: SessionIssuer | None = None
    source_identity: str | None = None
    web_identity_provider: str | None = None

    def to_cloudtrail(self) -> dict[str, Any]:
        """CloudTrail's `sessionContext` object."""
        out: dict[str, Any] = {}
        if self.issuer is not None:
            out["sessionIssuer"] = self.issuer.to_cloudtrail()
        if self.web_identity_provider is not None:
            out["webIdFederationData"] = {"federatedProvider": self.web_identity_provider, "attributes": {}}
        out["attributes"] = {
            "creationDate": cloudtrail_time(self.creation_date),
            "mfaAuthenticated": "true" if self.mfa_authenticated else "false",
        }
        if self.source_identity is not None:
            out["sourceIdentity"] = self.source_identity
        return out


@dataclass(frozen=True, slots=True)
class UserIdentity:
    """Who made the request and with which credentials (CloudTrail's `userIdentity`)."""

    type: str  # IAMUser | AssumedRole | Root | FederatedUser | WebIdentityUser | SAMLUser | AWSAccount | Unknown
    principal_id: str | None = None
    arn: str | None = None
    account_id: str | None = None
    access_key_id: str | None = None
    user_name: str | None = None
    session: SessionContext | None = None
    identity_provider: str | None = None  # WebIdentityUser and SAMLUser

    def to_cloudtrail(self) -> dict[str, Any]:
        """CloudTrail's `userIdentity` object, without the fields that do not apply."""
        out: dict[str, Any] = {"type": self.type}
        for name, value in (
            ("principalId", self.principal_id),
            ("arn", self.arn),
            ("accountId", self.account_id),
            ("accessKeyId", self.access_key_id),
            ("userName", self.user_name),
            ("identityProvider", self.identity_provider),
        ):
            if value is not None:
                out[name] = value
        if self.session is not None:
            out["sessionContext"] = self.session.to_cloudtrail()
        return out


@dataclass(frozen=True, slots=True)
class DecisionSummary:
    """iamtwin's reasons for allowing or refusing the call: outcome, blocking policy types, statements."""

    outcome: str  # Allowed | ExplicitDeny | ImplicitDeny
    action: str | None = None
    resource: str | None = None
    blocked_by: tuple[str, ...] = ()
    blocking_policies: tuple[str, ...] = ()
    matched_statements: tuple[Mapping[str, Any], ...] = ()
    authorization_id: str | None = None

    def to_cloudtrail(self) -> dict[str, Any]:
        """The `iamtwinDecision` object."""
        out: dict[str, Any] = {"outcome": self.outcome}
        if self.action is not None:
            out["action"] = self.action
        if self.resource is not None:
            out["resource"] = self.resource
        out["blockedBy"] = list(self.blocked_by)
        out["blockingPolicies"] = list(self.blocking_policies)
        out["matchedStatements"] = [dict(s) for s in self.matched_statements]
        if self.authorization_id is not None:
            out["authorizationId"] = self.authorization_id
        return out


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One recorded API call; `to_cloudtrail()` is the exact JSON record."""

    event_id: str
    event_time: datetime
    event_source: str
    event_name: str
    aws_region: str
    source_ip_address: str
    user_agent: str
    user_identity: UserIdentity
    request_id: str
    read_only: bool
    recipient_account_id: str | None = None
    request_parameters: Mapping[str, Any] | None = None
    response_elements: Mapping[str, Any] | None = None
    error_code: str | None = None
    error_message: str | None = None
    decision: DecisionSummary | None = None
    event_type: str = EVENT_TYPE
    additional: Mapping[str, Any] = field(default_factory=dict)

    @property
    def principal_arn(self) -> str | None:
        """The caller's ARN, if it has one."""
        return self.user_identity.arn

    def to_cloudtrail(self) -> dict[str, Any]:
        """The event as CloudTrail writes it (with iamtwin's `iamtwinDecision` when there was a decision)."""
        out: dict[str, Any] = {
            "eventVersion": EVENT_VERSION,
            "userIdentity": self.user_identity.to_cloudtrail(),
            "eventTime": cloudtrail_time(self.event_time),
            "eventSource": self.event_source,
            "eventName": self.event_name,
            "awsRegion": self.aws_region,
            "sourceIPAddress": self.source_ip_address,
            "userAgent": self.user_agent,
        }
        if self.error_code is not None:
            out["errorCode"] = self.error_code
            out["errorMessage"] = self.error_message or ""
        out["requestParameters"] = None if self.request_parameters is None else dict(self.request_parameters)
        out["responseElements"] = None if self.response_elements is None else dict(self.response_elements)
        if self.additional:
            out["additionalEventData"] = dict(self.additional)
        out["requestID"] = self.request_id
        out["eventID"] = self.event_id
        out["readOnly"] = self.read_only
        out["eventType"] = self.event_type
        out["managementEvent"] = True
        if self.recipient_account_id is not None:
            out["recipientAccountId"] = self.recipient_account_id
        out["eventCategory"] = "Management"
        if self.decision is not None:
            out["iamtwinDecision"] = self.decision.to_cloudtrail()
        return out

    def canonical_json(self) -> str:
        """The record as compact JSON with sorted keys: the text that is stored and hashed."""
        return canonical(self.to_cloudtrail())


_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def canonical(record: Mapping[str, Any]) -> str:
    """Compact, key-sorted JSON: one text per record, so its hash is reproducible."""
    # orjson writes the same text as the standard library's compact, sorted, non-ASCII-escaping
    # form several times faster, which a server recording every decision feels; integers beyond
    # 64 bits are the one value it refuses, and those go through the standard library.
    try:
        return orjson.dumps(record, option=_ORJSON_OPTIONS, default=str).decode()
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
