"""The three custom checks, decided by z3 over symbolic requests.

- CheckNoNewAccess: FAIL iff some request is allowed by the new policy and not by the existing one;
- CheckAccessNotGranted: FAIL iff some request for one of the actions (on one of the resources,
  when given) is allowed;
- CheckNoPublicAccess: FAIL iff some public request (public.py) for the resource type's service
  is allowed.
Each Allow statement is asked on its own (it applies, no Deny does, and the request is one the
check looks for), so the reasons name exactly the statements that grant such access, each with
a witness request. A query that times out is UNKNOWN; the verdict is FAIL if any statement grants
the access, else UNKNOWN if any query timed out, else PASS.
https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-custom-policy-checks.html
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoNewAccess.html
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckAccessNotGranted.html
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoPublicAccess.html
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import z3  # type: ignore[import-untyped]  # z3-solver ships no type information

from ... import catalog
from ...policy.model import PolicyDocument, SetQualifier
from ...policy.variables import parse_template
from ..findings import PolicyType
from .actions import ActionDomain
from .errors import CustomCheckError
from .parameters import DEFAULT_TIMEOUT_MS, RESOURCE_TYPE_SERVICES
from .patterns import Dialect, match_text
from .public import public_request
from .request import SymbolicRequest
from .result import CheckResult, Reason, Verdict
from .statements import PRINCIPAL_TYPES, EncodedPolicy, EncodedStatement
from .witness import Reasoner, read_witness


def _action_patterns(documents: Iterable[PolicyDocument]) -> list[str]:
    return [p for d in documents for s in d.statements for p in (s.action or s.not_action or ())]


def _key_bounds(documents: Sequence[PolicyDocument]) -> dict[str, int]:
    """How many values each key may need (see request.py): 1, or the conditions on it plus one."""
    uses: Counter[str] = Counter()
    multivalued: set[str] = set()
    for document in documents:
        for statement in document.statements:
            for condition in statement.conditions:
                lowered = condition.key.lower()
                uses[lowered] += 1
                known = catalog.condition_key(condition.key)
                if (known is not None and known.multivalued) or (
                    known is None and condition.qualifier in (SetQualifier.FOR_ALL_VALUES, SetQualifier.FOR_ANY_VALUE)
                ):
                    multivalued.add(lowered)
                for text in condition.values:
                    for variable in parse_template(text).variables:
                        uses[variable.key_lower] += 1
    return {key: uses[key] + 1 for key in multivalued}


def _condition_keys(documents: Iterable[PolicyDocument]) -> list[str]:
    return [c.key for d in documents for s in d.statements for c in s.conditions]


def _request(documents: Sequence[PolicyDocument], extra_patterns: Iterable[str] = ()) -> SymbolicRequest:
    domain = ActionDomain([*_action_patterns(documents), *extra_patterns], _condition_keys(documents))
    return SymbolicRequest(domain, _key_bounds(documents))


def _decide(
    check: str,
    request: SymbolicRequest,
    policy: EncodedPolicy,
    query: Callable[[EncodedStatement], list[z3.BoolRef]],
    with_principal: bool,
    timeout_ms: int,
    messages: tuple[str, str, str],
) -> CheckResult:
    """Ask, for each Allow statement, whether it grants what the query describes."""
    asked = [(statement, query(statement)) for statement in policy.statements if statement.allows]
    reasoner = Reasoner(request, request.constraints(), timeout_ms)
    found: list[Reason] = []
    undecided: list[Reason] = []
    for statement, formulas in asked:
        solved = reasoner.solve(formulas)
        st = statement.statement
        label = f"statement {st.index}" + (f" (`{st.sid}`)" if st.sid else "")
        if solved.status == z3.sat and solved.model is not None:
            witness = read_witness(solved.model, request, with_principal)
            found.append(Reason(st.index, st.sid, f"{label} {messages[1]}", witness))
        elif solved.status == z3.unknown:
            why = reasoner.last_reason_unknown
            undecided.append(Reason(st.index, st.sid, f"{label} could not be decided in time ({why})", undecided=True))
    if found:
        return CheckResult(check, Verdict.FAIL, messages[0], tuple(found + undecided))
    if undecided:
        return CheckResult(
            check, Verdict.UNKNOWN, "the solver could not decide every statement in time", tuple(undecided)
        )
    return CheckResult(check, Verdict.PASS, messages[2])


def check_no_new_access(
    existing: PolicyDocument,
    new: PolicyDocument,
    policy_type: PolicyType = PolicyType.IDENTITY,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
) -> CheckResult:
    """FAIL when the new policy allows a request the existing one does not."""
    request = _request((existing, new))
    old = EncodedPolicy(existing, policy_type, request)
    updated = EncodedPolicy(new, policy_type, request)
    not_old = z3.Not(old.allowed)
    not_denied = z3.Not(updated.denies)
    return _decide(
        "CheckNoNewAccess",
        request,
        updated,
        lambda statement: [statement.applies, not_denied, not_old],
        policy_type in PRINCIPAL_TYPES,
        timeout_ms,
        (
            "the new policy grants access the existing policy does not",
            "of the new policy grants new access",
            "the new policy grants no access the existing policy does not",
        ),
    )


def check_access_not_granted(
    policy: PolicyDocument,
    actions: Sequence[str],
    resources: Sequence[str] = (),
    policy_type: PolicyType = PolicyType.IDENTITY,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
) -> CheckResult:
    """FAIL when the policy allows one of the actions (on one of the resources, when given)."""
    if not actions and not resources:
        raise CustomCheckError("give at least one action or one resource", code="MISSING_ACCESS")
    bad = [a for a in actions if a != "*" and ":" not in a]
    if bad:
        raise CustomCheckError(f"`{bad[0]}` is not an action (`service:Name`)", code="INVALID_ACTION")
    request = _request((policy,), actions)
    encoded = EncodedPolicy(policy, policy_type, request)
    wanted: list[z3.BoolRef] = []
    if actions:
        wanted.append(request.domain.matches(actions))
    if resources:
        wanted.append(z3.Or(*[match_text(request.resource, r, Dialect.ARN_RESOURCE) for r in resources]))
    not_denied = z3.Not(encoded.denies)
    return _decide(
        "CheckAccessNotGranted",
        request,
        encoded,
        lambda statement: [statement.applies, not_denied, *wanted],
        policy_type in PRINCIPAL_TYPES,
        timeout_ms,
        (
            "the policy grants some of the specified access",
            "grants the specified access",
            "the policy grants none of the specified access",
        ),
    )


def check_no_public_access(
    policy: PolicyDocument, resource_type: str, timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> CheckResult:
    """FAIL when the resource policy grants access on the resource type to anyone."""
    service = RESOURCE_TYPE_SERVICES.get(resource_type)
    if service is None:
        raise CustomCheckError(
            f"`{resource_type}` is not a resource type CheckNoPublicAccess supports", code="INVALID_RESOURCE_TYPE"
        )
    policy_type = PolicyType.TRUST if service == "sts" else PolicyType.RESOURCE
    service_actions = f"{service}:*"
    request = _request((policy,), [service_actions])
    encoded = EncodedPolicy(policy, policy_type, request)
    on_service = request.domain.matches([service_actions])
    not_denied = z3.Not(encoded.denies)
    public = public_request(request, policy)
    return _decide(
        "CheckNoPublicAccess",
        request,
        encoded,
        lambda statement: [statement.applies, not_denied, on_service, public],
        True,
        timeout_ms,
        (
            f"the policy grants public access to a resource of type `{resource_type}`",
            "grants public access",
            f"the policy grants no public access to a resource of type `{resource_type}`",
        ),
    )
