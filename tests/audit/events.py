"""Audit events to store in tests: a user's call at a given time."""

from __future__ import annotations

import uuid
from datetime import datetime

from iamtwin.audit.event import AuditEvent, UserIdentity

ALICE = UserIdentity(
    "IAMUser", "AIDAEXAMPLEALICE00001", "arn:aws:iam::111122223333:user/alice", "111122223333", "AKIAEXAMPLE", "alice"
)


def call(moment: datetime, name: str = "ListRoles", error: str | None = None) -> AuditEvent:
    """One IAM call by alice at `moment`."""
    return AuditEvent(
        event_id=str(uuid.uuid4()),
        event_time=moment,
        event_source="iam.amazonaws.com",
        event_name=name,
        aws_region="us-east-1",
        source_ip_address="192.0.2.10",
        user_agent="test",
        user_identity=ALICE,
        request_id=str(uuid.uuid4()),
        read_only=name.startswith(("List", "Get")),
        recipient_account_id="111122223333",
        request_parameters={},
        error_code=error,
        error_message="denied" if error else None,
    )
