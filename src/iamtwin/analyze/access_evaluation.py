"""One principal's access to one action and resource, decided with the request's own keys left open.

The world is gathered as for any decision (`world.assemble.Assembler`) and decided by the engine
(`evaluate.engine.decide`), at one instant with the keys the world settles (see `open_keys.py`).
A statement whose conditions test open keys is an open statement: it applies exactly when its open
conditions hold (its other conditions, its principal and its resource are checked against the
world first). The engine then decides the request with each open statement forced to apply (its
open conditions removed) or not (the statement removed; see `forced_policies.py`). AWS's logic
makes the outcome monotone: an Allow that applies never turns an allow into a deny, and a Deny that
applies always denies. So the answer is

    (some minimal set of open Allows holds) and (no open Deny holds)

and the minimal sets are found by trying the sets of open Allows smallest first. Paths no request can
use without meeting a guard, and guards no allowed request can meet, are then dropped by z3 (see
`condition_solver.py`); with no usable path left the principal is never allowed.

Identity policies none of whose statements can cover the action are left out before compiling: a
decision reads only the statements whose Action covers the request's (the engine's plan), so they
cannot change it, and a principal of a large world has many.
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from itertools import combinations

from ..evaluate.compiled import NO_RESOURCE, CompiledPolicy
from ..evaluate.context import ContextValue, RequestContext
from ..evaluate.decision import Decision, PolicyType
from ..evaluate.derive import build_request
from ..evaluate.policy_set import PolicySet
from ..evaluate.principal import Principal, parse_principal
from ..evaluate.request import Request
from ..policy.model import Effect
from ..policy.parse import parse_policy
from ..policy.patterns import compile_glob
from ..simulate.input import context_entry
from ..world.assemble import Assembler, Assembly, PolicyEntry, WorldView
from .access_model import (
    Access,
    AllowPath,
    DenyGuard,
    Note,
    NoteCode,
    PrincipalClass,
    QueryPrincipal,
    Verdict,
)
from .condition_solver import ConditionSolver
from .forced_policies import ForcedPolicies, OpenStatement, statements_covering
from .open_keys import OpenKeys, is_principal_tag
from .principal_index import statement_action_patterns

# With more open Allows than this, only sets of up to two are tried (2**10 decisions at most otherwise).
MAX_OPEN_ALLOWS = 10
_SMALL_SETS = 2
# Stands for the own policies of a principal outside the world: whatever they are, assume they allow.
OWN_POLICIES_ID = "iamtwin:own-account-policies"
_ALLOW_ALL = parse_policy({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


@dataclasses.dataclass(frozen=True, slots=True)
class _Question:
    """One principal's request, gathered: its policies, the request over settled keys, and open keys."""

    who: QueryPrincipal
    policies: PolicySet
    request: Request
    open_keys: OpenKeys


class AccessEvaluator:
    """Decides principals' access over one world, compiling each policy once."""

    def __init__(self, view: WorldView, *, now: datetime) -> None:
        self.view = view
        self.assembler = Assembler(view)
        self.now = now
        self._compiled: dict[tuple[PolicyType, str, int | None], CompiledPolicy] = {}
        self._patterns: dict[str, tuple[re.Pattern[str], ...]] = {}  # policy id -> its statements' Action globs
        self._forced = ForcedPolicies()
        self._solver = ConditionSolver()
        self._own_policies = CompiledPolicy(PolicyType.IDENTITY, OWN_POLICIES_ID, _ALLOW_ALL)

    def access(self, who: QueryPrincipal, action: str, resource: str | None) -> Access:
        """Whether `who` may perform `action` on `resource`, with the conditions under which."""
        question = self._question(who, action, resource)
        variables = self._variables(question)
        allows = [v for v in variables if not v.statement.deny]
        denies = [v for v in variables if v.statement.deny]
        every_allow = frozenset(range(len(allows)))
        best = self._decide(question, allows, denies, every_allow, frozenset())
        notes = self._notes(question, best)
        if not best.allowed:
            return Access(who, action, resource, Verdict.DENIED, (), (), best.matched, best.blocked_by, notes)
        sets, truncated = self._minimal_sets(question, allows, denies)
        if truncated:
            notes = (*notes, Note(NoteCode.PATHS_TRUNCATED))
        chosen = [sorted(found) for found in sets]
        guarding = [
            d
            for i, d in enumerate(denies)
            if not self._decide(question, allows, denies, every_allow, frozenset({i})).allowed
        ]
        if any(chosen) or guarding:
            # Keep the paths some request can use and the guards such a request can meet (z3).
            path_models = [tuple(c for i in path for c in allows[i].models()) for path in chosen]
            guard_models = [d.models() for d in guarding]
            usable = self._solver.usable_paths(action, path_models, guard_models)
            if not usable:
                notes = (*notes, Note(NoteCode.CONDITIONS_NEVER_HOLD))
                return Access(who, action, resource, Verdict.DENIED, (), (), best.matched, (), notes)
            chosen = [chosen[i] for i in usable]
            kept = [path_models[i] for i in usable]
            guarding = [guarding[i] for i in self._solver.reachable_guards(action, kept, guard_models)]
        paths = tuple(
            AllowPath(
                tuple(allows[i].statement.ref for i in path),
                tuple(c for i in path for c in allows[i].conditions()),
            )
            for path in chosen
        )
        guards = tuple(DenyGuard(d.statement.ref, d.conditions()) for d in guarding)
        unconditional = len(paths) == 1 and not paths[0].statements and not guards
        verdict = Verdict.ALLOWED if unconditional else Verdict.CONDITIONAL
        return Access(who, action, resource, verdict, paths, guards, best.matched, (), notes)

    # -- gathering ------------------------------------------------------------------------------

    def _question(self, who: QueryPrincipal, action: str, resource: str | None) -> _Question:
        extra: tuple[CompiledPolicy, ...] = ()
        if who.kind in (PrincipalClass.ACCOUNT, PrincipalClass.EXTERNAL):
            # Outside the world: the resource side is gathered as for that account's root user, and the
            # principal's own side is assumed to allow (`OWN_POLICIES_ASSUMED`).
            assembly = self.assembler.assemble(f"arn:aws:iam::{who.account}:root", action, resource, {})
            principal = parse_principal(who.arn)
            if who.kind is PrincipalClass.EXTERNAL:
                extra = (self._own_policies,)
        else:
            assembly = self.assembler.assemble(who.arn, action, resource, {})
            principal = parse_principal(assembly.principal)
        policies = self._policy_set(assembly, self._covering(assembly.identity, action.lower()), extra)
        request = self._request(principal, assembly, action, resource)
        return _Question(who, policies, request, OpenKeys(who.kind, action, request.context))

    def _request(self, principal: Principal, a: Assembly, action: str, resource: str | None) -> Request:
        entries: dict[str, ContextValue] = {}
        for name, value in a.context.items():
            entry = context_entry(name, value)
            assert entry is not None  # the world sets only strings and lists of strings
            entries[name.lower()] = entry
        return build_request(
            principal,
            action,
            resource,
            a.resource_account,
            RequestContext.from_entries(entries),
            a.principal_tags,
            a.resource_tags,
            self.now,
        )

    def _policy_set(self, a: Assembly, identity: list[PolicyEntry], extra: tuple[CompiledPolicy, ...]) -> PolicySet:
        return PolicySet(
            identity=tuple(self._compile(PolicyType.IDENTITY, e) for e in identity) + extra,
            permissions_boundary=None
            if a.boundary is None
            else self._compile(PolicyType.PERMISSIONS_BOUNDARY, a.boundary),
            session=None if a.session is None else tuple(self._compile(PolicyType.SESSION, e) for e in a.session),
            resource=None if a.resource_policy is None else self._compile(PolicyType.RESOURCE, a.resource_policy),
            scps=None
            if a.scps is None
            else tuple(
                tuple(self._compile(PolicyType.SCP, e, i) for e in level) for i, level in enumerate(a.scps)
            ),
            rcps=None
            if a.rcps is None
            else tuple(
                tuple(self._compile(PolicyType.RCP, e, i) for e in level) for i, level in enumerate(a.rcps)
            ),
            principal_is_service_linked_role=a.service_linked,
            principal_in_management_account=a.in_management,
            resource_in_management_account=a.resource_in_management,
        )

    def _covering(self, entries: list[PolicyEntry], action_lower: str) -> list[PolicyEntry]:
        """The identity policies some statement of which can cover the action."""
        out = []
        for entry in entries:
            patterns = self._patterns.get(entry[0])
            if patterns is None:
                patterns = tuple(compile_glob(p) for p in statement_action_patterns(entry[1], allows_only=False))
                self._patterns[entry[0]] = patterns
            if any(p.fullmatch(action_lower) is not None for p in patterns):
                out.append(entry)
        return out

    def _compile(self, kind: PolicyType, entry: PolicyEntry, level: int | None = None) -> CompiledPolicy:
        # Policy ids are unique within a world (ARNs, owner#name), and the world does not change here.
        policy_id, document = entry
        key = (kind, policy_id, level)
        found = self._compiled.get(key)
        if found is None:
            found = CompiledPolicy(kind, policy_id, parse_policy(document), level)
            self._compiled[key] = found
        return found

    # -- open statements ------------------------------------------------------------------------

    def _variables(self, q: _Question) -> list[OpenStatement]:
        """The statements covering the action whose applying hangs on open conditions only."""
        request = q.request
        ctx = request.context
        resource = request.resource if request.resource is not None else NO_RESOURCE
        bounded = q.policies.permissions_boundary is not None
        out: list[OpenStatement] = []
        for st in statements_covering(q.policies, request.action_lower):
            if not st.conditions:
                continue
            open_indexes = tuple(i for i, c in enumerate(st.conditions) if q.open_keys.condition_is_open(c))
            if not open_indexes:
                continue
            # A Deny with NotPrincipal applies to any principal with a permissions boundary (as in engine.py).
            spared = not (st.deny and st.not_principal is not None and bounded)
            if st.principal_grant(request.principal) is None and spared:
                continue
            if not st.covers_resource(resource, ctx):
                continue
            if not all(c.holds(ctx) for i, c in enumerate(st.conditions) if i not in open_indexes):
                continue
            out.append(OpenStatement(st, open_indexes))
        return out

    def _decide(
        self,
        q: _Question,
        allows: list[OpenStatement],
        denies: list[OpenStatement],
        true_allows: frozenset[int],
        true_denies: frozenset[int],
    ) -> Decision:
        """The decision with the chosen open Allows and Denies applying and the other open ones not."""
        return self._forced.decide(q.policies, q.request, allows, denies, true_allows, true_denies)

    def _minimal_sets(
        self, q: _Question, allows: list[OpenStatement], denies: list[OpenStatement]
    ) -> tuple[list[frozenset[int]], bool]:
        """The smallest sets of open Allows that allow (no open Deny applying); True when cut short."""
        count = len(allows)
        largest = count if count <= MAX_OPEN_ALLOWS else _SMALL_SETS
        found: list[frozenset[int]] = []
        for size in range(largest + 1):
            for combo in combinations(range(count), size):
                chosen = frozenset(combo)
                if any(m <= chosen for m in found):
                    continue
                if self._decide(q, allows, denies, chosen, frozenset()).allowed:
                    found.append(chosen)
        truncated = largest < count
        if not found:
            # Only a larger set allows: every open Allow together does (the decision above allowed).
            found.append(frozenset(range(count)))
        return found, truncated

    # -- notes ----------------------------------------------------------------------------------

    def _notes(self, q: _Question, best: Decision) -> tuple[Note, ...]:
        notes: list[Note] = []
        kind = q.who.kind
        matched = {(r.policy_type, r.policy_id, r.index) for r in best.matched if r.effect is Effect.ALLOW}
        tag_keys: dict[str, None] = {}
        for st in statements_covering(q.policies, q.request.action_lower):
            for compiled, model in zip(st.conditions, st.statement.conditions, strict=True):
                if kind is PrincipalClass.ROLE and is_principal_tag(compiled.key_lower):
                    tag_keys[model.key] = None
                if (st.ref.policy_type, st.ref.policy_id, st.ref.index) not in matched:
                    continue
                if q.open_keys.never_sent(compiled.key_lower) and compiled.holds(q.request.context):
                    notes.append(Note(NoteCode.CONDITION_RESTRICTS_NOTHING, st.ref, model.operator, (model.key,)))
        if kind is PrincipalClass.ROLE:
            notes.append(Note(NoteCode.SESSION_POLICIES_NARROW))
            if tag_keys:
                notes.append(Note(NoteCode.SESSION_TAGS_MATTER, keys=tuple(tag_keys)))
        if kind in (PrincipalClass.ACCOUNT, PrincipalClass.EXTERNAL):
            notes.append(Note(NoteCode.OWN_POLICIES_ASSUMED))
        return tuple(notes)


