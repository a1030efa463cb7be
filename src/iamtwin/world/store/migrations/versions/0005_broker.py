"""The elevated access broker: rules, requests, approvals, events, issued sessions, revocations.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "broker_rules",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_broker_rules")),
    )
    op.create_table(
        "broker_requests",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("requester", sa.String(length=256), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("role_name", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=128), nullable=True),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("ticket", sa.String(length=256), nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=False),
        sa.Column("scheduled_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("break_glass", sa.Boolean(), nullable=False),
        sa.Column("rule_name", sa.String(length=128), nullable=False),
        sa.Column("approval_rule", sa.String(length=128), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pending_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broker_requests")),
    )
    op.create_index(op.f("ix_broker_requests_requester"), "broker_requests", ["requester"], unique=False)
    op.create_index(op.f("ix_broker_requests_state"), "broker_requests", ["state"], unique=False)
    op.create_table(
        "broker_approvals",
        sa.Column("request_id", sa.String(length=40), nullable=False),
        sa.Column("approver", sa.String(length=256), nullable=False),
        sa.Column("groups", sa.Text(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["broker_requests.id"], name=op.f("fk_broker_approvals_request_id_broker_requests")
        ),
        sa.PrimaryKeyConstraint("request_id", "approver", name=op.f("pk_broker_approvals")),
    )
    op.create_table(
        "broker_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=256), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["broker_requests.id"], name=op.f("fk_broker_events_request_id_broker_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broker_events")),
    )
    op.create_index(op.f("ix_broker_events_request_id"), "broker_events", ["request_id"], unique=False)
    op.create_table(
        "broker_sessions",
        sa.Column("access_key_id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=40), nullable=False),
        sa.Column("role_arn", sa.String(length=2048), nullable=False),
        sa.Column("session_name", sa.String(length=64), nullable=False),
        sa.Column("source_identity", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["broker_requests.id"], name=op.f("fk_broker_sessions_request_id_broker_requests")
        ),
        sa.PrimaryKeyConstraint("access_key_id", name=op.f("pk_broker_sessions")),
    )
    op.create_index(op.f("ix_broker_sessions_request_id"), "broker_sessions", ["request_id"], unique=False)
    op.create_table(
        "broker_revocations",
        sa.Column("request_id", sa.String(length=40), nullable=False),
        sa.Column("role_arn", sa.String(length=2048), nullable=False),
        sa.Column("policy_name", sa.String(length=128), nullable=False),
        sa.Column("cutoff", sa.DateTime(timezone=True), nullable=False),
        sa.Column("needed_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"], ["broker_requests.id"], name=op.f("fk_broker_revocations_request_id_broker_requests")
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_broker_revocations")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("broker_revocations")
    op.drop_index(op.f("ix_broker_sessions_request_id"), table_name="broker_sessions")
    op.drop_table("broker_sessions")
    op.drop_index(op.f("ix_broker_events_request_id"), table_name="broker_events")
    op.drop_table("broker_events")
    op.drop_table("broker_approvals")
    op.drop_index(op.f("ix_broker_requests_state"), table_name="broker_requests")
    op.drop_index(op.f("ix_broker_requests_requester"), table_name="broker_requests")
    op.drop_table("broker_requests")
    op.drop_table("broker_rules")
