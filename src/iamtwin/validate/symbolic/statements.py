"""A policy as z3 formulas: when each statement applies to the symbolic request, and the policy's decision.

A statement applies when its Action (or NotAction), Resource (or NotResource), Principal (or
NotPrincipal, in resource and trust policies) and every condition match. The policy allows a
request when an Allow statement applies and no Deny statement does: an explicit Deny wins, and
without an Allow the request is implicitly denied.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import z3  # type: ignore[import-untyped]  # z3-solver ships no type information

from ...policy.model import Effect, PolicyDocument, PrincipalSet, Statement
from ...policy.patterns import has_wildcard
from ...policy.variables import Literal, parse_template
from ..findings import PolicyType
from .conditions import encode_condition
from .patterns import Dialect, match_text
from .request import PrincipalKind, SymbolicPrincipal, SymbolicRequest
from .templates import match_template

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ACCOUNT_ROOT = re.compile(r"^arn:[a-z\-]+:iam::(\d{12}):root$")
PRINCIPAL_TYPES = frozenset({PolicyType.RESOURCE, PolicyType.TRUST})


@dataclass(frozen=True, slots=True)
class EncodedStatement:
    """A statement and the formula saying it applies to the request."""

    statement: Statement
    applies: z3.BoolRef

    @property
    def allows(self) -> bool:
        """True for an Allow statement."""
        return self.statement.effect is Effect.ALLOW


class EncodedPolicy:
    """Every statement of one policy as formulas over one symbolic request."""

    def __init__(self, document: PolicyDocument, policy_type: PolicyType, request: SymbolicRequest) -> None:
        self.document = document
        substitute = document.substitutes_variables
        self.statements = tuple(
            EncodedStatement(s, statement_applies(s, request, policy_type, substitute)) for s in document.statements
        )

    @property
    def denies(self) -> z3.BoolRef:
        """Some Deny statement applies."""
        return z3.Or(*[s.applies for s in self.statements if not s.allows], z3.BoolVal(False))

    @property
    def grants(self) -> z3.BoolRef:
        """Some Allow statement applies."""
        return z3.Or(*[s.applies for s in self.statements if s.allows], z3.BoolVal(False))

    @property
    def allowed(self) -> z3.BoolRef:
        """The policy allows the request: an Allow applies and no Deny does."""
        return z3.And(self.grants, z3.Not(self.denies))


def statement_applies(
    statement: Statement, request: SymbolicRequest, policy_type: PolicyType, substitute: bool
) -> z3.BoolRef:
    """The statement applies to the request."""
    parts: list[z3.BoolRef] = []
    domain = request.domain
    if statement.action is not None:
        parts.append(domain.matches(statement.action))
    else:
        parts.append(z3.Not(domain.matches(statement.not_action or ())))
    if statement.resource is not None:
        parts.append(_resources(statement.resource, request, substitute))
    elif statement.not_resource is not None:
        parts.append(z3.Not(_resources(statement.not_resource, request, substitute)))
    if policy_type in PRINCIPAL_TYPES:
        if statement.principal is not None:
            parts.append(principal_matches(statement.principal, request.principal))
        elif statement.not_principal is not None:
            parts.append(z3.Not(principal_excluded(statement.not_principal, request.principal)))
        else:
            parts.append(z3.BoolVal(False))  # a resource policy statement without a principal grants nobody
    parts.extend(encode_condition(c, request, substitute) for c in statement.conditions)
    return z3.And(*parts)


def _resources(patterns: tuple[str, ...], request: SymbolicRequest, substitute: bool) -> z3.BoolRef:
    """The request's resource matches one of the patterns, as evaluate/compiled.py matches them."""
    if "*" in patterns:
        return z3.BoolVal(True)
    terms: list[z3.BoolRef] = []
    for pattern in patterns:
        if substitute and "${" in pattern:
            template = parse_template(pattern)
            if not template.plain:
                skeleton = "".join(s.text if isinstance(s, Literal) else "x" for s in template.segments)
                if has_wildcard(skeleton) and not _arn_shaped(skeleton):
                    continue
                terms.append(match_template(request.resource, template, Dialect.ARN_RESOURCE, request))
                continue
        if has_wildcard(pattern) and not _arn_shaped(pattern):
            continue  # not ARN-shaped: matches nothing
        terms.append(match_text(request.resource, pattern, Dialect.ARN_RESOURCE))
    return z3.Or(*terms) if terms else z3.BoolVal(False)


def _arn_shaped(pattern: str) -> bool:
    segments = pattern.split(":")
    return len(segments) >= 2 and segments[0] in ("arn", "arn*", "*")


def _account_of(value: str) -> str | None:
    if _ACCOUNT_ID.match(value):
        return value
    m = _ACCOUNT_ROOT.match(value)
    return m.group(1) if m else None


def principal_matches(element: PrincipalSet, principal: SymbolicPrincipal) -> z3.BoolRef:
    """The Principal element names the request's principal (evaluate/principal_match.py)."""
    if element.everyone or "*" in element.aws:
        return z3.BoolVal(True)
    terms: list[z3.BoolRef] = []
    aws = principal.is_kind(PrincipalKind.AWS)
    for value in element.aws:
        account = _account_of(value)
        if account is not None:
            terms.append(z3.And(aws, principal.account == account))
        else:
            terms.append(z3.And(aws, match_text(principal.arn, value, Dialect.GLOB)))
    terms.extend(_named(element, principal))
    return z3.Or(*terms) if terms else z3.BoolVal(False)


def _named(element: PrincipalSet, principal: SymbolicPrincipal) -> list[z3.BoolRef]:
    """Service principals (case-insensitive), federated providers and canonical users the element lists."""
    terms = [z3.And(principal.is_kind(PrincipalKind.SERVICE), principal.arn == s.lower()) for s in element.service]
    terms += [z3.And(principal.is_kind(PrincipalKind.FEDERATED), principal.arn == f) for f in element.federated]
    terms += [
        z3.And(principal.is_kind(PrincipalKind.CANONICAL_USER), principal.arn == c) for c in element.canonical_user
    ]
    return terms


def principal_excluded(element: PrincipalSet, principal: SymbolicPrincipal) -> z3.BoolRef:
    """A NotPrincipal element spares the principal: it and its account are both listed (or the account's root)."""
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    if element.everyone or "*" in element.aws:
        return z3.BoolVal(True)
    accounts = sorted({a for a in (_account_of(v) for v in element.aws) if a is not None})
    arns = [v for v in element.aws if _account_of(v) is None]
    terms = _named(element, principal)
    if accounts:
        listed = z3.Or(*[principal.account == a for a in accounts])
        itself = z3.Or(principal.is_root(), *[principal.arn == a for a in arns])
        terms.append(z3.And(principal.is_kind(PrincipalKind.AWS), listed, itself))
    return z3.Or(*terms) if terms else z3.BoolVal(False)
