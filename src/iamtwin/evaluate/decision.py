"""A decision is a value with its reasons: effect, which policy types blocked, what matched, why.

Prose (the access-denied message, CLI output, the Toolbox shape) is rendered from this value by
`message.py` and `toolbox.py`, never assembled during evaluation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from enum import StrEnum

from ..policy.model import Effect
from .native import is_native
from .request import Request


class Outcome(StrEnum):
    """The final decision, in AWS's words."""

    ALLOWED = "Allowed"
    EXPLICIT_DENY = "ExplicitDeny"
    IMPLICIT_DENY = "ImplicitDeny"


class PolicyType(StrEnum):
    """The policy types AWS evaluates, in the order of its evaluation logic."""

    RCP = "rcp"
    SCP = "scp"
    VPC_ENDPOINT = "vpc_endpoint"
    RESOURCE = "resource"
    IDENTITY = "identity"
    PERMISSIONS_BOUNDARY = "permissions_boundary"
    SESSION = "session"


class GrantKind(StrEnum):
    """How a resource-policy statement named the principal it matched."""

    EVERYONE = "everyone"  # "*"
    DIRECT = "direct"  # the user, session, federated user or service itself
    ROLE = "role"  # the role ARN, matching that role's sessions
    ACCOUNT = "account"  # the account, delegating to its identity policies


class ConditionReason(StrEnum):
    """Why a condition evaluated as it did."""

    MATCHED = "matched"
    NOT_MATCHED = "not_matched"
    KEY_MISSING = "key_missing"
    KEY_MISSING_IF_EXISTS = "key_missing_if_exists"
    KEY_MISSING_NEGATED = "key_missing_negated"
    EMPTY_SET_FOR_ALL_VALUES = "empty_set_for_all_values"
    EMPTY_SET_FOR_ANY_VALUE = "empty_set_for_any_value"
    NULL_CHECK = "null_check"
    VARIABLE_UNRESOLVED = "variable_unresolved"
    INVALID_VALUE = "invalid_value"


@dataclass(frozen=True, slots=True)
class StatementRef:
    """A statement of a policy: the policy id, the statement index (0-based) and its Sid."""

    policy_type: PolicyType
    policy_id: str
    index: int
    sid: str | None
    effect: Effect
    level: int | None = None  # the SCP/RCP level (0 = root) where the policy is attached

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        out: dict[str, object] = {
            "policy_type": self.policy_type.value,
            "policy_id": self.policy_id,
            "statement_index": self.index,
            "sid": self.sid,
            "effect": self.effect.value,
        }
        if self.level is not None:
            out["level"] = self.level
        return out


@dataclass(frozen=True, slots=True)
class ConditionExplanation:
    """One condition of a statement whose action, resource and principal matched."""

    statement: StatementRef
    operator: str
    key: str
    policy_values: tuple[str, ...]
    context_values: tuple[str, ...] | None
    result: bool
    reason: ConditionReason

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {
            "statement": self.statement.to_dict(),
            "operator": self.operator,
            "key": self.key,
            "policy_values": list(self.policy_values),
            "context_values": None if self.context_values is None else list(self.context_values),
            "result": self.result,
            "reason": self.reason.value,
        }


@dataclass(frozen=True, slots=True)
class EvaluationError:
    """A problem that made one statement not apply (e.g. a condition value of the wrong type)."""

    policy_type: PolicyType
    policy_id: str
    statement_index: int | None
    code: str
    message: str
    path: str = ""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {
            "policy_type": self.policy_type.value,
            "policy_id": self.policy_id,
            "statement_index": self.statement_index,
            "code": self.code,
            "message": self.message,
            "path": self.path,
        }


@dataclass(frozen=True, slots=True)
class LevelAnalysis:
    """One level of an SCP/RCP chain (root, each OU, the account): every level must allow."""

    level: int
    policy_ids: tuple[str, ...]
    outcome: Outcome
    allows: tuple[StatementRef, ...]
    denies: tuple[StatementRef, ...]


@dataclass(frozen=True, slots=True)
class PolicyTypeAnalysis:
    """What one policy type said about the request."""

    policy_type: PolicyType
    outcome: Outcome
    policy_ids: tuple[str, ...]
    allows: tuple[StatementRef, ...] = ()
    denies: tuple[StatementRef, ...] = ()
    levels: tuple[LevelAnalysis, ...] = ()
    grant_kinds: tuple[GrantKind, ...] = ()  # resource policies: how allowing statements named the principal
    exempt_reason: str | None = None  # e.g. "management_account", "service_linked_role"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        out: dict[str, object] = {
            "outcome": self.outcome.value,
            "policies": list(self.policy_ids),
            "allows": [s.to_dict() for s in self.allows],
            "denies": [s.to_dict() for s in self.denies],
        }
        if self.levels:
            out["levels"] = [
                {
                    "level": lv.level,
                    "policies": list(lv.policy_ids),
                    "outcome": lv.outcome.value,
                    "allows": [s.to_dict() for s in lv.allows],
                    "denies": [s.to_dict() for s in lv.denies],
                }
                for lv in self.levels
            ]
        if self.grant_kinds:
            out["grant_kinds"] = [g.value for g in self.grant_kinds]
        if self.exempt_reason:
            out["exempt_reason"] = self.exempt_reason
        return out


@dataclass(frozen=True, slots=True, init=False)
class Decision:
    """The answer to one request, with its reasons as data."""

    request: Request
    outcome: Outcome
    blocked_by: tuple[PolicyType, ...]
    blocking_policies: tuple[str, ...]
    matched: tuple[StatementRef, ...]
    analyses: Mapping[PolicyType, PolicyTypeAnalysis] = field(hash=False)
    explanations: Sequence[ConditionExplanation] = ()
    missing_context_keys: Set[str] = frozenset()
    errors: Sequence[EvaluationError] = ()

    # Written out rather than generated so that mypyc compiles it (see `native.py`).
    def __init__(
        self,
        request: Request,
        outcome: Outcome,
        blocked_by: tuple[PolicyType, ...],
        blocking_policies: tuple[str, ...],
        matched: tuple[StatementRef, ...],
        analyses: Mapping[PolicyType, PolicyTypeAnalysis],
        explanations: Sequence[ConditionExplanation] = (),
        missing_context_keys: Set[str] = frozenset(),
        errors: Sequence[EvaluationError] = (),
    ) -> None:
        object.__setattr__(self, "request", request)
        object.__setattr__(self, "outcome", outcome)
        object.__setattr__(self, "blocked_by", blocked_by)
        object.__setattr__(self, "blocking_policies", blocking_policies)
        object.__setattr__(self, "matched", matched)
        object.__setattr__(self, "analyses", analyses)
        object.__setattr__(self, "explanations", explanations)
        object.__setattr__(self, "missing_context_keys", missing_context_keys)
        object.__setattr__(self, "errors", errors)

    @property
    def allowed(self) -> bool:
        """True when the request is allowed."""
        return self.outcome is Outcome.ALLOWED


class _DecisionDraft:
    """Makes a Decision: `_DecisionDraft(...)` returns an ordinary Decision with these fields.

    A frozen dataclass sets each field through `object.__setattr__(self, name, value)`, which is
    most of the cost of making one, and the engine makes one Decision per request. This class has
    exactly Decision's slots and no frozen `__setattr__`: its `__init__` fills the slots with plain
    stores, then turns the object into a Decision by assigning `__class__`, which Python allows
    between classes with the same slot layout (and refuses with a TypeError otherwise). The result
    is indistinguishable from `Decision(...)`: same type, fields, equality and repr.
    """

    __slots__ = Decision.__slots__

    def __init__(
        self,
        request: Request,
        outcome: Outcome,
        blocked_by: tuple[PolicyType, ...],
        blocking_policies: tuple[str, ...],
        matched: tuple[StatementRef, ...],
        analyses: Mapping[PolicyType, PolicyTypeAnalysis],
        explanations: Sequence[ConditionExplanation],
        missing_context_keys: Set[str],
        errors: Sequence[EvaluationError],
    ) -> None:
        self.request = request
        self.outcome = outcome
        self.blocked_by = blocked_by
        self.blocking_policies = blocking_policies
        self.matched = matched
        self.analyses = analyses
        self.explanations = explanations
        self.missing_context_keys = missing_context_keys
        self.errors = errors
        self.__class__ = Decision  # type: ignore[assignment]


# `Decision(...)` for the engine: interpreted, three times faster (see `_DecisionDraft`).
make_decision: Callable[
    [
        Request,
        Outcome,
        tuple[PolicyType, ...],
        tuple[str, ...],
        tuple[StatementRef, ...],
        Mapping[PolicyType, PolicyTypeAnalysis],
        Sequence[ConditionExplanation],
        Set[str],
        Sequence[EvaluationError],
    ],
    Decision,
] = Decision if is_native(Decision) else _DecisionDraft  # type: ignore[assignment]
