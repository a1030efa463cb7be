"""AWS Organizations' write calls: the organization, OUs, member accounts, SCPs, RCPs, attachments.

AWS attaches `FullAWSAccess` to the root, every new OU and every account, and `RCPFullAWSAccess`
everywhere once RCPs are enabled (the latter implied here by `rcps_enabled`); detaching the last SCP
of a target is refused, as AWS refuses it. Refusals are `IamError`s whose `reason` is the
Organizations exception AWS raises (`DuplicatePolicyAttachmentException`, …), for the wire API.
(https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html)
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from sqlalchemy import and_, delete, func, select, update

from ...errors import Location
from ..iam_errors import IamError, IamErrorCode
from ..model import Document, OrgPolicyType
from ..quotas import OrganizationPolicyKind, check_organization_policy_size
from . import schema as t
from .codec import DocumentWriter
from .documents import DocumentRole, checked_document
from .write_base import WriterBase

FULL_AWS_ACCESS = "p-FullAWSAccess"
_LOWER = string.ascii_lowercase + string.digits
_KIND_PATH = {OrgPolicyType.SCP: "service_control_policy", OrgPolicyType.RCP: "resource_control_policy"}
_SIZE_KIND = {OrgPolicyType.SCP: OrganizationPolicyKind.SCP, OrgPolicyType.RCP: OrganizationPolicyKind.RCP}


def _random(size: int) -> str:
    return "".join(secrets.choice(_LOWER) for _ in range(size))


def _refused(code: IamErrorCode, reason: str, message: str, parameter: str) -> IamError:
    return IamError(code, message, reason=reason, location=Location(parameter))


class OrganizationWriter(WriterBase):
    """The Organizations calls iamtwin models, over one transaction's connection."""

    def _organization(self) -> Any:
        row = self.conn.execute(select(t.organizations)).first()
        if row is None:
            raise _refused(
                IamErrorCode.NO_SUCH_ENTITY,
                "AWSOrganizationsNotInUseException",
                "the world has no organization",
                "OrganizationId",
            )
        return row

    def root_id(self) -> str:
        """The id of the organization root."""
        row = self.conn.execute(select(t.org_nodes.c.id).where(t.org_nodes.c.parent_id.is_(None))).first()
        assert row is not None
        return str(row.id)

    def _target_exists(self, target_id: str) -> bool:
        if self.conn.execute(select(t.org_nodes.c.id).where(t.org_nodes.c.id == target_id)).first() is not None:
            return True
        row = self.conn.execute(select(t.accounts.c.parent_id).where(t.accounts.c.id == target_id)).first()
        return row is not None and row.parent_id is not None

    def _ensure_full_access(self) -> None:
        if self.conn.execute(select(t.org_policies.c.id).where(t.org_policies.c.id == FULL_AWS_ACCESS)).first():
            return
        docs = DocumentWriter()
        digest = docs.add({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
        docs.flush(self.conn)
        self.conn.execute(
            t.org_policies.insert().values(
                id=FULL_AWS_ACCESS,
                arn="arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
                name="FullAWSAccess",
                type="scp",
                document_hash=digest,
                aws_managed=True,
            )
        )

    def _attach(self, policy_id: str, target_id: str) -> None:
        position = self._count(t.org_attachments, t.org_attachments.c.target_id == target_id)
        self.conn.execute(
            t.org_attachments.insert().values(policy_id=policy_id, target_id=target_id, position=position)
        )

    def create_organization(self, management_account: str, *, enable_rcps: bool = False) -> str:
        """CreateOrganization from a management account (created if the world lacks it); the org id."""
        if self.conn.execute(select(func.count()).select_from(t.organizations)).scalar_one():
            raise _refused(
                IamErrorCode.ENTITY_ALREADY_EXISTS,
                "AlreadyInOrganizationException",
                "the world already has an organization",
                "OrganizationId",
            )
        org_id, root_id = "o-" + _random(10), "r-" + _random(4)
        self.conn.execute(
            t.organizations.insert().values(id=org_id, management_account=management_account, rcps_enabled=enable_rcps)
        )
        self.conn.execute(t.org_nodes.insert().values(id=root_id, parent_id=None, name="Root", position=0))
        self._ensure_full_access()
        self._attach(FULL_AWS_ACCESS, root_id)
        self.place_account(management_account, root_id)
        return org_id

    def enable_resource_control_policies(self) -> None:
        """EnablePolicyType RESOURCE_CONTROL_POLICY: RCPFullAWSAccess then applies everywhere."""
        self._organization()
        self.conn.execute(update(t.organizations).values(rcps_enabled=True))

    def create_organizational_unit(self, parent_id: str, name: str) -> str:
        """CreateOrganizationalUnit under a root or OU, with FullAWSAccess attached; the OU id."""
        self._organization()
        if not 1 <= len(name) <= 128:
            raise _refused(
                IamErrorCode.VALIDATION_ERROR, "InvalidInputException", "an OU name has 1–128 characters", "Name"
            )
        if self.conn.execute(select(t.org_nodes.c.id).where(t.org_nodes.c.id == parent_id)).first() is None:
            raise _refused(
                IamErrorCode.NO_SUCH_ENTITY, "ParentNotFoundException", f"no root or OU `{parent_id}`", "ParentId"
            )
        siblings = self.conn.execute(select(t.org_nodes.c.name).where(t.org_nodes.c.parent_id == parent_id))
        if any(row.name == name for row in siblings):
            raise _refused(
                IamErrorCode.ENTITY_ALREADY_EXISTS,
                "DuplicateOrganizationalUnitException",
                f"an OU named `{name}` already exists under `{parent_id}`",
                "Name",
            )
        ou_id = f"ou-{self.root_id()[2:]}-{_random(8)}"
        position = self._count(t.org_nodes, t.org_nodes.c.parent_id == parent_id)
        self.conn.execute(t.org_nodes.insert().values(id=ou_id, parent_id=parent_id, name=name, position=position))
        self._attach(FULL_AWS_ACCESS, ou_id)
        return ou_id

    def place_account(self, account_id: str, parent_id: str, name: str | None = None) -> None:
        """Invite an account (creating it if needed) or move it (MoveAccount) under a root or OU."""
        self._organization()
        if self.conn.execute(select(t.org_nodes.c.id).where(t.org_nodes.c.id == parent_id)).first() is None:
            raise _refused(
                IamErrorCode.NO_SUCH_ENTITY,
                "ParentNotFoundException",
                f"no root or OU `{parent_id}`",
                "DestinationParentId",
            )
        row = self.conn.execute(select(t.accounts).where(t.accounts.c.id == account_id)).first()
        position = self._count(t.accounts, t.accounts.c.parent_id == parent_id)
        if row is None:
            if len(account_id) != 12 or not account_id.isdigit():
                raise _refused(
                    IamErrorCode.VALIDATION_ERROR,
                    "InvalidInputException",
                    f"`{account_id}` is not a 12-digit account id",
                    "AccountId",
                )
            self.conn.execute(
                t.accounts.insert().values(
                    id=account_id, name=name, parent_id=parent_id, position=position, listed=True
                )
            )
        else:
            self.conn.execute(
                update(t.accounts).where(t.accounts.c.id == account_id).values(parent_id=parent_id, position=position)
            )
        if row is None or row.parent_id is None:  # joining the organization: AWS attaches FullAWSAccess
            self._attach(FULL_AWS_ACCESS, account_id)

    def create_policy(self, name: str, kind: OrgPolicyType, document: Document) -> str:
        """CreatePolicy (SCP or RCP); the policy id."""
        org = self._organization()
        check_organization_policy_size(document, _SIZE_KIND[kind])
        checked_document(
            document, DocumentRole.ORGANIZATION if kind is OrgPolicyType.SCP else DocumentRole.RESOURCE, "Content"
        )
        if kind is OrgPolicyType.RCP and not org.rcps_enabled:
            raise _refused(
                IamErrorCode.INVALID_INPUT,
                "PolicyTypeNotEnabledException",
                "RESOURCE_CONTROL_POLICY is not enabled in this organization",
                "Type",
            )
        if self._count(t.org_policies, t.org_policies.c.name == name, t.org_policies.c.type == kind.value):
            raise _refused(
                IamErrorCode.ENTITY_ALREADY_EXISTS,
                "DuplicatePolicyException",
                f"a policy named `{name}` already exists",
                "Name",
            )
        policy_id = "p-" + _random(8)
        docs = DocumentWriter()
        digest = docs.add(document)
        docs.flush(self.conn)
        arn = f"arn:aws:organizations::{org.management_account}:policy/{org.id}/{_KIND_PATH[kind]}/{policy_id}"
        self.conn.execute(
            t.org_policies.insert().values(
                id=policy_id, arn=arn, name=name, type=kind.value, document_hash=digest, aws_managed=False
            )
        )
        return policy_id

    def attach_policy(self, policy_id: str, target_id: str) -> None:
        """AttachPolicy to a root, OU or member account."""
        self._organization()
        if self.conn.execute(select(t.org_policies.c.id).where(t.org_policies.c.id == policy_id)).first() is None:
            raise _refused(
                IamErrorCode.NO_SUCH_ENTITY, "PolicyNotFoundException", f"no policy `{policy_id}`", "PolicyId"
            )
        if not self._target_exists(target_id):
            raise _refused(
                IamErrorCode.NO_SUCH_ENTITY, "TargetNotFoundException", f"no target `{target_id}`", "TargetId"
            )
        if self._count(
            t.org_attachments, t.org_attachments.c.policy_id == policy_id, t.org_attachments.c.target_id == target_id
        ):
            raise _refused(
                IamErrorCode.ENTITY_ALREADY_EXISTS,
                "DuplicatePolicyAttachmentException",
                f"`{policy_id}` is already attached to `{target_id}`",
                "PolicyId",
            )
        self._attach(policy_id, target_id)

    def detach_policy(self, policy_id: str, target_id: str) -> None:
        """DetachPolicy; the last SCP of a target cannot be detached."""
        self._organization()
        attached = t.org_attachments
        found = self.conn.execute(
            select(attached).where(and_(attached.c.policy_id == policy_id, attached.c.target_id == target_id))
        ).first()
        if found is None:
            raise _refused(
                IamErrorCode.NO_SUCH_ENTITY,
                "PolicyNotAttachedException",
                f"`{policy_id}` is not attached to `{target_id}`",
                "PolicyId",
            )
        kind = self.conn.execute(select(t.org_policies.c.type).where(t.org_policies.c.id == policy_id)).scalar_one()
        if kind == "scp":
            scps = self.conn.execute(
                select(func.count())
                .select_from(attached.join(t.org_policies, attached.c.policy_id == t.org_policies.c.id))
                .where(and_(attached.c.target_id == target_id, t.org_policies.c.type == "scp"))
            ).scalar_one()
            if scps <= 1:
                raise _refused(
                    IamErrorCode.LIMIT_EXCEEDED,
                    "ConstraintViolationException",
                    "a target must keep at least one SCP (MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED)",
                    "PolicyId",
                )
        self.conn.execute(
            delete(attached).where(and_(attached.c.policy_id == policy_id, attached.c.target_id == target_id))
        )
