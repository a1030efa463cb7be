"""The compiled policies that govern a request, grouped by policy type."""

from __future__ import annotations

from dataclasses import dataclass

from .compiled import CompiledPolicy


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
