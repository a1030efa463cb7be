"""AWS Organizations as the wire API needs it: reads of the tree, and the write calls org_writes lacks.

`OrganizationStore` extends `OrganizationWriter` with what the API answers from (parents, children,
attachments, policies) and with DeleteOrganizationalUnit, UpdatePolicy, DeletePolicy, MoveAccount,
CreateAccount and DisablePolicyType. Refusals are `IamError`s whose `reason` is the Organizations
exception AWS raises, as in org_writes
(https://docs.aws.amazon.com/organizations/latest/APIReference/API_DeleteOrganizationalUnit.html,
https://docs.aws.amazon.com/organizations/latest/APIReference/API_DeletePolicy.html,
https://docs.aws.amazon.com/organizations/latest/APIReference/API_MoveAccount.html,
https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html: the new
account gets `OrganizationAccountAccessRole`, trusted by the management account, with
AdministratorAccess).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy import delete, select, update

from ...errors import Location
from ..iam_errors import IamError, IamErrorCode
from ..model import Document, OrgPolicyType
from ..quotas import OrganizationPolicyKind, check_organization_policy_size
from . import schema as t
from .codec import DocumentWriter
from .documents import DocumentRole, checked_document
from .org_writes import OrganizationWriter
from .writes import IamWriter

ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
_SIZE_KIND = {OrgPolicyType.SCP: OrganizationPolicyKind.SCP, OrgPolicyType.RCP: OrganizationPolicyKind.RCP}


def _refused(code: IamErrorCode, reason: str, message: str, parameter: str) -> IamError:
    return IamError(code, message, reason=reason, location=Location(parameter))


class OrganizationStore(OrganizationWriter):
    """The organization's tree, policies and attachments, read and changed over one connection."""

    # -- reads ----------------------------------------------------------------------------------

    def organization_row(self) -> Any:
        """The organization's row (id, management account, RCPs enabled), or None."""
        return self.conn.execute(select(t.organizations)).first()

    def node(self, node_id: str) -> Any:
        """The root or OU `node_id`, or None."""
        return self.conn.execute(select(t.org_nodes).where(t.org_nodes.c.id == node_id)).first()

    def root(self) -> Any:
        """The root's row."""
        return self.conn.execute(select(t.org_nodes).where(t.org_nodes.c.parent_id.is_(None))).first()

    def children(self, parent_id: str) -> list[Any]:
        """The OUs directly under a root or OU, in creation order."""
        nodes = t.org_nodes
        return list(self.conn.execute(select(nodes).where(nodes.c.parent_id == parent_id).order_by(nodes.c.position)))

    def member(self, account_id: str) -> Any:
        """The account `account_id` when it is in the organization, else None."""
        row = self.conn.execute(select(t.accounts).where(t.accounts.c.id == account_id)).first()
        return row if row is not None and row.parent_id is not None else None

    def members(self, parent_id: str | None = None) -> list[Any]:
        """The organization's accounts, or those directly under one root or OU."""
        accounts = t.accounts
        where = accounts.c.parent_id.is_not(None) if parent_id is None else accounts.c.parent_id == parent_id
        return list(self.conn.execute(select(accounts).where(where).order_by(accounts.c.id)))

    def path(self, node_id: str) -> list[str]:
        """The ids from the root down to `node_id`."""
        out: list[str] = []
        current: str | None = node_id
        while current is not None:
            out.insert(0, current)
            row = self.node(current)
            current = row.parent_id if row is not None else None
        return out

    def policy(self, policy_id: str) -> Any:
        """The policy `policy_id` with its content, or None."""
        policies = t.org_policies
        query = select(policies, t.documents.c.text).join(t.documents, t.documents.c.hash == policies.c.document_hash)
        return self.conn.execute(query.where(policies.c.id == policy_id)).first()

    def policies(self, kind: OrgPolicyType, target_id: str | None = None) -> list[Any]:
        """The policies of one type, or those of that type attached to a target."""
        policies, attached = t.org_policies, t.org_attachments
        query = select(policies).where(policies.c.type == kind.value)
        if target_id is None:
            return list(self.conn.execute(query.order_by(policies.c.aws_managed.desc(), policies.c.name)))
        query = query.join(attached, attached.c.policy_id == policies.c.id).where(attached.c.target_id == target_id)
        return list(self.conn.execute(query.order_by(attached.c.position)))

    def targets(self, policy_id: str) -> list[str]:
        """The ids of the roots, OUs and accounts a policy is attached to."""
        attached = t.org_attachments
        rows = self.conn.execute(select(attached.c.target_id).where(attached.c.policy_id == policy_id))
        return sorted(row.target_id for row in rows)

    def target_exists(self, target_id: str) -> bool:
        """Whether a root, OU or member account has this id."""
        return self.node(target_id) is not None or self.member(target_id) is not None

    # -- writes ---------------------------------------------------------------------------------

    def delete_organizational_unit(self, ou_id: str) -> None:
        """DeleteOrganizationalUnit: only an empty OU (no accounts, no child OUs) goes."""
        self._organization()
        row = self.node(ou_id)
        if row is None or row.parent_id is None:
            raise _refused(
                IamErrorCode.NO_SUCH_ENTITY,
                "OrganizationalUnitNotFoundException",
                f"no OU `{ou_id}`",
                "OrganizationalUnitId",
            )
        if self.children(ou_id) or self.members(ou_id):
            raise _refused(
                IamErrorCode.DELETE_CONFLICT,
                "OrganizationalUnitNotEmptyException",
                f"OU `{ou_id}` still holds accounts or OUs",
                "OrganizationalUnitId",
            )
        self.conn.execute(delete(t.org_attachments).where(t.org_attachments.c.target_id == ou_id))
        self.conn.execute(delete(t.org_nodes).where(t.org_nodes.c.id == ou_id))

    def _customer_policy(self, policy_id: str) -> Any:
        row = self.policy(policy_id)
        if row is None:
            raise _refused(
                IamErrorCode.NO_SUCH_ENTITY, "PolicyNotFoundException", f"no policy `{policy_id}`", "PolicyId"
            )
        if row.aws_managed:
            raise _refused(
                IamErrorCode.UNMODIFIABLE_ENTITY,
                "AccessDeniedException",
                f"`{row.name}` is an AWS managed policy and cannot be changed",
                "PolicyId",
            )
        return row

    def update_policy(self, policy_id: str, name: str | None, document: Document | None) -> None:
        """UpdatePolicy: a new name, new content, or both."""
        self._organization()
        row = self._customer_policy(policy_id)
        kind = OrgPolicyType(row.type)
        values: dict[str, Any] = {}
        if name is not None and name != row.name:
            policies = t.org_policies
            if self._count(policies, policies.c.name == name, policies.c.type == kind.value):
                raise _refused(
                    IamErrorCode.ENTITY_ALREADY_EXISTS,
                    "DuplicatePolicyException",
                    f"a policy named `{name}` already exists",
                    "Name",
                )
            values["name"] = name
        if document is not None:
            check_organization_policy_size(document, _SIZE_KIND[kind])
            role = DocumentRole.ORGANIZATION if kind is OrgPolicyType.SCP else DocumentRole.RESOURCE
            checked_document(document, role, "Content")
            docs = DocumentWriter()
            values["document_hash"] = docs.add(document)
            docs.flush(self.conn)
        if values:
            self.conn.execute(update(t.org_policies).where(t.org_policies.c.id == policy_id).values(**values))

    def delete_policy(self, policy_id: str) -> None:
        """DeletePolicy: a policy still attached anywhere is refused."""
        self._organization()
        self._customer_policy(policy_id)
        if self.targets(policy_id):
            raise _refused(
                IamErrorCode.DELETE_CONFLICT,
                "PolicyInUseException",
                f"`{policy_id}` is still attached; detach it first",
                "PolicyId",
            )
        self.conn.execute(delete(t.org_policies).where(t.org_policies.c.id == policy_id))

    def disable_resource_control_policies(self) -> None:
        """DisablePolicyType RESOURCE_CONTROL_POLICY: every RCP is detached, as AWS detaches them."""
        self._organization()
        rcps = select(t.org_policies.c.id).where(t.org_policies.c.type == OrgPolicyType.RCP.value)
        self.conn.execute(delete(t.org_attachments).where(t.org_attachments.c.policy_id.in_(rcps)))
        self.conn.execute(update(t.organizations).values(rcps_enabled=False))

    def move_account(self, account_id: str, source_id: str, destination_id: str) -> None:
        """MoveAccount from its current parent to another root or OU."""
        self._organization()
        if self.node(source_id) is None:
            raise _refused(
                IamErrorCode.NO_SUCH_ENTITY,
                "SourceParentNotFoundException",
                f"no root or OU `{source_id}`",
                "SourceParentId",
            )
        if self.node(destination_id) is None:
            raise _refused(
                IamErrorCode.NO_SUCH_ENTITY,
                "DestinationParentNotFoundException",
                f"no root or OU `{destination_id}`",
                "DestinationParentId",
            )
        row = self.member(account_id)
        if row is None or row.parent_id != source_id:
            raise _refused(
                IamErrorCode.NO_SUCH_ENTITY,
                "AccountNotFoundException",
                f"account `{account_id}` is not under `{source_id}`",
                "AccountId",
            )
        if source_id == destination_id:
            raise _refused(
                IamErrorCode.ENTITY_ALREADY_EXISTS,
                "DuplicateAccountException",
                f"account `{account_id}` is already under `{destination_id}`",
                "DestinationParentId",
            )
        self.place_account(account_id, destination_id)

    def create_account(self, name: str, role_name: str) -> str:
        """CreateAccount: a new member account under the root, with its access role; the account id."""
        org = self._organization()
        while True:  # a fresh 12-digit id, never 0-led, not yet in the world
            account_id = str(secrets.randbelow(9 * 10**11) + 10**11)
            if self.conn.execute(select(t.accounts.c.id).where(t.accounts.c.id == account_id)).first() is None:
                break
        self.place_account(account_id, self.root_id(), name)
        iam = IamWriter(self.conn, quotas=self.quotas, now=self.now)
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{org.management_account}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        iam.create_role(account_id, role_name, json.dumps(trust))
        iam.attach_policy("role", account_id, role_name, ADMINISTRATOR_ACCESS)
        return account_id
