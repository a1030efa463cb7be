"""The audit trail: hash-chained events (range-partitioned by month on PostgreSQL) and the chain's head.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_source", sa.String(length=128), nullable=False),
        sa.Column("event_name", sa.String(length=128), nullable=False),
        sa.Column("principal_arn", sa.String(length=2048), nullable=True),
        sa.Column("account_id", sa.String(length=12), nullable=True),
        sa.Column("read_only", sa.Boolean(), nullable=False),
        sa.Column("error_code", sa.String(length=128), nullable=True),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", "event_time", name=op.f("pk_audit_events")),
        postgresql_partition_by="RANGE (event_time)",
    )
    op.create_index(op.f("ix_audit_events_event_id"), "audit_events", ["event_id"], unique=False)
    op.create_index(op.f("ix_audit_events_principal_arn"), "audit_events", ["principal_arn"], unique=False)
    op.create_index("ix_audit_events_event_time", "audit_events", ["event_time"], unique=False)
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("anchor_seq", sa.BigInteger(), nullable=False),
        sa.Column("anchor_hash", sa.String(length=64), nullable=False),
        sa.Column("anchor_time", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("audit_head")
    op.drop_index("ix_audit_events_event_time", table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_principal_arn"), table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_event_id"), table_name="audit_events")
    op.drop_table("audit_events")
