"""The OpenAPI 3.1 document of the decision API, served at `/openapi.json`.

It states what `decision_api.py` accepts and answers, every status included, so a client generator
or a schema-driven tester (the test suite runs Schemathesis against it) sees the real contract.
"""

from __future__ import annotations

from typing import Any

from .grants_openapi import grants_paths

_SCALAR = {"type": ["string", "number", "boolean"]}

# One call: an IAM action (and resource), or an API gateway call mapped to `execute-api:Invoke`.
_CALL: dict[str, Any] = {
    "type": "object",
    "properties": {
        "action": {"type": "string", "example": "execute-api:Invoke", "description": "service:Action"},
        "resource": {"type": "string", "description": "the resource ARN; omitted for actions on `*`"},
        "context": {
            "type": "object",
            "description": "condition keys and their values (a string, number or boolean, or a list of them)",
            "additionalProperties": {"anyOf": [_SCALAR, {"type": "array", "items": _SCALAR}]},
        },
        "source_ip": {"type": "string", "example": "192.0.2.15", "description": "becomes `aws:SourceIp`"},
        "method": {"type": "string", "example": "GET", "description": "with path, stage, api_id: a gateway call"},
        "path": {"type": "string", "example": "/petstore/v1/pets"},
        "stage": {"type": "string", "example": "prod"},
        "api_id": {"type": "string", "example": "a1b2c3d4e5"},
        "region": {"type": "string", "example": "us-east-1"},
        "account": {"type": "string", "example": "123456789012"},
    },
    "anyOf": [{"required": ["action"]}, {"required": ["method", "path", "stage", "api_id"]}],
}
_STATEMENT_REF = {
    "type": "object",
    "properties": {
        "policy_type": {"type": "string"},
        "policy_id": {"type": "string"},
        "statement_index": {"type": "integer"},
        "sid": {"type": ["string", "null"]},
        "effect": {"type": "string", "enum": ["Allow", "Deny"]},
    },
}
_REASONS = {
    "type": "object",
    "description": "the decision with its reasons, as `iamtwin simulate --format json` prints it",
    "required": ["decision", "blocked_by", "matched", "analyses", "missing_context_keys", "errors"],
    "properties": {
        "decision": {"type": "string", "enum": ["Allowed", "ExplicitDeny", "ImplicitDeny"]},
        "blocked_by": {"type": "array", "items": {"type": "string"}},
        "blocking_policies": {"type": "array", "items": {"type": "string"}},
        "matched": {"type": "array", "items": _STATEMENT_REF},
        "message": {"type": ["string", "null"]},
        "analyses": {"type": "object", "additionalProperties": {"type": "object"}},
        "explanations": {"type": "array", "items": {"type": "object"}},
        "missing_context_keys": {"type": "array", "items": {"type": "string"}},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}
_ANSWER: dict[str, Any] = {
    "type": "object",
    "required": ["decision", "allowed", "message", "reasons"],
    "properties": {
        "decision": {"type": "string", "enum": ["Allowed", "ExplicitDeny", "ImplicitDeny"]},
        "allowed": {"type": "boolean"},
        "message": {"type": ["string", "null"], "description": "AWS's access-denied message, on a denial"},
        "reasons": _REASONS,
    },
}
_PROBLEM = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "example": "INVALID_AUTHORIZE_REQUEST"},
        "message": {"type": "string"},
        "path": {"type": "string"},
        "line": {"type": ["integer", "null"]},
        "column": {"type": ["integer", "null"]},
        "reason": {"type": "string"},
    },
}


def _operation(summary: str, request: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    problem = {"content": {"application/json": {"schema": _PROBLEM}}}
    return {
        "post": {
            "summary": summary,
            "security": [{"bearer": []}, {"sigv4": []}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": request}}},
            "responses": {
                "200": {"description": "decided", "content": {"application/json": {"schema": response}}},
                "400": {"description": "not JSON, or not a call iamtwin can decide", **problem},
                "401": {"description": "no token, or one the provider did not sign or that expired", **problem},
                "403": {"description": "a SigV4 signature that does not match", **problem},
                "413": {"description": "a body over 1 MiB", **problem},
            },
        }
    }


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "iamtwin API: decisions and grants", "version": "1"},
    "paths": {
        "/v1/authorize": _operation("Decide one call", _CALL, _ANSWER),
        "/v1/authorize/batch": _operation(
            "Decide many calls (at most 1000)",
            {
                "type": "object",
                "required": ["requests"],
                "properties": {"requests": {"type": "array", "items": _CALL, "maxItems": 1000}},
            },
            {
                "type": "object",
                "required": ["results"],
                "properties": {"results": {"type": "array", "items": _ANSWER}},
            },
        ),
        **grants_paths(_PROBLEM),
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            "sigv4": {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "an AWS Signature Version 4 of iamtwin-issued credentials",
            },
        }
    },
}
