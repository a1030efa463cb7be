"""IAM operations over the wire: each authorized by the engine as AWS authorizes it, then applied.

The resource of each call and the keys it adds to the request context follow the Service
Authorization Reference for IAM (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html):
`aws:RequestTag/…` and `aws:TagKeys` from the request's tags, `iam:PermissionsBoundary` where a
boundary is set, `iam:PolicyARN` where a policy is attached.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import Table, and_, select

from ..errors import Location
from ..world.iam_errors import IamError, IamErrorCode
from ..world.store import schema as t
from .calls import CallContext, tag_keys, tag_map

Handler = Callable[[CallContext, dict[str, Any]], dict[str, Any]]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _arn(ctx: CallContext, kind: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{ctx.account}:{kind}{path}{name}"


def _row(ctx: CallContext, table: Table, name: str, what: str, parameter: str) -> Any:
    with ctx.world.engine.connect() as conn:
        row = conn.execute(
            select(table).where(and_(table.c.account_id == ctx.account, table.c.name_lower == name.lower()))
        ).first()
        tags = (
            list(conn.execute(select(t.tags).where(t.tags.c.owner_arn == row.arn).order_by(t.tags.c.position)))
            if row is not None
            else []
        )
    if row is None:
        raise IamError(
            IamErrorCode.NO_SUCH_ENTITY,
            f"The {what} with name {name} cannot be found.",
            reason="NO_SUCH_ENTITY",
            location=Location(parameter),
        )
    return row, [{"Key": tag.key, "Value": tag.value} for tag in tags]


def _created(row: Any) -> datetime:
    value: datetime | None = row.created_at
    if value is None:
        return _EPOCH  # imported without a date
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _boundary(arn: str | None) -> dict[str, Any]:
    if arn is None:
        return {}
    return {"PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}}


def _user(row: Any, tags: list[dict[str, str]]) -> dict[str, Any]:
    out = {"Path": row.path, "UserName": row.name, "UserId": row.id, "Arn": row.arn, "CreateDate": _created(row)}
    out.update(_boundary(row.boundary_arn))
    if tags:
        out["Tags"] = tags
    return out


def _role(ctx: CallContext, row: Any, tags: list[dict[str, str]]) -> dict[str, Any]:
    with ctx.world.engine.connect() as conn:
        trust = conn.execute(select(t.documents.c.text).where(t.documents.c.hash == row.trust_hash)).scalar_one()
    out: dict[str, Any] = {
        "Path": row.path,
        "RoleName": row.name,
        "RoleId": row.id,
        "Arn": row.arn,
        "CreateDate": _created(row),
        # IAM returns policy documents URL-encoded; boto3 and the CLI decode them.
        "AssumeRolePolicyDocument": quote(trust, safe=""),
        "MaxSessionDuration": row.max_session_duration,
    }
    if row.description:
        out["Description"] = row.description
    out.update(_boundary(row.boundary_arn))
    if tags:
        out["Tags"] = tags
    return out


def _document_text(value: str) -> str:
    return value if isinstance(value, str) else json.dumps(value)


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


def create_policy(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """CreatePolicy."""
    path, name = p.get("Path", "/"), p["PolicyName"]
    ctx.authorize("iam:CreatePolicy", _arn(ctx, "policy", path, name), tag_keys(p.get("Tags")))
    with ctx.world.changes() as iam:
        iam.create_policy(
            ctx.account,
            name,
            _document_text(p["PolicyDocument"]),
            path=path,
            description=p.get("Description", ""),
            tags=tag_map(p.get("Tags")) or None,
        )
    row, tags = _row(ctx, t.managed_policies, name, "policy", "PolicyName")
    policy: dict[str, Any] = {
        "PolicyName": row.name,
        "PolicyId": row.id,
        "Arn": row.arn,
        "Path": row.path,
        "DefaultVersionId": row.default_version,
        "AttachmentCount": 0,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": _created(row),
        "UpdateDate": _created(row),
    }
    if row.description:
        policy["Description"] = row.description
    if tags:
        policy["Tags"] = tags
    return {"Policy": policy}


HANDLERS: dict[str, Handler] = {
    "CreateUser": create_user,
    "GetUser": get_user,
    "CreateRole": create_role,
    "GetRole": get_role,
    "PutRolePolicy": put_role_policy,
    "AttachRolePolicy": attach_role_policy,
    "CreatePolicy": create_policy,
}
