"""IAM's response shapes (botocore's model of IAM) built from stored rows, and the lookups they need.

Policy documents go out URL-encoded, as IAM sends them
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html: "The policy document
returned in this structure is URL-encoded compliant with RFC 3986"). Lists page with `Marker`,
`MaxItems` and `IsTruncated` (https://docs.aws.amazon.com/IAM/latest/APIReference/Welcome.html).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import Table, and_, func, select

from ..errors import Location
from ..world.aws_managed import AWS_MANAGED_PREFIX
from ..world.catalog import load_catalog
from ..world.iam_errors import IamError, IamErrorCode
from ..world.store import schema as t
from .calls import CallContext

Handler = Callable[[CallContext, dict[str, Any]], dict[str, Any]]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DEFAULT_MAX_ITEMS = 100


def _arn(ctx: CallContext, kind: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{ctx.account}:{kind}{path}{name}"


def tags_of(ctx: CallContext, owner_arn: str) -> list[dict[str, str]]:
    """The tags of an owner, in the order they were set, as IAM's Tag list."""
    with ctx.world.engine.connect() as conn:
        rows = list(conn.execute(select(t.tags).where(t.tags.c.owner_arn == owner_arn).order_by(t.tags.c.position)))
    return [{"Key": tag.key, "Value": tag.value} for tag in rows]


def _row(ctx: CallContext, table: Table, name: str, what: str, parameter: str) -> Any:
    with ctx.world.engine.connect() as conn:
        row = conn.execute(
            select(table).where(and_(table.c.account_id == ctx.account, table.c.name_lower == name.lower()))
        ).first()
    if row is None:
        raise IamError(
            IamErrorCode.NO_SUCH_ENTITY,
            f"The {what} with name {name} cannot be found.",
            reason="NO_SUCH_ENTITY",
            location=Location(parameter),
        )
    return row, tags_of(ctx, row.arn)


def _created(row: Any) -> datetime:
    value: datetime | None = row.created_at
    if value is None:
        return _EPOCH  # imported without a date
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _boundary(arn: str | None) -> dict[str, Any]:
    if arn is None:
        return {}
    return {
        "PermissionsBoundary": {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}
    }


def _user(row: Any, tags: list[dict[str, str]]) -> dict[str, Any]:
    out = {"Path": row.path, "UserName": row.name, "UserId": row.id, "Arn": row.arn, "CreateDate": _created(row)}
    out.update(_boundary(row.boundary_arn))
    if tags:
        out["Tags"] = tags
    return out


def encoded(text: str) -> str:
    """A policy document as IAM sends it: URL-encoded; boto3 and the CLI decode it."""
    return quote(text, safe="")


def document_text(ctx: CallContext, digest: str) -> str:
    """The stored text of a policy document."""
    with ctx.world.engine.connect() as conn:
        text: str = conn.execute(select(t.documents.c.text).where(t.documents.c.hash == digest)).scalar_one()
    return text


def _role(ctx: CallContext, row: Any, tags: list[dict[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Path": row.path,
        "RoleName": row.name,
        "RoleId": row.id,
        "Arn": row.arn,
        "CreateDate": _created(row),
        "AssumeRolePolicyDocument": encoded(document_text(ctx, row.trust_hash)),
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


def group_shape(row: Any) -> dict[str, Any]:
    """IAM's Group."""
    return {"Path": row.path, "GroupName": row.name, "GroupId": row.id, "Arn": row.arn, "CreateDate": _created(row)}


def policy_shape(ctx: CallContext, row: Any, tags: list[dict[str, str]]) -> dict[str, Any]:
    """IAM's Policy, with its attachment and boundary-usage counts."""
    with ctx.world.engine.connect() as conn:

        def count(table: Table, *where: Any) -> int:
            return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())

        attached = count(t.attachments, t.attachments.c.policy_arn == row.arn)
        bounded = count(t.users, t.users.c.boundary_arn == row.arn) + count(t.roles, t.roles.c.boundary_arn == row.arn)
    out: dict[str, Any] = {
        "PolicyName": row.name,
        "PolicyId": row.id,
        "Arn": row.arn,
        "Path": row.path,
        "DefaultVersionId": row.default_version,
        "AttachmentCount": attached,
        "PermissionsBoundaryUsageCount": bounded,
        "IsAttachable": True,
        "CreateDate": _created(row),
        "UpdateDate": _created(row),
    }
    if row.description:
        out["Description"] = row.description
    if tags:
        out["Tags"] = tags
    return out


def profile_shape(ctx: CallContext, row: Any, tags: list[dict[str, str]]) -> dict[str, Any]:
    """IAM's InstanceProfile, with its role."""
    with ctx.world.engine.connect() as conn:
        names = [
            r.role_name
            for r in conn.execute(
                select(t.instance_profile_roles.c.role_name).where(t.instance_profile_roles.c.profile_arn == row.arn)
            )
        ]
    roles = [_role(ctx, *_row(ctx, t.roles, name, "role", "RoleName")) for name in names]
    out: dict[str, Any] = {
        "Path": row.path,
        "InstanceProfileName": row.name,
        "InstanceProfileId": row.id,
        "Arn": row.arn,
        "CreateDate": _created(row),
        "Roles": roles,
    }
    if tags:
        out["Tags"] = tags
    return out


def page(p: dict[str, Any], items: Sequence[Any], key: str) -> dict[str, Any]:
    """One page of a list: `MaxItems` from `Marker` on, `IsTruncated` and the next `Marker`."""
    try:
        start = int(p.get("Marker") or 0)
    except ValueError:
        start = -1
    if start < 0 or start > len(items):
        raise IamError(IamErrorCode.VALIDATION_ERROR, "Invalid Marker.", reason="INVALID_MARKER")
    size = int(p.get("MaxItems") or DEFAULT_MAX_ITEMS)
    chunk = list(items[start : start + size])
    out: dict[str, Any] = {key: chunk, "IsTruncated": start + size < len(items)}
    if out["IsTruncated"]:
        # The marker is opaque to clients; the offset of the next item is enough for a world that
        # does not change between pages.
        out["Marker"] = str(start + size)
    return out


def rows_in_account(ctx: CallContext, table: Table, path_prefix: str | None = None) -> list[Any]:
    """Every entity of a table in the caller's account, in creation order, under a path prefix."""
    query = select(table).where(table.c.account_id == ctx.account).order_by(table.c.position, table.c.name)
    with ctx.world.engine.connect() as conn:
        rows = list(conn.execute(query))
    prefix = path_prefix or "/"
    return [row for row in rows if row.path.startswith(prefix)]


def policy_row(ctx: CallContext, arn: str) -> Any:
    """A customer-managed policy by ARN; NoSuchEntity as IAM words it."""
    with ctx.world.engine.connect() as conn:
        row = conn.execute(select(t.managed_policies).where(t.managed_policies.c.arn == arn)).first()
    if row is None:
        raise IamError(
            IamErrorCode.NO_SUCH_ENTITY,
            f"Policy {arn} was not found.",
            reason="NO_SUCH_POLICY",
            location=Location("PolicyArn"),
        )
    return row


def own_user_name(ctx: CallContext, p: dict[str, Any]) -> str:
    """`UserName`, or without it the signing IAM user's own name; other callers must name the user."""
    if p.get("UserName"):
        return str(p["UserName"])
    if ":user/" not in ctx.caller.arn:
        raise IamError(
            IamErrorCode.VALIDATION_ERROR,
            "Must specify userName when calling with non-User credentials",
            reason="USER_NAME_REQUIRED",
            location=Location("UserName"),
        )
    return ctx.caller.arn.rsplit("/", 1)[-1]


def managed_policy_arn(ctx: CallContext, arn: str) -> str:
    """A managed policy's ARN, known to the catalogue (AWS managed) or the store; NoSuchEntity otherwise."""
    if not arn.startswith(AWS_MANAGED_PREFIX):
        return str(policy_row(ctx, arn).arn)
    if load_catalog().get(arn) is None:
        raise IamError(
            IamErrorCode.NO_SUCH_ENTITY,
            f"Policy {arn} was not found.",
            reason="NO_SUCH_POLICY",
            location=Location("PolicyArn"),
        )
    return arn


# Provider type → (IAM's words for a missing one, the ARN parameter naming it).
_PROVIDERS = {
    "oidc": ("OpenIDConnect Provider not found for arn {}", "OpenIDConnectProviderArn"),
    "saml": ("SAMLProvider {} not found", "SAMLProviderArn"),
}


def provider_row(ctx: CallContext, arn: str, kind: str) -> Any:
    """An OIDC (`oidc`) or SAML (`saml`) identity provider of the caller's account by ARN; NoSuchEntity otherwise."""
    providers = t.identity_providers
    with ctx.world.engine.connect() as conn:
        row = conn.execute(
            select(providers).where(
                providers.c.arn == arn, providers.c.type == kind, providers.c.account_id == ctx.account
            )
        ).first()
    if row is None:
        message, parameter = _PROVIDERS[kind]
        raise IamError(
            IamErrorCode.NO_SUCH_ENTITY, message.format(arn), reason="NO_SUCH_PROVIDER", location=Location(parameter)
        )
    return row
