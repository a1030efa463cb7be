"""IAM operations over the wire: each authorized by the engine as AWS authorizes it, then applied.

The resource of each call and the keys it adds to the request context follow the Service
Authorization Reference for IAM (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html):
`aws:RequestTag/…` and `aws:TagKeys` from the request's tags, `iam:PermissionsBoundary` where a
boundary is set, `iam:PolicyARN` where a policy is attached.
"""

from __future__ import annotations

from typing import Any

from ..world.store import schema as t
from . import iam_policies, iam_roles, iam_tags, iam_users
from .calls import CallContext, tag_keys, tag_map
from .iam_shapes import Handler, _arn, _document_text, _role, _row, _user


def create_user(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """CreateUser."""
    path, name = p.get("Path", "/"), p["UserName"]
    keys = tag_keys(p.get("Tags"))
    if "PermissionsBoundary" in p:
        keys["iam:PermissionsBoundary"] = p["PermissionsBoundary"]
    ctx.authorize("iam:CreateUser", _arn(ctx, "user", path, name), keys)
    with ctx.world.changes() as iam:
        iam.create_user(
            ctx.account,
            name,
            path=path,
            tags=tag_map(p.get("Tags")) or None,
            permissions_boundary=p.get("PermissionsBoundary"),
        )
    return {"User": _user(*_row(ctx, t.users, name, "user", "UserName"))}


def get_user(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """GetUser (the caller itself when no name is given)."""
    name = p.get("UserName") or ctx.caller.arn.rsplit("/", 1)[-1]
    row, tags = _row(ctx, t.users, name, "user", "UserName")
    ctx.authorize("iam:GetUser", row.arn)
    return {"User": _user(row, tags)}


def create_role(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """CreateRole."""
    path, name = p.get("Path", "/"), p["RoleName"]
    keys = tag_keys(p.get("Tags"))
    if "PermissionsBoundary" in p:
        keys["iam:PermissionsBoundary"] = p["PermissionsBoundary"]
    ctx.authorize("iam:CreateRole", _arn(ctx, "role", path, name), keys)
    with ctx.world.changes() as iam:
        iam.create_role(
            ctx.account,
            name,
            _document_text(p["AssumeRolePolicyDocument"]),
            path=path,
            description=p.get("Description", ""),
            max_session_duration=p.get("MaxSessionDuration", 3600),
            tags=tag_map(p.get("Tags")) or None,
            permissions_boundary=p.get("PermissionsBoundary"),
        )
    return {"Role": _role(ctx, *_row(ctx, t.roles, name, "role", "RoleName"))}


def get_role(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """GetRole."""
    row, tags = _row(ctx, t.roles, p["RoleName"], "role", "RoleName")
    ctx.authorize("iam:GetRole", row.arn)
    return {"Role": _role(ctx, row, tags)}


def put_role_policy(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """PutRolePolicy."""
    row, _ = _row(ctx, t.roles, p["RoleName"], "role", "RoleName")
    ctx.authorize("iam:PutRolePolicy", row.arn)
    with ctx.world.changes() as iam:
        iam.put_inline_policy("role", ctx.account, row.name, p["PolicyName"], _document_text(p["PolicyDocument"]))
    return {}


def attach_role_policy(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """AttachRolePolicy (`iam:PolicyARN` in the context, for policies that limit what may be attached)."""
    row, _ = _row(ctx, t.roles, p["RoleName"], "role", "RoleName")
    ctx.authorize("iam:AttachRolePolicy", row.arn, {"iam:PolicyARN": p["PolicyArn"]})
    with ctx.world.changes() as iam:
        iam.attach_policy("role", ctx.account, row.name, p["PolicyArn"])
    return {}


HANDLERS: dict[str, Handler] = {
    "CreateUser": create_user,
    "GetUser": get_user,
    "CreateRole": create_role,
    "GetRole": get_role,
    "PutRolePolicy": put_role_policy,
    "AttachRolePolicy": attach_role_policy,
}
for _extra in (iam_users.HANDLERS, iam_roles.HANDLERS, iam_policies.HANDLERS, iam_tags.HANDLERS):
    HANDLERS.update(_extra)
