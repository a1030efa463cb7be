"""A Decision in the shape of AWS IAM Toolbox's GetRequestAuthorizationDetails answer.

Source of the shape: the botocore service model `iam-toolbox` 2018-05-10
(`botocore/data/iam-toolbox/2018-05-10/service-2.json`, botocore 1.44.5), also documented at
https://docs.aws.amazon.com/iam-toolbox/latest/APIReference/API_GetRequestAuthorizationDetails.html.
Member names and enum values below are the model's:

- output: `requestContext` (context key -> JSON value), `evaluations`, `policies`
  (`nextToken` only when paging, never here);
- Evaluation: `action`, `resource` (empty when the action has no resource), `context` (keys
  specific to this evaluation, applied on top of `requestContext`), `evaluatedEffect`
  (`ALLOW | EXPLICIT_DENY | IMPLICIT_DENY`), `matchedPolicies` (deprecated by the model in
  favour of `checks`, kept because clients still read it), `checks`;
- MatchedPolicy: `uri`, `matchedStatements` [{`sid`, `evaluatedEffect`: `ALLOW | DENY`}];
- Check: `checkType` (`SERVICE_CONTROL_POLICY | RESOURCE_CONTROL_POLICY | VPC_ENDPOINT |
  RESOURCE | PRINCIPAL | PERMISSIONS_BOUNDARY | SESSION`), `evaluatedEffect` (`ALLOW |
  NO_IMPACT | IMPLICIT_DENY | EXPLICIT_DENY`), `targetArn` (the Organizations root/OU/account
  of an SCP or RCP level), `relevantPolicyTypes`, `matchedPolicies`. Checks are listed RCP
  levels root to account, SCP levels root to account, then VPC endpoint, resource, principal,
  permissions boundary, session;
- PolicyInfo: `type` (`IDENTITY_BASED_POLICY | RESOURCE_BASED_POLICY | PERMISSIONS_BOUNDARY |
  SESSION_POLICY | SERVICE_CONTROL_POLICY | RESOURCE_CONTROL_POLICY | VPC_ENDPOINT_POLICY`),
  `inline`, `uri` (the ARN of a managed policy, an opaque identifier otherwise),
  `attachedTo` [{`arn`}].
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ..policy.model import Effect
from .decision import Decision, Outcome, PolicyType, StatementRef

POLICY_TYPE_NAMES: Mapping[PolicyType, str] = {
    PolicyType.IDENTITY: "IDENTITY_BASED_POLICY",
    PolicyType.RESOURCE: "RESOURCE_BASED_POLICY",
    PolicyType.PERMISSIONS_BOUNDARY: "PERMISSIONS_BOUNDARY",
    PolicyType.SESSION: "SESSION_POLICY",
    PolicyType.SCP: "SERVICE_CONTROL_POLICY",
    PolicyType.RCP: "RESOURCE_CONTROL_POLICY",
    PolicyType.VPC_ENDPOINT: "VPC_ENDPOINT_POLICY",
}

CHECK_TYPE_NAMES: Mapping[PolicyType, str] = {
    PolicyType.RCP: "RESOURCE_CONTROL_POLICY",
    PolicyType.SCP: "SERVICE_CONTROL_POLICY",
    PolicyType.VPC_ENDPOINT: "VPC_ENDPOINT",
    PolicyType.RESOURCE: "RESOURCE",
    PolicyType.IDENTITY: "PRINCIPAL",
    PolicyType.PERMISSIONS_BOUNDARY: "PERMISSIONS_BOUNDARY",
    PolicyType.SESSION: "SESSION",
}

# The order the model lists checks in (its documentation of Evaluation.checks).
CHECK_ORDER: tuple[PolicyType, ...] = tuple(CHECK_TYPE_NAMES)

_EVALUATED_EFFECT: Mapping[Outcome, str] = {
    Outcome.ALLOWED: "ALLOW",
    Outcome.EXPLICIT_DENY: "EXPLICIT_DENY",
    Outcome.IMPLICIT_DENY: "IMPLICIT_DENY",
}

_ORG_POLICY_TYPES = (PolicyType.SCP, PolicyType.RCP)


def policy_uri(policy_id: str, policy_uris: Mapping[str, str] | None = None) -> str:
    """The Toolbox `uri` of a policy: the mapped URI if given, else the policy id itself."""
    if policy_uris and policy_id in policy_uris:
        return policy_uris[policy_id]
    return policy_id


def authorization_details(
    decision: Decision,
    *,
    policy_uris: Mapping[str, str] | None = None,
    level_targets: Sequence[str] | None = None,
) -> dict[str, object]:
    """The GetRequestAuthorizationDetails answer for one decision (one evaluation).

    `policy_uris` maps policy ids to the URIs to show (default: the id); `level_targets` gives
    the Organizations ARN of each SCP/RCP level, root first (default: unknown, left out).
    """
    request_context, evaluation_context = _split_context(decision)
    return {
        "requestContext": request_context,
        "evaluations": [
            _evaluation(decision, evaluation_context, policy_uris, level_targets),
        ],
        "policies": _policies(decision, policy_uris, level_targets),
    }


def toolbox_evaluation(
    decision: Decision,
    *,
    policy_uris: Mapping[str, str] | None = None,
    level_targets: Sequence[str] | None = None,
) -> dict[str, object]:
    """One Toolbox `Evaluation` for the decision, its context holding every request key."""
    return _evaluation(decision, decision.request.context.to_dict(), policy_uris, level_targets)


def _split_context(decision: Decision) -> tuple[dict[str, object], dict[str, object]]:
    """Keys about the resource (`aws:Resource*`) belong to the evaluation; the rest to the request."""
    request_context: dict[str, object] = {}
    evaluation_context: dict[str, object] = {}
    for key, value in decision.request.context.to_dict().items():
        target = evaluation_context if key.lower().startswith("aws:resource") else request_context
        target[key] = value
    return request_context, evaluation_context


def _evaluation(
    decision: Decision,
    context: Mapping[str, object],
    policy_uris: Mapping[str, str] | None,
    level_targets: Sequence[str] | None,
) -> dict[str, object]:
    request = decision.request
    return {
        "action": request.action,
        "resource": request.resource or "",
        "context": dict(context),
        "evaluatedEffect": _EVALUATED_EFFECT[decision.outcome],
        "matchedPolicies": _matched_policies(decision.matched, policy_uris),
        "checks": _checks(decision, policy_uris, level_targets),
    }


def _matched_policies(refs: Iterable[StatementRef], policy_uris: Mapping[str, str] | None) -> list[dict[str, object]]:
    """Statements grouped by policy, in the order the policies first appear."""
    grouped: dict[tuple[PolicyType, str], list[dict[str, object]]] = {}
    for ref in refs:
        grouped.setdefault((ref.policy_type, ref.policy_id), []).append(
            {
                # AWS generates a Sid for a statement without one; a Sid is alphanumeric, so
                # the JSON-path form cannot collide with a real one.
                "sid": ref.sid if ref.sid is not None else f"Statement[{ref.index}]",
                "evaluatedEffect": "ALLOW" if ref.effect is Effect.ALLOW else "DENY",
            }
        )
    return [
        {"uri": policy_uri(policy_id, policy_uris), "matchedStatements": statements}
        for (_, policy_id), statements in grouped.items()
    ]


def _ordered(refs: Iterable[StatementRef], policy_ids: Sequence[str]) -> list[StatementRef]:
    """Statements in policy order, then statement order."""
    rank = {pid: n for n, pid in enumerate(policy_ids)}
    return sorted(refs, key=lambda r: (rank.get(r.policy_id, len(rank)), r.index))


def _checks(
    decision: Decision, policy_uris: Mapping[str, str] | None, level_targets: Sequence[str] | None
) -> list[dict[str, object]]:
    checks: list[dict[str, object]] = []
    for policy_type in CHECK_ORDER:
        analysis = decision.analyses.get(policy_type)
        if analysis is None or analysis.exempt_reason:
            continue  # a policy type that does not apply to the request is no requirement
        if policy_type in _ORG_POLICY_TYPES and analysis.levels:
            for level in analysis.levels:
                check = _check(decision, policy_type, level.outcome)
                target = _level_target(level_targets, level.level)
                if target is not None:
                    check["targetArn"] = target
                refs = _ordered((*level.allows, *level.denies), level.policy_ids)
                check["matchedPolicies"] = _matched_policies(refs, policy_uris)
                checks.append(check)
        else:
            check = _check(decision, policy_type, analysis.outcome)
            refs = _ordered((*analysis.allows, *analysis.denies), analysis.policy_ids)
            check["matchedPolicies"] = _matched_policies(refs, policy_uris)
            checks.append(check)
    return checks


def _check(decision: Decision, policy_type: PolicyType, outcome: Outcome) -> dict[str, object]:
    return {
        "checkType": CHECK_TYPE_NAMES[policy_type],
        "evaluatedEffect": _check_effect(decision, policy_type, outcome),
        "relevantPolicyTypes": [POLICY_TYPE_NAMES[policy_type]],
    }


def _check_effect(decision: Decision, policy_type: PolicyType, outcome: Outcome) -> str:
    """ALLOW/EXPLICIT_DENY as evaluated; a missing allow is IMPLICIT_DENY only where one was needed.

    The model defines NO_IMPACT as "no statement matched, and no allow was needed because
    another path allowed the request".
    """
    if outcome is not Outcome.IMPLICIT_DENY:
        return _EVALUATED_EFFECT[outcome]
    if decision.outcome is Outcome.ALLOWED:
        return "NO_IMPACT"
    if policy_type in decision.blocked_by:
        return "IMPLICIT_DENY"
    if decision.outcome is Outcome.EXPLICIT_DENY:
        # blocked_by names the denying types here; every other missing allow was still needed,
        # except a same-account resource policy, which is no separate requirement.
        if policy_type is PolicyType.RESOURCE and decision.request.same_account:
            return "NO_IMPACT"
        return "IMPLICIT_DENY"
    return "NO_IMPACT"


def _level_target(level_targets: Sequence[str] | None, level: int) -> str | None:
    if level_targets is None or not 0 <= level < len(level_targets):
        return None
    return level_targets[level]


def _policies(
    decision: Decision, policy_uris: Mapping[str, str] | None, level_targets: Sequence[str] | None
) -> list[dict[str, object]]:
    """Every evaluated policy once, with the entities it is attached to where known."""
    attached: dict[tuple[PolicyType, str], list[str]] = {}

    def add(policy_type: PolicyType, policy_id: str, target: str | None) -> None:
        targets = attached.setdefault((policy_type, policy_id), [])
        if target is not None and target.startswith("arn:") and target not in targets:
            targets.append(target)

    for policy_type in CHECK_ORDER:
        analysis = decision.analyses.get(policy_type)
        if analysis is None:
            continue
        for level in analysis.levels:
            for policy_id in level.policy_ids:
                add(policy_type, policy_id, _level_target(level_targets, level.level))
        for policy_id in analysis.policy_ids:
            add(policy_type, policy_id, _attachment(decision, policy_type))
    for ref in decision.matched:
        add(ref.policy_type, ref.policy_id, None)

    policies: list[dict[str, object]] = []
    for (policy_type, policy_id), targets in attached.items():
        info: dict[str, object] = {
            "type": POLICY_TYPE_NAMES[policy_type],
            "inline": _inline(policy_type, policy_id),
            "uri": policy_uri(policy_id, policy_uris),
        }
        if targets:
            info["attachedTo"] = [{"arn": arn} for arn in targets]
        policies.append(info)
    return policies


def _attachment(decision: Decision, policy_type: PolicyType) -> str | None:
    """The entity a non-organization policy is attached to, per the model's AttachedTo."""
    principal = decision.request.principal
    if policy_type in (PolicyType.IDENTITY, PolicyType.PERMISSIONS_BOUNDARY):
        return principal.principal_arn  # the user or role, not the session
    if policy_type is PolicyType.SESSION:
        return principal.arn
    if policy_type is PolicyType.RESOURCE:
        return decision.request.resource
    return None  # the VPC endpoint is not part of the request, SCP/RCP levels come from targets


def _inline(policy_type: PolicyType, policy_id: str) -> bool:
    if policy_type in _ORG_POLICY_TYPES:
        return False  # organization policies are always managed
    if policy_type in (PolicyType.RESOURCE, PolicyType.VPC_ENDPOINT):
        return True  # embedded in the resource or endpoint
    return not policy_id.startswith("arn:")
