"""IAM's write calls for accounts, users, groups, roles, tags and resources.

Each call runs inside `World.transaction()`: a refusal at any step leaves the world as it was.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import and_, delete, select, update

from ...errors import Location
from ...policy.arn import parse_arn
from ..iam_errors import IamError, IamErrorCode
from ..ids import IdKind, new_access_key_id, new_secret_access_key
from ..model import Document
from ..names import (
    check_group_name,
    check_max_session_duration,
    check_oidc_provider,
    check_path,
    check_role_description,
    check_role_name,
    check_saml_metadata_document,
    check_saml_provider_name,
    check_user_name,
)
from ..quotas import Quota, check_quota, check_trust_policy_size
from ..runs_as import runs_as_problem
from ..tags import TagTarget, check_tags
from . import schema as t
from .codec import DocumentWriter, dump_strings
from .documents import DocumentRole, checked_document
from .policy_writes import PolicyWriter
from .profile_writes import ProfileWriter
from .save import resource_type
from .update_writes import EntityUpdater
from .write_base import _KIND_TABLE, _TAG_TARGET, Created, _exists


class IamWriter(PolicyWriter, ProfileWriter, EntityUpdater):
    """Every IAM write call iamtwin models, over one transaction's connection."""

    # -- accounts -------------------------------------------------------------------------------

    def create_account(self, account_id: str, name: str | None = None) -> None:
        """Add an account to the world."""
        if len(account_id) != 12 or not account_id.isdigit():
            raise IamError(
                IamErrorCode.VALIDATION_ERROR,
                f"`{account_id}` is not a 12-digit account id",
                reason="INVALID_ACCOUNT_ID",
                location=Location("AccountId"),
            )
        if self.conn.execute(select(t.accounts.c.id).where(t.accounts.c.id == account_id)).first() is not None:
            raise IamError(
                IamErrorCode.ENTITY_ALREADY_EXISTS,
                f"account `{account_id}` is already in the world",
                reason="ACCOUNT_EXISTS",
                location=Location("AccountId"),
            )
        self.conn.execute(t.accounts.insert().values(id=account_id, name=name, parent_id=None, position=0, listed=True))

    # -- users and groups -------------------------------------------------------------------------

    def create_user(
        self,
        account_id: str,
        name: str,
        *,
        path: str = "/",
        tags: Mapping[str, str] | None = None,
        permissions_boundary: str | None = None,
    ) -> Created:
        """CreateUser."""
        check_user_name(name)
        check_path(path)
        check_tags(tags or {}, target=TagTarget.USER)
        self._require_account(account_id)
        if self._count(t.users, t.users.c.account_id == account_id, t.users.c.name_lower == name.lower()):
            raise _exists("User", name, "UserName")
        check_quota(
            Quota.USERS_PER_ACCOUNT, self._count(t.users, t.users.c.account_id == account_id), quotas=self.quotas
        )
        arn = f"arn:aws:iam::{account_id}:user{path}{name}"
        created = self._insert_entity(
            t.users, IdKind.USER, account_id, name, path, arn, boundary_arn=self._boundary(permissions_boundary)
        )
        self._tags(arn, tags or {}, TagTarget.USER)
        return created

    def create_group(self, account_id: str, name: str, *, path: str = "/") -> Created:
        """CreateGroup."""
        check_group_name(name)
        check_path(path)
        self._require_account(account_id)
        if self._count(t.groups, t.groups.c.account_id == account_id, t.groups.c.name_lower == name.lower()):
            raise _exists("Group", name, "GroupName")
        check_quota(
            Quota.GROUPS_PER_ACCOUNT, self._count(t.groups, t.groups.c.account_id == account_id), quotas=self.quotas
        )
        return self._insert_entity(
            t.groups, IdKind.GROUP, account_id, name, path, f"arn:aws:iam::{account_id}:group{path}{name}"
        )

    def add_user_to_group(self, account_id: str, group_name: str, user_name: str) -> None:
        """AddUserToGroup."""
        group = self._row("group", account_id, group_name, "GroupName")
        user = self._row("user", account_id, user_name, "UserName")
        current = self._count(t.group_members, t.group_members.c.user_arn == user.arn)
        if self._count(
            t.group_members, t.group_members.c.user_arn == user.arn, t.group_members.c.group_arn == group.arn
        ):
            return  # AWS accepts adding a member twice
        check_quota(Quota.GROUPS_PER_USER, current, quotas=self.quotas)
        self.conn.execute(t.group_members.insert().values(group_arn=group.arn, user_arn=user.arn, position=current))

    # -- roles ----------------------------------------------------------------------------------

    def create_role(
        self,
        account_id: str,
        name: str,
        trust_policy: Document,
        *,
        path: str = "/",
        description: str = "",
        max_session_duration: int = 3600,
        tags: Mapping[str, str] | None = None,
        permissions_boundary: str | None = None,
    ) -> Created:
        """CreateRole."""
        check_role_name(name)
        check_path(path)
        check_role_description(description)
        check_max_session_duration(max_session_duration)
        check_tags(tags or {}, target=TagTarget.ROLE)
        checked_document(trust_policy, DocumentRole.TRUST, "AssumeRolePolicyDocument")
        check_trust_policy_size(trust_policy, quotas=self.quotas)
        self._require_account(account_id)
        if self._count(t.roles, t.roles.c.account_id == account_id, t.roles.c.name_lower == name.lower()):
            raise _exists("Role", name, "RoleName")
        check_quota(
            Quota.ROLES_PER_ACCOUNT, self._count(t.roles, t.roles.c.account_id == account_id), quotas=self.quotas
        )
        docs = DocumentWriter()
        trust_hash = docs.add(trust_policy)
        docs.flush(self.conn)
        arn = f"arn:aws:iam::{account_id}:role{path}{name}"
        created = self._insert_entity(
            t.roles,
            IdKind.ROLE,
            account_id,
            name,
            path,
            arn,
            trust_hash=trust_hash,
            max_session_duration=max_session_duration,
            service_linked=path.startswith("/aws-service-role/"),
            description=description,
            boundary_arn=self._boundary(permissions_boundary),
        )
        self._tags(arn, tags or {}, TagTarget.ROLE)
        return created

    def update_assume_role_policy(self, account_id: str, role_name: str, trust_policy: Document) -> None:
        """UpdateAssumeRolePolicy."""
        checked_document(trust_policy, DocumentRole.TRUST, "PolicyDocument")
        check_trust_policy_size(trust_policy, quotas=self.quotas, parameter="PolicyDocument")
        role = self._row("role", account_id, role_name, "RoleName")
        docs = DocumentWriter()
        digest = docs.add(trust_policy)
        docs.flush(self.conn)
        self.conn.execute(update(t.roles).where(t.roles.c.arn == role.arn).values(trust_hash=digest))

    def tag(self, kind: str, account_id: str, name: str, tags: Mapping[str, str]) -> None:
        """TagUser / TagRole / TagPolicy (by name within the account)."""
        owner = self._row(kind, account_id, name, f"{kind.capitalize()}Name")
        check_tags(tags, target=_TAG_TARGET[kind])
        self._tags(owner.arn, tags, _TAG_TARGET[kind])

    def untag(self, kind: str, account_id: str, name: str, keys: Sequence[str]) -> None:
        """UntagUser / UntagRole / UntagPolicy; keys compare without case."""
        owner = self._row(kind, account_id, name, f"{kind.capitalize()}Name")
        lowered = {k.lower() for k in keys}
        for row in list(self.conn.execute(select(t.tags.c.key).where(t.tags.c.owner_arn == owner.arn))):
            if row.key.lower() in lowered:
                self.conn.execute(delete(t.tags).where(and_(t.tags.c.owner_arn == owner.arn, t.tags.c.key == row.key)))

    def delete_entity(self, kind: str, account_id: str, name: str) -> None:
        """DeleteUser / DeleteGroup / DeleteRole: refused while policies are attached or embedded."""
        owner = self._row(kind, account_id, name, f"{kind.capitalize()}Name")
        if self._count(t.attachments, t.attachments.c.owner_arn == owner.arn) or self._count(
            t.inline_policies, t.inline_policies.c.owner_arn == owner.arn
        ):
            raise IamError(
                IamErrorCode.DELETE_CONFLICT,
                "Cannot delete entity, must detach all policies first.",
                reason="POLICIES_ATTACHED",
                location=Location(f"{kind.capitalize()}Name"),
            )
        member_column = t.group_members.c.user_arn if kind == "user" else t.group_members.c.group_arn
        if kind != "role" and self._count(t.group_members, member_column == owner.arn):
            raise IamError(
                IamErrorCode.DELETE_CONFLICT,
                "Cannot delete entity, must remove users from group first."
                if kind == "group"
                else "Cannot delete entity, must remove user from all groups first.",
                reason="GROUP_MEMBERSHIP",
                location=Location(f"{kind.capitalize()}Name"),
            )
        self.conn.execute(delete(t.tags).where(t.tags.c.owner_arn == owner.arn))
        table = _KIND_TABLE[kind]
        self.conn.execute(delete(table).where(table.c.arn == owner.arn))

    # -- resources ------------------------------------------------------------------------------

    def put_resource(
        self,
        arn: str,
        *,
        policy: Document | None = None,
        tags: Mapping[str, str] | None = None,
        runs_as: str | None = None,
    ) -> None:
        """Create or replace a resource with its resource-based policy, tags and the identity it runs as."""
        parsed = parse_arn(arn)
        if parsed is None or "*" in arn or "?" in arn:
            raise IamError(
                IamErrorCode.VALIDATION_ERROR,
                f"`{arn}` is not a resource ARN",
                reason="INVALID_ARN",
                location=Location("ResourceArn"),
            )
        account_id = parsed.account
        if not (len(account_id) == 12 and account_id.isdigit()):
            raise IamError(
                IamErrorCode.VALIDATION_ERROR,
                f"`{arn}` does not name its account (S3 ARNs do not: give the owning account)",
                reason="ARN_WITHOUT_ACCOUNT",
                location=Location("ResourceArn"),
            )
        self.put_resource_in(account_id, arn, policy=policy, tags=tags, kind=resource_type(arn), runs_as=runs_as)

    def put_resource_in(
        self,
        account_id: str,
        arn: str,
        *,
        policy: Document | None,
        tags: Mapping[str, str] | None,
        kind: str,
        runs_as: str | None = None,
    ) -> None:
        """Create or replace a resource of a given account (S3 ARNs carry none)."""
        if policy is not None:
            checked_document(policy, DocumentRole.RESOURCE, "Policy")
        problem = None if runs_as is None else runs_as_problem(arn, account_id, runs_as)
        if problem is not None:
            raise IamError(
                IamErrorCode.VALIDATION_ERROR, problem, reason="INVALID_RUNS_AS", location=Location("RunsAs")
            )
        check_tags(tags or {}, target=TagTarget.ROLE)
        self._require_account(account_id)
        docs = DocumentWriter()
        digest = docs.add(policy) if policy is not None else None
        docs.flush(self.conn)
        self.conn.execute(delete(t.tags).where(t.tags.c.owner_arn == arn))
        self.conn.execute(delete(t.resources).where(t.resources.c.arn == arn))
        self.conn.execute(
            t.resources.insert().values(
                arn=arn,
                account_id=account_id,
                type=kind,
                policy_hash=digest,
                position=self._count(t.resources, t.resources.c.account_id == account_id),
                runs_as=runs_as,
            )
        )
        self._tags(arn, tags or {}, TagTarget.ROLE)

    # -- identity providers ---------------------------------------------------------------------

    def create_oidc_provider(
        self,
        account_id: str,
        url: str,
        client_ids: Sequence[str] = (),
        thumbprints: Sequence[str] = (),
        *,
        tags: Mapping[str, str] | None = None,
    ) -> str:
        """CreateOpenIDConnectProvider; returns the provider ARN (`…:oidc-provider/<host/path>`)."""
        check_oidc_provider(url, client_ids, thumbprints)
        check_tags(tags or {}, target=TagTarget.OIDC_PROVIDER)
        self._require_account(account_id)
        stored_url = url.split("://", 1)[-1].rstrip("/")
        arn = f"arn:aws:iam::{account_id}:oidc-provider/{stored_url}"
        self._new_provider(account_id, arn, "OIDC provider", stored_url, Quota.OIDC_PROVIDERS_PER_ACCOUNT, "oidc")
        self.conn.execute(
            t.identity_providers.insert().values(
                arn=arn,
                account_id=account_id,
                type="oidc",
                name=stored_url,
                url=stored_url,
                client_ids=dump_strings(client_ids),
                thumbprints=dump_strings(thumbprints),
                saml_metadata=None,
            )
        )
        self._tags(arn, tags or {}, TagTarget.OIDC_PROVIDER)
        return arn

    def create_saml_provider(
        self, account_id: str, name: str, metadata: str, *, tags: Mapping[str, str] | None = None
    ) -> str:
        """CreateSAMLProvider (the metadata must already be checked by the caller); returns the ARN."""
        check_saml_provider_name(name)
        check_saml_metadata_document(metadata)
        check_tags(tags or {}, target=TagTarget.SAML_PROVIDER)
        self._require_account(account_id)
        arn = f"arn:aws:iam::{account_id}:saml-provider/{name}"
        self._new_provider(account_id, arn, "SAML provider", name, Quota.SAML_PROVIDERS_PER_ACCOUNT, "saml")
        self.conn.execute(
            t.identity_providers.insert().values(
                arn=arn,
                account_id=account_id,
                type="saml",
                name=name,
                url=None,
                client_ids="[]",
                thumbprints="[]",
                saml_metadata=metadata,
            )
        )
        self._tags(arn, tags or {}, TagTarget.SAML_PROVIDER)
        return arn

    def delete_identity_provider(self, arn: str) -> bool:
        """DeleteOpenIDConnectProvider / DeleteSAMLProvider: the provider and its tags; whether it existed."""
        self.conn.execute(delete(t.tags).where(t.tags.c.owner_arn == arn))
        done = self.conn.execute(delete(t.identity_providers).where(t.identity_providers.c.arn == arn))
        return bool(done.rowcount)

    def _new_provider(self, account_id: str, arn: str, what: str, name: str, quota: Quota, kind: str) -> None:
        providers = t.identity_providers
        if self._count(providers, providers.c.arn == arn):
            raise IamError(
                IamErrorCode.ENTITY_ALREADY_EXISTS,
                f"{what} {name} already exists.",
                reason="DUPLICATE_PROVIDER",
                location=Location("Url" if kind == "oidc" else "Name"),
            )
        current = self._count(providers, providers.c.account_id == account_id, providers.c.type == kind)
        check_quota(quota, current, quotas=self.quotas)

    # -- access keys ----------------------------------------------------------------------------

    def create_access_key(self, account_id: str, user_name: str, *, created_at: datetime) -> tuple[str, str]:
        """CreateAccessKey: a long-term `AKIA…` key of a user; returns (access key id, secret)."""
        user = self._row("user", account_id, user_name, "UserName")
        keys = t.access_keys
        current = self._count(keys, keys.c.owner_arn == user.arn, keys.c.session_id.is_(None))
        check_quota(Quota.ACCESS_KEYS_PER_USER, current, quotas=self.quotas)
        key_id, secret = new_access_key_id(temporary=False), new_secret_access_key()
        self.conn.execute(
            keys.insert().values(
                access_key_id=key_id,
                secret=secret,
                owner_arn=user.arn,
                session_id=None,
                status="Active",
                created_at=created_at,
            )
        )
        return key_id, secret

    def set_access_key_status(self, access_key_id: str, status: str) -> None:
        """UpdateAccessKey: `Active` or `Inactive`."""
        if status not in ("Active", "Inactive"):
            raise IamError(
                IamErrorCode.VALIDATION_ERROR,
                f"`{status}` is neither Active nor Inactive",
                reason="INVALID_STATUS",
                location=Location("Status"),
            )
        done = self.conn.execute(
            update(t.access_keys).where(t.access_keys.c.access_key_id == access_key_id).values(status=status)
        )
        if not done.rowcount:
            raise IamError(
                IamErrorCode.NO_SUCH_ENTITY,
                f"The Access Key with id {access_key_id} cannot be found.",
                reason="NO_SUCH_ACCESS_KEY",
                location=Location("AccessKeyId"),
            )
