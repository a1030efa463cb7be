"""IAM operations over the wire: each authorized by the engine as AWS authorizes it, then applied.

The resource of each call and the keys it adds to the request context follow the Service
Authorization Reference for IAM (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html):
`aws:RequestTag/…` and `aws:TagKeys` from the request's tags (a create with tags needs the Tag*
action too, see `CallContext.authorize_create`), `iam:PermissionsBoundary` where a boundary is set
or the target has one, `iam:PolicyARN` where a policy is attached.

This module holds users' and roles' core calls and the OIDC and SAML identity providers
(https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html and the
pages of each provider operation); the rest live in iam_users, iam_roles, iam_policies and iam_tags.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..world.iam_errors import IamError, IamErrorCode
from ..world.store import schema as t
from ..world.store.codec import load_strings
from . import iam_policies, iam_roles, iam_tags, iam_users
from .calls import CallContext, tag_map
from .iam_shapes import Handler, _arn, _document_text, _role, _row, _user, own_user_name, provider_row, tags_of


def _boundary_key(p: dict[str, Any]) -> dict[str, str | list[str]]:
    # A create that sets a permissions boundary names it in the context.
    return {"iam:PermissionsBoundary": p["PermissionsBoundary"]} if "PermissionsBoundary" in p else {}


def create_user(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """CreateUser."""
    path, name = p.get("Path", "/"), p["UserName"]
    ctx.authorize_create("iam:CreateUser", _arn(ctx, "user", path, name), p.get("Tags"), _boundary_key(p))
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
    row, tags = _row(ctx, t.users, own_user_name(ctx, p), "user", "UserName")
    ctx.authorize("iam:GetUser", row.arn)
    return {"User": _user(row, tags)}


def create_role(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """CreateRole."""
    path, name = p.get("Path", "/"), p["RoleName"]
    ctx.authorize_create("iam:CreateRole", _arn(ctx, "role", path, name), p.get("Tags"), _boundary_key(p))
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


def _created_provider(ctx: CallContext, arn_member: str, arn: str, tags: list[dict[str, str]] | None) -> dict[str, Any]:
    out: dict[str, Any] = {arn_member: arn}
    if tags:
        out["Tags"] = tags_of(ctx, arn)
    return out


def create_oidc_provider(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """CreateOpenIDConnectProvider (its ARN names the URL without `https://`)."""
    arn = f"arn:aws:iam::{ctx.account}:oidc-provider/{p['Url'].split('://', 1)[-1].rstrip('/')}"
    ctx.authorize_create("iam:CreateOpenIDConnectProvider", arn, p.get("Tags"))
    with ctx.world.changes() as iam:
        arn = iam.create_oidc_provider(
            ctx.account,
            p["Url"],
            p.get("ClientIDList", []),
            p.get("ThumbprintList", []),
            tags=tag_map(p.get("Tags")) or None,
        )
    return _created_provider(ctx, "OpenIDConnectProviderArn", arn, p.get("Tags"))


def _refuse_saml_encryption(p: dict[str, Any]) -> None:
    # iamtwin keeps no SAML private keys, so it cannot decrypt encrypted assertions.
    if "AddPrivateKey" in p or "RemovePrivateKey" in p or p.get("AssertionEncryptionMode", "Allowed") != "Allowed":
        raise IamError(
            IamErrorCode.VALIDATION_ERROR,
            "iamtwin does not keep SAML private keys: AddPrivateKey, RemovePrivateKey and "
            "AssertionEncryptionMode=Required are not supported",
            reason="SAML_ENCRYPTION_UNSUPPORTED",
        )


def create_saml_provider(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """CreateSAMLProvider (without assertion encryption, see `_refuse_saml_encryption`)."""
    _refuse_saml_encryption(p)
    arn = f"arn:aws:iam::{ctx.account}:saml-provider/{p['Name']}"
    ctx.authorize_create("iam:CreateSAMLProvider", arn, p.get("Tags"))
    with ctx.world.changes() as iam:
        arn = iam.create_saml_provider(
            ctx.account, p["Name"], p["SAMLMetadataDocument"], tags=tag_map(p.get("Tags")) or None
        )
    return _created_provider(ctx, "SAMLProviderArn", arn, p.get("Tags"))


def get_oidc_provider(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """GetOpenIDConnectProvider: the URL without `https://`, client IDs, thumbprints, tags."""
    row = provider_row(ctx, p["OpenIDConnectProviderArn"], "oidc")
    ctx.authorize("iam:GetOpenIDConnectProvider", row.arn)
    out: dict[str, Any] = {
        "Url": row.url,
        "ClientIDList": list(load_strings(row.client_ids)),
        "ThumbprintList": list(load_strings(row.thumbprints)),
    }
    if tags := tags_of(ctx, row.arn):
        out["Tags"] = tags
    return out


def get_saml_provider(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """GetSAMLProvider: the metadata document and tags."""
    row = provider_row(ctx, p["SAMLProviderArn"], "saml")
    ctx.authorize("iam:GetSAMLProvider", row.arn)
    out: dict[str, Any] = {"SAMLMetadataDocument": row.saml_metadata}
    if tags := tags_of(ctx, row.arn):
        out["Tags"] = tags
    return out


def _client_ids(add: bool) -> Handler:
    action = "iam:AddClientIDToOpenIDConnectProvider" if add else "iam:RemoveClientIDFromOpenIDConnectProvider"

    def call(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
        row = provider_row(ctx, p["OpenIDConnectProviderArn"], "oidc")
        ctx.authorize(action, row.arn)
        current = list(load_strings(row.client_ids))
        if add:
            ids = current if p["ClientID"] in current else [*current, p["ClientID"]]
        else:
            ids = [client_id for client_id in current if client_id != p["ClientID"]]
        with ctx.world.changes() as iam:
            iam.update_oidc_provider(row.arn, row.url, ids, load_strings(row.thumbprints))
        return {}

    call.__doc__ = f"{action[4:]}: idempotent, as IAM documents it."
    return call


def update_oidc_thumbprints(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """UpdateOpenIDConnectProviderThumbprint: the list replaces the provider's thumbprints."""
    row = provider_row(ctx, p["OpenIDConnectProviderArn"], "oidc")
    ctx.authorize("iam:UpdateOpenIDConnectProviderThumbprint", row.arn)
    with ctx.world.changes() as iam:
        iam.update_oidc_provider(row.arn, row.url, load_strings(row.client_ids), p["ThumbprintList"])
    return {}


def update_saml_provider(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """UpdateSAMLProvider: a new metadata document (without assertion encryption)."""
    _refuse_saml_encryption(p)
    row = provider_row(ctx, p["SAMLProviderArn"], "saml")
    ctx.authorize("iam:UpdateSAMLProvider", row.arn)
    if "SAMLMetadataDocument" in p:
        with ctx.world.changes() as iam:
            iam.update_saml_metadata(row.arn, p["SAMLMetadataDocument"])
    return {"SAMLProviderArn": row.arn}


def _list_providers(kind: str, action: str, key: str) -> Handler:
    def call(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
        ctx.authorize(action, "*")
        providers = t.identity_providers
        query = select(providers.c.arn).where(providers.c.account_id == ctx.account, providers.c.type == kind)
        with ctx.world.engine.connect() as conn:
            arns = [row.arn for row in conn.execute(query.order_by(providers.c.arn))]
        return {key: [{"Arn": arn} for arn in arns]}

    call.__doc__ = f"{action[4:]} (the account's providers; IAM does not page this list)."
    return call


def delete_oidc_provider(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """DeleteOpenIDConnectProvider: idempotent, a missing provider is no error.

    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteOpenIDConnectProvider.html)
    """
    arn = p["OpenIDConnectProviderArn"]
    ctx.authorize("iam:DeleteOpenIDConnectProvider", arn)
    with ctx.world.changes() as iam:
        iam.delete_identity_provider(arn)
    return {}


def delete_saml_provider(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """DeleteSAMLProvider: NoSuchEntity for a missing provider."""
    row = provider_row(ctx, p["SAMLProviderArn"], "saml")
    ctx.authorize("iam:DeleteSAMLProvider", row.arn)
    with ctx.world.changes() as iam:
        iam.delete_identity_provider(row.arn)
    return {}


HANDLERS: dict[str, Handler] = {
    "CreateOpenIDConnectProvider": create_oidc_provider,
    "GetOpenIDConnectProvider": get_oidc_provider,
    "ListOpenIDConnectProviders": _list_providers(
        "oidc", "iam:ListOpenIDConnectProviders", "OpenIDConnectProviderList"
    ),
    "DeleteOpenIDConnectProvider": delete_oidc_provider,
    "AddClientIDToOpenIDConnectProvider": _client_ids(add=True),
    "RemoveClientIDFromOpenIDConnectProvider": _client_ids(add=False),
    "UpdateOpenIDConnectProviderThumbprint": update_oidc_thumbprints,
    "CreateSAMLProvider": create_saml_provider,
    "GetSAMLProvider": get_saml_provider,
    "ListSAMLProviders": _list_providers("saml", "iam:ListSAMLProviders", "SAMLProviderList"),
    "DeleteSAMLProvider": delete_saml_provider,
    "UpdateSAMLProvider": update_saml_provider,
    "CreateUser": create_user,
    "GetUser": get_user,
    "CreateRole": create_role,
    "GetRole": get_role,
    "PutRolePolicy": put_role_policy,
    "AttachRolePolicy": attach_role_policy,
}
for _extra in (iam_users.HANDLERS, iam_roles.HANDLERS, iam_policies.HANDLERS, iam_tags.HANDLERS):
    HANDLERS.update(_extra)
