"""IAM's role and instance-profile operations over the wire.

Resources and request keys follow the Service Authorization Reference for IAM
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html):
CreateInstanceProfile takes `aws:RequestTag/*` and `aws:TagKeys` (and `iam:TagInstanceProfile` with
tags); AddRoleToInstanceProfile is authorized on the instance profile, whose tags are its
`aws:ResourceTag/*`, and needs `iam:PassRole` on the role;
PutRolePermissionsBoundary carries `iam:PermissionsBoundary`. A role is deleted only once it is in
no instance profile (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRole.html).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..errors import Location
from ..world.iam_errors import IamError, IamErrorCode
from ..world.store import schema as t
from .calls import CallContext, tag_map
from .iam_shapes import Handler, _arn, _document_text, _role, _row, page, profile_shape, rows_in_account


def list_roles(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """ListRoles (IAM leaves tags and boundaries out of the list)."""
    ctx.authorize("iam:ListRoles", "*")
    roles = []
    for row in rows_in_account(ctx, t.roles, p.get("PathPrefix")):
        shape = _role(ctx, row, [])
        shape.pop("PermissionsBoundary", None)
        roles.append(shape)
    return page(p, roles, "Roles")


def delete_role(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """DeleteRole: refused while the role is in an instance profile or has policies."""
    row, _ = _row(ctx, t.roles, p["RoleName"], "role", "RoleName")
    ctx.authorize("iam:DeleteRole", row.arn)
    with ctx.world.changes() as iam:
        members = t.instance_profile_roles
        if iam.conn.execute(select(members.c.profile_arn).where(members.c.role_name == row.name)).first():
            raise IamError(
                IamErrorCode.DELETE_CONFLICT,
                "Cannot delete entity, must remove roles from instance profile first.",
                reason="IN_INSTANCE_PROFILE",
                location=Location("RoleName"),
            )
        iam.delete_entity("role", ctx.account, row.name)
    return {}


def update_assume_role_policy(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """UpdateAssumeRolePolicy."""
    row, _ = _row(ctx, t.roles, p["RoleName"], "role", "RoleName")
    ctx.authorize("iam:UpdateAssumeRolePolicy", row.arn)
    with ctx.world.changes() as iam:
        iam.update_assume_role_policy(ctx.account, row.name, _document_text(p["PolicyDocument"]))
    return {}


def update_role(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """UpdateRole: description and maximum session duration."""
    row, _ = _row(ctx, t.roles, p["RoleName"], "role", "RoleName")
    ctx.authorize("iam:UpdateRole", row.arn)
    with ctx.world.changes() as iam:
        iam.update_role(
            ctx.account, row.name, description=p.get("Description"), max_session_duration=p.get("MaxSessionDuration")
        )
    return {}


def update_role_description(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """UpdateRoleDescription: the role as it now is."""
    row, _ = _row(ctx, t.roles, p["RoleName"], "role", "RoleName")
    ctx.authorize("iam:UpdateRoleDescription", row.arn)
    with ctx.world.changes() as iam:
        iam.update_role(ctx.account, row.name, description=p["Description"])
    return {"Role": _role(ctx, *_row(ctx, t.roles, row.name, "role", "RoleName"))}


def _put_boundary(kind: str, table: Any, action: str) -> Handler:
    parameter = f"{kind.capitalize()}Name"

    def put(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
        row, _ = _row(ctx, table, p[parameter], kind, parameter)
        ctx.authorize(action, row.arn, {"iam:PermissionsBoundary": p["PermissionsBoundary"]})
        with ctx.world.changes() as iam:
            iam.put_permissions_boundary(kind, ctx.account, row.name, p["PermissionsBoundary"])
        return {}

    put.__doc__ = f"{action.split(':')[1]}."
    return put


def _delete_boundary(kind: str, table: Any, action: str) -> Handler:
    parameter = f"{kind.capitalize()}Name"

    def remove(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
        row, _ = _row(ctx, table, p[parameter], kind, parameter)
        # The boundary being removed is the call's iam:PermissionsBoundary (CallContext adds it).
        ctx.authorize(action, row.arn)
        with ctx.world.changes() as iam:
            iam.put_permissions_boundary(kind, ctx.account, row.name, None)
        return {}

    remove.__doc__ = f"{action.split(':')[1]}."
    return remove


def create_instance_profile(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """CreateInstanceProfile."""
    path, name = p.get("Path", "/"), p["InstanceProfileName"]
    ctx.authorize_create("iam:CreateInstanceProfile", _arn(ctx, "instance-profile", path, name), p.get("Tags"))
    with ctx.world.changes() as iam:
        iam.create_instance_profile(ctx.account, name, path=path, tags=tag_map(p.get("Tags")) or None)
    return {"InstanceProfile": profile_shape(ctx, *_profile(ctx, name))}


def _profile(ctx: CallContext, name: str) -> tuple[Any, list[dict[str, str]]]:
    row, tags = _row(ctx, t.instance_profiles, name, "instance profile", "InstanceProfileName")
    return row, tags


def get_instance_profile(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """GetInstanceProfile."""
    row, tags = _profile(ctx, p["InstanceProfileName"])
    ctx.authorize("iam:GetInstanceProfile", row.arn)
    return {"InstanceProfile": profile_shape(ctx, row, tags)}


def list_instance_profiles(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """ListInstanceProfiles."""
    ctx.authorize("iam:ListInstanceProfiles", "*")
    rows = rows_in_account(ctx, t.instance_profiles, p.get("PathPrefix"))
    return page(p, [profile_shape(ctx, row, []) for row in rows], "InstanceProfiles")


def list_instance_profiles_for_role(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """ListInstanceProfilesForRole."""
    role, _ = _row(ctx, t.roles, p["RoleName"], "role", "RoleName")
    ctx.authorize("iam:ListInstanceProfilesForRole", role.arn)
    members = t.instance_profile_roles
    with ctx.world.engine.connect() as conn:
        rows = list(
            conn.execute(
                select(t.instance_profiles)
                .join(members, members.c.profile_arn == t.instance_profiles.c.arn)
                .where(members.c.role_name == role.name, t.instance_profiles.c.account_id == ctx.account)
                .order_by(t.instance_profiles.c.name)
            )
        )
    return page(p, [profile_shape(ctx, row, []) for row in rows], "InstanceProfiles")


def add_role_to_instance_profile(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """AddRoleToInstanceProfile: authorized on the profile, and `iam:PassRole` of the role to EC2.

    The caller must be allowed to pass the role
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddRoleToInstanceProfile.html); the
    role goes to EC2 instances, so `iam:PassedToService` is `ec2.amazonaws.com`, and
    `iam:AssociatedResourceArn` is `arn:aws:ec2:*:<account>:instance/*`, the only value that page
    says a policy can expect for this call.
    """
    row, _ = _profile(ctx, p["InstanceProfileName"])
    ctx.authorize("iam:AddRoleToInstanceProfile", row.arn)
    role, _ = _row(ctx, t.roles, p["RoleName"], "role", "RoleName")
    ctx.authorize(
        "iam:PassRole",
        role.arn,
        {
            "iam:PassedToService": "ec2.amazonaws.com",
            "iam:AssociatedResourceArn": f"arn:aws:ec2:*:{ctx.account}:instance/*",
        },
    )
    with ctx.world.changes() as iam:
        iam.add_role_to_instance_profile(ctx.account, row.name, p["RoleName"])
    return {}


def remove_role_from_instance_profile(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """RemoveRoleFromInstanceProfile (authorized on the profile)."""
    row, _ = _profile(ctx, p["InstanceProfileName"])
    ctx.authorize("iam:RemoveRoleFromInstanceProfile", row.arn)
    with ctx.world.changes() as iam:
        iam.remove_role_from_instance_profile(ctx.account, row.name, p["RoleName"])
    return {}


def delete_instance_profile(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """DeleteInstanceProfile: refused while it holds a role."""
    row, _ = _profile(ctx, p["InstanceProfileName"])
    ctx.authorize("iam:DeleteInstanceProfile", row.arn)
    with ctx.world.changes() as iam:
        iam.delete_instance_profile(ctx.account, row.name)
    return {}


HANDLERS: dict[str, Handler] = {
    "ListRoles": list_roles,
    "DeleteRole": delete_role,
    "UpdateAssumeRolePolicy": update_assume_role_policy,
    "UpdateRole": update_role,
    "UpdateRoleDescription": update_role_description,
    "PutRolePermissionsBoundary": _put_boundary("role", t.roles, "iam:PutRolePermissionsBoundary"),
    "DeleteRolePermissionsBoundary": _delete_boundary("role", t.roles, "iam:DeleteRolePermissionsBoundary"),
    "PutUserPermissionsBoundary": _put_boundary("user", t.users, "iam:PutUserPermissionsBoundary"),
    "DeleteUserPermissionsBoundary": _delete_boundary("user", t.users, "iam:DeleteUserPermissionsBoundary"),
    "CreateInstanceProfile": create_instance_profile,
    "GetInstanceProfile": get_instance_profile,
    "ListInstanceProfiles": list_instance_profiles,
    "ListInstanceProfilesForRole": list_instance_profiles_for_role,
    "AddRoleToInstanceProfile": add_role_to_instance_profile,
    "RemoveRoleFromInstanceProfile": remove_role_from_instance_profile,
    "DeleteInstanceProfile": delete_instance_profile,
}
