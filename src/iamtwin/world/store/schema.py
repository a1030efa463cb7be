"""The tables of a stored world (SQLAlchemy Core), at the latest migration.

Entities reference one another by ARN, as IAM's own APIs do. Every policy document lives once in
`documents`, keyed by the SHA-256 of its text: identical SCPs attached across thousands of accounts,
or the same trust policy on many roles, are one row. AWS managed policies are not copied into a
world; attachments name their ARN and the shipped catalogue supplies the document.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from . import broker_schema
from .metadata import ARN as ARN
from .metadata import metadata as metadata

# The broker's tables live in broker_schema.py (on the same metadata); named here too, like every table.
broker_rules = broker_schema.broker_rules
broker_requests = broker_schema.broker_requests
broker_approvals = broker_schema.broker_approvals
broker_events = broker_schema.broker_events
broker_sessions = broker_schema.broker_sessions
broker_revocations = broker_schema.broker_revocations
broker_break_glass_reviews = broker_schema.broker_break_glass_reviews
broker_notifications = broker_schema.broker_notifications

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String(256), nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("text", Text, nullable=False),
)

organizations = Table(
    "organizations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("management_account", String(12), nullable=False),
    Column("rcps_enabled", Boolean, nullable=False, default=False),
)

org_nodes = Table(
    "org_nodes",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("parent_id", String(80), ForeignKey("org_nodes.id"), nullable=True, index=True),
    Column("name", String(128), nullable=False),
    Column("position", Integer, nullable=False, default=0),
)

org_policies = Table(
    "org_policies",
    metadata,
    Column("id", String(140), primary_key=True),
    Column("arn", String(ARN), nullable=False),
    Column("name", String(128), nullable=False),
    Column("type", String(8), nullable=False),
    Column("document_hash", String(64), ForeignKey("documents.hash"), nullable=False),
    Column("aws_managed", Boolean, nullable=False, default=False),
)

org_attachments = Table(
    "org_attachments",
    metadata,
    Column("policy_id", String(140), ForeignKey("org_policies.id"), primary_key=True),
    Column("target_id", String(80), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
    Index("ix_org_attachments_target", "target_id"),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(12), primary_key=True),
    Column("name", String(128), nullable=True),
    Column("parent_id", String(80), ForeignKey("org_nodes.id"), nullable=True, index=True),
    Column("position", Integer, nullable=False, default=0),
    # False for a member account the organization lists but the world holds no IAM data for.
    Column("listed", Boolean, nullable=False, default=True),
)


def _entity(name: str, *columns: Column[object]) -> Table:
    """An IAM entity table: unique id, account, name (unique per account without regard to case), path, ARN."""
    return Table(
        name,
        metadata,
        Column("arn", String(ARN), primary_key=True),
        Column("id", String(32), nullable=False, unique=True),
        Column("account_id", String(12), ForeignKey("accounts.id"), nullable=False),
        Column("name", String(128), nullable=False),
        Column("name_lower", String(128), nullable=False),
        Column("path", String(512), nullable=False, default="/"),
        Column("position", Integer, nullable=False, default=0),
        # When IAM created it; None for entities imported without a date.
        Column("created_at", DateTime(timezone=True), nullable=True),
        *columns,
        UniqueConstraint("account_id", "name_lower", name=f"uq_{name}_account_name"),
    )


users = _entity("users", Column("boundary_arn", String(ARN), nullable=True))
groups = _entity("groups")
roles = _entity(
    "roles",
    Column("trust_hash", String(64), ForeignKey("documents.hash"), nullable=True),
    Column("max_session_duration", Integer, nullable=False, default=3600),
    Column("service_linked", Boolean, nullable=False, default=False),
    Column("description", String(1000), nullable=False, default=""),
    Column("boundary_arn", String(ARN), nullable=True),
)
managed_policies = _entity(
    "managed_policies",
    Column("default_version", String(16), nullable=False, default="v1"),
    Column("description", String(1000), nullable=False, default=""),
)
instance_profiles = _entity("instance_profiles")

policy_versions = Table(
    "policy_versions",
    metadata,
    Column("policy_arn", String(ARN), ForeignKey("managed_policies.arn"), primary_key=True),
    Column("version_id", String(16), primary_key=True),
    Column("document_hash", String(64), ForeignKey("documents.hash"), nullable=False),
    Column("create_date", String(40), nullable=True),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_arn", String(ARN), ForeignKey("groups.arn"), primary_key=True),
    Column("user_arn", String(ARN), ForeignKey("users.arn"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
    Index("ix_group_members_user", "user_arn"),
)

# owner: a user, group or role ARN; policy: a customer-managed or AWS managed policy ARN.
attachments = Table(
    "attachments",
    metadata,
    Column("owner_arn", String(ARN), primary_key=True),
    Column("policy_arn", String(ARN), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
    Index("ix_attachments_policy", "policy_arn"),
)

inline_policies = Table(
    "inline_policies",
    metadata,
    Column("owner_arn", String(ARN), primary_key=True),
    Column("name", String(128), primary_key=True),
    Column("document_hash", String(64), ForeignKey("documents.hash"), nullable=False),
    Column("position", Integer, nullable=False, default=0),
)

# Tags of any taggable owner: user, role, managed policy, instance profile, provider, resource.
tags = Table(
    "tags",
    metadata,
    Column("owner_arn", String(ARN), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("value", String(256), nullable=False),
    Column("position", Integer, nullable=False, default=0),
)

instance_profile_roles = Table(
    "instance_profile_roles",
    metadata,
    Column("profile_arn", String(ARN), ForeignKey("instance_profiles.arn"), primary_key=True),
    Column("role_name", String(64), primary_key=True),
)

identity_providers = Table(
    "identity_providers",
    metadata,
    Column("arn", String(ARN), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.id"), nullable=False),
    Column("type", String(8), nullable=False),
    Column("name", String(1024), nullable=False),
    Column("url", String(1024), nullable=True),
    Column("client_ids", Text, nullable=False, default="[]"),
    Column("thumbprints", Text, nullable=False, default="[]"),
    Column("saml_metadata", Text, nullable=True),
)

resources = Table(
    "resources",
    metadata,
    Column("arn", String(ARN), primary_key=True),
    Column("account_id", String(12), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("type", String(64), nullable=False),
    Column("policy_hash", String(64), ForeignKey("documents.hash"), nullable=True),
    Column("position", Integer, nullable=False, default=0),
    Column("runs_as", String(ARN), nullable=True),  # the role or instance profile ARN the resource runs as
)

# Access keys: long-term keys of users and the temporary keys of sessions. The secret is kept
# because SigV4 verification derives the signing key from it; session tokens only as a hash.
access_keys = Table(
    "access_keys",
    metadata,
    Column("access_key_id", String(32), primary_key=True),
    Column("secret", String(64), nullable=False),
    Column("owner_arn", String(ARN), nullable=False, index=True),
    Column("session_id", String(64), ForeignKey("sessions.id"), nullable=True),
    Column("status", String(16), nullable=False, default="Active"),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("account_id", String(12), nullable=False),
    Column("arn", String(ARN), nullable=False, index=True),
    Column("base_arn", String(ARN), nullable=False, index=True),
    Column("user_id", String(160), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("source_identity", String(64), nullable=True),
    Column("parent_id", String(64), ForeignKey("sessions.id"), nullable=True),
    Column("attributes", Text, nullable=False, default="{}"),
)

# Virtual MFA devices: the TOTP seed is kept because verifying a code needs it.
mfa_devices = Table(
    "mfa_devices",
    metadata,
    Column("serial_number", String(256), primary_key=True),
    Column("user_arn", String(ARN), nullable=False, index=True),
    Column("seed_base32", String(128), nullable=False),
    Column("enabled_at", DateTime(timezone=True), nullable=False),
)

# A secret of the world itself (the key that encrypts encoded authorization messages).
world_keys = Table(
    "world_keys",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(256), nullable=False),
)

# The details of a denied request, kept for IAM Toolbox's GetRequestAuthorizationDetails (AWS keeps
# them at least 24 hours): the Toolbox-shaped evaluation and the policies as they were then.
authorization_records = Table(
    "authorization_records",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("account_id", String(12), nullable=False),
    Column("details", Text, nullable=False),
)

# The audit trail: one row per recorded API call, in CloudTrail's record shape (`record`, canonical
# JSON), hash-chained in `seq` order: `hash` = SHA-256 of `prev_hash` and `record`. On PostgreSQL the
# table is range-partitioned by month of `event_time` (partitions are created as events arrive), which
# is why `event_time` is part of the primary key.
audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("event_time", DateTime(timezone=True), primary_key=True),
    Column("event_id", String(36), nullable=False, index=True),
    Column("event_source", String(128), nullable=False),
    Column("event_name", String(128), nullable=False),
    Column("principal_arn", String(ARN), nullable=True, index=True),
    Column("account_id", String(12), nullable=True),
    Column("read_only", Boolean, nullable=False),
    Column("error_code", String(128), nullable=True),
    Column("record", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_events_event_time", "event_time"),
    postgresql_partition_by="RANGE (event_time)",
)

# The chain's head (one row, id 1): the newest event's seq and hash, so removing the newest events is
# detected, and the anchor left by pruning: the seq and hash of the last removed event.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("anchor_seq", BigInteger, nullable=False),
    Column("anchor_hash", String(64), nullable=False),
    Column("anchor_time", DateTime(timezone=True), nullable=True),
)

# Access Analyzer's external access findings (iamtwin.analyze). One row per finding of one zone of trust
# (`ACCOUNT` or `ORGANIZATION`); `id` is derived from the zone, resource, principal and condition, so
# re-analysis after a change finds the same row again. `details` holds the actions, access levels and
# granting statements as JSON.
analyzer_findings = Table(
    "analyzer_findings",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("zone", String(16), nullable=False, index=True),
    Column("resource_arn", String(ARN), nullable=False, index=True),
    Column("resource_type", String(64), nullable=False),
    Column("resource_owner_account", String(12), nullable=False),
    Column("principal", Text, nullable=False),
    Column("condition", Text, nullable=False),
    Column("is_public", Boolean, nullable=False),
    Column("details", Text, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("archived_by", String(255), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("analyzed_at", DateTime(timezone=True), nullable=False),
)

# Archive rules: findings matching a rule's filter (JSON, Access Analyzer's FilterCriteria) are archived.
analyzer_archive_rules = Table(
    "analyzer_archive_rules",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("filter", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The permission orchestrator (iamtwin.grants). Its settings, as loaded from YAML (one row, name `current`).
grant_settings = Table(
    "grant_settings",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("document", Text, nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

# The ledger of grants: each statement the orchestrator added to a resource policy, with the policy's
# exact stored text before and after, so a revocation can put back the very text that was there.
grants = Table(
    "grants",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("sid", String(100), nullable=False),
    Column("resource_arn", String(ARN), nullable=False, index=True),
    Column("requester", String(ARN), nullable=False, index=True),
    Column("requester_account", String(12), nullable=False),
    Column("session_arn", String(ARN), nullable=False),
    Column("request", Text, nullable=False),
    Column("statement", Text, nullable=False),
    Column("previous_policy", Text, nullable=True),
    Column("applied_policy", Text, nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("revoked_by", String(ARN), nullable=True),
)
