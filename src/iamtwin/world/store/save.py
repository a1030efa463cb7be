"""Writing a whole world model into the store in one transaction (imports and world files)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Connection, Table, delete, func, select, update

from ..iam_errors import IamError, IamErrorCode
from ..model import Account, InlinePolicy, ManagedPolicy, Organization, OrgNode, OrgPolicy, World
from . import schema as t
from .codec import DocumentWriter, dump_strings
from .ids import derived_unique_id

Progress = Callable[[int], None]
AWS_ORG_POLICY_IDS = frozenset({"p-FullAWSAccess", "p-RCPFullAWSAccess"})
_FLAT_RESOURCES = {"sqs": "queue", "sns": "topic"}
_CHUNK = 1000


def count_entities(world: World) -> int:
    """How many entities an import of this world writes (the length of its progress bar)."""
    total = 0
    for account in world.accounts.values():
        total += 1 + len(account.users) + len(account.groups) + len(account.roles) + len(account.policies)
        total += len(account.resources) + len(account.instance_profiles) + len(account.identity_providers)
    if world.organization is not None:
        total += 1 + len(world.organization.policies)
    return total


class _Rows:
    """Rows per table, inserted in dependency order at the end."""

    ORDER = (
        t.organizations,
        t.org_nodes,
        t.org_policies,
        t.org_attachments,
        t.accounts,
        t.managed_policies,
        t.policy_versions,
        t.groups,
        t.users,
        t.roles,
        t.group_members,
        t.attachments,
        t.inline_policies,
        t.tags,
        t.instance_profiles,
        t.instance_profile_roles,
        t.identity_providers,
        t.resources,
    )

    def __init__(self) -> None:
        self.by_table: dict[str, list[dict[str, Any]]] = {table.name: [] for table in self.ORDER}

    def add(self, table: Table, **row: Any) -> None:
        self.by_table[table.name].append(row)

    def write(self, conn: Connection) -> None:
        for table in self.ORDER:
            rows = self.by_table[table.name]
            for start in range(0, len(rows), _CHUNK):
                conn.execute(table.insert(), rows[start : start + _CHUNK])


def wipe(conn: Connection) -> None:
    """Delete every entity of the world (sessions and keys included)."""
    for table in (t.access_keys, t.sessions, *reversed(_Rows.ORDER)):
        conn.execute(delete(table))


def save_world(conn: Connection, world: World, *, progress: Progress | None = None) -> int:
    """Add the accounts and organization of `world` to the store; return the entities written.

    Accounts may arrive in any order: an organization imported first leaves placeholders for its
    member accounts, which a later import of their IAM data fills; accounts imported first are
    placed in the tree when the organization arrives. Fails with EntityAlreadyExists, writing
    nothing, for an account whose IAM data is already stored or a second organization. The caller
    owns the transaction.
    """
    existing = _existing_accounts(conn, world)
    docs = DocumentWriter()
    rows = _Rows()
    done = 0

    def tick(n: int = 1) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(n)

    placements: dict[str, tuple[str, int]] = {}
    if world.organization is not None:
        _organization(world.organization, rows, docs, placements)
        tick(1 + len(world.organization.policies))
    for position, account in enumerate(world.accounts.values()):
        parent = placements.get(account.id)
        if account.id in existing:  # a placeholder the organization left: it now holds IAM data
            conn.execute(update(t.accounts).where(t.accounts.c.id == account.id).values(name=account.name, listed=True))
        else:
            rows.add(
                t.accounts,
                id=account.id,
                name=account.name,
                parent_id=parent[0] if parent else None,
                position=parent[1] if parent else position,
                listed=True,
            )
        for _ in _account(account, rows, docs):
            tick()
        tick()
    for account_id, (parent_id, position) in placements.items():
        if account_id in existing:  # stored before the organization arrived: place it in the tree
            conn.execute(
                update(t.accounts).where(t.accounts.c.id == account_id).values(parent_id=parent_id, position=position)
            )
        elif account_id not in world.accounts:
            rows.add(t.accounts, id=account_id, name=None, parent_id=parent_id, position=position, listed=False)
    docs.flush(conn)
    rows.write(conn)
    return done


def _existing_accounts(conn: Connection, world: World) -> set[str]:
    """The stored accounts the import touches; refuses those whose IAM data is already there."""
    if world.organization is not None and conn.execute(select(func.count()).select_from(t.organizations)).scalar_one():
        raise IamError(
            IamErrorCode.ENTITY_ALREADY_EXISTS,
            "the world already has an organization; import into a new world or replace it",
            reason="ORGANIZATION_EXISTS",
        )
    ids = list(world.accounts)
    if world.organization is not None:
        ids.extend(world.organization.placements)
    existing: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for row in conn.execute(select(t.accounts.c.id, t.accounts.c.listed).where(t.accounts.c.id.in_(chunk))):
            if row.listed and row.id in world.accounts:
                raise IamError(
                    IamErrorCode.ENTITY_ALREADY_EXISTS,
                    f"account `{row.id}` is already in the world",
                    reason="ACCOUNT_EXISTS",
                )
            existing.add(row.id)
    return existing


def _organization(org: Organization, rows: _Rows, docs: DocumentWriter, placements: dict[str, tuple[str, int]]) -> None:
    rows.add(t.organizations, id=org.id, management_account=org.management_account, rcps_enabled=org.rcps_enabled)
    stored: dict[str, OrgPolicy] = {}

    def store(policy: OrgPolicy) -> None:
        if policy.policy_id not in stored:
            stored[policy.policy_id] = policy
            rows.add(
                t.org_policies,
                id=policy.policy_id,
                arn=policy.arn,
                name=policy.name,
                type=policy.type.value,
                document_hash=docs.add(policy.document),
                aws_managed=policy.policy_id in AWS_ORG_POLICY_IDS,
            )

    def attach(policies: tuple[OrgPolicy, ...], target: str) -> None:
        for position, policy in enumerate(policies):
            store(policy)
            rows.add(t.org_attachments, policy_id=policy.policy_id, target_id=target, position=position)

    def walk(node: OrgNode, parent: str | None, position: int) -> None:
        rows.add(t.org_nodes, id=node.id, parent_id=parent, name=node.name, position=position)
        attach(node.scps + node.rcps, node.id)
        for index, account in enumerate(node.accounts):
            placements[account.id] = (node.id, index)
            attach(account.scps + account.rcps, account.id)
        for index, child in enumerate(node.children):
            walk(child, node.id, index)

    walk(org.root, None, 0)
    for policy in org.policies.values():  # defined but attached nowhere
        store(policy)


def _tags(rows: _Rows, owner: str, tags: Any) -> None:
    for position, (key, value) in enumerate(tags.items()):
        rows.add(t.tags, owner_arn=owner, key=key, value=value, position=position)


def _inline(rows: _Rows, docs: DocumentWriter, owner: str, policies: tuple[InlinePolicy, ...]) -> None:
    for position, policy in enumerate(policies):
        rows.add(
            t.inline_policies,
            owner_arn=owner,
            name=policy.name,
            document_hash=docs.add(policy.document),
            position=position,
        )


def _attached(rows: _Rows, owner: str, policies: tuple[ManagedPolicy, ...]) -> None:
    for position, policy in enumerate(policies):
        rows.add(t.attachments, owner_arn=owner, policy_arn=policy.arn, position=position)


def _entity(
    kind: str, account: Account, name: str, arn: str, path: str, given: str | None, position: int
) -> dict[str, Any]:
    return {
        "arn": arn,
        "id": given or derived_unique_id(kind, arn),
        "account_id": account.id,
        "name": name,
        "name_lower": name.lower(),
        "path": path,
        "position": position,
    }


def _account(account: Account, rows: _Rows, docs: DocumentWriter) -> Iterator[None]:
    for position, policy in enumerate(account.policies.values()):
        rows.add(
            t.managed_policies,
            **_entity("policy", account, policy.name, policy.arn, policy.path, policy.policy_id, position),
            default_version=policy.default_version_id,
            description=policy.description,
        )
        versions = policy.versions or ()
        if not versions:
            rows.add(
                t.policy_versions,
                policy_arn=policy.arn,
                version_id=policy.default_version_id,
                document_hash=docs.add(policy.document),
                create_date=None,
            )
        for version in versions:
            rows.add(
                t.policy_versions,
                policy_arn=policy.arn,
                version_id=version.version_id,
                document_hash=docs.add(version.document),
                create_date=version.create_date,
            )
        _tags(rows, policy.arn, policy.tags)
        yield
    for position, group in enumerate(account.groups.values()):
        rows.add(t.groups, **_entity("group", account, group.name, group.arn, group.path, group.group_id, position))
        _inline(rows, docs, group.arn, group.inline_policies)
        _attached(rows, group.arn, group.managed_policies)
        yield
    for position, user in enumerate(account.users.values()):
        boundary = user.permissions_boundary.arn if user.permissions_boundary else None
        rows.add(
            t.users,
            **_entity("user", account, user.name, user.arn, user.path, user.user_id, position),
            boundary_arn=boundary,
        )
        for index, group in enumerate(user.groups):
            rows.add(t.group_members, group_arn=group.arn, user_arn=user.arn, position=index)
        _inline(rows, docs, user.arn, user.inline_policies)
        _attached(rows, user.arn, user.managed_policies)
        _tags(rows, user.arn, user.tags)
        yield
    for position, role in enumerate(account.roles.values()):
        rows.add(
            t.roles,
            **_entity("role", account, role.name, role.arn, role.path, role.role_id, position),
            trust_hash=docs.add(role.trust_policy) if role.trust_policy is not None else None,
            max_session_duration=role.max_session_duration,
            service_linked=role.service_linked,
            description=role.description,
            boundary_arn=role.permissions_boundary.arn if role.permissions_boundary else None,
        )
        _inline(rows, docs, role.arn, role.inline_policies)
        _attached(rows, role.arn, role.managed_policies)
        _tags(rows, role.arn, role.tags)
        yield
    for position, profile in enumerate(account.instance_profiles.values()):
        rows.add(
            t.instance_profiles,
            **_entity(
                "instance-profile",
                account,
                profile.name,
                profile.arn,
                profile.path,
                profile.instance_profile_id,
                position,
            ),
        )
        for role_name in profile.roles:
            rows.add(t.instance_profile_roles, profile_arn=profile.arn, role_name=role_name)
        _tags(rows, profile.arn, profile.tags)
        yield
    for provider in account.identity_providers:
        rows.add(
            t.identity_providers,
            arn=provider.arn,
            account_id=account.id,
            type=provider.type.value,
            name=provider.name,
            url=provider.url,
            client_ids=dump_strings(provider.client_ids),
            thumbprints=dump_strings(provider.thumbprints),
            saml_metadata=provider.saml_metadata,
        )
        _tags(rows, provider.arn, provider.tags)
        yield
    for position, resource in enumerate(account.resources):
        rows.add(
            t.resources,
            arn=resource.arn,
            account_id=account.id,
            type=resource_type(resource.arn),
            policy_hash=docs.add(resource.policy) if resource.policy is not None else None,
            position=position,
            runs_as=resource.runs_as,
        )
        _tags(rows, resource.arn, resource.tags)
        yield


def resource_type(arn: str) -> str:
    """`service:kind` of a resource ARN (`s3:bucket`, `s3:object`, `kms:key`, `lambda:function`, …)."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return "unknown"
    service, rest = parts[2], parts[5]
    if service in _FLAT_RESOURCES:
        return f"{service}:{_FLAT_RESOURCES[service]}"
    if service == "s3":
        return "s3:object" if "/" in rest else "s3:bucket"
    for separator in ("/", ":"):
        if separator in rest:
            return f"{service}:{rest.split(separator, 1)[0]}"
    return f"{service}:{rest}"
