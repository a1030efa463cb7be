"""Policies compiled once for many evaluations: matchers built, operators resolved, statements indexed.

A compiled policy answers `candidates(action)` — the statements whose Action/NotAction covers the
action — from a per-action index, so a decision touches only the statements that can apply.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..policy.arn import arn_matches, compile_arn_pattern
from ..policy.model import Effect, PolicyDocument, Statement
from ..policy.patterns import compile_glob, has_wildcard
from ..policy.variables import parse_template
from .conditions.evaluation import CompiledCondition, compile_condition
from .context import RequestContext
from .decision import GrantKind, PolicyType, StatementRef
from .principal import Principal
from .principal_match import PrincipalMatcher

# The resource AWS evaluates against when a request names none (e.g. s3:ListAllMyBuckets).
NO_RESOURCE = "*"

ResourceTest = Callable[[str, RequestContext], bool]


def _resource_test(pattern: str, substitute: bool) -> ResourceTest:
    if substitute and "${" in pattern:
        template = parse_template(pattern)
        if not template.plain:

            def templated(resource: str, ctx: RequestContext) -> bool:
                rendered = template.render(ctx.single, for_pattern=True)
                return rendered is not None and arn_matches(rendered, resource)

            return templated
    if not has_wildcard(pattern):
        return lambda resource, ctx: resource == pattern
    rx = compile_arn_pattern(pattern)
    if rx is None:
        return lambda resource, ctx: False
    fullmatch = rx.fullmatch
    return lambda resource, ctx: fullmatch(resource) is not None


class CompiledStatement:
    """One statement ready for evaluation."""

    __slots__ = (
        "action_patterns",
        "condition_keys",
        "conditions",
        "deny",
        "has_principal",
        "level",
        "not_action",
        "not_principal",
        "not_resource",
        "policy_type",
        "principal",
        "ref",
        "resource_tests",
        "statement",
    )

    def __init__(self, statement: Statement, ref: StatementRef, substitute: bool) -> None:
        self.statement = statement
        self.ref = ref
        self.policy_type = ref.policy_type
        self.level = ref.level
        self.deny = statement.effect is Effect.DENY
        everyone = statement.principal is not None and PrincipalMatcher(statement.principal).everyone
        self.has_principal = not everyone and (statement.principal is not None or statement.not_principal is not None)
        actions = statement.action if statement.action is not None else statement.not_action or ()
        self.not_action = statement.action is None
        self.action_patterns: tuple[re.Pattern[str], ...] = tuple(compile_glob(a.lower()) for a in actions)
        resources = statement.resource if statement.resource is not None else statement.not_resource
        self.not_resource = statement.resource is None and statement.not_resource is not None
        # No Resource element at all (trust policies, some resource policies): the statement covers the resource.
        self.resource_tests: tuple[ResourceTest, ...] | None = (
            None if resources is None else tuple(_resource_test(r, substitute) for r in resources)
        )
        if resources is not None and "*" in resources:
            # `Resource: "*"` covers every resource; `NotResource: "*"` covers none.
            self.resource_tests = None if not self.not_resource else (lambda resource, ctx: True,)
        self.principal = PrincipalMatcher(statement.principal) if statement.principal is not None else None
        self.not_principal = PrincipalMatcher(statement.not_principal) if statement.not_principal is not None else None
        self.conditions: tuple[CompiledCondition, ...] = tuple(
            compile_condition(c, substitute) for c in statement.conditions
        )
        self.condition_keys = tuple(c.key.lower() for c in statement.conditions)

    def covers_action(self, action_lower: str) -> bool:
        """True when the Action (or NotAction) element lets this statement apply to the action."""
        hit = any(p.fullmatch(action_lower) is not None for p in self.action_patterns)
        return hit != self.not_action

    def principal_grant(self, principal: Principal) -> GrantKind | None:
        """How the Principal/NotPrincipal element names `principal` (EVERYONE when there is none); None if not."""
        if self.principal is not None:
            return self.principal.match(principal)
        if self.not_principal is not None:
            return None if self.not_principal.excludes(principal) else GrantKind.EVERYONE
        return GrantKind.EVERYONE

    def covers_resource(self, resource: str, ctx: RequestContext) -> bool:
        """True when the Resource (or NotResource) element lets this statement apply to the resource."""
        tests = self.resource_tests
        if tests is None:
            return True
        for test in tests:
            if test(resource, ctx):
                return not self.not_resource
        return self.not_resource


class CompiledPolicy:
    """A policy document compiled for one policy type, with its statements indexed by action."""

    __slots__ = ("_index", "document", "level", "policy_id", "policy_type", "statements")

    def __init__(
        self, policy_type: PolicyType, policy_id: str, document: PolicyDocument, level: int | None = None
    ) -> None:
        self.policy_type = policy_type
        self.policy_id = policy_id
        self.document = document
        self.level = level
        substitute = document.substitutes_variables
        self.statements = tuple(
            CompiledStatement(st, StatementRef(policy_type, policy_id, st.index, st.sid, st.effect, level), substitute)
            for st in document.statements
        )
        self._index: dict[str, tuple[CompiledStatement, ...]] = {}

    def candidates(self, action_lower: str) -> tuple[CompiledStatement, ...]:
        """The statements whose Action/NotAction covers the (lowercased) action, from the index."""
        found = self._index.get(action_lower)
        if found is None:
            found = tuple(s for s in self.statements if s.covers_action(action_lower))
            if len(self._index) < 4096:
                self._index[action_lower] = found
        return found
