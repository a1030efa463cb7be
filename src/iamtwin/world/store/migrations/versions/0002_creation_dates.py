"""Creation dates of users, groups, roles, managed policies and instance profiles, as IAM reports them.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("instance_profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("managed_policies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("roles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("created_at")

    with op.batch_alter_table("roles", schema=None) as batch_op:
        batch_op.drop_column("created_at")

    with op.batch_alter_table("managed_policies", schema=None) as batch_op:
        batch_op.drop_column("created_at")

    with op.batch_alter_table("instance_profiles", schema=None) as batch_op:
        batch_op.drop_column("created_at")

    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("created_at")
