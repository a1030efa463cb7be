"""The broker's events in the audit trail: one CloudTrail-shaped record per transition and per refused call.

Each change of a request (a row of `broker_events`) becomes an `AuditEvent` of source
`broker.iamtwin` — iamtwin's own service, as `iamtwin` is the decision API's — named after the
transition: CreateRequest, ApproveRequest (each approval), GrantAccess (the quorum met, or
auto-approval), BreakGlass, ReviewBreakGlass (the after-the-fact review of a break-glass use),
RejectRequest, CancelRequest, ExpireRequest, EndAccess, RevokeRequest, StartSession. The events of
one broker call share its `requestID`, as the records of one API call do in CloudTrail.

`userIdentity` is the person, of type `IamtwinPerson` (principalId and userName = the person's
subject, their sign-in email): the broker's people are not IAM principals, so they have no ARN, and
CloudTrail's `IdentityCenterUser` type would claim an identity store they do not come from. Changes
time alone makes (expiry, end of a window) are the broker's own, of type `IamtwinBroker`. A call by
nobody signed in has CloudTrail's type `Unknown`.

A refused call is recorded too, with `errorCode` (the broker's stable refusal code) and
`errorMessage` and no `responseElements`: CloudTrail records API calls that fail, AccessDenied
included, with these two fields
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html),
and a reviewer needs to see that mallory tried to approve, or alice to approve her own request.
Session events name the session (name, source identity, expiry and access key id — as AssumeRole's
record does), never its secret key or token.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..audit.event import AuditEvent, UserIdentity, cloudtrail_time
from .errors import BrokerError
from .requests import Ask, ElevationRequest, RequestEvent
from .rules import BrokerRules
from .store import IssuedSession
from .transitions import BROKER_ACTOR, Change

BROKER_SOURCE = "broker.iamtwin"
PERSON_TYPE = "IamtwinPerson"
BROKER_TYPE = "IamtwinBroker"

# The event name of each kind of `broker_events` row.
EVENT_NAMES: Mapping[str, str] = {
    "created": "CreateRequest",
    "approval": "ApproveRequest",
    "approved": "GrantAccess",
    "auto-approved": "GrantAccess",
    "break-glass": "BreakGlass",
    "rejected": "RejectRequest",
    "cancelled": "CancelRequest",
    "expired": "ExpireRequest",
    "ended": "EndAccess",
    "revoked": "RevokeRequest",
    "session": "StartSession",
    "break-glass-review": "ReviewBreakGlass",
}


@dataclass(frozen=True, slots=True)
class CallOrigin:
    """Where the broker's calls come from, as the trail's sourceIPAddress, userAgent and awsRegion show it."""

    source_ip: str = BROKER_SOURCE
    user_agent: str = "iamtwin-broker"
    region: str = "us-east-1"


def new_call_id() -> str:
    """A broker call's requestID, shared by the events it records."""
    return str(uuid.uuid4())


def identity(actor: str | None) -> UserIdentity:
    """The `userIdentity` of a person (their subject), of the broker itself, or of nobody signed in."""
    if actor is None:
        return UserIdentity(type="Unknown")
    kind = BROKER_TYPE if actor == BROKER_ACTOR else PERSON_TYPE
    return UserIdentity(type=kind, principal_id=actor, user_name=actor)


def ask_parameters(ask: Ask) -> dict[str, Any]:
    """What was asked for: account, role, duration, justification, and scope, ticket, start, break-glass if set."""
    out: dict[str, Any] = {
        "accountId": ask.account_id,
        "roleName": ask.role_name,
        "durationSeconds": ask.duration_seconds,
        "justification": ask.justification,
    }
    if ask.scope is not None:
        out["scope"] = ask.scope
    if ask.ticket is not None:
        out["ticket"] = ask.ticket
    if ask.scheduled_start is not None:
        out["scheduledStart"] = cloudtrail_time(ask.scheduled_start)
    if ask.break_glass:
        out["breakGlass"] = True
    return out


def _response(request: ElevationRequest, event: RequestEvent, session: IssuedSession | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "state": event.to_state.value,
        "previousState": None if event.from_state is None else event.from_state.value,
    }
    if request.window_start is not None and request.window_end is not None:
        out["windowStart"] = cloudtrail_time(request.window_start)
        out["windowEnd"] = cloudtrail_time(request.window_end)
    if event.kind == "approval":
        out["approverGroups"] = event.detail.split(",") if event.detail else []
    if event.kind == "session" and session is not None:
        out["session"] = {
            "sessionName": session.session_name,
            "sourceIdentity": session.source_identity,
            "roleArn": session.role_arn,
            "accessKeyId": session.access_key_id,
            "issuedAt": cloudtrail_time(session.issued_at),
            "expiration": cloudtrail_time(session.expires_at),
        }
    return out


def transition_events(
    change: Change, *, call_id: str, origin: CallOrigin, session: IssuedSession | None = None
) -> list[AuditEvent]:
    """The audit events of a stored change, one per `broker_events` row, in order."""
    request = change.request
    out: list[AuditEvent] = []
    for event in change.events:
        parameters = {"requestId": request.id, **ask_parameters(request.ask)}
        if event.kind in ("rejected", "revoked") and event.detail:
            parameters["reason"] = event.detail
        if event.kind == "break-glass-review" and change.review is not None and change.review.outcome is not None:
            parameters["outcome"] = change.review.outcome.value
            parameters["comment"] = change.review.comment
        out.append(
            AuditEvent(
                event_id=str(uuid.uuid4()),
                event_time=event.at,
                event_source=BROKER_SOURCE,
                event_name=EVENT_NAMES[event.kind],
                aws_region=origin.region,
                source_ip_address=origin.source_ip,
                user_agent=origin.user_agent,
                user_identity=identity(event.actor),
                request_id=call_id,
                read_only=False,
                recipient_account_id=request.ask.account_id,
                request_parameters=parameters,
                response_elements=_response(request, event, session),
            )
        )
    return out


def refusal_event(
    event_name: str,
    actor: str | None,
    error: BrokerError,
    *,
    now: datetime,
    call_id: str,
    origin: CallOrigin,
    parameters: Mapping[str, Any],
) -> AuditEvent:
    """The record of a refused call: what was asked, errorCode and errorMessage, no response."""
    return AuditEvent(
        event_id=str(uuid.uuid4()),
        event_time=now,
        event_source=BROKER_SOURCE,
        event_name=event_name,
        aws_region=origin.region,
        source_ip_address=origin.source_ip,
        user_agent=origin.user_agent,
        user_identity=identity(actor),
        request_id=call_id,
        read_only=False,
        request_parameters=dict(parameters),
        response_elements=None,
        error_code=error.code,
        error_message=error.message,
    )


# Who loads rules: the operator of the command line, who is not an IAM principal (no ARN).
OPERATOR = UserIdentity(type="IamtwinOperator", principal_id="iamtwin-cli", user_name="iamtwin-cli")


def rules_event(rules: BrokerRules, stored: str, *, now: datetime, origin: CallOrigin) -> AuditEvent:
    """The record of new rules becoming current: they decide who may ask and who approves, so they are audited.

    The record names the rules and carries the SHA-256 of their stored text, not the text itself:
    webhook URLs in it can be secrets.
    """
    return AuditEvent(
        event_id=str(uuid.uuid4()),
        event_time=now,
        event_source=BROKER_SOURCE,
        event_name="PutRules",
        aws_region=origin.region,
        source_ip_address=origin.source_ip,
        user_agent=origin.user_agent,
        user_identity=OPERATOR,
        request_id=new_call_id(),
        read_only=False,
        request_parameters={
            "eligibility": [rule.name for rule in rules.eligibility],
            "approvalRules": sorted(rules.approvals),
            "people": len(rules.people),
        },
        response_elements={"sha256": hashlib.sha256(stored.encode("utf-8")).hexdigest()},
    )
