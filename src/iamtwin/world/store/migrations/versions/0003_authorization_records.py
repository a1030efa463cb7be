"""Authorization records: the details of denied requests, for IAM Toolbox's GetRequestAuthorizationDetails.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "authorization_records",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorization_records")),
    )
    with op.batch_alter_table("authorization_records", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_authorization_records_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("authorization_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authorization_records_created_at"))

    op.drop_table("authorization_records")
