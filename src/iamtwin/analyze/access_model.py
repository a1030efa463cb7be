"""The answers of `who-can` and `what-can`: who may do what, unconditionally or under which conditions.

An `Access` is one principal (or class of principals) on one action and resource, with its verdict
and reasons as data: the allow paths (sets of statements whose request-dependent conditions must all
hold), the deny guards (conditional denies whose conditions must not all hold), the statements that
matched, and notes (a condition that restricts nothing, session tags that matter, a side assumed).
Prose is rendered from these values by `conditions_text.py`, never assembled here.

Errors::

    IamtwinError
    └── AccessQueryError     UNKNOWN_ACTION, INVALID_ACTION, INVALID_RESOURCE, UNKNOWN_PRINCIPAL, ...
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..errors import IamtwinError
from ..evaluate.decision import PolicyType, StatementRef


class AccessQueryError(IamtwinError):
    """A who-can or what-can question that cannot be answered as asked (bad action, resource, principal)."""

    code = "INVALID_ACCESS_QUERY"


class PrincipalClass(StrEnum):
    """What an answer's principal stands for."""

    USER = "user"
    ROLE = "role"  # the sessions of a role (a session can do at most what its role can)
    ACCOUNT_ROOT = "account_root"  # the root user of an account of the world
    ACCOUNT = "account"  # any principal of an account outside the world whose own policies allow
    EXTERNAL = "external"  # a user, role or session outside the world named by the resource policy
    SERVICE = "service"  # an AWS service principal named by the resource policy
    EVERYONE = "everyone"  # `*` in the resource policy: any principal, anonymous callers included


class Verdict(StrEnum):
    """Whether the principal may make the request."""

    ALLOWED = "allowed"  # whatever the request carries
    CONDITIONAL = "conditional"  # only when the request's own keys satisfy the paths and guards
    DENIED = "denied"  # never, whatever the request carries


class NoteCode(StrEnum):
    """Something worth saying about an answer, as a code."""

    CONDITION_RESTRICTS_NOTHING = "condition_restricts_nothing"  # the key is never in this action's requests
    SESSION_TAGS_MATTER = "session_tags_matter"  # a session's tags replace the role's aws:PrincipalTag values
    SESSION_POLICIES_NARROW = "session_policies_narrow"  # a session policy can only take permissions away
    OWN_POLICIES_ASSUMED = "own_policies_assumed"  # the principal's own account is outside the world
    PATHS_TRUNCATED = "paths_truncated"  # too many conditional statements to list every combination
    CONDITIONS_NEVER_HOLD = "conditions_never_hold"  # no request meets an allow path without meeting a deny


@dataclass(frozen=True, slots=True)
class QueryPrincipal:
    """A principal an answer is about: its class, ARN (or service name, or `*`) and account."""

    kind: PrincipalClass
    arn: str
    account: str | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {"kind": self.kind.value, "arn": self.arn, "account": self.account}


@dataclass(frozen=True, slots=True)
class SymbolicCondition:
    """A condition left open: its value depends on the request, not on the world."""

    operator: str
    key: str
    values: tuple[str, ...]
    statement: StatementRef

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {
            "operator": self.operator,
            "key": self.key,
            "values": list(self.values),
            "statement": self.statement.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class AllowPath:
    """Statements that together allow the request when every one of their open conditions holds."""

    statements: tuple[StatementRef, ...]
    conditions: tuple[SymbolicCondition, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {
            "statements": [s.to_dict() for s in self.statements],
            "conditions": [c.to_dict() for c in self.conditions],
        }


@dataclass(frozen=True, slots=True)
class DenyGuard:
    """A Deny statement with open conditions: the request is refused when all of them hold."""

    statement: StatementRef
    conditions: tuple[SymbolicCondition, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {"statement": self.statement.to_dict(), "conditions": [c.to_dict() for c in self.conditions]}


@dataclass(frozen=True, slots=True)
class Note:
    """A remark on an answer: a code, and the statement, operator and keys it is about."""

    code: NoteCode
    statement: StatementRef | None = None
    operator: str | None = None
    keys: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {
            "code": self.code.value,
            "statement": None if self.statement is None else self.statement.to_dict(),
            "operator": self.operator,
            "keys": list(self.keys),
        }


@dataclass(frozen=True, slots=True)
class Access:
    """Whether one principal may perform one action on one resource, and under which conditions.

    Allowed = (some path's conditions all hold) and (no guard's conditions all hold). An ALLOWED
    verdict has the one empty path and no guard. `matched` and `blocked_by` are those of the decision
    in which every open allow holds and no open deny does (the most the principal can get).
    """

    principal: QueryPrincipal
    action: str
    resource: str | None
    verdict: Verdict
    paths: tuple[AllowPath, ...]
    unless: tuple[DenyGuard, ...]
    matched: tuple[StatementRef, ...]
    blocked_by: tuple[PolicyType, ...] = ()
    notes: tuple[Note, ...] = ()

    @property
    def allowed(self) -> bool:
        """True when the principal may make the request under some conditions (or none)."""
        return self.verdict is not Verdict.DENIED

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {
            "principal": self.principal.to_dict(),
            "action": self.action,
            "resource": self.resource,
            "verdict": self.verdict.value,
            "paths": [p.to_dict() for p in self.paths],
            "unless": [g.to_dict() for g in self.unless],
            "matched": [s.to_dict() for s in self.matched],
            "blocked_by": [t.value for t in self.blocked_by],
            "notes": [n.to_dict() for n in self.notes],
        }


@dataclass(frozen=True, slots=True)
class WhoCanAnswer:
    """Every principal that may perform an action on a resource, and how many were looked at."""

    action: str
    resource: str | None
    accesses: tuple[Access, ...]
    considered: int
    total_principals: int

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {
            "action": self.action,
            "resource": self.resource,
            "principals": [a.to_dict() for a in self.accesses],
            "considered": self.considered,
            "total_principals": self.total_principals,
        }


@dataclass(frozen=True, slots=True)
class WhatCanAnswer:
    """Every action and resource a principal may use, from its policies and the resource policies naming it."""

    principal: QueryPrincipal
    accesses: tuple[Access, ...]
    pairs_considered: int

    def to_dict(self) -> dict[str, object]:
        """JSON-ready data."""
        return {
            "principal": self.principal.to_dict(),
            "access": [a.to_dict() for a in self.accesses],
            "pairs_considered": self.pairs_considered,
        }
