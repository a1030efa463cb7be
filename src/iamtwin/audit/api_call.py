"""One request to `iamtwin serve` as the server learns it, and the audit event it becomes.

The server fills an `ApiCall` while it answers (service, operation, caller, parameters, result,
decision); `event_for` then builds the CloudTrail-shaped event from it and from the answer sent,
taking `errorCode` and `errorMessage` from the error document whatever the protocol.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from ..evaluate.decision import Decision
from .decisions import summarize
from .event import AuditEvent, DecisionSummary, UserIdentity, event_source
from .readonly import is_read_only
from .redact import redacted
from .wire import error_of

_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


def _credential_scope(headers: Mapping[str, str], query: str) -> re.Match[str] | None:
    credential = headers.get("authorization", "")
    if "Credential=" not in credential:
        credential = "Credential=" + dict(parse_qsl(query)).get("X-Amz-Credential", "")
    return _SCOPE.search(credential)


def signed_access_key_id(headers: Mapping[str, str], query: str) -> str | None:
    """The access key id a SigV4 signature (header or presigned query) names, accepted or not."""
    found = _credential_scope(headers, query)
    return None if found is None else found.group(1)
ISSUES_CREDENTIALS = frozenset(
    {"AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML", "GetSessionToken", "GetFederationToken"}
)
_AUTHORIZATION_ID = re.compile(r"authorization id: ([a-z0-9]+)")


@dataclass
class ApiCall:
    """What the server learned about one request while answering it; filled in as it goes."""

    request_id: str
    now: datetime
    source_ip: str
    user_agent: str
    service: str | None = None
    region: str = "us-east-1"
    operation: str | None = None
    identity: UserIdentity | None = None
    account: str | None = None
    request_parameters: Mapping[str, Any] | None = None
    response_elements: Mapping[str, Any] | None = None
    decision: DecisionSummary | None = None
    # Every check the engine made for the call, in order (the handlers' CallContext appends to it).
    decisions: list[Decision] = field(default_factory=list)

    def read_scope(self, headers: Mapping[str, str], query: str) -> str | None:
        """Take service and region from the SigV4 credential scope; the access key id it names."""
        found = _credential_scope(headers, query)
        if found is None:
            return None
        self.region, self.service = found.group(2), found.group(3)
        return found.group(1)

    def read_operation(self, headers: Mapping[str, str], query: str, body: bytes) -> None:
        """Take the operation from the `Action` parameter or the `X-Amz-Target` header, when there is one."""
        target = headers.get("x-amz-target")
        if target:
            self.operation = target.rsplit(".", 1)[-1]
            return
        params = dict(parse_qsl(query)) | dict(parse_qsl(body.decode("utf-8", "replace")))
        if params.get("Action"):
            self.operation = params["Action"]


def _decision_of(decisions: list[Decision], message: str | None) -> DecisionSummary | None:
    """The engine's decision a call ended on: the check that refused it, else its first (its own action's)."""
    if not decisions:
        return None
    refused = [d for d in decisions if not d.allowed]
    if not refused:
        return summarize(decisions[0])
    found = _AUTHORIZATION_ID.search(message or "")  # the id the Toolbox keeps the denial's details under
    return summarize(refused[-1], found.group(1) if found else None)


def event_for(call: ApiCall, status: int, body: bytes) -> AuditEvent:
    """The audit event of a call, given the HTTP status and body of its answer."""
    code = message = None
    if status >= 400:
        code, message = error_of(body)
        code = code or f"HTTP{status}"
    return event_of(call, code, message)


def event_of(call: ApiCall, code: str | None = None, message: str | None = None) -> AuditEvent:
    """The audit event of a call that ended with this error (code and message), or with none."""
    decision = call.decision or _decision_of(call.decisions, message)
    operation = call.operation or "Unknown"
    read_only = is_read_only(operation)
    # CloudTrail fills responseElements for calls that change something and leaves it null for reads
    # and failures (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
    # STS's credential-issuing calls keep theirs: the issued access key is what ties a session's calls
    # to the event that issued it.
    keeps_response = not read_only or operation in ISSUES_CREDENTIALS
    answered = call.response_elements is not None and code is None and keeps_response
    return AuditEvent(
        event_id=str(uuid.uuid4()),
        event_time=call.now,
        event_source=event_source(call.service or "unknown"),
        event_name=operation,
        aws_region=call.region,
        source_ip_address=call.source_ip,
        user_agent=call.user_agent,
        user_identity=call.identity or UserIdentity("Unknown"),
        request_id=call.request_id,
        read_only=read_only,
        recipient_account_id=call.account or (call.identity.account_id if call.identity else None),
        request_parameters=None if call.request_parameters is None else redacted(call.request_parameters),
        response_elements=redacted(call.response_elements) if answered else None,
        error_code=code,
        error_message=message,
        decision=decision,
    )


__all__ = ["ApiCall", "event_for", "event_of", "summarize"]
