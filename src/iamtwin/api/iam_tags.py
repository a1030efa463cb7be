"""IAM's tagging operations and GetAccountAuthorizationDetails.

Users, roles, managed policies, instance profiles and identity providers take tags.

Tagging is authorized on the tagged entity with `aws:RequestTag/*` and `aws:TagKeys`; untagging
with `aws:TagKeys` (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_iam-tags.html).
GetAccountAuthorizationDetails sends policy documents URL-encoded
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html) and
pages across its lists with `Marker` and `MaxItems`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.model import ListShape, Shape, StructureShape
from sqlalchemy import Table

from ..world.formats.auth_details_writer import write_auth_details
from ..world.store import schema as t
from ..world.tags import TagTarget
from .calls import CallContext, tag_keys, tag_map
from .iam_shapes import Handler, _row, encoded, page, policy_row, provider_row, tags_of
from .query_protocol import service_model

# kind → (table, name parameter, noun in IAM's messages, action suffix, tag target)
_KINDS: dict[str, tuple[Table, str, str, str, TagTarget]] = {
    "user": (t.users, "UserName", "user", "User", TagTarget.USER),
    "role": (t.roles, "RoleName", "role", "Role", TagTarget.ROLE),
    "policy": (t.managed_policies, "PolicyArn", "policy", "Policy", TagTarget.MANAGED_POLICY),
    "profile": (
        t.instance_profiles,
        "InstanceProfileName",
        "instance profile",
        "InstanceProfile",
        TagTarget.INSTANCE_PROFILE,
    ),
    # Identity providers are named by ARN, as managed policies are.
    "oidc": (
        t.identity_providers,
        "OpenIDConnectProviderArn",
        "OIDC provider",
        "OpenIDConnectProvider",
        TagTarget.OIDC_PROVIDER,
    ),
    "saml": (t.identity_providers, "SAMLProviderArn", "SAML provider", "SAMLProvider", TagTarget.SAML_PROVIDER),
}


def _owner_arn(ctx: CallContext, kind: str, p: dict[str, Any]) -> str:
    table, parameter, noun, _, _ = _KINDS[kind]
    if kind == "policy":
        return str(policy_row(ctx, p[parameter]).arn)
    if kind in ("oidc", "saml"):
        return str(provider_row(ctx, p[parameter], kind).arn)
    return str(_row(ctx, table, p[parameter], noun, parameter)[0].arn)


def _tag(kind: str) -> Handler:
    suffix, target = _KINDS[kind][3], _KINDS[kind][4]

    def call(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
        arn = _owner_arn(ctx, kind, p)
        ctx.authorize(f"iam:Tag{suffix}", arn, tag_keys(p["Tags"]))
        with ctx.world.changes() as iam:
            iam.tag_arn(arn, tag_map(p["Tags"]), target)
        return {}

    call.__doc__ = f"Tag{suffix}."
    return call


def _untag(kind: str) -> Handler:
    suffix = _KINDS[kind][3]

    def call(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
        arn = _owner_arn(ctx, kind, p)
        ctx.authorize(f"iam:Untag{suffix}", arn, {"aws:TagKeys": list(p["TagKeys"])})
        with ctx.world.changes() as iam:
            iam.untag_arn(arn, p["TagKeys"])
        return {}

    call.__doc__ = f"Untag{suffix}."
    return call


def _list_tags(kind: str) -> Handler:
    suffix = _KINDS[kind][3]

    def call(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
        arn = _owner_arn(ctx, kind, p)
        ctx.authorize(f"iam:List{suffix}Tags", arn)
        return page(p, tags_of(ctx, arn), "Tags")

    call.__doc__ = f"List{suffix}Tags."
    return call


def _conform(shape: Shape, value: Any) -> Any:
    """A value reshaped to botocore's model: unknown members dropped, documents URL-encoded."""
    if isinstance(shape, StructureShape):
        return {k: _conform(shape.members[k], v) for k, v in value.items() if k in shape.members}
    if isinstance(shape, ListShape):
        return [_conform(shape.member, item) for item in value]
    if shape.type_name == "string" and not isinstance(value, str):
        return encoded(json.dumps(value))
    if shape.type_name == "string":
        # The writer gives documents as JSON objects, but a stored text document comes through as is.
        return encoded(value) if shape.name == "policyDocumentType" else value
    if shape.type_name == "timestamp" and isinstance(value, str):
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return value


_FILTERS = {
    "User": "UserDetailList",
    "Group": "GroupDetailList",
    "Role": "RoleDetailList",
    "LocalManagedPolicy": "Policies",
    "AWSManagedPolicy": "Policies",
}


def get_account_authorization_details(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """GetAccountAuthorizationDetails of the caller's account, paged across its four lists."""
    ctx.authorize("iam:GetAccountAuthorizationDetails", "*")
    account = ctx.world.export_model().accounts.get(ctx.account)
    output = service_model("iam").operation_model("GetAccountAuthorizationDetails").output_shape
    assert isinstance(output, StructureShape)
    details: dict[str, Any] = write_auth_details(account) if account is not None else {}
    wanted = set(p.get("Filter") or _FILTERS)
    items: list[tuple[str, Any]] = []
    for key in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
        for item in details.get(key, []):
            if key == "Policies":
                aws = item["Arn"].startswith("arn:aws:iam::aws:")
                if ("AWSManagedPolicy" if aws else "LocalManagedPolicy") not in wanted:
                    continue
            elif not any(_FILTERS[f] == key for f in wanted):
                continue
            items.append((key, _conform(output.members[key].member, item)))
    chunk = page(p, items, "Items")
    out: dict[str, Any] = {key: [] for key in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")}
    for key, item in chunk.pop("Items"):
        out[key].append(item)
    out.update(chunk)
    return out


def _handlers() -> dict[str, Handler]:
    out: dict[str, Handler] = {"GetAccountAuthorizationDetails": get_account_authorization_details}
    makers: tuple[tuple[str, Callable[[str], Handler]], ...] = (
        ("Tag{}", _tag),
        ("Untag{}", _untag),
        ("List{}Tags", _list_tags),
    )
    for kind, spec in _KINDS.items():
        for template, make in makers:
            out[template.format(spec[3])] = make(kind)
    return out


HANDLERS: dict[str, Handler] = _handlers()
