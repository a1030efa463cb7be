"""AssumeRoleWithWebIdentity and AssumeRoleWithSAML over the wire: the two STS calls AWS takes unsigned.

The caller has no AWS credentials yet; the token or assertion it carries is the proof, verified
against the provider registered in the role's account.
(https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import Response

from ..errors import RefusalError
from ..sts.federation import FederatedSession, assume_role_with_saml, assume_role_with_web_identity
from ..sts.oidc_discovery import JwksSource
from ..world.stored import World
from .query_protocol import (
    QueryProtocolError,
    decode_query_request,
    encode_query_error,
    encode_query_response,
    service_model,
)

UNSIGNED_ACTIONS = frozenset({"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"})


def _result(session: FederatedSession, extra_keys: tuple[str, ...]) -> dict[str, Any]:
    credentials = session.credentials
    out: dict[str, Any] = {
        "Credentials": {
            "AccessKeyId": credentials.access_key_id,
            "SecretAccessKey": credentials.secret_access_key,
            "SessionToken": credentials.session_token,
            "Expiration": credentials.expiration,
        },
        "AssumedRoleUser": {"AssumedRoleId": session.assumed_role_id, "Arn": session.arn},
        "PackedPolicySize": session.packed_policy_size,
        "Audience": session.audience,
    }
    out.update({key: session.extra[key] for key in extra_keys if key in session.extra})
    if session.source_identity is not None:
        out["SourceIdentity"] = session.source_identity
    return out


def unsigned_sts_call(world: World, body: bytes, request_id: str, jwks: JwksSource) -> Response | None:
    """The answer to an unsigned federation call, or None when the request is not one."""
    try:
        params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return None
    action = params.pop("Action", "")
    if action not in UNSIGNED_ACTIONS:
        return None
    params.pop("Version", None)
    model = service_model("sts")
    operation = model.operation_model(action)
    namespace = model.metadata.get("xmlNamespace")
    try:
        p = decode_query_request(operation, params)
        if action == "AssumeRoleWithWebIdentity":
            session = assume_role_with_web_identity(
                world,
                p["RoleArn"],
                p["RoleSessionName"],
                p["WebIdentityToken"],
                jwks,
                duration_seconds=p.get("DurationSeconds"),
                policy=p.get("Policy"),
            )
            result = _result(session, ("SubjectFromWebIdentityToken", "Provider"))
        else:
            session = assume_role_with_saml(
                world,
                p["RoleArn"],
                p["PrincipalArn"],
                p["SAMLAssertion"],
                duration_seconds=p.get("DurationSeconds"),
                policy=p.get("Policy"),
            )
            result = _result(session, ("Subject", "SubjectType", "Issuer", "NameQualifier"))
    except QueryProtocolError as err:
        body_out = encode_query_error(err.code, err.message, request_id, namespace=namespace)
        return Response(body_out, status_code=err.http_status, media_type="text/xml")
    except RefusalError as err:
        status = 403 if err.code == "AccessDenied" else 400
        body_out = encode_query_error(err.code, err.message, request_id, namespace=namespace)
        return Response(body_out, status_code=status, media_type="text/xml")
    return Response(
        encode_query_response(operation, result, request_id),
        media_type="text/xml",
        headers={"x-amzn-RequestId": request_id},
    )
