"""IAM's managed-policy, policy-version, attachment and inline-policy operations over the wire.

Resources and keys per the Service Authorization Reference for IAM
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html):
attaching carries `iam:PolicyARN`; CreatePolicy carries `aws:RequestTag/*` and `aws:TagKeys`, and
with tags needs `iam:TagPolicy` too.
IAM's access-denied message for CreatePolicy names the resource `policy <name>`, not its ARN
(AWS Knowledge Center, https://aws.amazon.com/premiumsupport/knowledge-center/iam-permission-boundaries/,
whose walkthrough is scenario 08). Versions: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, func, or_, select

from ..errors import Location
from ..world.aws_managed import AWS_MANAGED_PREFIX
from ..world.catalog import load_catalog
from ..world.iam_errors import IamError, IamErrorCode
from ..world.store import schema as t
from .calls import CallContext, tag_map
from .iam_shapes import (
    Handler,
    _arn,
    _created,
    _document_text,
    _row,
    document_text,
    encoded,
    managed_policy_arn,
    page,
    policy_row,
    policy_shape,
    rows_in_account,
    tags_of,
)

_TABLES: dict[str, Table] = {"user": t.users, "group": t.groups, "role": t.roles}


def create_policy(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """CreatePolicy, refused as IAM words it (`on resource: policy <name>`)."""
    path, name = p.get("Path", "/"), p["PolicyName"]
    ctx.authorize_create(
        "iam:CreatePolicy", _arn(ctx, "policy", path, name), p.get("Tags"), resource_label=f"policy {name}"
    )
    with ctx.world.changes() as iam:
        iam.create_policy(
            ctx.account,
            name,
            _document_text(p["PolicyDocument"]),
            path=path,
            description=p.get("Description", ""),
            tags=tag_map(p.get("Tags")) or None,
        )
    return {"Policy": policy_shape(ctx, *_row(ctx, t.managed_policies, name, "policy", "PolicyName"))}


def get_policy(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """GetPolicy."""
    row = policy_row(ctx, p["PolicyArn"])
    ctx.authorize("iam:GetPolicy", row.arn)
    return {"Policy": policy_shape(ctx, row, tags_of(ctx, row.arn))}


def _aws_policies(ctx: CallContext) -> list[dict[str, Any]]:
    # One grouped count for the whole catalogue: listing ~1,600 policies must not cost a query each.
    table = t.attachments
    with ctx.world.engine.connect() as conn:
        counts: dict[str, int] = {
            row[0]: int(row[1])
            for row in conn.execute(
                select(table.c.policy_arn, func.count())
                .where(table.c.policy_arn.startswith(AWS_MANAGED_PREFIX))
                .where(table.c.owner_arn.startswith(f"arn:aws:iam::{ctx.account}:"))
                .group_by(table.c.policy_arn)
            )
        }
    out = []
    for entry in load_catalog():
        shape: dict[str, Any] = {
            "PolicyName": entry.name,
            "Arn": entry.arn,
            "Path": entry.path,
            "DefaultVersionId": entry.version_id,
            "AttachmentCount": counts.get(entry.arn, 0),
            "IsAttachable": True,
        }
        for key, stamp in (("CreateDate", entry.create_date), ("UpdateDate", entry.update_date)):
            if stamp:
                shape[key] = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        out.append(shape)
    return out


def list_policies(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """ListPolicies: customer-managed (`Local`), AWS managed from the catalogue (`AWS`), or both (`All`)."""
    ctx.authorize("iam:ListPolicies", "*")
    scope, prefix = p.get("Scope", "All"), p.get("PathPrefix") or "/"
    shapes: list[dict[str, Any]] = []
    if scope in ("All", "Local"):
        shapes += [policy_shape(ctx, row, []) for row in rows_in_account(ctx, t.managed_policies, prefix)]
    if scope in ("All", "AWS"):
        shapes += [s for s in _aws_policies(ctx) if s["Path"].startswith(prefix)]
    if p.get("OnlyAttached"):
        shapes = [s for s in shapes if s["AttachmentCount"]]
    return page(p, shapes, "Policies")


def delete_policy(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """DeletePolicy."""
    row = policy_row(ctx, p["PolicyArn"])
    ctx.authorize("iam:DeletePolicy", row.arn)
    with ctx.world.changes() as iam:
        iam.delete_policy(row.arn)
    return {}


# EntityFilter value → (table, output list, name and id members); the three lists page as one.
_ENTITY_LISTS: tuple[tuple[str, Table, str, str, str], ...] = (
    ("Group", t.groups, "PolicyGroups", "GroupName", "GroupId"),
    ("User", t.users, "PolicyUsers", "UserName", "UserId"),
    ("Role", t.roles, "PolicyRoles", "RoleName", "RoleId"),
)


def list_entities_for_policy(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """ListEntitiesForPolicy: the account's groups, users and roles using a managed policy.

    Without PolicyUsageFilter both uses count: attached as a permissions policy, or set as a
    permissions boundary (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListEntitiesForPolicy.html).
    """
    arn = managed_policy_arn(ctx, p["PolicyArn"])
    ctx.authorize("iam:ListEntitiesForPolicy", arn)
    usage, wanted, prefix = p.get("PolicyUsageFilter"), p.get("EntityFilter"), p.get("PathPrefix") or "/"
    attached = select(t.attachments.c.owner_arn).where(t.attachments.c.policy_arn == arn)
    items: list[tuple[str, dict[str, str]]] = []
    with ctx.world.engine.connect() as conn:
        for kind, table, key, name_member, id_member in _ENTITY_LISTS:
            uses: list[ColumnElement[bool]] = []
            if usage in (None, "PermissionsPolicy"):
                uses.append(table.c.arn.in_(attached))
            if usage in (None, "PermissionsBoundary") and "boundary_arn" in table.c:
                uses.append(table.c.boundary_arn == arn)
            if wanted not in (None, kind) or not uses:
                continue
            query = select(table).where(table.c.account_id == ctx.account, or_(*uses))
            for row in conn.execute(query.order_by(table.c.position, table.c.name)):
                if row.path.startswith(prefix):
                    items.append((key, {name_member: row.name, id_member: row.id}))
    chunk = page(p, items, "Items")
    out: dict[str, Any] = {key: [] for _, _, key, _, _ in _ENTITY_LISTS}
    for key, item in chunk.pop("Items"):
        out[key].append(item)
    out.update(chunk)
    return out


def _version_date(row: Any, version: Any) -> datetime:
    if version.create_date:
        stamp = datetime.fromisoformat(str(version.create_date).replace("Z", "+00:00"))
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return _created(row)


def _versions(ctx: CallContext, arn: str) -> list[Any]:
    table = t.policy_versions
    with ctx.world.engine.connect() as conn:
        rows = list(conn.execute(select(table).where(table.c.policy_arn == arn)))
    return sorted(rows, key=lambda v: int(v.version_id[1:]) if v.version_id[1:].isdigit() else 0, reverse=True)


def _version_shape(row: Any, version: Any, document: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "VersionId": version.version_id,
        "IsDefaultVersion": version.version_id == row.default_version,
        "CreateDate": _version_date(row, version),
    }
    if document is not None:
        out["Document"] = encoded(document)
    return out


def create_policy_version(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """CreatePolicyVersion."""
    row = policy_row(ctx, p["PolicyArn"])
    ctx.authorize("iam:CreatePolicyVersion", row.arn)
    with ctx.world.changes() as iam:
        version_id = iam.create_policy_version(
            row.arn, _document_text(p["PolicyDocument"]), set_as_default=bool(p.get("SetAsDefault"))
        )
    row = policy_row(ctx, row.arn)
    version = next(v for v in _versions(ctx, row.arn) if v.version_id == version_id)
    return {"PolicyVersion": _version_shape(row, version, None)}


def get_policy_version(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """GetPolicyVersion: the document URL-encoded."""
    row = policy_row(ctx, p["PolicyArn"])
    ctx.authorize("iam:GetPolicyVersion", row.arn)
    version = next((v for v in _versions(ctx, row.arn) if v.version_id == p["VersionId"]), None)
    if version is None:
        raise IamError(
            IamErrorCode.NO_SUCH_ENTITY,
            f"Policy {row.arn} version {p['VersionId']} does not exist or is not attachable.",
            reason="NO_SUCH_VERSION",
            location=Location("VersionId"),
        )
    return {"PolicyVersion": _version_shape(row, version, document_text(ctx, version.document_hash))}


def list_policy_versions(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """ListPolicyVersions, newest first."""
    row = policy_row(ctx, p["PolicyArn"])
    ctx.authorize("iam:ListPolicyVersions", row.arn)
    return page(p, [_version_shape(row, v, None) for v in _versions(ctx, row.arn)], "Versions")


def set_default_policy_version(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """SetDefaultPolicyVersion."""
    row = policy_row(ctx, p["PolicyArn"])
    ctx.authorize("iam:SetDefaultPolicyVersion", row.arn)
    with ctx.world.changes() as iam:
        iam.set_default_policy_version(row.arn, p["VersionId"])
    return {}


def delete_policy_version(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """DeletePolicyVersion."""
    row = policy_row(ctx, p["PolicyArn"])
    ctx.authorize("iam:DeletePolicyVersion", row.arn)
    with ctx.world.changes() as iam:
        iam.delete_policy_version(row.arn, p["VersionId"])
    return {}


def _owner(ctx: CallContext, kind: str, p: dict[str, Any]) -> Any:
    parameter = f"{kind.capitalize()}Name"
    return _row(ctx, _TABLES[kind], p[parameter], kind, parameter)[0]


def _attach(kind: str, detach: bool) -> Handler:
    verb = "Detach" if detach else "Attach"
    action = f"iam:{verb}{kind.capitalize()}Policy"

    def call(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
        owner = _owner(ctx, kind, p)
        ctx.authorize(action, owner.arn, {"iam:PolicyARN": p["PolicyArn"]})
        with ctx.world.changes() as iam:
            if detach:
                iam.detach_policy(kind, ctx.account, owner.name, p["PolicyArn"])
            else:
                iam.attach_policy(kind, ctx.account, owner.name, p["PolicyArn"])
        return {}

    call.__doc__ = f"{action[4:]}."
    return call


def _policy_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _list_attached(kind: str) -> Handler:
    action = f"iam:ListAttached{kind.capitalize()}Policies"

    def call(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
        owner = _owner(ctx, kind, p)
        ctx.authorize(action, owner.arn)
        table = t.attachments
        with ctx.world.engine.connect() as conn:
            arns = [
                r.policy_arn
                for r in conn.execute(
                    select(table.c.policy_arn).where(table.c.owner_arn == owner.arn).order_by(table.c.position)
                )
            ]
        prefix = p.get("PathPrefix") or "/"
        items = [
            {"PolicyName": _policy_name(arn), "PolicyArn": arn}
            for arn in arns
            if arn.split(":policy", 1)[-1].startswith(prefix)
        ]
        return page(p, items, "AttachedPolicies")

    call.__doc__ = f"{action[4:]}."
    return call


def _put_inline(kind: str) -> Handler:
    action = f"iam:Put{kind.capitalize()}Policy"

    def call(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
        owner = _owner(ctx, kind, p)
        ctx.authorize(action, owner.arn)
        with ctx.world.changes() as iam:
            iam.put_inline_policy(kind, ctx.account, owner.name, p["PolicyName"], _document_text(p["PolicyDocument"]))
        return {}

    call.__doc__ = f"{action[4:]}."
    return call


def _get_inline(kind: str) -> Handler:
    action = f"iam:Get{kind.capitalize()}Policy"
    parameter = f"{kind.capitalize()}Name"

    def call(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
        owner = _owner(ctx, kind, p)
        ctx.authorize(action, owner.arn)
        table = t.inline_policies
        with ctx.world.engine.connect() as conn:
            found = conn.execute(
                select(table).where(table.c.owner_arn == owner.arn, table.c.name == p["PolicyName"])
            ).first()
        if found is None:
            raise IamError(
                IamErrorCode.NO_SUCH_ENTITY,
                f"The {kind} policy with name {p['PolicyName']} cannot be found.",
                reason="NO_SUCH_ENTITY",
                location=Location("PolicyName"),
            )
        return {
            parameter: owner.name,
            "PolicyName": found.name,
            "PolicyDocument": encoded(document_text(ctx, found.document_hash)),
        }

    call.__doc__ = f"{action[4:]}: the document URL-encoded."
    return call


def _delete_inline(kind: str) -> Handler:
    action = f"iam:Delete{kind.capitalize()}Policy"

    def call(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
        owner = _owner(ctx, kind, p)
        ctx.authorize(action, owner.arn)
        with ctx.world.changes() as iam:
            iam.delete_inline_policy(kind, ctx.account, owner.name, p["PolicyName"])
        return {}

    call.__doc__ = f"{action[4:]}."
    return call


def _list_inline(kind: str) -> Handler:
    action = f"iam:List{kind.capitalize()}Policies"

    def call(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
        owner = _owner(ctx, kind, p)
        ctx.authorize(action, owner.arn)
        table = t.inline_policies
        with ctx.world.engine.connect() as conn:
            names = [
                r.name
                for r in conn.execute(
                    select(table.c.name).where(table.c.owner_arn == owner.arn).order_by(table.c.position)
                )
            ]
        return page(p, names, "PolicyNames")

    call.__doc__ = f"{action[4:]}."
    return call


HANDLERS: dict[str, Handler] = {
    "CreatePolicy": create_policy,
    "GetPolicy": get_policy,
    "ListPolicies": list_policies,
    "DeletePolicy": delete_policy,
    "ListEntitiesForPolicy": list_entities_for_policy,
    "CreatePolicyVersion": create_policy_version,
    "GetPolicyVersion": get_policy_version,
    "ListPolicyVersions": list_policy_versions,
    "SetDefaultPolicyVersion": set_default_policy_version,
    "DeletePolicyVersion": delete_policy_version,
}
for _kind in ("user", "group", "role"):
    _name = _kind.capitalize()
    HANDLERS[f"Attach{_name}Policy"] = _attach(_kind, detach=False)
    HANDLERS[f"Detach{_name}Policy"] = _attach(_kind, detach=True)
    HANDLERS[f"ListAttached{_name}Policies"] = _list_attached(_kind)
    HANDLERS[f"Put{_name}Policy"] = _put_inline(_kind)
    HANDLERS[f"Get{_name}Policy"] = _get_inline(_kind)
    HANDLERS[f"Delete{_name}Policy"] = _delete_inline(_kind)
    HANDLERS[f"List{_name}Policies"] = _list_inline(_kind)
