"""The initial world schema: organizations, accounts, IAM entities, resources, sessions and keys.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "attachments",
        sa.Column("owner_arn", sa.String(length=2048), nullable=False),
        sa.Column("policy_arn", sa.String(length=2048), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("owner_arn", "policy_arn", name=op.f("pk_attachments")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index("ix_attachments_policy", ["policy_arn"], unique=False)

    op.create_table(
        "documents",
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("hash", name=op.f("pk_documents")),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )
    op.create_table(
        "mfa_devices",
        sa.Column("serial_number", sa.String(length=256), nullable=False),
        sa.Column("user_arn", sa.String(length=2048), nullable=False),
        sa.Column("seed_base32", sa.String(length=128), nullable=False),
        sa.Column("enabled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("serial_number", name=op.f("pk_mfa_devices")),
    )
    with op.batch_alter_table("mfa_devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mfa_devices_user_arn"), ["user_arn"], unique=False)

    op.create_table(
        "org_nodes",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("parent_id", sa.String(length=80), nullable=True),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["org_nodes.id"], name=op.f("fk_org_nodes_parent_id_org_nodes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_nodes")),
    )
    with op.batch_alter_table("org_nodes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_org_nodes_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "organizations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("management_account", sa.String(length=12), nullable=False),
        sa.Column("rcps_enabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("base_arn", sa.String(length=2048), nullable=False),
        sa.Column("user_id", sa.String(length=160), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_identity", sa.String(length=64), nullable=True),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("attributes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["sessions.id"], name=op.f("fk_sessions_parent_id_sessions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sessions_token_hash")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sessions_arn"), ["arn"], unique=False)
        batch_op.create_index(batch_op.f("ix_sessions_base_arn"), ["base_arn"], unique=False)

    op.create_table(
        "tags",
        sa.Column("owner_arn", sa.String(length=2048), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("owner_arn", "key", name=op.f("pk_tags")),
    )
    op.create_table(
        "world_keys",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_world_keys")),
    )
    op.create_table(
        "access_keys",
        sa.Column("access_key_id", sa.String(length=32), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("owner_arn", sa.String(length=2048), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["sessions.id"], name=op.f("fk_access_keys_session_id_sessions")),
        sa.PrimaryKeyConstraint("access_key_id", name=op.f("pk_access_keys")),
    )
    with op.batch_alter_table("access_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_keys_owner_arn"), ["owner_arn"], unique=False)

    op.create_table(
        "accounts",
        sa.Column("id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=True),
        sa.Column("parent_id", sa.String(length=80), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["org_nodes.id"], name=op.f("fk_accounts_parent_id_org_nodes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_accounts_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "inline_policies",
        sa.Column("owner_arn", sa.String(length=2048), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("document_hash", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_hash"], ["documents.hash"], name=op.f("fk_inline_policies_document_hash_documents")
        ),
        sa.PrimaryKeyConstraint("owner_arn", "name", name=op.f("pk_inline_policies")),
    )
    op.create_table(
        "org_policies",
        sa.Column("id", sa.String(length=140), nullable=False),
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column("document_hash", sa.String(length=64), nullable=False),
        sa.Column("aws_managed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_hash"], ["documents.hash"], name=op.f("fk_org_policies_document_hash_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_policies")),
    )
    op.create_table(
        "groups",
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("name_lower", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_groups_account_id_accounts")),
        sa.PrimaryKeyConstraint("arn", name=op.f("pk_groups")),
        sa.UniqueConstraint("account_id", "name_lower", name="uq_groups_account_name"),
        sa.UniqueConstraint("id", name=op.f("uq_groups_id")),
    )
    op.create_table(
        "identity_providers",
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=1024), nullable=False),
        sa.Column("url", sa.String(length=1024), nullable=True),
        sa.Column("client_ids", sa.Text(), nullable=False),
        sa.Column("thumbprints", sa.Text(), nullable=False),
        sa.Column("saml_metadata", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_identity_providers_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("arn", name=op.f("pk_identity_providers")),
    )
    op.create_table(
        "instance_profiles",
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("name_lower", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_instance_profiles_account_id_accounts")),
        sa.PrimaryKeyConstraint("arn", name=op.f("pk_instance_profiles")),
        sa.UniqueConstraint("account_id", "name_lower", name="uq_instance_profiles_account_name"),
        sa.UniqueConstraint("id", name=op.f("uq_instance_profiles_id")),
    )
    op.create_table(
        "managed_policies",
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("name_lower", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("default_version", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_managed_policies_account_id_accounts")),
        sa.PrimaryKeyConstraint("arn", name=op.f("pk_managed_policies")),
        sa.UniqueConstraint("account_id", "name_lower", name="uq_managed_policies_account_name"),
        sa.UniqueConstraint("id", name=op.f("uq_managed_policies_id")),
    )
    op.create_table(
        "org_attachments",
        sa.Column("policy_id", sa.String(length=140), nullable=False),
        sa.Column("target_id", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["org_policies.id"], name=op.f("fk_org_attachments_policy_id_org_policies")
        ),
        sa.PrimaryKeyConstraint("policy_id", "target_id", name=op.f("pk_org_attachments")),
    )
    with op.batch_alter_table("org_attachments", schema=None) as batch_op:
        batch_op.create_index("ix_org_attachments_target", ["target_id"], unique=False)

    op.create_table(
        "resources",
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("policy_hash", sa.String(length=64), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_resources_account_id_accounts")),
        sa.ForeignKeyConstraint(["policy_hash"], ["documents.hash"], name=op.f("fk_resources_policy_hash_documents")),
        sa.PrimaryKeyConstraint("arn", name=op.f("pk_resources")),
    )
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resources_account_id"), ["account_id"], unique=False)

    op.create_table(
        "roles",
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("name_lower", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("trust_hash", sa.String(length=64), nullable=True),
        sa.Column("max_session_duration", sa.Integer(), nullable=False),
        sa.Column("service_linked", sa.Boolean(), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("boundary_arn", sa.String(length=2048), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_roles_account_id_accounts")),
        sa.ForeignKeyConstraint(["trust_hash"], ["documents.hash"], name=op.f("fk_roles_trust_hash_documents")),
        sa.PrimaryKeyConstraint("arn", name=op.f("pk_roles")),
        sa.UniqueConstraint("account_id", "name_lower", name="uq_roles_account_name"),
        sa.UniqueConstraint("id", name=op.f("uq_roles_id")),
    )
    op.create_table(
        "users",
        sa.Column("arn", sa.String(length=2048), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("name_lower", sa.String(length=128), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("boundary_arn", sa.String(length=2048), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_users_account_id_accounts")),
        sa.PrimaryKeyConstraint("arn", name=op.f("pk_users")),
        sa.UniqueConstraint("account_id", "name_lower", name="uq_users_account_name"),
        sa.UniqueConstraint("id", name=op.f("uq_users_id")),
    )
    op.create_table(
        "group_members",
        sa.Column("group_arn", sa.String(length=2048), nullable=False),
        sa.Column("user_arn", sa.String(length=2048), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_arn"], ["groups.arn"], name=op.f("fk_group_members_group_arn_groups")),
        sa.ForeignKeyConstraint(["user_arn"], ["users.arn"], name=op.f("fk_group_members_user_arn_users")),
        sa.PrimaryKeyConstraint("group_arn", "user_arn", name=op.f("pk_group_members")),
    )
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.create_index("ix_group_members_user", ["user_arn"], unique=False)

    op.create_table(
        "instance_profile_roles",
        sa.Column("profile_arn", sa.String(length=2048), nullable=False),
        sa.Column("role_name", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_arn"],
            ["instance_profiles.arn"],
            name=op.f("fk_instance_profile_roles_profile_arn_instance_profiles"),
        ),
        sa.PrimaryKeyConstraint("profile_arn", "role_name", name=op.f("pk_instance_profile_roles")),
    )
    op.create_table(
        "policy_versions",
        sa.Column("policy_arn", sa.String(length=2048), nullable=False),
        sa.Column("version_id", sa.String(length=16), nullable=False),
        sa.Column("document_hash", sa.String(length=64), nullable=False),
        sa.Column("create_date", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_hash"], ["documents.hash"], name=op.f("fk_policy_versions_document_hash_documents")
        ),
        sa.ForeignKeyConstraint(
            ["policy_arn"], ["managed_policies.arn"], name=op.f("fk_policy_versions_policy_arn_managed_policies")
        ),
        sa.PrimaryKeyConstraint("policy_arn", "version_id", name=op.f("pk_policy_versions")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("policy_versions")
    op.drop_table("instance_profile_roles")
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.drop_index("ix_group_members_user")

    op.drop_table("group_members")
    op.drop_table("users")
    op.drop_table("roles")
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resources_account_id"))

    op.drop_table("resources")
    with op.batch_alter_table("org_attachments", schema=None) as batch_op:
        batch_op.drop_index("ix_org_attachments_target")

    op.drop_table("org_attachments")
    op.drop_table("managed_policies")
    op.drop_table("instance_profiles")
    op.drop_table("identity_providers")
    op.drop_table("groups")
    op.drop_table("org_policies")
    op.drop_table("inline_policies")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_parent_id"))

    op.drop_table("accounts")
    with op.batch_alter_table("access_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_keys_owner_arn"))

    op.drop_table("access_keys")
    op.drop_table("world_keys")
    op.drop_table("tags")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_base_arn"))
        batch_op.drop_index(batch_op.f("ix_sessions_arn"))

    op.drop_table("sessions")
    op.drop_table("organizations")
    with op.batch_alter_table("org_nodes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_org_nodes_parent_id"))

    op.drop_table("org_nodes")
    with op.batch_alter_table("mfa_devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mfa_devices_user_arn"))

    op.drop_table("mfa_devices")
    op.drop_table("meta")
    op.drop_table("documents")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index("ix_attachments_policy")

    op.drop_table("attachments")
