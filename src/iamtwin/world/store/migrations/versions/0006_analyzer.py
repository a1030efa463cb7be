"""Access Analyzer: external access findings and archive rules.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "analyzer_findings",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("zone", sa.String(length=16), nullable=False),
        sa.Column("resource_arn", sa.String(length=2048), nullable=False),
        sa.Column("resource_type", sa.String(length=64), nullable=False),
        sa.Column("resource_owner_account", sa.String(length=12), nullable=False),
        sa.Column("principal", sa.Text(), nullable=False),
        sa.Column("condition", sa.Text(), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("archived_by", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("analyzed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analyzer_findings")),
    )
    op.create_index(op.f("ix_analyzer_findings_zone"), "analyzer_findings", ["zone"], unique=False)
    op.create_index(op.f("ix_analyzer_findings_resource_arn"), "analyzer_findings", ["resource_arn"], unique=False)
    op.create_index(op.f("ix_analyzer_findings_status"), "analyzer_findings", ["status"], unique=False)
    op.create_table(
        "analyzer_archive_rules",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("filter", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_analyzer_archive_rules")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("analyzer_archive_rules")
    op.drop_index(op.f("ix_analyzer_findings_status"), table_name="analyzer_findings")
    op.drop_index(op.f("ix_analyzer_findings_resource_arn"), table_name="analyzer_findings")
    op.drop_index(op.f("ix_analyzer_findings_zone"), table_name="analyzer_findings")
    op.drop_table("analyzer_findings")
