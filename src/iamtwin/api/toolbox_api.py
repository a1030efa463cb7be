"""Authorization IDs on denials, and IAM Toolbox's GetRequestAuthorizationDetails / GetRequestAuthorizationPolicy.

Each denial iamtwin returns is recorded with its Toolbox-shaped evaluation and the policies as they
were at the time, and its message ends as AWS's current messages do: `… Go to <console link>
#/authorization-details/<id> for complete details, or call the GetRequestAuthorizationDetails API
with the following authorization id: <id>`. Records are answered for 24 hours to callers allowed
`iam:GetRequestAuthorizationDetails`.
(https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied-authorization-id.html,
https://docs.aws.amazon.com/iam-toolbox/latest/APIReference/API_GetRequestAuthorizationDetails.html)
"""

from __future__ import annotations

import json
import secrets
import string
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import delete, select
from starlette.responses import Response

from ..errors import IamtwinError
from ..evaluate.decision import Decision
from ..evaluate.principal import parse_principal
from ..evaluate.toolbox import authorization_details
from ..world.store.schema import authorization_records
from ..world.stored import Caller, World
from .calls import ApiAccessDenied, CallContext

KEEP = timedelta(hours=24)
_ALPHABET = string.ascii_lowercase + string.digits


def record_denial(world: World, caller: Caller, decision: Decision) -> str:
    """Keep the details of a denied request; its authorization id."""
    authorization_id = "".join(secrets.choice(_ALPHABET) for _ in range(26))
    policies: dict[str, Any] = {}
    try:
        given = world.simulation_input(caller, decision.request.action, decision.request.resource)
        entries = [*given["identity_policies"], *(given.get("session_policies") or [])]
        entries += [e for e in (given.get("permissions_boundary"), given.get("resource_policy")) if e]
        entries += [e for level in (given.get("scps") or []) + (given.get("rcps") or []) for e in level]
        policies = {e["id"]: e["document"] for e in entries}
    except IamtwinError:
        pass  # a caller the world cannot assemble (a service principal) still gets its evaluation kept
    now = world.clock.now()
    with world.engine.begin() as conn:
        conn.execute(delete(authorization_records).where(authorization_records.c.created_at < now - KEEP))
        conn.execute(
            authorization_records.insert().values(
                id=authorization_id,
                created_at=now,
                account_id=parse_principal(caller.arn).account or "",
                details=json.dumps({"details": authorization_details(decision), "policies": policies}, default=str),
            )
        )
    return authorization_id


def with_authorization_id(message: str, authorization_id: str, region: str) -> str:
    """The denial message as AWS ends it: the console link and the id for GetRequestAuthorizationDetails."""
    link = f"https://{region}.console.aws.amazon.com/iam/home?region={region}#/authorization-details/{authorization_id}"
    return (
        f"{message.rstrip('.')}. Go to {link} for complete details, or call the "
        f"GetRequestAuthorizationDetails API with the following authorization id: {authorization_id}"
    )


def _error(status: int, code: str, message: str, request_id: str) -> Response:
    return Response(
        json.dumps({"message": message}),
        status_code=status,
        media_type="application/json",
        headers={"x-amzn-ErrorType": code, "x-amzn-RequestId": request_id},
    )


def answer(ctx: CallContext, path: str, query: str) -> Response:
    """GET /authorization-details/{id} and GET /authorization-details/{id}/policy?policyUri=…"""
    parts = path.strip("/").split("/")
    authorization_id = parts[1] if len(parts) > 1 else ""
    try:
        ctx.authorize("iam:GetRequestAuthorizationDetails", None)
    except ApiAccessDenied as err:
        return _error(403, "AccessDeniedException", err.message, ctx.request_id)
    with ctx.world.engine.connect() as conn:
        row = conn.execute(select(authorization_records).where(authorization_records.c.id == authorization_id)).first()
    created = None if row is None else row.created_at
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=ctx.now.tzinfo)
    if row is None or created is None or created < ctx.now - KEEP or row.account_id != ctx.account:
        return _error(
            404, "ResourceNotFoundException", f"No authorization details for {authorization_id}", ctx.request_id
        )
    stored = json.loads(row.details)
    if len(parts) == 3 and parts[2] == "policy":
        uri = dict(parse_qsl(query)).get("policyUri", "")
        document = stored["policies"].get(uri)
        if document is None:
            return _error(404, "ResourceNotFoundException", f"No policy {uri} in {authorization_id}", ctx.request_id)
        text = document if isinstance(document, str) else json.dumps(document)
        return Response(json.dumps({"policyDocument": text}), media_type="application/json")
    return Response(json.dumps(stored["details"]), media_type="application/json")
