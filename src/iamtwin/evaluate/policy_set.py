"""The compiled policies that govern a request, grouped by policy type, with a plan per action."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .compiled import CompiledPolicy, CompiledStatement
from .decision import PolicyType

Plan = tuple[CompiledStatement, ...]


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Every policy in effect for a principal and resource; None means the type is not in effect.

    `scps` and `rcps` are levels, root first and account last; every level must allow.
    """

    identity: tuple[CompiledPolicy, ...] = ()
    permissions_boundary: CompiledPolicy | None = None
    session: tuple[CompiledPolicy, ...] | None = None
    resource: CompiledPolicy | None = None
    scps: tuple[tuple[CompiledPolicy, ...], ...] | None = None
    rcps: tuple[tuple[CompiledPolicy, ...], ...] | None = None
    vpc_endpoint: tuple[CompiledPolicy, ...] | None = None
    principal_is_service_linked_role: bool = False
    principal_in_management_account: bool = False
    resource_in_management_account: bool = False
    # Which types apply depends only on the principal kind and the service: memoized per pair.
    applicability: dict[tuple[Any, str], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    _plans: dict[tuple[str, frozenset[PolicyType]], Plan] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    # What a decision needs before it looks at the request's values (active types, exemptions, the
    # plan) depends only on the principal kind and the action: memoized per pair (see applicability.py).
    routes: dict[tuple[Any, str], Any] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def policies_of(self, policy_type: PolicyType) -> tuple[CompiledPolicy, ...]:
        """The policies of one type, in evaluation order (chains flattened root first)."""
        if policy_type is PolicyType.RCP:
            return tuple(p for level in self.rcps or () for p in level)
        if policy_type is PolicyType.SCP:
            return tuple(p for level in self.scps or () for p in level)
        if policy_type is PolicyType.VPC_ENDPOINT:
            return self.vpc_endpoint or ()
        if policy_type is PolicyType.RESOURCE:
            return (self.resource,) if self.resource is not None else ()
        if policy_type is PolicyType.IDENTITY:
            return self.identity
        if policy_type is PolicyType.PERMISSIONS_BOUNDARY:
            return (self.permissions_boundary,) if self.permissions_boundary is not None else ()
        return self.session or ()

    def _statements(self, active: frozenset[PolicyType]) -> Iterator[CompiledPolicy]:
        for policy_type in PolicyType:
            if policy_type in active:
                yield from self.policies_of(policy_type)

    def plan(self, action_lower: str, active: frozenset[PolicyType]) -> Plan:
        """Every statement of the active types whose Action covers the action, in evaluation order.

        Built once per action from each policy's action index; the decision loop then walks one tuple.
        """
        key = (action_lower, active)
        found = self._plans.get(key)
        if found is None:
            found = tuple(st for policy in self._statements(active) for st in policy.candidates(action_lower))
            if len(self._plans) < 8192:
                self._plans[key] = found
        return found
