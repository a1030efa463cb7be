"""Requests, events and sessions as JSON objects, and the history as CSV or JSON lines for auditors."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from ..issuance import SessionCredentials
from ..requests import ElevationRequest, RequestEvent
from ..store import IssuedSession

EXPORT_COLUMNS = (
    "requestId",
    "requester",
    "account",
    "role",
    "scope",
    "justification",
    "ticket",
    "breakGlass",
    "state",
    "at",
    "actor",
    "kind",
    "fromState",
    "toState",
    "detail",
)


def iso(value: datetime | None) -> str | None:
    """A time as UTC ISO 8601 with `Z` (converted first: an offset's wall time is not UTC), or None."""
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def request_json(request: ElevationRequest) -> dict[str, Any]:
    """A request as the API answers it."""
    ask = request.ask
    return {
        "id": request.id,
        "requester": request.requester,
        "account": ask.account_id,
        "role": ask.role_name,
        "roleArn": request.role_arn,
        "scope": ask.scope,
        "justification": ask.justification,
        "ticket": ask.ticket,
        "durationSeconds": ask.duration_seconds,
        "scheduledStart": iso(ask.scheduled_start),
        "breakGlass": ask.break_glass,
        "state": request.state.value,
        "rule": request.rule_name,
        "approvalRule": request.approval_rule,
        "createdAt": iso(request.created_at),
        "pendingUntil": iso(request.pending_until),
        "windowStart": iso(request.window_start),
        "windowEnd": iso(request.window_end),
    }


def event_json(event: RequestEvent) -> dict[str, Any]:
    """One event of a request's history."""
    return {
        "at": iso(event.at),
        "actor": event.actor,
        "kind": event.kind,
        "fromState": None if event.from_state is None else event.from_state.value,
        "toState": event.to_state.value,
        "detail": event.detail,
    }


def session_json(session: IssuedSession) -> dict[str, Any]:
    """An issued session, without its secrets."""
    return {
        "accessKeyId": session.access_key_id,
        "sessionName": session.session_name,
        "sourceIdentity": session.source_identity,
        "issuedAt": iso(session.issued_at),
        "expiresAt": iso(session.expires_at),
    }


def credentials_json(creds: SessionCredentials) -> dict[str, Any]:
    """Issued credentials, as the `credential_process` contract names them, with the session's ARN."""
    return {
        "Version": 1,
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
        "SessionToken": creds.session_token,
        "Expiration": iso(creds.expiration),
        "AssumedRoleArn": creds.assumed_role_arn,
        "SessionName": creds.session_name,
        "SourceIdentity": creds.source_identity,
    }


def export_rows(history: Iterable[tuple[ElevationRequest, list[RequestEvent]]]) -> list[dict[str, Any]]:
    """One row per event, with its request's fields."""
    rows: list[dict[str, Any]] = []
    for request, events in history:
        ask = request.ask
        for event in events:
            rows.append(
                {
                    "requestId": request.id,
                    "requester": request.requester,
                    "account": ask.account_id,
                    "role": ask.role_name,
                    "scope": ask.scope,
                    "justification": ask.justification,
                    "ticket": ask.ticket,
                    "breakGlass": ask.break_glass,
                    **{k: v for k, v in event_json(event).items()},
                }
            )
    return rows


def _cell(value: Any) -> str:
    text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    # A cell a spreadsheet would run as a formula is prefixed so it stays text (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(rows: list[dict[str, Any]]) -> str:
    """The rows as CSV with a header line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in EXPORT_COLUMNS])
    return out.getvalue()


def export_jsonl(rows: list[dict[str, Any]]) -> str:
    """The rows as JSON lines."""
    return "".join(json.dumps(row, sort_keys=True) + "\n" for row in rows)
