"""IAM's update calls: renaming or moving users and groups, a role's description and session length,
and an identity provider's client IDs, thumbprints or SAML metadata.

A user or group is named by its ARN everywhere in the store (attachments, inline policies, tags,
memberships, access keys), so a rename rewrites each reference inside the same transaction
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_manage.html#id_users_renaming: "IAM
automatically updates" the policies and groups that name it). Memberships reference the entity by
foreign key, so they are removed and written back around the change of its ARN.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, update

from ..names import (
    check_group_name,
    check_max_session_duration,
    check_oidc_provider,
    check_path,
    check_role_description,
    check_saml_metadata_document,
    check_user_name,
)
from . import schema as t
from .codec import dump_strings
from .write_base import _KIND_TABLE, WriterBase, _exists


class EntityUpdater(WriterBase):
    """UpdateUser, UpdateGroup, UpdateRole, UpdateRoleDescription and the identity-provider updates."""

    def rename_entity(self, kind: str, account_id: str, name: str, new_name: str | None, new_path: str | None) -> str:
        """UpdateUser / UpdateGroup: a new name, a new path, or both; returns the new ARN."""
        parameter = f"{kind.capitalize()}Name"
        owner = self._row(kind, account_id, name, parameter)
        target_name = new_name or owner.name
        target_path = new_path or owner.path
        (check_user_name if kind == "user" else check_group_name)(target_name)
        check_path(target_path, parameter="NewPath")
        table = _KIND_TABLE[kind]
        if target_name.lower() != owner.name_lower and self._count(
            table, table.c.account_id == account_id, table.c.name_lower == target_name.lower()
        ):
            raise _exists(kind.capitalize(), target_name, f"New{parameter}")
        new_arn = f"arn:aws:iam::{account_id}:{kind}{target_path}{target_name}"
        members = t.group_members
        column = members.c.user_arn if kind == "user" else members.c.group_arn
        kept = [dict(r._mapping) for r in self.conn.execute(select(members).where(column == owner.arn))]
        self.conn.execute(delete(members).where(column == owner.arn))
        self.conn.execute(
            update(table)
            .where(table.c.arn == owner.arn)
            .values(arn=new_arn, name=target_name, name_lower=target_name.lower(), path=target_path)
        )
        for row in kept:
            row["user_arn" if kind == "user" else "group_arn"] = new_arn
            self.conn.execute(members.insert().values(**row))
        for ref_table, ref_column in (
            (t.attachments, t.attachments.c.owner_arn),
            (t.inline_policies, t.inline_policies.c.owner_arn),
            (t.tags, t.tags.c.owner_arn),
            (t.access_keys, t.access_keys.c.owner_arn),
            (t.mfa_devices, t.mfa_devices.c.user_arn),
        ):
            self.conn.execute(update(ref_table).where(ref_column == owner.arn).values({ref_column.name: new_arn}))
        return new_arn

    def update_role(
        self,
        account_id: str,
        name: str,
        *,
        description: str | None = None,
        max_session_duration: int | None = None,
    ) -> None:
        """UpdateRole / UpdateRoleDescription: only what is given changes."""
        role = self._row("role", account_id, name, "RoleName")
        values: dict[str, object] = {}
        if description is not None:
            check_role_description(description)
            values["description"] = description
        if max_session_duration is not None:
            check_max_session_duration(max_session_duration)
            values["max_session_duration"] = max_session_duration
        if values:
            self.conn.execute(update(t.roles).where(t.roles.c.arn == role.arn).values(**values))

    def update_oidc_provider(self, arn: str, url: str, client_ids: Sequence[str], thumbprints: Sequence[str]) -> None:
        """Add/RemoveClientID…, UpdateOpenIDConnectProviderThumbprint: the provider's new lists, checked whole."""
        check_oidc_provider(f"https://{url}", client_ids, thumbprints)
        providers = t.identity_providers
        self.conn.execute(
            update(providers)
            .where(providers.c.arn == arn)
            .values(client_ids=dump_strings(client_ids), thumbprints=dump_strings(thumbprints))
        )

    def update_saml_metadata(self, arn: str, metadata: str) -> None:
        """UpdateSAMLProvider: the IdP's new metadata document."""
        check_saml_metadata_document(metadata)
        providers = t.identity_providers
        self.conn.execute(update(providers).where(providers.c.arn == arn).values(saml_metadata=metadata))
