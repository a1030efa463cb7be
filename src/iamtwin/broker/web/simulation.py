"""What the target role can do, and what a request's scope narrows it to, decided by the engine over the stored world.

For a reviewer deciding a request: every action named by the role's allowing policies or by the
scope's session policy (wildcards expanded through the service catalogue) is decided twice for the
role, as the world holds it (identity policies, boundary, SCPs and RCPs of its account), once
without and once with the scope as the session's policy. A session's permissions are the
intersection of the role's and the session policy's
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session).
Each action is decided on the resources the role's policies name (`*` included), and counts as
allowed when it is allowed on one of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ... import catalog
from ...evaluate.decision import Outcome
from ...simulate import Simulator
from ...world.stored import World

# Enough to show a reviewer the shape of the access without deciding the whole catalogue.
MAX_ACTIONS = 600
MAX_LISTED = 40


@dataclass(frozen=True, slots=True)
class AccessCount:
    """How many actions of a service at one access level the role allows, and how many with the scope."""

    service: str
    access_level: str
    role: int
    scoped: int


@dataclass(frozen=True, slots=True)
class ScopeSimulation:
    """The role's access, the scope's narrowing of it, and how many (and the first few) actions the scope takes away."""

    role_arn: str
    scope: str | None
    actions_decided: int
    counts: tuple[AccessCount, ...]
    removed_by_scope: tuple[str, ...]
    removed_count: int
    truncated: bool


def _statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = document.get("Statement", [])
    items = raw if isinstance(raw, list) else [raw]
    return [s for s in items if isinstance(s, Mapping)]


def _values(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _allowing(documents: Iterable[Mapping[str, Any]]) -> tuple[list[str], list[str]]:
    """The action patterns and resources named by Allow statements."""
    actions: list[str] = []
    resources: list[str] = []
    for document in documents:
        for statement in _statements(document):
            if statement.get("Effect") == "Allow":
                actions.extend(_values(statement.get("Action")))
                resources.extend(_values(statement.get("Resource")))
    return actions, resources


def _documents(entries: Any) -> list[Mapping[str, Any]]:
    return [e["document"] for e in entries or [] if isinstance(e, Mapping) and isinstance(e.get("document"), Mapping)]


def simulate_scope(
    world: World, role_arn: str, scope: str | None, session_policy: Mapping[str, Any] | None
) -> ScopeSimulation:
    """Decide the role's actions without and with the scope's session policy."""
    base = world.simulation_input(role_arn, "sts:GetCallerIdentity", "*")
    role_actions, resources = _allowing(_documents(base["identity_policies"]))
    scope_actions, _ = _allowing([session_policy] if session_policy is not None else [])
    names: dict[str, catalog.Action] = {}
    for pattern in [*role_actions, *scope_actions]:
        for found in catalog.actions_matching(pattern):
            names.setdefault(found.full_name.lower(), found)
    chosen = sorted(names.values(), key=lambda a: a.full_name.lower())
    truncated = len(chosen) > MAX_ACTIONS
    chosen = chosen[:MAX_ACTIONS]
    policies = {k: v for k, v in base.items() if k != "request"}
    unscoped = Simulator({**policies, "session_policies": None}, clock=world.clock)
    scoped = Simulator(
        {
            **policies,
            "session_policies": None
            if session_policy is None
            else [{"id": f"scope:{scope}", "document": session_policy}],
        },
        clock=world.clock,
    )
    targets = sorted(set(resources) or {"*"})
    request = {k: v for k, v in base["request"].items() if k not in ("action", "resource", "resource_account")}
    role_counts: Counter[tuple[str, str]] = Counter()
    scoped_counts: Counter[tuple[str, str]] = Counter()
    removed: list[str] = []
    for action in chosen:
        key = (action.service, action.access_level.value)
        allowed_role = _allowed_somewhere(unscoped, request, action.full_name, targets)
        allowed_scoped = allowed_role and _allowed_somewhere(scoped, request, action.full_name, targets)
        role_counts[key] += allowed_role
        scoped_counts[key] += allowed_scoped
        if allowed_role and not allowed_scoped:
            removed.append(action.full_name)
    counts = tuple(
        AccessCount(service, level, role_counts[(service, level)], scoped_counts[(service, level)])
        for service, level in sorted(role_counts)
        if role_counts[(service, level)]
    )
    return ScopeSimulation(role_arn, scope, len(chosen), counts, tuple(removed[:MAX_LISTED]), len(removed), truncated)


def _allowed_somewhere(simulator: Simulator, request: Mapping[str, Any], action: str, resources: list[str]) -> bool:
    for resource in resources:
        decision = simulator.decide({**request, "action": action, "resource": resource})
        if decision.outcome == Outcome.ALLOWED:
            return True
    return False
