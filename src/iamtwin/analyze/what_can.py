"""`what-can`: the actions and resources a principal may use, and under which conditions.

The pairs decided come from the principal's identity policies (each Allow statement's Action patterns
expanded against the catalogue, NotAction as every other action of the catalogue, times its Resource
patterns) and from the resource policies of the world that name the principal itself, its role or `*`
(a same-account grant needs no identity policy). A Resource pattern stands for the world's resources it matches (of
a type the action acts on) and, when it has wildcards, for the others it matches: the pattern itself is
decided as the resource, so a boundary or SCP narrower than the pattern shows as denied there while
the world's resources it allows are listed one by one.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import catalog
from ..evaluate.compiled import CompiledPolicy
from ..evaluate.decision import GrantKind, PolicyType
from ..evaluate.principal import parse_principal
from ..policy.arn import compile_arn_pattern, parse_arn
from ..policy.model import Statement
from ..policy.parse import parse_policy
from ..policy.patterns import has_wildcard
from .access_model import Access, AccessQueryError, QueryPrincipal, WhatCanAnswer
from .access_world import AccessWorld

# Grants that need no identity policy in the same account; an account grant adds nothing the identity
# policies do not already list.
_DIRECT_GRANTS = frozenset({GrantKind.DIRECT, GrantKind.ROLE, GrantKind.EVERYONE})
_ANY_ACTION = "sts:GetCallerIdentity"  # gathering identity policies needs some action; they do not depend on it


def what_can(world: AccessWorld, principal: str, *, service: str | None = None) -> WhatCanAnswer:
    """The (action, resource) pairs `principal` may use, optionally only those of one service prefix."""
    who = _principal(world, principal)
    prefix = service.lower() if service else None
    if prefix is not None and catalog.service(prefix) is None:
        raise AccessQueryError(f"`{service}` is not a service prefix of the catalogue", code="UNKNOWN_SERVICE")
    pairs: dict[tuple[str, str], None] = {}
    assembly = world.evaluator.assembler.assemble(who.arn, _ANY_ACTION, None, {})
    expansions = _Expansions(world, prefix)
    for _, document in assembly.identity:
        for statement in parse_policy(document).statements:
            if statement.effect.value != "Allow":
                continue
            for action in expansions.actions(statement):
                for resource in expansions.resources(statement, action):
                    pairs[(action, resource)] = None
    for holder, statement in _naming_resource_policies(world, who):
        # The statement's own Resource patterns (objects of a bucket); `*` or none means the holder itself.
        patterns = [p for p in statement.resource or () if p != "*"] or [holder]
        for action in expansions.actions(statement):
            for resource in patterns:
                pairs[(action, resource)] = None
    accesses: list[Access] = []
    for action, resource in pairs:
        found = world.evaluator.access(who, action, resource)
        if found.allowed:
            accesses.append(found)
    accesses.sort(key=lambda a: (a.action.lower(), a.resource or "", a.verdict.value))
    return WhatCanAnswer(who, tuple(accesses), len(pairs))


def _principal(world: AccessWorld, arn: str) -> QueryPrincipal:
    for candidate in world.index.principals:
        if candidate.arn == arn:
            return candidate
    raise AccessQueryError(f"`{arn}` is not a user or role of the world", code="UNKNOWN_PRINCIPAL")


class _Expansions:
    """Action and resource patterns expanded once each: against the catalogue and the world's resources."""

    def __init__(self, world: AccessWorld, prefix: str | None) -> None:
        self.prefix = prefix
        self.world = world
        self._actions: dict[str, tuple[str, ...]] = {}
        self._resources: dict[str, tuple[tuple[str, str], ...]] = {}  # pattern -> (service, arn)

    def _matching(self, pattern: str) -> tuple[str, ...]:
        found = self._actions.get(pattern)
        if found is None:
            found = tuple(
                a.full_name
                for a in catalog.actions_matching(pattern)
                if self.prefix is None or a.service.lower() == self.prefix
            )
            self._actions[pattern] = found
        return found

    def actions(self, statement: Statement) -> tuple[str, ...]:
        """The catalogue's actions the statement's Action (or NotAction) element covers."""
        if statement.action is not None:
            return tuple(dict.fromkeys(a for p in statement.action for a in self._matching(p)))
        excluded = {a for p in statement.not_action or () for a in self._matching(p)}
        return tuple(a for a in self._matching("*") if a not in excluded)

    def resources(self, statement: Statement, action: str) -> Iterable[str]:
        """The resources to decide for an action of the statement: world resources and wildcard patterns."""
        patterns = statement.resource if statement.resource is not None else ("*",)
        service = action.split(":", 1)[0].lower()
        for pattern in patterns:
            if not has_wildcard(pattern):
                yield pattern
                continue
            for owner_service, arn in self._world_matches(pattern):
                # Only resources of a type the action acts on (not a bucket for s3:GetObject).
                if owner_service == service and catalog.match_resource_type(action, arn) is not None:
                    yield arn
            yield pattern

    def _world_matches(self, pattern: str) -> tuple[tuple[str, str], ...]:
        found = self._resources.get(pattern)
        if found is None:
            rx = compile_arn_pattern(pattern) if pattern != "*" else None
            out = []
            for arn in self.world.view.resources:
                parsed = parse_arn(arn)
                if parsed is None or (pattern != "*" and (rx is None or rx.fullmatch(arn) is None)):
                    continue
                out.append((parsed.service.lower(), arn))
            found = self._resources[pattern] = tuple(out)
        return found


def _naming_resource_policies(world: AccessWorld, who: QueryPrincipal) -> Iterable[tuple[str, Statement]]:
    """Allow statements of the world's resource policies that name the principal itself, its role, or `*`."""
    principal = parse_principal(who.arn)
    for account in world.model.accounts.values():
        for resource in account.resources:
            if resource.policy is None:
                continue
            policy = CompiledPolicy(PolicyType.RESOURCE, resource.arn, parse_policy(resource.policy))
            for st in policy.statements:
                if st.deny or st.principal is None:
                    continue
                if st.principal.match(principal) in _DIRECT_GRANTS:
                    yield resource.arn, st.statement
