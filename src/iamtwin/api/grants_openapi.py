"""The OpenAPI description of `/v1/grants` (the permission orchestrator), served in `/openapi.json`.

Callers sign with SigV4 (iamtwin-issued credentials), as for `/v1/authorize`; a request body never
names its requester. Refusals carry the orchestrator's stable code (grants/errors.py).
"""

from __future__ import annotations

from typing import Any

_ARN = {"type": "string", "example": "arn:aws:lambda:us-east-1:333333333333:function:token-validator"}
GRANT_REQUEST: dict[str, Any] = {
    "type": "object",
    "required": ["resource", "principal", "sourceArn", "sourceAccount"],
    "properties": {
        "resource": _ARN,
        "principal": {"type": "string", "example": "apigateway.amazonaws.com"},
        "actions": {"type": "array", "items": {"type": "string"}, "minItems": 1, "example": ["lambda:InvokeFunction"]},
        "action": {"type": "string", "description": "one action, instead of `actions`"},
        "sourceArn": {"type": "string", "example": "arn:aws:execute-api:us-east-1:444444444444:a1b2c3/*"},
        "sourceAccount": {"type": "string", "example": "444444444444"},
    },
    "additionalProperties": False,
}
GRANT: dict[str, Any] = {
    "type": "object",
    "required": ["id", "sid", "state", "request", "requester", "sessionArn", "statement", "createdAt"],
    "properties": {
        "id": {"type": "string"},
        "sid": {"type": "string"},
        "state": {"type": "string", "enum": ["active", "revoked"]},
        "request": GRANT_REQUEST,
        "requester": {"type": "string"},
        "sessionArn": {"type": "string"},
        "statement": {"type": "object"},
        "createdAt": {"type": "string"},
        "revokedAt": {"type": "string"},
        "revokedBy": {"type": "string"},
    },
}
OUTCOME: dict[str, Any] = {
    "type": "object",
    "required": ["grant", "changed"],
    "properties": {
        "grant": GRANT,
        "changed": {"type": "boolean"},
        "restoration": {"type": "string", "enum": ["exact", "statement-removed"]},
    },
}


def grants_paths(problem: dict[str, Any]) -> dict[str, Any]:
    """The `/v1/grants` paths, with `problem` the schema of every refusal."""
    refusal = {"content": {"application/json": {"schema": problem}}}
    signed: list[dict[str, list[str]]] = [{"sigv4": []}]

    def answers(ok: dict[str, Any]) -> dict[str, Any]:
        return {
            **ok,
            "400": {"description": "not JSON, or not a grant request", **refusal},
            "403": {"description": "not signed, a signature that does not match, or not permitted", **refusal},
            "404": {"description": "no such grant of the caller's, or no such resource", **refusal},
            "409": {"description": "revoked already, or a conflicting statement", **refusal},
            "413": {"description": "a body over 1 MiB", **refusal},
            "422": {"description": "the new policy would not pass the validator", **refusal},
            "503": {"description": "the orchestrator has no settings loaded", **refusal},
        }

    def body(schema: dict[str, Any], description: str) -> dict[str, Any]:
        return {"description": description, "content": {"application/json": {"schema": schema}}}

    return {
        "/v1/grants": {
            "post": {
                "summary": "Ask the orchestrator for a grant on a shared resource's policy",
                "security": signed,
                "requestBody": {"required": True, "content": {"application/json": {"schema": GRANT_REQUEST}}},
                "responses": answers(
                    {"201": body(OUTCOME, "granted: the policy changed"), "200": body(OUTCOME, "already granted")}
                ),
            },
            "get": {
                "summary": "The caller's grants",
                "security": signed,
                "parameters": [{"name": "includeRevoked", "in": "query", "schema": {"type": "boolean"}}],
                "responses": answers(
                    {
                        "200": body(
                            {
                                "type": "object",
                                "required": ["grants"],
                                "properties": {"grants": {"type": "array", "items": GRANT}},
                            },
                            "the grants",
                        )
                    }
                ),
            },
        },
        "/v1/grants/{grant_id}": {
            "delete": {
                "summary": "Revoke one of the caller's grants, restoring the policy it changed",
                "security": signed,
                "parameters": [{"name": "grant_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": answers({"200": body(OUTCOME, "revoked")}),
            }
        },
    }
