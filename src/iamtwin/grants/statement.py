"""The statement a grant adds, its deterministic Sid, and the policy with and without it.

The statement is the one Lambda's AddPermission writes for a service with a source
(https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html): the service as
`Principal`, the actions, the function as `Resource`, and the confused-deputy conditions
`ArnLike aws:SourceArn` (a pattern: `…:a1b2c3/*` covers every stage and route of the API) and
`StringEquals aws:SourceAccount`. The Sid is a hash of the request, so the same request always
names the same statement: asking twice finds it and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from .model import GrantRequest

SID_PREFIX = "iamtwin-grant-"
POLICY_VERSION = "2012-10-17"


def grant_sid(request: GrantRequest) -> str:
    """`iamtwin-grant-` and 16 hex digits of the SHA-256 of the request's canonical JSON."""
    canonical = json.dumps(request.to_json(), sort_keys=True, separators=(",", ":"))
    return SID_PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def grant_statement(request: GrantRequest) -> dict[str, Any]:
    """The policy statement granting the request."""
    return {
        "Sid": grant_sid(request),
        "Effect": "Allow",
        "Principal": {"Service": request.principal},
        "Action": request.actions[0] if len(request.actions) == 1 else list(request.actions),
        "Resource": request.resource,
        "Condition": {
            "ArnLike": {"aws:SourceArn": request.source_arn},
            "StringEquals": {"aws:SourceAccount": request.source_account},
        },
    }


def _statements(policy: Mapping[str, Any]) -> list[Any]:
    found = policy.get("Statement", [])
    return list(found) if isinstance(found, list) else [found]


def find_statement(policy: Mapping[str, Any] | None, sid: str) -> Mapping[str, Any] | None:
    """The statement of `policy` with this Sid, if any."""
    if policy is None:
        return None
    for statement in _statements(policy):
        if isinstance(statement, Mapping) and statement.get("Sid") == sid:
            return statement
    return None


def with_statement(policy: Mapping[str, Any] | None, statement: Mapping[str, Any]) -> dict[str, Any]:
    """The policy with `statement` appended (a new policy holding only it when there was none)."""
    if policy is None:
        return {"Version": POLICY_VERSION, "Statement": [dict(statement)]}
    out = dict(policy)  # keeps the policy's own keys, in their order (Version, Id, Statement)
    out["Statement"] = [*_statements(policy), dict(statement)]
    return out


def without_statement(policy: Mapping[str, Any], sid: str) -> dict[str, Any] | None:
    """The policy without the statement of this Sid; None when no statement is left (Lambda drops the policy)."""
    kept = [s for s in _statements(policy) if not (isinstance(s, Mapping) and s.get("Sid") == sid)]
    if not kept:
        return None
    out = dict(policy)
    out["Statement"] = kept
    return out
