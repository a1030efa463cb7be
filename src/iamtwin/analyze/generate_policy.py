"""A least-privilege identity policy from a principal's activity in the trail, like Access Analyzer's policy generation.

Access Analyzer reads a user's or role's CloudTrail events over a window and writes a policy of the
actions it used (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html).
Here the policy holds exactly the allowed calls of the window (a denied call was never a permission
the principal had): per service, the resources used are grouped by the set of actions used on each,
one statement per group, with the exact ARNs the calls used; `*` stands only for actions without a
resource type in the catalogue, or whose optional resource types the call did not name. The output
is sorted, so the same trail always gives the same text, and it is run through the validator, whose
findings come with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..audit.event import cloudtrail_time
from ..audit.store import AuditStore
from ..errors import IamtwinError
from ..validate import Finding, FindingType, PolicySource, PolicyType, ValidateOptions, check_policy
from ..world.stored import World
from .usage import Call, principal_calls

POLICY_VERSION = "2012-10-17"
GENERATED_FILE = "generated-policy.json"
_PRINCIPAL = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):(user|role)/(?:[^/]+/)*([^/]+)$")


class InvalidPrincipal(IamtwinError):
    """The principal is not an IAM user or role ARN."""

    code = "ANALYZE_INVALID_PRINCIPAL"


class UnknownPrincipal(IamtwinError):
    """The world holds no user or role with that ARN."""

    code = "ANALYZE_UNKNOWN_PRINCIPAL"


class NoActivity(IamtwinError):
    """The principal made no allowed call in the window, so there is nothing to grant."""

    code = "ANALYZE_NO_ACTIVITY"


@dataclass(frozen=True, slots=True)
class GeneratedPolicy:
    """The policy written from the window's allowed calls, what was left out, and the validator's findings."""

    principal: str
    since: datetime | None
    until: datetime | None
    document: Mapping[str, Any]
    allowed_calls: int
    denied_calls: int
    unknown_actions: tuple[str, ...]
    findings: tuple[Finding, ...]

    @property
    def valid(self) -> bool:
        """Whether the validator found no ERROR in the policy."""
        return not any(f.finding_type is FindingType.ERROR for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "principal": self.principal,
            "since": None if self.since is None else cloudtrail_time(self.since),
            "until": None if self.until is None else cloudtrail_time(self.until),
            "policy": self.document,
            "allowedCalls": self.allowed_calls,
            "deniedCallsLeftOut": self.denied_calls,
            "unknownActions": list(self.unknown_actions),
            "valid": self.valid,
            "findings": [f.to_dict() for f in self.findings],
        }


def require_principal(world: World, arn: str) -> str:
    """The account of a user or role ARN the world holds; a coded error otherwise."""
    match = _PRINCIPAL.match(arn)
    if match is None:
        raise InvalidPrincipal(f"`{arn}` is not an IAM user or role ARN")
    account, kind, name = match.group(2), match.group(3), match.group(4)
    entity = world.view.user(account, name) if kind == "user" else world.view.role(account, name)
    if entity is None or entity.arn != arn:
        raise UnknownPrincipal(f"the world holds no {kind} `{arn}`")
    return account


def _sid(service: str, number: int) -> str:
    # A Sid is alphanumeric: `access-analyzer` gives `AccessAnalyzer1`.
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", service) if part) + str(number)


def policy_document(calls: Iterable[Call]) -> dict[str, Any]:
    """The identity policy granting exactly the allowed calls: per service, resources grouped by their actions."""
    used: dict[str, dict[str, set[str]]] = {}  # service -> resource -> actions used on it
    for call in calls:
        if not call.allowed or not call.known_action:
            continue
        by_resource = used.setdefault(call.service, {})
        for resource in call.resources:
            by_resource.setdefault(resource, set()).add(call.action)
    statements: list[dict[str, Any]] = []
    for service in sorted(used):
        groups: dict[tuple[str, ...], list[str]] = {}
        for resource, used_on in used[service].items():
            groups.setdefault(tuple(sorted(used_on)), []).append(resource)
        ordered = sorted((actions, sorted(resources)) for actions, resources in groups.items())
        for number, (actions, resources) in enumerate(ordered, 1):
            statements.append(
                {"Sid": _sid(service, number), "Effect": "Allow", "Action": list(actions), "Resource": resources}
            )
    return {"Version": POLICY_VERSION, "Statement": statements}


def validation_findings(document: Mapping[str, Any], account: str) -> tuple[Finding, ...]:
    """The validator's findings on the policy, as an identity policy of the principal's account."""
    source = PolicySource(GENERATED_FILE, dict(document), PolicyType.IDENTITY, text=json.dumps(document, indent=2))
    return tuple(check_policy(source, ValidateOptions(account_id=account)))


def generate_policy(
    world: World, store: AuditStore, principal: str, since: datetime | None = None, until: datetime | None = None
) -> GeneratedPolicy:
    """The least-privilege policy of a user or role from its calls with since <= eventTime < until."""
    account = require_principal(world, principal)
    calls = list(principal_calls(store, principal, since, until))
    allowed = [c for c in calls if c.allowed]
    unknown = tuple(sorted({c.action for c in allowed if not c.known_action}))
    if not any(c.known_action for c in allowed):
        raise NoActivity(f"`{principal}` made no allowed call of a known action in the window")
    document = policy_document(allowed)
    return GeneratedPolicy(
        principal,
        since,
        until,
        document,
        len(allowed),
        len(calls) - len(allowed),
        unknown,
        validation_findings(document, account),
    )
