"""The broker's break-glass reviews and notification outbox.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "broker_break_glass_reviews",
        sa.Column("request_id", sa.String(length=40), nullable=False),
        sa.Column("requester", sa.String(length=256), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewer", sa.String(length=256), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["broker_requests.id"],
            name=op.f("fk_broker_break_glass_reviews_request_id_broker_requests"),
        ),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_broker_break_glass_reviews")),
    )
    op.create_table(
        "broker_notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=256), nullable=False),
        sa.Column("subject", sa.String(length=512), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["broker_requests.id"], name=op.f("fk_broker_notifications_request_id_broker_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broker_notifications")),
    )
    op.create_index(op.f("ix_broker_notifications_request_id"), "broker_notifications", ["request_id"], unique=False)
    op.create_index(op.f("ix_broker_notifications_state"), "broker_notifications", ["state"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_broker_notifications_state"), table_name="broker_notifications")
    op.drop_index(op.f("ix_broker_notifications_request_id"), table_name="broker_notifications")
    op.drop_table("broker_notifications")
    op.drop_table("broker_break_glass_reviews")
