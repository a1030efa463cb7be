"""IAM's write calls for instance profiles, and the deletions the other writers do not make.

Instance profiles: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateInstanceProfile.html
(a profile holds at most one role; DeleteInstanceProfile is refused while it holds one). Deleting a
managed policy is refused while it is attached or has versions other than the default
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeletePolicy.html); the default version
cannot be deleted (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeletePolicyVersion.html).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import and_, delete, select

from ...errors import Location
from ..iam_errors import IamError, IamErrorCode
from ..ids import IdKind
from ..names import check_instance_profile_name, check_path
from ..quotas import Quota, check_quota
from ..tags import TagTarget, check_tags
from . import schema as t
from .write_base import Created, WriterBase, _exists, _no_such


def _conflict(message: str, reason: str, parameter: str) -> IamError:
    return IamError(IamErrorCode.DELETE_CONFLICT, message, reason=reason, location=Location(parameter))


class ProfileWriter(WriterBase):
    """Instance profiles, and deleting policies, versions, access keys and group memberships."""

    # -- instance profiles ----------------------------------------------------------------------

    def create_instance_profile(
        self, account_id: str, name: str, *, path: str = "/", tags: Mapping[str, str] | None = None
    ) -> Created:
        """CreateInstanceProfile."""
        check_instance_profile_name(name)
        check_path(path)
        check_tags(tags or {}, target=TagTarget.INSTANCE_PROFILE)
        self._require_account(account_id)
        table = t.instance_profiles
        if self._count(table, table.c.account_id == account_id, table.c.name_lower == name.lower()):
            raise _exists("Instance Profile", name, "InstanceProfileName")
        check_quota(
            Quota.INSTANCE_PROFILES_PER_ACCOUNT,
            self._count(table, table.c.account_id == account_id),
            quotas=self.quotas,
        )
        arn = f"arn:aws:iam::{account_id}:instance-profile{path}{name}"
        created = self._insert_entity(table, IdKind.INSTANCE_PROFILE, account_id, name, path, arn)
        self._tags(arn, tags or {}, TagTarget.INSTANCE_PROFILE)
        return created

    def instance_profile(self, account_id: str, name: str) -> Any:
        """The stored row of an instance profile; NoSuchEntity when there is none."""
        table = t.instance_profiles
        row = self.conn.execute(
            select(table).where(and_(table.c.account_id == account_id, table.c.name_lower == name.lower()))
        ).first()
        if row is None:
            raise _no_such("instance profile", name, "InstanceProfileName")
        return row

    def add_role_to_instance_profile(self, account_id: str, profile_name: str, role_name: str) -> None:
        """AddRoleToInstanceProfile: one role per profile, as AWS allows."""
        profile = self.instance_profile(account_id, profile_name)
        role = self._row("role", account_id, role_name, "RoleName")
        members = t.instance_profile_roles
        current = self._count(members, members.c.profile_arn == profile.arn)
        check_quota(Quota.ROLES_PER_INSTANCE_PROFILE, current, quotas=self.quotas)
        self.conn.execute(members.insert().values(profile_arn=profile.arn, role_name=role.name))

    def remove_role_from_instance_profile(self, account_id: str, profile_name: str, role_name: str) -> None:
        """RemoveRoleFromInstanceProfile."""
        profile = self.instance_profile(account_id, profile_name)
        role = self._row("role", account_id, role_name, "RoleName")
        members = t.instance_profile_roles
        done = self.conn.execute(
            delete(members).where(and_(members.c.profile_arn == profile.arn, members.c.role_name == role.name))
        )
        if not done.rowcount:
            raise _no_such("role", role_name, "RoleName")

    def delete_instance_profile(self, account_id: str, name: str) -> None:
        """DeleteInstanceProfile: refused while a role is in it."""
        profile = self.instance_profile(account_id, name)
        members = t.instance_profile_roles
        if self._count(members, members.c.profile_arn == profile.arn):
            raise _conflict(
                "Cannot delete entity, must remove roles from instance profile first.",
                "ROLES_IN_PROFILE",
                "InstanceProfileName",
            )
        self.conn.execute(delete(t.tags).where(t.tags.c.owner_arn == profile.arn))
        self.conn.execute(delete(t.instance_profiles).where(t.instance_profiles.c.arn == profile.arn))

    def tag_instance_profile(self, account_id: str, name: str, tags: Mapping[str, str]) -> None:
        """TagInstanceProfile."""
        profile = self.instance_profile(account_id, name)
        check_tags(tags, target=TagTarget.INSTANCE_PROFILE)
        self._tags(profile.arn, tags, TagTarget.INSTANCE_PROFILE)

    def untag_arn(self, owner_arn: str, keys: Sequence[str]) -> None:
        """Remove tags of any owner by ARN; keys compare without case, as IAM's do."""
        lowered = {k.lower() for k in keys}
        for row in list(self.conn.execute(select(t.tags.c.key).where(t.tags.c.owner_arn == owner_arn))):
            if row.key.lower() in lowered:
                self.conn.execute(delete(t.tags).where(and_(t.tags.c.owner_arn == owner_arn, t.tags.c.key == row.key)))

    def tag_arn(self, owner_arn: str, tags: Mapping[str, str], target: TagTarget) -> None:
        """Add or replace tags of any owner by ARN (the caller found the owner)."""
        check_tags(tags, target=target)
        self._tags(owner_arn, tags, target)

    # -- deletions ------------------------------------------------------------------------------

    def delete_policy(self, policy_arn: str) -> None:
        """DeletePolicy: refused while attached, used as a boundary, or holding other versions."""
        row = self.conn.execute(select(t.managed_policies).where(t.managed_policies.c.arn == policy_arn)).first()
        if row is None:
            raise IamError(
                IamErrorCode.NO_SUCH_ENTITY,
                f"Policy {policy_arn} was not found.",
                reason="NO_SUCH_POLICY",
                location=Location("PolicyArn"),
            )
        bounded = self._count(t.users, t.users.c.boundary_arn == policy_arn) + self._count(
            t.roles, t.roles.c.boundary_arn == policy_arn
        )
        if self._count(t.attachments, t.attachments.c.policy_arn == policy_arn) or bounded:
            raise _conflict("Cannot delete a policy attached to entities.", "POLICY_ATTACHED", "PolicyArn")
        versions = t.policy_versions
        if self._count(versions, versions.c.policy_arn == policy_arn) > 1:
            raise _conflict(
                "This policy has more than one version. Before you delete a policy, you must delete the "
                "policy's versions. The default version is deleted with the policy.",
                "POLICY_HAS_VERSIONS",
                "PolicyArn",
            )
        self.conn.execute(delete(versions).where(versions.c.policy_arn == policy_arn))
        self.conn.execute(delete(t.tags).where(t.tags.c.owner_arn == policy_arn))
        self.conn.execute(delete(t.managed_policies).where(t.managed_policies.c.arn == policy_arn))

    def delete_policy_version(self, policy_arn: str, version_id: str) -> None:
        """DeletePolicyVersion: never the default version."""
        row = self.conn.execute(select(t.managed_policies).where(t.managed_policies.c.arn == policy_arn)).first()
        versions = t.policy_versions
        if row is None or not self._count(
            versions, versions.c.policy_arn == policy_arn, versions.c.version_id == version_id
        ):
            raise IamError(
                IamErrorCode.NO_SUCH_ENTITY,
                f"Policy {policy_arn} version {version_id} does not exist or is not deletable.",
                reason="NO_SUCH_VERSION",
                location=Location("VersionId"),
            )
        if row.default_version == version_id:
            raise _conflict("Cannot delete the default version of a policy.", "DEFAULT_VERSION", "VersionId")
        self.conn.execute(
            delete(versions).where(and_(versions.c.policy_arn == policy_arn, versions.c.version_id == version_id))
        )

    def delete_access_key(self, user_arn: str, access_key_id: str) -> None:
        """DeleteAccessKey of a user's long-term key."""
        keys = t.access_keys
        done = self.conn.execute(
            delete(keys).where(
                and_(keys.c.access_key_id == access_key_id, keys.c.owner_arn == user_arn, keys.c.session_id.is_(None))
            )
        )
        if not done.rowcount:
            raise IamError(
                IamErrorCode.NO_SUCH_ENTITY,
                f"The Access Key with id {access_key_id} cannot be found.",
                reason="NO_SUCH_ACCESS_KEY",
                location=Location("AccessKeyId"),
            )

    def remove_user_from_group(self, account_id: str, group_name: str, user_name: str) -> None:
        """RemoveUserFromGroup."""
        group = self._row("group", account_id, group_name, "GroupName")
        user = self._row("user", account_id, user_name, "UserName")
        members = t.group_members
        done = self.conn.execute(
            delete(members).where(and_(members.c.group_arn == group.arn, members.c.user_arn == user.arn))
        )
        if not done.rowcount:
            raise _no_such("user", user_name, "UserName")
