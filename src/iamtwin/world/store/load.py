"""Reading model objects back from the store: the whole world, or just what one decision needs.

Both paths go through the same table-at-a-time fetches, filtered by owner ARN for a single
principal, unfiltered for an export; a world of thousands of roles is read in a few dozen queries.
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, Row, Select, select

from ..aws_managed import AWS_MANAGED_PREFIX, aws_managed_policy
from ..model import (
    Account,
    Group,
    IdentityProvider,
    InlinePolicy,
    InstanceProfile,
    ManagedPolicy,
    OrgAccount,
    Organization,
    OrgNode,
    OrgPolicy,
    OrgPolicyType,
    Placement,
    PolicyVersion,
    ProviderType,
    Resource,
    Role,
    User,
    World,
)
from . import schema as t
from .codec import load_strings, read_documents

_CHUNK = 500


def _rows(
    conn: Connection, query: Select[Any], column: ColumnElement[Any] | None, keys: Sequence[str] | None
) -> list[Row[Any]]:
    if keys is None or column is None:
        return list(conn.execute(query))
    out: list[Row[Any]] = []
    for start in range(0, len(keys), _CHUNK):
        out.extend(conn.execute(query.where(column.in_(keys[start : start + _CHUNK]))))
    return out


def _parsed(text: str) -> dict[str, Any]:
    # orjson reads stored documents several times faster; integers beyond 64 bits, which it refuses,
    # go through the standard library.
    try:
        parsed: dict[str, Any] = orjson.loads(text)
    except orjson.JSONDecodeError:
        parsed = json.loads(text)
    return parsed


class StoreReader:
    """Builds model objects from the tables over one connection."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._documents: dict[str, dict[str, Any]] = {}
        # Read in full once when a whole world is read, then shared by groups, users and roles (each
        # would otherwise fetch its policies again, chunk by chunk).
        self._customer_managed: dict[str, ManagedPolicy] | None = None
        self._all_groups: dict[str, Group] | None = None

    # -- shared fetches ---------------------------------------------------------------------

    def documents(self, hashes: Iterable[str | None]) -> dict[str, dict[str, Any]]:
        """Documents by hash, remembered for this reader."""
        missing = {h for h in hashes if h is not None and h not in self._documents}
        if missing:
            self._documents.update((h, _parsed(text)) for h, text in read_documents(self.conn, missing).items())
        return self._documents

    def tags(self, owners: Sequence[str] | None) -> dict[str, dict[str, str]]:
        """Tags by owner ARN, in the order they were set."""
        out: dict[str, dict[str, str]] = defaultdict(dict)
        query = select(t.tags).order_by(t.tags.c.owner_arn, t.tags.c.position)
        for row in _rows(self.conn, query, t.tags.c.owner_arn, owners):
            out[row.owner_arn][row.key] = row.value
        return out

    def inline(self, owners: Sequence[str] | None) -> dict[str, tuple[InlinePolicy, ...]]:
        """Inline policies by owner ARN."""
        rows = _rows(
            self.conn,
            select(t.inline_policies).order_by(t.inline_policies.c.position),
            t.inline_policies.c.owner_arn,
            owners,
        )
        docs = self.documents(r.document_hash for r in rows)
        grouped: dict[str, list[InlinePolicy]] = defaultdict(list)
        for row in rows:
            grouped[row.owner_arn].append(InlinePolicy(row.name, docs[row.document_hash]))
        return {owner: tuple(policies) for owner, policies in grouped.items()}

    def attached(self, owners: Sequence[str] | None) -> dict[str, list[str]]:
        """Attached managed policy ARNs by owner ARN."""
        grouped: dict[str, list[str]] = defaultdict(list)
        query = select(t.attachments).order_by(t.attachments.c.position)
        for row in _rows(self.conn, query, t.attachments.c.owner_arn, owners):
            grouped[row.owner_arn].append(row.policy_arn)
        return grouped

    def managed(self, arns: Sequence[str] | None) -> dict[str, ManagedPolicy]:
        """Managed policies by ARN: customer-managed from the store, AWS managed from the catalogue."""
        if arns is None:
            if self._customer_managed is None:
                self._customer_managed = self._read_managed(None)
            return dict(self._customer_managed)
        if self._customer_managed is not None:
            known = self._customer_managed
            return {
                arn: policy
                for arn in arns
                if (policy := aws_managed_policy(arn) if arn.startswith(AWS_MANAGED_PREFIX) else known.get(arn))
                is not None
            }
        return self._read_managed(arns)

    def _read_managed(self, arns: Sequence[str] | None) -> dict[str, ManagedPolicy]:
        out: dict[str, ManagedPolicy] = {}
        wanted = None if arns is None else [a for a in arns if not a.startswith(AWS_MANAGED_PREFIX)]
        if arns is not None:
            for arn in arns:
                if arn.startswith(AWS_MANAGED_PREFIX):
                    policy = aws_managed_policy(arn)
                    if policy is not None:
                        out[arn] = policy
        if wanted == []:
            return out
        rows = _rows(
            self.conn,
            select(t.managed_policies).order_by(t.managed_policies.c.position),
            t.managed_policies.c.arn,
            wanted,
        )
        versions = _rows(
            self.conn,
            select(t.policy_versions),
            t.policy_versions.c.policy_arn,
            None if wanted is None else [r.arn for r in rows],
        )
        docs = self.documents(v.document_hash for v in versions)
        by_policy: dict[str, list[PolicyVersion]] = defaultdict(list)
        for v in sorted(
            versions, key=lambda v: (v.policy_arn, int(v.version_id[1:]) if v.version_id[1:].isdigit() else 0)
        ):
            by_policy[v.policy_arn].append(PolicyVersion(v.version_id, docs[v.document_hash], v.create_date))
        tags = self.tags([r.arn for r in rows]) if wanted is not None else self.tags(None)
        for row in rows:
            versions_of = tuple(by_policy[row.arn])
            default = next(v for v in versions_of if v.version_id == row.default_version)
            out[row.arn] = ManagedPolicy(
                row.name,
                row.arn,
                default.document,
                row.path,
                tags.get(row.arn, {}),
                versions=versions_of if len(versions_of) > 1 or default.create_date else (),
                default_version_id=row.default_version,
                policy_id=row.id,
                description=row.description,
            )
        return out

    def _resolved(
        self, owner: str, attached: dict[str, list[str]], policies: dict[str, ManagedPolicy]
    ) -> tuple[ManagedPolicy, ...]:
        return tuple(policies[arn] for arn in attached.get(owner, ()) if arn in policies)

    # -- entities ---------------------------------------------------------------------------

    def groups(self, where: ColumnElement[bool] | None = None) -> dict[str, Group]:
        """Groups by ARN."""
        if where is None and self._all_groups is not None:
            return dict(self._all_groups)
        query = select(t.groups).order_by(t.groups.c.position)
        rows = list(self.conn.execute(query if where is None else query.where(where)))
        composed = self._compose_groups(rows, full=where is None)
        if where is None:
            self._all_groups = composed
        return dict(composed)

    def _compose_groups(self, rows: list[Row[Any]], full: bool) -> dict[str, Group]:
        owners = None if full else [r.arn for r in rows]
        inline, attached = self.inline(owners), self.attached(owners)
        policies = self.managed(sorted({a for arns in attached.values() for a in arns}))
        return {
            r.arn: Group(r.name, r.arn, r.path, inline.get(r.arn, ()), self._resolved(r.arn, attached, policies), r.id)
            for r in rows
        }

    def users(self, where: ColumnElement[bool] | None = None) -> dict[str, User]:
        """Users by ARN, with their groups and policies resolved."""
        query = select(t.users).order_by(t.users.c.position)
        rows = list(self.conn.execute(query if where is None else query.where(where)))
        full = where is None
        owners = None if full else [r.arn for r in rows]
        members = _rows(
            self.conn, select(t.group_members).order_by(t.group_members.c.position), t.group_members.c.user_arn, owners
        )
        group_arns = sorted({m.group_arn for m in members})
        groups = self.groups(None if full else t.groups.c.arn.in_(group_arns)) if group_arns or full else {}
        inline, attached, tags = self.inline(owners), self.attached(owners), self.tags(owners)
        policies = self.managed(
            sorted({a for arns in attached.values() for a in arns} | {r.boundary_arn for r in rows if r.boundary_arn})
        )
        member_of: dict[str, list[Group]] = defaultdict(list)
        for m in members:
            member_of[m.user_arn].append(groups[m.group_arn])
        return {
            r.arn: User(
                r.name,
                r.arn,
                r.path,
                tags.get(r.arn, {}),
                tuple(member_of[r.arn]),
                inline.get(r.arn, ()),
                self._resolved(r.arn, attached, policies),
                policies.get(r.boundary_arn) if r.boundary_arn else None,
                r.id,
            )
            for r in rows
        }

    def roles(self, where: ColumnElement[bool] | None = None) -> dict[str, Role]:
        """Roles by ARN, with their policies resolved."""
        query = select(t.roles).order_by(t.roles.c.position)
        rows = list(self.conn.execute(query if where is None else query.where(where)))
        owners = None if where is None else [r.arn for r in rows]
        inline, attached, tags = self.inline(owners), self.attached(owners), self.tags(owners)
        policies = self.managed(
            sorted({a for arns in attached.values() for a in arns} | {r.boundary_arn for r in rows if r.boundary_arn})
        )
        docs = self.documents(r.trust_hash for r in rows)
        return {
            r.arn: Role(
                r.name,
                r.arn,
                r.path,
                docs[r.trust_hash] if r.trust_hash else None,
                tags.get(r.arn, {}),
                inline.get(r.arn, ()),
                self._resolved(r.arn, attached, policies),
                policies.get(r.boundary_arn) if r.boundary_arn else None,
                r.max_session_duration,
                r.service_linked,
                r.id,
                r.description,
            )
            for r in rows
        }

    def resources(self, where: ColumnElement[bool] | None = None) -> list[Resource]:
        """Resources with their tags and policies."""
        query = select(t.resources).order_by(t.resources.c.account_id, t.resources.c.position)
        rows = list(self.conn.execute(query if where is None else query.where(where)))
        docs = self.documents(r.policy_hash for r in rows)
        tags = self.tags(None if where is None else [r.arn for r in rows])
        return [
            Resource(
                r.arn, r.account_id, tags.get(r.arn, {}), docs[r.policy_hash] if r.policy_hash else None, r.runs_as
            )
            for r in rows
        ]

    def instance_profiles(self, where: ColumnElement[bool] | None = None) -> dict[str, InstanceProfile]:
        """Instance profiles by ARN."""
        query = select(t.instance_profiles).order_by(t.instance_profiles.c.position)
        rows = list(self.conn.execute(query if where is None else query.where(where)))
        owners = None if where is None else [r.arn for r in rows]
        members: dict[str, list[str]] = defaultdict(list)
        for m in _rows(self.conn, select(t.instance_profile_roles), t.instance_profile_roles.c.profile_arn, owners):
            members[m.profile_arn].append(m.role_name)
        tags = self.tags(owners)
        return {
            r.arn: InstanceProfile(r.name, r.arn, r.path, tuple(members[r.arn]), tags.get(r.arn, {}), r.id)
            for r in rows
        }

    def identity_providers(self, where: ColumnElement[bool] | None = None) -> list[IdentityProvider]:
        """OIDC and SAML providers."""
        query = select(t.identity_providers).order_by(t.identity_providers.c.arn)
        rows = list(self.conn.execute(query if where is None else query.where(where)))
        tags = self.tags(None if where is None else [r.arn for r in rows])
        return [
            IdentityProvider(
                r.arn,
                ProviderType(r.type),
                r.name,
                r.url,
                load_strings(r.client_ids),
                load_strings(r.thumbprints),
                r.saml_metadata,
                tags.get(r.arn, {}),
            )
            for r in rows
        ]

    # -- whole world --------------------------------------------------------------------------

    def world(self) -> World:
        """Every account and the organization."""
        # Reading a whole world allocates hundreds of thousands of objects that all live on; with the
        # cyclic collector running, each of its full passes walks everything read so far.
        paused = gc.isenabled()
        gc.disable()
        try:
            return self._world()
        finally:
            if paused:
                gc.enable()

    def _world(self) -> World:
        policies = self.managed(None)
        groups, users, roles = self.groups(), self.users(), self.roles()
        profiles, providers, resources = self.instance_profiles(), self.identity_providers(), self.resources()
        accounts: dict[str, Account] = {}
        rows = list(self.conn.execute(select(t.accounts).order_by(t.accounts.c.id)))
        org = self.organization()
        for row in rows:
            if not row.listed:
                continue
            accounts[row.id] = Account(
                row.id,
                row.name,
                _by_name(users.values(), row.id),
                _by_name(groups.values(), row.id),
                _by_name(roles.values(), row.id),
                _by_name((p for p in policies.values() if not p.aws_managed), row.id),
                tuple(r for r in resources if r.account == row.id),
                _by_name(profiles.values(), row.id),
                tuple(p for p in providers if _account_of(p.arn) == row.id),
            )
        return World(accounts, org)

    def organization(self) -> Organization | None:
        """The organization with its tree, policies and placements, or None."""
        org = self.conn.execute(select(t.organizations)).first()
        if org is None:
            return None
        policy_rows = list(self.conn.execute(select(t.org_policies)))
        docs = self.documents(p.document_hash for p in policy_rows)
        policies = {
            p.id: OrgPolicy(p.name, OrgPolicyType(p.type), p.id, p.arn, docs[p.document_hash]) for p in policy_rows
        }
        attached: dict[str, list[OrgPolicy]] = defaultdict(list)
        for a in self.conn.execute(select(t.org_attachments).order_by(t.org_attachments.c.position)):
            attached[a.target_id].append(policies[a.policy_id])
        nodes = list(self.conn.execute(select(t.org_nodes).order_by(t.org_nodes.c.position)))
        accounts = list(self.conn.execute(select(t.accounts).order_by(t.accounts.c.position)))
        children: dict[str | None, list[Row[Any]]] = defaultdict(list)
        for node in nodes:
            children[node.parent_id].append(node)
        members: dict[str, list[Row[Any]]] = defaultdict(list)
        for account in accounts:
            if account.parent_id is not None:
                members[account.parent_id].append(account)
        placements: dict[str, Placement] = {}

        def split(target: str) -> tuple[tuple[OrgPolicy, ...], tuple[OrgPolicy, ...]]:
            found = attached.get(target, [])
            return (
                tuple(p for p in found if p.type is OrgPolicyType.SCP),
                tuple(p for p in found if p.type is OrgPolicyType.RCP),
            )

        def build(row: Row[Any]) -> OrgNode:
            scps, rcps = split(row.id)
            entries = tuple(OrgAccount(a.id, *split(a.id)) for a in members[row.id])
            kids = tuple(build(child) for child in children[row.id])
            return OrgNode(row.id, row.name, scps, rcps, entries, kids)

        roots = children[None]
        if not roots:
            return None
        root = build(roots[0])
        _fix_placements(root, (), placements)
        managed_ids = {p.id for p in policy_rows if p.aws_managed}
        named = {p.name: p for p in policies.values() if p.policy_id not in managed_ids}
        return Organization(org.id, org.management_account, named, root, placements, org.rcps_enabled)


def _fix_placements(node: OrgNode, above: tuple[OrgNode, ...], placements: dict[str, Placement]) -> None:
    # Placements must hold the finished nodes (with their children), which exist only after the walk.
    path = (*above, node)
    for entry in node.accounts:
        placements[entry.id] = Placement(path, entry)
    for child in node.children:
        _fix_placements(child, path, placements)


def _account_of(arn: str) -> str:
    return arn.split(":", 5)[4] if arn.count(":") >= 5 else ""


def _by_name(entities: Iterable[Any], account_id: str) -> dict[str, Any]:
    return {e.name: e for e in entities if _account_of(e.arn) == account_id}
