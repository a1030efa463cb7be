"""A policy set with chosen statements forced: applying without their open conditions, or removed.

Who-can leaves some conditions open (see `open_keys.py`); a statement testing them is an
`OpenStatement`. To learn what the engine decides when such statements apply or not, each policy
holding one is rebuilt with the statement's open conditions taken out (it applies whenever the rest
of it does) or with the statement left out (it never applies), and the engine decides as usual.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from ..evaluate.compiled import CompiledPolicy, CompiledStatement
from ..evaluate.decision import Decision
from ..evaluate.engine import decide
from ..evaluate.policy_set import PolicySet
from ..evaluate.request import Request
from ..policy.model import Condition
from .access_model import SymbolicCondition


@dataclasses.dataclass(frozen=True, slots=True)
class OpenStatement:
    """A statement whose applying depends on open conditions, with the indexes of those conditions."""

    statement: CompiledStatement
    open_indexes: tuple[int, ...]

    def models(self) -> tuple[Condition, ...]:
        """The open conditions as the policy states them."""
        models = self.statement.statement.conditions
        return tuple(models[i] for i in self.open_indexes)

    def conditions(self) -> tuple[SymbolicCondition, ...]:
        """The open conditions as data."""
        models = self.statement.statement.conditions
        ref = self.statement.ref
        return tuple(
            SymbolicCondition(models[i].operator, models[i].key, models[i].values, ref) for i in self.open_indexes
        )


@dataclasses.dataclass(frozen=True, slots=True)
class _Forcing:
    """How one policy is forced: statement index -> open condition indexes to strip; indexes to remove."""

    bare: dict[int, tuple[int, ...]]
    dropped: set[int]


class ForcedPolicies:
    """Decides with open statements forced, keeping each forced variant of a policy once."""

    def __init__(self) -> None:
        # Keyed by id(policy): the policies forced are compiled once by the evaluator and live as long as it.
        self._variants: dict[tuple[int, frozenset[tuple[int, tuple[int, ...]]], frozenset[int]], CompiledPolicy] = {}

    def decide(
        self,
        policies: PolicySet,
        request: Request,
        allows: list[OpenStatement],
        denies: list[OpenStatement],
        true_allows: frozenset[int],
        true_denies: frozenset[int],
    ) -> Decision:
        """The engine's decision with the chosen open statements applying and the others not."""
        if not allows and not denies:
            return decide(policies, request)
        forced: dict[int, _Forcing] = {}  # by id(policy)
        owners: dict[int, CompiledPolicy] = {}
        for index, variable in enumerate(allows):
            _force(forced, owners, policies, variable, index in true_allows)
        for index, variable in enumerate(denies):
            _force(forced, owners, policies, variable, index in true_denies)
        variants = {pid: self._variant(owners[pid], forcing) for pid, forcing in forced.items()}
        return decide(_swap(policies, variants), request)

    def _variant(self, policy: CompiledPolicy, forcing: _Forcing) -> CompiledPolicy:
        """The policy with forced statements stripped of their open conditions and the others removed."""
        key = (id(policy), frozenset(forcing.bare.items()), frozenset(forcing.dropped))
        found = self._variants.get(key)
        if found is None:
            statements = []
            for st in policy.statements:
                index = st.ref.index
                if index in forcing.dropped:
                    continue
                model = st.statement
                if index in forcing.bare:
                    open_indexes = forcing.bare[index]
                    kept = tuple(c for i, c in enumerate(model.conditions) if i not in open_indexes)
                    model = dataclasses.replace(model, conditions=kept)
                statements.append(model)
            document = dataclasses.replace(policy.document, statements=tuple(statements))
            found = CompiledPolicy(policy.policy_type, policy.policy_id, document, policy.level)
            self._variants[key] = found
        return found


def all_policies(policies: PolicySet) -> Iterator[CompiledPolicy]:
    """Every policy of the set (the order does not matter to the callers)."""
    yield from policies.identity
    if policies.permissions_boundary is not None:
        yield policies.permissions_boundary
    yield from policies.session or ()
    if policies.resource is not None:
        yield policies.resource
    for chain in (policies.scps, policies.rcps):
        for level in chain or ():
            yield from level
    yield from policies.vpc_endpoint or ()


def statements_covering(policies: PolicySet, action_lower: str) -> Iterator[CompiledStatement]:
    """Every statement of every policy whose Action covers the action."""
    for policy in all_policies(policies):
        yield from policy.candidates(action_lower)


def _force(
    forced: dict[int, _Forcing],
    owners: dict[int, CompiledPolicy],
    policies: PolicySet,
    variable: OpenStatement,
    applies: bool,
) -> None:
    """Record that an open statement applies (kept without its open conditions) or does not (removed)."""
    st = variable.statement
    owner = _owner(policies, st)
    forcing = forced.setdefault(id(owner), _Forcing({}, set()))
    owners[id(owner)] = owner
    if applies:
        forcing.bare[st.ref.index] = variable.open_indexes
    else:
        forcing.dropped.add(st.ref.index)


def _owner(policies: PolicySet, st: CompiledStatement) -> CompiledPolicy:
    for policy in all_policies(policies):
        if policy.policy_type is st.policy_type and policy.policy_id == st.ref.policy_id and st in policy.statements:
            return policy
    raise LookupError(st.ref.policy_id)  # pragma: no cover - every statement comes from the set


def _swap(policies: PolicySet, variants: dict[int, CompiledPolicy]) -> PolicySet:
    """The policy set with some policies replaced by their forced variants."""

    def one(p: CompiledPolicy | None) -> CompiledPolicy | None:
        return None if p is None else variants.get(id(p), p)

    def many(ps: tuple[CompiledPolicy, ...] | None) -> tuple[CompiledPolicy, ...] | None:
        return None if ps is None else tuple(variants.get(id(p), p) for p in ps)

    def levels(
        chain: tuple[tuple[CompiledPolicy, ...], ...] | None,
    ) -> tuple[tuple[CompiledPolicy, ...], ...] | None:
        return None if chain is None else tuple(tuple(variants.get(id(p), p) for p in level) for level in chain)

    return PolicySet(
        identity=many(policies.identity) or (),
        permissions_boundary=one(policies.permissions_boundary),
        session=many(policies.session),
        resource=one(policies.resource),
        scps=levels(policies.scps),
        rcps=levels(policies.rcps),
        vpc_endpoint=many(policies.vpc_endpoint),
        principal_is_service_linked_role=policies.principal_is_service_linked_role,
        principal_in_management_account=policies.principal_in_management_account,
        resource_in_management_account=policies.resource_in_management_account,
    )


