"""The identity a resource runs as: a role ARN, or an EC2 instance's instance profile ARN.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("runs_as", sa.String(length=2048), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.drop_column("runs_as")
