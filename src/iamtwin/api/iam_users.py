"""IAM's user, group and access-key operations over the wire.

Each is authorized on the resource the Service Authorization Reference names for it
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html):
the user or group ARN; `*` for the account-wide lists (ListUsers, ListGroups), which take no
resource. DeleteUser is refused while the user has keys, groups or policies
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_remove.html).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..errors import Location
from ..world.iam_errors import IamError, IamErrorCode
from ..world.store import schema as t
from .calls import CallContext
from .iam_shapes import Handler, _arn, _created, _row, _user, group_shape, own_user_name, page, rows_in_account


def _listed(row: Any) -> dict[str, Any]:
    # IAM's list operations return a subset of a user: no tags, no permissions boundary.
    shape = _user(row, [])
    shape.pop("PermissionsBoundary", None)
    return shape


def list_users(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """ListUsers."""
    ctx.authorize("iam:ListUsers", "*")
    rows = rows_in_account(ctx, t.users, p.get("PathPrefix"))
    return page(p, [_listed(row) for row in rows], "Users")


def delete_user(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """DeleteUser: refused while the user holds access keys (then groups, policies)."""
    row, _ = _row(ctx, t.users, p["UserName"], "user", "UserName")
    ctx.authorize("iam:DeleteUser", row.arn)
    with ctx.world.changes() as iam:
        keys = t.access_keys
        if iam.conn.execute(
            select(keys.c.access_key_id).where(keys.c.owner_arn == row.arn, keys.c.session_id.is_(None))
        ).first():
            raise IamError(
                IamErrorCode.DELETE_CONFLICT,
                "Cannot delete entity, must delete access keys first.",
                reason="ACCESS_KEYS",
                location=Location("UserName"),
            )
        iam.delete_entity("user", ctx.account, row.name)
    return {}


def _rename(kind: str) -> Handler:
    table = t.users if kind == "user" else t.groups
    parameter = f"{kind.capitalize()}Name"
    action = f"iam:Update{kind.capitalize()}"

    def call(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
        row, _ = _row(ctx, table, p[parameter], kind, parameter)
        ctx.authorize(action, row.arn)
        new_name, new_path = p.get(f"New{parameter}"), p.get("NewPath")
        if new_name or new_path:
            # Renaming needs permission on the target name too, as IAM requires.
            ctx.authorize(action, _arn(ctx, kind, new_path or row.path, new_name or row.name))
        with ctx.world.changes() as iam:
            iam.rename_entity(kind, ctx.account, row.name, new_name, new_path)
        return {}

    call.__doc__ = f"{action[4:]}: a new name or path, every reference rewritten."
    return call


def create_group(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """CreateGroup."""
    path, name = p.get("Path", "/"), p["GroupName"]
    ctx.authorize("iam:CreateGroup", _arn(ctx, "group", path, name))
    with ctx.world.changes() as iam:
        iam.create_group(ctx.account, name, path=path)
    return {"Group": group_shape(_row(ctx, t.groups, name, "group", "GroupName")[0])}


def get_group(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """GetGroup: the group and a page of its users."""
    row, _ = _row(ctx, t.groups, p["GroupName"], "group", "GroupName")
    ctx.authorize("iam:GetGroup", row.arn)
    members = t.group_members
    with ctx.world.engine.connect() as conn:
        users = list(
            conn.execute(
                select(t.users)
                .join(members, members.c.user_arn == t.users.c.arn)
                .where(members.c.group_arn == row.arn)
                .order_by(t.users.c.name)
            )
        )
    out = page(p, [_listed(user) for user in users], "Users")
    out["Group"] = group_shape(row)
    return out


def list_groups(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """ListGroups."""
    ctx.authorize("iam:ListGroups", "*")
    return page(p, [group_shape(row) for row in rows_in_account(ctx, t.groups, p.get("PathPrefix"))], "Groups")


def delete_group(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """DeleteGroup: refused while it has members or policies."""
    row, _ = _row(ctx, t.groups, p["GroupName"], "group", "GroupName")
    ctx.authorize("iam:DeleteGroup", row.arn)
    with ctx.world.changes() as iam:
        iam.delete_entity("group", ctx.account, row.name)
    return {}


def add_user_to_group(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """AddUserToGroup (authorized on the group)."""
    row, _ = _row(ctx, t.groups, p["GroupName"], "group", "GroupName")
    ctx.authorize("iam:AddUserToGroup", row.arn)
    with ctx.world.changes() as iam:
        iam.add_user_to_group(ctx.account, row.name, p["UserName"])
    return {}


def remove_user_from_group(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """RemoveUserFromGroup (authorized on the group)."""
    row, _ = _row(ctx, t.groups, p["GroupName"], "group", "GroupName")
    ctx.authorize("iam:RemoveUserFromGroup", row.arn)
    with ctx.world.changes() as iam:
        iam.remove_user_from_group(ctx.account, row.name, p["UserName"])
    return {}


def list_groups_for_user(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """ListGroupsForUser."""
    row, _ = _row(ctx, t.users, p["UserName"], "user", "UserName")
    ctx.authorize("iam:ListGroupsForUser", row.arn)
    members = t.group_members
    with ctx.world.engine.connect() as conn:
        groups = list(
            conn.execute(
                select(t.groups)
                .join(members, members.c.group_arn == t.groups.c.arn)
                .where(members.c.user_arn == row.arn)
                .order_by(members.c.position)
            )
        )
    return page(p, [group_shape(group) for group in groups], "Groups")


def create_access_key(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """CreateAccessKey: the only time IAM returns the secret."""
    row, _ = _row(ctx, t.users, own_user_name(ctx, p), "user", "UserName")
    ctx.authorize("iam:CreateAccessKey", row.arn)
    with ctx.world.changes() as iam:
        key_id, secret = iam.create_access_key(ctx.account, row.name, created_at=ctx.now)
    return {
        "AccessKey": {
            "UserName": row.name,
            "AccessKeyId": key_id,
            "Status": "Active",
            "SecretAccessKey": secret,
            "CreateDate": ctx.now,
        }
    }


def list_access_keys(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """ListAccessKeys: the user's long-term keys, never their secrets."""
    row, _ = _row(ctx, t.users, own_user_name(ctx, p), "user", "UserName")
    ctx.authorize("iam:ListAccessKeys", row.arn)
    keys = t.access_keys
    with ctx.world.engine.connect() as conn:
        found = list(
            conn.execute(
                select(keys)
                .where(keys.c.owner_arn == row.arn, keys.c.session_id.is_(None))
                .order_by(keys.c.created_at, keys.c.access_key_id)
            )
        )
    items = [
        {"UserName": row.name, "AccessKeyId": key.access_key_id, "Status": key.status, "CreateDate": _created(key)}
        for key in found
    ]
    return page(p, items, "AccessKeyMetadata")


def _key_of(ctx: CallContext, p: dict[str, Any], action: str) -> Any:
    row, _ = _row(ctx, t.users, own_user_name(ctx, p), "user", "UserName")
    ctx.authorize(action, row.arn)
    keys = t.access_keys
    with ctx.world.engine.connect() as conn:
        owned = conn.execute(
            select(keys.c.access_key_id).where(keys.c.access_key_id == p["AccessKeyId"], keys.c.owner_arn == row.arn)
        ).first()
    if owned is None:
        raise IamError(
            IamErrorCode.NO_SUCH_ENTITY,
            f"The Access Key with id {p['AccessKeyId']} cannot be found.",
            reason="NO_SUCH_ACCESS_KEY",
            location=Location("AccessKeyId"),
        )
    return row


def update_access_key(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """UpdateAccessKey: Active or Inactive."""
    _key_of(ctx, p, "iam:UpdateAccessKey")
    with ctx.world.changes() as iam:
        iam.set_access_key_status(p["AccessKeyId"], p["Status"])
    return {}


def delete_access_key(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """DeleteAccessKey."""
    row = _key_of(ctx, p, "iam:DeleteAccessKey")
    with ctx.world.changes() as iam:
        iam.delete_access_key(row.arn, p["AccessKeyId"])
    return {}


HANDLERS: dict[str, Handler] = {
    "ListUsers": list_users,
    "DeleteUser": delete_user,
    "UpdateUser": _rename("user"),
    "UpdateGroup": _rename("group"),
    "CreateGroup": create_group,
    "GetGroup": get_group,
    "ListGroups": list_groups,
    "DeleteGroup": delete_group,
    "AddUserToGroup": add_user_to_group,
    "RemoveUserFromGroup": remove_user_from_group,
    "ListGroupsForUser": list_groups_for_user,
    "CreateAccessKey": create_access_key,
    "ListAccessKeys": list_access_keys,
    "UpdateAccessKey": update_access_key,
    "DeleteAccessKey": delete_access_key,
}
