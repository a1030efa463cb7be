"""The permission orchestrator: its settings and the ledger of grants.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "grant_settings",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_grant_settings")),
    )
    op.create_table(
        "grants",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("sid", sa.String(length=100), nullable=False),
        sa.Column("resource_arn", sa.String(length=2048), nullable=False),
        sa.Column("requester", sa.String(length=2048), nullable=False),
        sa.Column("requester_account", sa.String(length=12), nullable=False),
        sa.Column("session_arn", sa.String(length=2048), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("previous_policy", sa.Text(), nullable=True),
        sa.Column("applied_policy", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=2048), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants")),
    )
    op.create_index(op.f("ix_grants_resource_arn"), "grants", ["resource_arn"], unique=False)
    op.create_index(op.f("ix_grants_requester"), "grants", ["requester"], unique=False)
    op.create_index(op.f("ix_grants_state"), "grants", ["state"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_grants_state"), table_name="grants")
    op.drop_index(op.f("ix_grants_requester"), table_name="grants")
    op.drop_index(op.f("ix_grants_resource_arn"), table_name="grants")
    op.drop_table("grants")
    op.drop_table("grant_settings")
