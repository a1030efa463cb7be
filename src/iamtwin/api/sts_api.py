"""STS operations over the wire: the request's parameters in, the STS result shapes out."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..sts.issue import Credentials
from ..sts.service import Sts
from .calls import CallContext, tag_map

Handler = Callable[[CallContext, dict[str, Any]], dict[str, Any]]


def _credentials(credentials: Credentials) -> dict[str, Any]:
    return {
        "AccessKeyId": credentials.access_key_id,
        "SecretAccessKey": credentials.secret_access_key,
        "SessionToken": credentials.session_token,
        "Expiration": credentials.expiration,
    }


def get_caller_identity(ctx: CallContext, _: dict[str, Any]) -> dict[str, Any]:
    """GetCallerIdentity: needs no permission."""
    return Sts(ctx.world).get_caller_identity(ctx.caller).to_dict()


def assume_role(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """AssumeRole as the signed caller."""
    result = Sts(ctx.world).assume_role(
        ctx.caller,
        p["RoleArn"],
        p["RoleSessionName"],
        external_id=p.get("ExternalId"),
        duration_seconds=p.get("DurationSeconds"),
        policy=p.get("Policy"),
        policy_arns=tuple(entry["arn"] for entry in p.get("PolicyArns", [])),
        tags=tag_map(p.get("Tags")),
        transitive_tag_keys=tuple(p.get("TransitiveTagKeys", [])),
        source_identity=p.get("SourceIdentity"),
        serial_number=p.get("SerialNumber"),
        token_code=p.get("TokenCode"),
        context={"aws:SourceIp": ctx.source_ip},
    )
    out: dict[str, Any] = {
        "Credentials": _credentials(result.credentials),
        "AssumedRoleUser": {"AssumedRoleId": result.assumed_role_id, "Arn": result.arn},
        "PackedPolicySize": result.packed_policy_size,
    }
    if result.source_identity is not None:
        out["SourceIdentity"] = result.source_identity
    return out


def get_session_token(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """GetSessionToken for the signing user."""
    credentials = Sts(ctx.world).get_session_token(
        ctx.caller,
        duration_seconds=p.get("DurationSeconds"),
        serial_number=p.get("SerialNumber"),
        token_code=p.get("TokenCode"),
    )
    return {"Credentials": _credentials(credentials)}


def decode_authorization_message(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """DecodeAuthorizationMessage: the decision behind an encoded denial, as JSON text."""
    decoded = Sts(ctx.world).decode_authorization_message(ctx.caller, p["EncodedMessage"])
    return {"DecodedMessage": json.dumps(decoded)}


HANDLERS: dict[str, Handler] = {
    "GetCallerIdentity": get_caller_identity,
    "AssumeRole": assume_role,
    "GetSessionToken": get_session_token,
    "DecodeAuthorizationMessage": decode_authorization_message,
}
