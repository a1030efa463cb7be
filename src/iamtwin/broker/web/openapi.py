"""The OpenAPI 3.1 document of the broker's REST API (https://spec.openapis.org/oas/v3.1.0)."""

from __future__ import annotations

from typing import Any

from ... import __version__

_ERROR = {"$ref": "#/components/responses/Error"}
_UNREVIEWED = {"type": "array", "items": {"$ref": "#/components/schemas/BreakGlassUse"}}
_REQUEST_ID = {"name": "request_id", "in": "path", "required": True, "schema": {"type": "string"}}


def _op(
    summary: str, ok: str, schema: str | None = None, *, body: str | None = None, params: list[Any] | None = None
) -> dict[str, Any]:
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}} if schema else {}
    operation: dict[str, Any] = {
        "summary": summary,
        "parameters": params or [],
        "responses": {ok: {"description": "done", **({"content": content} if content else {})}, "default": _ERROR},
    }
    if body is not None:
        operation["requestBody"] = {
            "required": body in ("Ask", "ReviewInput"),
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}},
        }
    return operation


def _decision(verb: str) -> dict[str, Any]:
    return {
        "post": _op(
            f"{verb} the request (only `reason` is read from the body; the stored request decides the rest)",
            "200",
            "Request",
            body="Reason",
            params=[_REQUEST_ID],
        )
    }


def _history() -> dict[str, Any]:
    operation = _op(
        "The whole history, for auditors: one row per event (`format`: json, jsonl or csv)",
        "200",
        "History",
        params=[
            {"name": n, "in": "query", "schema": {"type": "string"}}
            for n in ("requester", "account", "role", "state", "since", "until")
        ],
    )
    operation["parameters"].append({"name": "format", "in": "query", "schema": {"enum": ["json", "jsonl", "csv"]}})
    content = operation["responses"]["200"]["content"]
    content["application/jsonl"] = {"schema": {"type": "string"}}
    content["text/csv"] = {"schema": {"type": "string"}}
    return operation


def openapi_document(server_url: str) -> dict[str, Any]:
    """The document, naming this server."""
    string, nullable = {"type": "string"}, {"type": ["string", "null"]}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "iamtwin elevated access broker",
            "version": __version__,
            "description": "Requests, approvals and time-bound sessions. Authenticate with `Authorization: Bearer "
            "<OIDC ID token>`, or with the session cookie plus `X-CSRF-Token` on POST.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": {
            "/api/v1/me": {"get": _op("Who the caller is, their groups and attributes", "200", "Me")},
            "/api/v1/requests": {
                "get": _op(
                    "Requests the caller may see, unreviewed break-glass uses first (`view=review`: those the caller "
                    "could approve or review)",
                    "200",
                    "RequestList",
                    params=[
                        {"name": "view", "in": "query", "schema": {"enum": ["visible", "review"]}},
                        {"name": "state", "in": "query", "schema": {"$ref": "#/components/schemas/State"}},
                    ],
                ),
                "post": _op("Ask for a role in an account for a while", "201", "Request", body="Ask"),
            },
            "/api/v1/requests/{request_id}": {
                "get": _op("A request with its events and sessions", "200", "RequestDetail", params=[_REQUEST_ID])
            },
            "/api/v1/requests/{request_id}/approve": _decision("Approve"),
            "/api/v1/requests/{request_id}/reject": _decision("Reject"),
            "/api/v1/requests/{request_id}/cancel": _decision("Cancel"),
            "/api/v1/requests/{request_id}/revoke": _decision("Revoke"),
            "/api/v1/requests/{request_id}/review": {
                "post": _op(
                    "Review a break-glass use after the fact (one who could have approved it, never its user)",
                    "200",
                    "Review",
                    body="ReviewInput",
                    params=[_REQUEST_ID],
                )
            },
            "/api/v1/requests/{request_id}/sessions": {
                "post": _op(
                    "Start a session (the requester, inside the window)", "201", "Credentials", params=[_REQUEST_ID]
                )
            },
            "/api/v1/requests/{request_id}/simulation": {
                "get": _op(
                    "What the role can do and what the scope narrows it to", "200", "Simulation", params=[_REQUEST_ID]
                )
            },
            "/api/v1/history": {"get": _history()},
        },
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (OIDC ID token)"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "iamtwin_broker_session"},
            },
            "responses": {
                "Error": {
                    "description": "refused, with a stable code",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            },
            "schemas": {
                "State": {
                    "enum": ["pending", "approved", "rejected", "cancelled", "expired", "active", "ended", "revoked"]
                },
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "object", "properties": {"code": string, "message": string}}},
                },
                "Me": {
                    "type": "object",
                    "properties": {
                        "subject": string,
                        "groups": {"type": "array", "items": string},
                        "attributes": {"type": "object", "additionalProperties": string},
                        "auditor": {"type": "boolean"},
                        "csrfToken": nullable,
                    },
                },
                "Ask": {
                    "type": "object",
                    "required": ["account", "role", "durationSeconds", "justification"],
                    "properties": {
                        "account": {"type": "string", "pattern": "^[0-9]{12}$"},
                        "role": string,
                        "durationSeconds": {"type": ["integer", "string"], "description": "seconds, or 30m, 2h"},
                        "justification": string,
                        "scope": nullable,
                        "ticket": nullable,
                        "start": {"type": ["string", "null"], "format": "date-time"},
                        "breakGlass": {"type": "boolean"},
                    },
                },
                "Reason": {"type": "object", "properties": {"reason": string}},
                "Request": {
                    "type": "object",
                    "properties": {
                        **{
                            k: string
                            for k in (
                                "id",
                                "requester",
                                "account",
                                "role",
                                "roleArn",
                                "justification",
                                "rule",
                                "approvalRule",
                            )
                        },
                        **{k: nullable for k in ("scope", "ticket", "scheduledStart", "windowStart", "windowEnd")},
                        "createdAt": {"type": "string", "format": "date-time"},
                        "pendingUntil": {"type": "string", "format": "date-time"},
                        "durationSeconds": {"type": "integer"},
                        "breakGlass": {"type": "boolean"},
                        "state": {"$ref": "#/components/schemas/State"},
                    },
                },
                "RequestList": {
                    "type": "object",
                    "properties": {
                        "unreviewedBreakGlass": _UNREVIEWED,
                        "requests": {
                            "type": "array",
                            "items": {
                                "allOf": [
                                    {"$ref": "#/components/schemas/Request"},
                                    {"type": "object", "properties": {"unreviewedBreakGlass": {"type": "boolean"}}},
                                ]
                            },
                        },
                    },
                },
                "ReviewInput": {
                    "type": "object",
                    "required": ["outcome", "comment"],
                    "properties": {"outcome": {"enum": ["justified", "unjustified"]}, "comment": string},
                },
                "Review": {
                    "type": "object",
                    "properties": {
                        **{k: string for k in ("requestId", "usedBy", "comment")},
                        "usedAt": {"type": "string", "format": "date-time"},
                        "reviewer": nullable,
                        "reviewedAt": {"type": ["string", "null"], "format": "date-time"},
                        "outcome": {"enum": ["justified", "unjustified", None]},
                    },
                },
                "BreakGlassUse": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Review"},
                        {
                            "type": "object",
                            "properties": {
                                **{k: string for k in ("account", "role", "roleArn", "justification")},
                                "state": {"$ref": "#/components/schemas/State"},
                            },
                        },
                    ]
                },
                "RequestDetail": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Request"},
                        {
                            "type": "object",
                            "properties": {
                                "events": {"type": "array", "items": {"type": "object"}},
                                "sessions": {"type": "array", "items": {"type": "object"}},
                                "breakGlassReview": {
                                    "oneOf": [{"$ref": "#/components/schemas/Review"}, {"type": "null"}]
                                },
                            },
                        },
                    ]
                },
                "Credentials": {
                    "type": "object",
                    "properties": {
                        "Version": {"const": 1},
                        **{
                            k: string
                            for k in ("AccessKeyId", "SecretAccessKey", "SessionToken", "AssumedRoleArn", "SessionName")
                        },
                        "SourceIdentity": string,
                        "Expiration": {"type": "string", "format": "date-time"},
                    },
                },
                "Simulation": {
                    "type": "object",
                    "properties": {
                        "roleArn": string,
                        "scope": nullable,
                        "actionsDecided": {"type": "integer"},
                        "truncated": {"type": "boolean"},
                        "counts": {"type": "array", "items": {"type": "object"}},
                        "removedByScope": {"type": "array", "items": string},
                        "removedCount": {"type": "integer"},
                    },
                },
                "History": {
                    "type": "object",
                    "properties": {
                        "unreviewedBreakGlass": _UNREVIEWED,
                        "events": {"type": "array", "items": {"type": "object"}},
                    },
                },
            },
        },
    }
