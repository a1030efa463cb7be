"""The tables of the elevated access broker (iamtwin.broker), stored in the world's database.

Defined on the world's metadata (and re-exported by schema.py) so that one set of migrations
creates everything a world database holds.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table, Text

from .metadata import ARN, metadata

# The elevated access broker (iamtwin.broker). Its rules, as loaded from YAML (one row, name `current`).
broker_rules = Table(
    "broker_rules",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("document", Text, nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

# Requests for elevated access; `version` increases with every change so two concurrent changes of one
# request cannot both commit.
broker_requests = Table(
    "broker_requests",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("requester", String(256), nullable=False, index=True),
    Column("account_id", String(12), nullable=False),
    Column("role_name", String(64), nullable=False),
    Column("scope", String(128), nullable=True),
    Column("justification", Text, nullable=False),
    Column("ticket", String(256), nullable=True),
    Column("duration_seconds", Integer, nullable=False),
    Column("scheduled_start", DateTime(timezone=True), nullable=True),
    Column("break_glass", Boolean, nullable=False, default=False),
    Column("rule_name", String(128), nullable=False),
    Column("approval_rule", String(128), nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("pending_until", DateTime(timezone=True), nullable=False),
    Column("window_start", DateTime(timezone=True), nullable=True),
    Column("window_end", DateTime(timezone=True), nullable=True),
    Column("version", Integer, nullable=False, default=0),
)

broker_approvals = Table(
    "broker_approvals",
    metadata,
    Column("request_id", String(40), ForeignKey("broker_requests.id"), primary_key=True),
    Column("approver", String(256), primary_key=True),
    Column("groups", Text, nullable=False),
    Column("approved_at", DateTime(timezone=True), nullable=False),
)

# Every transition of a request, in order.
broker_events = Table(
    "broker_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String(40), ForeignKey("broker_requests.id"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(256), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("from_state", String(16), nullable=True),
    Column("to_state", String(16), nullable=False),
    Column("detail", Text, nullable=False, default=""),
)

# Sessions the broker obtained from STS for a request (never their secrets).
broker_sessions = Table(
    "broker_sessions",
    metadata,
    Column("access_key_id", String(32), primary_key=True),
    Column("request_id", String(40), ForeignKey("broker_requests.id"), nullable=False, index=True),
    Column("role_arn", String(ARN), nullable=False),
    Column("session_name", String(64), nullable=False),
    Column("source_identity", String(64), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# Deny policies the broker put on target roles to cut issued sessions short; removed once every
# session they deny has expired (`needed_until`).
broker_revocations = Table(
    "broker_revocations",
    metadata,
    Column("request_id", String(40), ForeignKey("broker_requests.id"), primary_key=True),
    Column("role_arn", String(ARN), nullable=False),
    Column("policy_name", String(128), nullable=False),
    Column("cutoff", DateTime(timezone=True), nullable=False),
    Column("needed_until", DateTime(timezone=True), nullable=False),
    Column("removed_at", DateTime(timezone=True), nullable=True),
)

# Break-glass uses of the broker (one row per break-glass request) and the review someone other than
# the requester must complete afterwards; `reviewer` is null until then.
broker_break_glass_reviews = Table(
    "broker_break_glass_reviews",
    metadata,
    Column("request_id", String(40), ForeignKey("broker_requests.id"), primary_key=True),
    Column("requester", String(256), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=False),
    Column("reviewer", String(256), nullable=True),
    Column("reviewed_at", DateTime(timezone=True), nullable=True),
    Column("outcome", String(16), nullable=True),
    Column("comment", Text, nullable=False, default=""),
)

# The broker's notification outbox: one row per delivery (an email to one person, a post to one chat
# webhook), written in the transaction of the change it tells about and sent afterwards with retries.
broker_notifications = Table(
    "broker_notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String(40), ForeignKey("broker_requests.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("recipient", String(256), nullable=False),
    Column("subject", String(512), nullable=False),
    Column("body", Text, nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("attempts", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=False, default=""),
)
