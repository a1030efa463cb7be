"""IAM's write calls for managed policies and their versions, attachments, inline policies, boundaries."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, delete, select, update

from ...errors import Location
from ..aws_managed import AWS_MANAGED_PREFIX
from ..iam_errors import IamError, IamErrorCode
from ..ids import IdKind
from ..model import Document
from ..names import check_inline_policy_name, check_managed_policy_name, check_path, check_policy_description
from ..quotas import InlinePolicyOwner, Quota, check_inline_policies_size, check_managed_policy_size, check_quota
from ..tags import TagTarget, check_tags
from . import schema as t
from .codec import DocumentWriter
from .documents import DocumentRole, checked_document
from .load import StoreReader
from .write_base import _ATTACH_QUOTA, _KIND_TABLE, Created, WriterBase, _no_such


class PolicyWriter(WriterBase):
    """The policy calls of IAM: managed policies, versions, attachments, inline policies, boundaries."""

    # -- managed policies -----------------------------------------------------------------------

    def create_policy(
        self,
        account_id: str,
        name: str,
        document: Document,
        *,
        path: str = "/",
        description: str = "",
        tags: Mapping[str, str] | None = None,
    ) -> Created:
        """CreatePolicy: version v1, the default."""
        check_managed_policy_name(name)
        check_path(path)
        check_policy_description(description)
        check_tags(tags or {}, target=TagTarget.MANAGED_POLICY)
        checked_document(document, DocumentRole.IDENTITY, "PolicyDocument")
        check_managed_policy_size(document, quotas=self.quotas)
        self._require_account(account_id)
        table = t.managed_policies
        if self._count(table, table.c.account_id == account_id, table.c.name_lower == name.lower()):
            raise IamError(
                IamErrorCode.ENTITY_ALREADY_EXISTS,
                f"A policy called {name} already exists. Duplicate names are not allowed.",
                reason="DUPLICATE_NAME",
                location=Location("PolicyName"),
            )
        check_quota(
            Quota.MANAGED_POLICIES_PER_ACCOUNT, self._count(table, table.c.account_id == account_id), quotas=self.quotas
        )
        arn = f"arn:aws:iam::{account_id}:policy{path}{name}"
        created = self._insert_entity(
            table, IdKind.MANAGED_POLICY, account_id, name, path, arn, default_version="v1", description=description
        )
        docs = DocumentWriter()
        digest = docs.add(document)
        docs.flush(self.conn)
        self.conn.execute(t.policy_versions.insert().values(policy_arn=arn, version_id="v1", document_hash=digest))
        self._tags(arn, tags or {}, TagTarget.MANAGED_POLICY)
        return created

    def create_policy_version(self, policy_arn: str, document: Document, *, set_as_default: bool = False) -> str:
        """CreatePolicyVersion; returns the new version id."""
        checked_document(document, DocumentRole.IDENTITY, "PolicyDocument")
        check_managed_policy_size(document, quotas=self.quotas)
        self._customer_policy(policy_arn)
        versions = [
            r.version_id
            for r in self.conn.execute(
                select(t.policy_versions.c.version_id).where(t.policy_versions.c.policy_arn == policy_arn)
            )
        ]
        check_quota(Quota.VERSIONS_PER_MANAGED_POLICY, len(versions), quotas=self.quotas)
        version_id = f"v{max(int(v[1:]) for v in versions) + 1}"
        docs = DocumentWriter()
        digest = docs.add(document)
        docs.flush(self.conn)
        self.conn.execute(
            t.policy_versions.insert().values(policy_arn=policy_arn, version_id=version_id, document_hash=digest)
        )
        if set_as_default:
            self.set_default_policy_version(policy_arn, version_id)
        return version_id

    def set_default_policy_version(self, policy_arn: str, version_id: str) -> None:
        """SetDefaultPolicyVersion."""
        self._customer_policy(policy_arn)
        if not self._count(
            t.policy_versions,
            t.policy_versions.c.policy_arn == policy_arn,
            t.policy_versions.c.version_id == version_id,
        ):
            raise IamError(
                IamErrorCode.NO_SUCH_ENTITY,
                f"Policy {policy_arn} version {version_id} does not exist.",
                reason="NO_SUCH_VERSION",
                location=Location("VersionId"),
            )
        self.conn.execute(
            update(t.managed_policies).where(t.managed_policies.c.arn == policy_arn).values(default_version=version_id)
        )

    def _customer_policy(self, policy_arn: str) -> Any:
        if policy_arn.startswith(AWS_MANAGED_PREFIX):
            raise IamError(
                IamErrorCode.UNMODIFIABLE_ENTITY,
                f"Cannot modify AWS managed policy {policy_arn}.",
                reason="AWS_MANAGED_POLICY",
                location=Location("PolicyArn"),
            )
        row = self.conn.execute(select(t.managed_policies).where(t.managed_policies.c.arn == policy_arn)).first()
        if row is None:
            raise IamError(
                IamErrorCode.NO_SUCH_ENTITY,
                f"Policy {policy_arn} was not found.",
                reason="NO_SUCH_POLICY",
                location=Location("PolicyArn"),
            )
        return row

    # -- attaching policies ---------------------------------------------------------------------

    def attach_policy(self, kind: str, account_id: str, name: str, policy_arn: str) -> None:
        """AttachUserPolicy / AttachGroupPolicy / AttachRolePolicy."""
        owner = self._row(kind, account_id, name, f"{kind.capitalize()}Name")
        self._managed_exists(policy_arn, "PolicyArn")
        attached = self._count(t.attachments, t.attachments.c.owner_arn == owner.arn)
        if self._count(t.attachments, t.attachments.c.owner_arn == owner.arn, t.attachments.c.policy_arn == policy_arn):
            return  # attaching twice is not an error in IAM
        check_quota(_ATTACH_QUOTA[kind], attached, quotas=self.quotas)
        self.conn.execute(t.attachments.insert().values(owner_arn=owner.arn, policy_arn=policy_arn, position=attached))

    def detach_policy(self, kind: str, account_id: str, name: str, policy_arn: str) -> None:
        """DetachUserPolicy / DetachGroupPolicy / DetachRolePolicy."""
        owner = self._row(kind, account_id, name, f"{kind.capitalize()}Name")
        done = self.conn.execute(
            delete(t.attachments).where(
                and_(t.attachments.c.owner_arn == owner.arn, t.attachments.c.policy_arn == policy_arn)
            )
        )
        if not done.rowcount:
            raise IamError(
                IamErrorCode.NO_SUCH_ENTITY,
                f"Policy {policy_arn} was not found.",
                reason="NOT_ATTACHED",
                location=Location("PolicyArn"),
            )

    def put_inline_policy(self, kind: str, account_id: str, name: str, policy_name: str, document: Document) -> None:
        """PutUserPolicy / PutGroupPolicy / PutRolePolicy (replacing one of the same name)."""
        check_inline_policy_name(policy_name)
        checked_document(document, DocumentRole.IDENTITY, "PolicyDocument")
        owner = self._row(kind, account_id, name, f"{kind.capitalize()}Name")
        reader = StoreReader(self.conn)
        others = [p.document for p in reader.inline([owner.arn]).get(owner.arn, ()) if p.name != policy_name]
        check_inline_policies_size(InlinePolicyOwner(kind), [*others, document], quotas=self.quotas)
        docs = DocumentWriter()
        digest = docs.add(document)
        docs.flush(self.conn)
        table = t.inline_policies
        existing = self.conn.execute(
            select(table.c.name).where(and_(table.c.owner_arn == owner.arn, table.c.name == policy_name))
        ).first()
        if existing is None:
            position = self._count(table, table.c.owner_arn == owner.arn)
            self.conn.execute(
                table.insert().values(owner_arn=owner.arn, name=policy_name, document_hash=digest, position=position)
            )
        else:
            self.conn.execute(
                update(table)
                .where(and_(table.c.owner_arn == owner.arn, table.c.name == policy_name))
                .values(document_hash=digest)
            )

    def delete_inline_policy(self, kind: str, account_id: str, name: str, policy_name: str) -> None:
        """DeleteUserPolicy / DeleteGroupPolicy / DeleteRolePolicy."""
        owner = self._row(kind, account_id, name, f"{kind.capitalize()}Name")
        done = self.conn.execute(
            delete(t.inline_policies).where(
                and_(t.inline_policies.c.owner_arn == owner.arn, t.inline_policies.c.name == policy_name)
            )
        )
        if not done.rowcount:
            raise _no_such("policy", policy_name, "PolicyName")

    def put_permissions_boundary(self, kind: str, account_id: str, name: str, policy_arn: str | None) -> None:
        """PutUserPermissionsBoundary / PutRolePermissionsBoundary; None deletes the boundary."""
        owner = self._row(kind, account_id, name, f"{kind.capitalize()}Name")
        table = _KIND_TABLE[kind]
        self.conn.execute(update(table).where(table.c.arn == owner.arn).values(boundary_arn=self._boundary(policy_arn)))
