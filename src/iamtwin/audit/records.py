"""CloudTrail records read back into audit events: the inverse of `AuditEvent.to_cloudtrail()`.

Used to load a trail written elsewhere (a JSON-lines export, a test's YAML trail) into the store;
a record that is not an object or lacks a required field is a coded error, not a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..errors import IamtwinError
from .event import AuditEvent, DecisionSummary, SessionContext, SessionIssuer, UserIdentity


class InvalidRecord(IamtwinError):
    """A record that is not in CloudTrail's shape."""

    code = "AUDIT_INVALID_RECORD"


def record_time(value: Any, field: str) -> datetime:
    """A CloudTrail time (`2026-11-23T10:00:00Z`) as an aware datetime."""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidRecord(f"`{field}` `{value}` is not an ISO 8601 time") from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _object(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidRecord(f"`{field}` is not an object")
    return value


def _optional(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


def _required(data: Mapping[str, Any], key: str) -> str:
    if data.get(key) is None:
        raise InvalidRecord(f"the record has no `{key}`")
    return str(data[key])


def _session(data: Mapping[str, Any]) -> SessionContext:
    attributes = _object(data.get("attributes", {}), "sessionContext.attributes")
    issuer_data = data.get("sessionIssuer")
    issuer = None
    if issuer_data is not None:
        raw = _object(issuer_data, "sessionContext.sessionIssuer")
        issuer = SessionIssuer(
            str(raw.get("type", "")),
            str(raw.get("principalId", "")),
            str(raw.get("arn", "")),
            str(raw.get("accountId", "")),
            str(raw.get("userName", "")),
        )
    federation = data.get("webIdFederationData")
    provider = _object(federation, "webIdFederationData").get("federatedProvider") if federation else None
    return SessionContext(
        record_time(attributes.get("creationDate"), "sessionContext.attributes.creationDate"),
        str(attributes.get("mfaAuthenticated", "false")) == "true",
        issuer,
        _optional(data, "sourceIdentity"),
        None if provider is None else str(provider),
    )


def identity_from_record(data: Mapping[str, Any]) -> UserIdentity:
    """A `userIdentity` object as a UserIdentity."""
    context = data.get("sessionContext")
    return UserIdentity(
        _required(data, "type"),
        _optional(data, "principalId"),
        _optional(data, "arn"),
        _optional(data, "accountId"),
        _optional(data, "accessKeyId"),
        _optional(data, "userName"),
        None if context is None else _session(_object(context, "userIdentity.sessionContext")),
        _optional(data, "identityProvider"),
    )


def _decision(data: Mapping[str, Any]) -> DecisionSummary:
    return DecisionSummary(
        outcome=str(data.get("outcome", "")),
        action=_optional(data, "action"),
        resource=_optional(data, "resource"),
        blocked_by=tuple(str(v) for v in data.get("blockedBy", [])),
        blocking_policies=tuple(str(v) for v in data.get("blockingPolicies", [])),
        matched_statements=tuple(
            _object(s, "iamtwinDecision.matchedStatements") for s in data.get("matchedStatements", [])
        ),
        authorization_id=_optional(data, "authorizationId"),
    )


def event_from_record(record: Any) -> AuditEvent:
    """A CloudTrail record (as `to_cloudtrail()` writes it) as an AuditEvent."""
    data = _object(record, "record")
    parameters, response = data.get("requestParameters"), data.get("responseElements")
    decision = data.get("iamtwinDecision")
    return AuditEvent(
        event_id=_required(data, "eventID"),
        event_time=record_time(_required(data, "eventTime"), "eventTime"),
        event_source=_required(data, "eventSource"),
        event_name=_required(data, "eventName"),
        aws_region=str(data.get("awsRegion", "us-east-1")),
        source_ip_address=str(data.get("sourceIPAddress", "")),
        user_agent=str(data.get("userAgent", "")),
        user_identity=identity_from_record(_object(data.get("userIdentity"), "userIdentity")),
        request_id=str(data.get("requestID", "")),
        read_only=bool(data.get("readOnly", False)),
        recipient_account_id=_optional(data, "recipientAccountId"),
        request_parameters=None if parameters is None else _object(parameters, "requestParameters"),
        response_elements=None if response is None else _object(response, "responseElements"),
        error_code=_optional(data, "errorCode"),
        error_message=_optional(data, "errorMessage"),
        decision=None if decision is None else _decision(_object(decision, "iamtwinDecision")),
        event_type=str(data.get("eventType", "AwsApiCall")),
        additional=_object(data.get("additionalEventData", {}), "additionalEventData"),
    )
