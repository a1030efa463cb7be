"""Policies compiled once for many evaluations: matchers built, operators resolved, statements indexed.

A compiled policy answers `candidates(action)` — the statements whose Action/NotAction covers the
action — from a per-action index, so a decision touches only the statements that can apply.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..policy.arn import compile_arn_pattern
from ..policy.model import Effect, PolicyDocument, Statement
from ..policy.patterns import combine_patterns, compile_glob, has_wildcard, unprotect
from ..policy.variables import Template, parse_template
from .conditions.check import Check, Lookup
from .conditions.evaluation import CompiledCondition, compile_condition
from .context import RequestContext
from .decision import GrantKind, PolicyType, StatementRef
from .principal import Principal
from .principal_match import PrincipalMatcher

# The resource AWS evaluates against when a request names none (e.g. s3:ListAllMyBuckets).
NO_RESOURCE = "*"

# Whether a statement's Resource/NotResource element covers the request's resource, given the
# context's lookup (`RequestContext.get_value`) and the context.
ResourceCheck = Callable[[str, Lookup, RequestContext], bool]
Matcher = Callable[[str], object]  # truthy when the resource matches
_MATCHERS_LIMIT = 1024


def _never(resource: str, get: Lookup | None = None, ctx: RequestContext | None = None) -> bool:
    return False


class TemplatedResource:
    """A Resource pattern with policy variables, matched as `arn_matches(rendered pattern, resource)`.

    The rendered pattern depends only on the values of its variables, so its matcher (a compiled
    regex, or equality when nothing is left to expand) is kept per tuple of values.
    """

    __slots__ = ("key", "keys", "matchers", "template")

    def __init__(self, template: Template) -> None:
        self.template = template
        self.keys = tuple(dict.fromkeys(v.key_lower for v in template.variables))
        self.key = self.keys[0] if len(self.keys) == 1 else None
        self.matchers: dict[object, Matcher] = {}

    def matches(self, resource: str, get: Lookup, ctx: RequestContext) -> bool:
        """True when the pattern, rendered against the request, matches `resource`."""
        key = self.key
        values: object
        if key is not None:
            entry = get(key)  # RequestContext.single, inlined
            values = None if entry is None or entry.multivalued or len(entry.values) != 1 else entry.values[0]
        else:
            values = tuple([ctx.single(k) for k in self.keys])
        matcher = self.matchers.get(values)
        if matcher is None:
            matcher = self._matcher(ctx)
            if len(self.matchers) >= _MATCHERS_LIMIT:
                self.matchers.clear()
            self.matchers[values] = matcher
        return bool(matcher(resource))

    def _matcher(self, ctx: RequestContext) -> Matcher:
        rendered = self.template.render(ctx.single, for_pattern=True)
        if rendered is None:
            return _never
        if not has_wildcard(rendered):
            return unprotect(rendered).__eq__
        rx = compile_arn_pattern(rendered)
        return _never if rx is None else rx.fullmatch


def _resource_check(patterns: tuple[str, ...], negate: bool, substitute: bool) -> ResourceCheck | None:
    """One predicate for a Resource (or, with `negate`, NotResource) element; None when it covers everything.

    Patterns without variables are folded into a set of exact ARNs and one combined regex, so a
    statement costs one lookup and one C-level match however many resources it lists.
    """
    if "*" in patterns:
        # `Resource: "*"` covers every resource; `NotResource: "*"` covers none.
        return _never if negate else None
    exact: set[str] = set()
    wildcards: list[re.Pattern[str]] = []
    templated: list[TemplatedResource] = []
    for pattern in patterns:
        if substitute and "${" in pattern:
            template = parse_template(pattern)
            if not template.plain:
                templated.append(TemplatedResource(template))
                continue
        if not has_wildcard(pattern):
            exact.add(pattern)
            continue
        rx = compile_arn_pattern(pattern)
        if rx is not None:  # not ARN-shaped: matches nothing
            wildcards.append(rx)
    combined = combine_patterns(wildcards)
    fullmatch = combined.fullmatch if combined is not None else None
    templates = tuple(t.matches for t in templated)

    def hit(resource: str, get: Lookup, ctx: RequestContext) -> bool:
        if resource in exact or (fullmatch is not None and fullmatch(resource) is not None):
            return True
        for matches in templates:  # noqa: SIM110 - a plain loop allocates no generator
            if matches(resource, get, ctx):
                return True
        return False

    if negate:
        return lambda resource, get, ctx: not hit(resource, get, ctx)
    if not exact and fullmatch is None and len(templates) == 1:
        return templates[0]
    if not templates and not exact and fullmatch is not None:
        only = fullmatch
        return lambda resource, get, ctx: only(resource) is not None
    if not templates and fullmatch is None and len(exact) == 1:
        (arn,) = exact
        return lambda resource, get, ctx: resource == arn
    return hit


class CompiledStatement:
    """One statement ready for evaluation."""

    __slots__ = (
        "action_patterns",
        "checks",
        "condition_keys",
        "conditions",
        "covers",
        "deny",
        "grants_access",
        "has_principal",
        "level",
        "not_action",
        "not_principal",
        "not_resource",
        "policy_type",
        "principal",
        "ref",
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
        self.covers: ResourceCheck | None = (
            None if resources is None else _resource_check(resources, self.not_resource, substitute)
        )
        self.principal = PrincipalMatcher(statement.principal) if statement.principal is not None else None
        self.not_principal = PrincipalMatcher(statement.not_principal) if statement.not_principal is not None else None
        self.conditions: tuple[CompiledCondition, ...] = tuple(
            compile_condition(c, substitute) for c in statement.conditions
        )
        self.condition_keys = tuple(c.key.lower() for c in statement.conditions)
        self.checks: tuple[Check, ...] = tuple(c.check for c in self.conditions)
        # An allowing resource-policy statement: the decision records how it named the principal.
        self.grants_access = self.policy_type is PolicyType.RESOURCE and not self.deny

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
        return self.covers is None or self.covers(resource, ctx.get_value, ctx)


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
