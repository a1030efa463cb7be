"""SimulatePrincipalPolicy and SimulateCustomPolicy: the engine's decisions in the policy simulator's shape.

As AWS documents (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html): one result per
action, `ResourceSpecificResults` per resource when several are given, matched statements named by
the policy's name with their start and end positions in the policy text, the context keys the
policies needed but the request lacked, and whether the SCPs and the permissions boundary allowed.
Stored resource-based policies are not used; only the `ResourcePolicy` parameter is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import Location
from ..evaluate.decision import Decision, Outcome, PolicyType
from ..policy.parse import parse_policy
from ..policy.variables import Variable, parse_template
from ..simulate.simulator import Simulator
from ..world.iam_errors import IamError, IamErrorCode
from .calls import CallContext

Handler = Callable[[CallContext, dict[str, Any]], dict[str, Any]]
_DECISION = {Outcome.ALLOWED: "allowed", Outcome.EXPLICIT_DENY: "explicitDeny", Outcome.IMPLICIT_DENY: "implicitDeny"}
_INLINE_TYPES = {"user": "user", "group": "group", "role": "role"}


def _context(entries: list[dict[str, Any]] | None) -> dict[str, str | list[str]]:
    out: dict[str, str | list[str]] = {}
    for entry in entries or []:
        values = [str(v) for v in entry.get("ContextKeyValues", [])]
        kind = str(entry.get("ContextKeyType", "string"))
        out[entry["ContextKeyName"]] = values if kind.endswith("List") or len(values) != 1 else values[0]
    return out


def _end_of(text: str, line: int, column: int) -> tuple[int, int]:
    """The line and column just after the object starting at (line, column): braces matched, strings skipped."""
    lines = text.split("\n")
    offset = sum(len(row) + 1 for row in lines[: line - 1]) + column - 1
    depth, in_string, escaped = 0, False, False
    for index in range(offset, len(text)):
        ch = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                before = text[: index + 1]
                return before.count("\n") + 1, index + 1 - (before.rfind("\n") + 1) + 1
    return line, column


def _source(policy_id: str, policy_type: PolicyType) -> tuple[str, str]:
    """The simulator's SourcePolicyId (the policy's name) and SourcePolicyType."""
    if policy_type is PolicyType.RESOURCE:
        return "ResourcePolicy", "resource"
    if policy_id.startswith(("PolicyInputList.", "PermissionsBoundaryPolicyInputList.")):
        return policy_id, "none"
    if "#" in policy_id:  # an inline policy: <owner ARN>#<name>
        owner, name = policy_id.split("#", 1)
        kind = owner.split(":", 5)[-1].split("/", 1)[0]
        return name, _INLINE_TYPES.get(kind, "none")
    if policy_id.startswith("arn:aws:iam::aws:policy/"):
        return policy_id.rsplit("/", 1)[-1], "aws-managed"
    if ":policy/" in policy_id and policy_id.startswith("arn:aws:iam::"):
        return policy_id.rsplit("/", 1)[-1], "user-managed"
    return policy_id.rsplit("/", 1)[-1], "none"


def _texts(data: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    """The text of every policy of a simulation input by (type, id), as positions are counted in it."""
    out: dict[tuple[str, str], str] = {}

    def add(kind: str, entry: Mapping[str, Any] | None) -> None:
        if entry is not None:
            document = entry["document"]
            out[(kind, entry["id"])] = document if isinstance(document, str) else json.dumps(document, indent=4)

    for entry in data.get("identity_policies") or []:
        add("identity", entry)
    add("permissions_boundary", data.get("permissions_boundary"))
    add("resource", data.get("resource_policy"))
    for level in data.get("scps") or []:
        for entry in level:
            add("scp", entry)
    return out


def _matched(decision: Decision, texts: Mapping[tuple[str, str], str]) -> list[dict[str, Any]]:
    out = []
    for ref in decision.matched:
        if ref.policy_type not in (PolicyType.IDENTITY, PolicyType.RESOURCE, PolicyType.PERMISSIONS_BOUNDARY):
            continue
        policy_id, policy_type = _source(ref.policy_id, ref.policy_type)
        item: dict[str, Any] = {"SourcePolicyId": policy_id, "SourcePolicyType": policy_type}
        text = texts.get((ref.policy_type.value, ref.policy_id))
        if text is not None:
            start = parse_policy(text).positions.get(f"Statement[{ref.index}]")
            if start is None and ref.index == 0:
                start = parse_policy(text).positions.get("Statement")
            if start is not None:
                end = _end_of(text, *start)
                item["StartPosition"] = {"Line": start[0], "Column": start[1]}
                item["EndPosition"] = {"Line": end[0], "Column": end[1]}
        out.append(item)
    return out


def _result(decision: Decision, texts: Mapping[tuple[str, str], str], scps: bool, boundary: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "EvalDecision": _DECISION[decision.outcome],
        "MatchedStatements": _matched(decision, texts),
        "MissingContextValues": sorted(decision.missing_context_keys),
    }
    if scps:
        out["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": PolicyType.SCP not in decision.blocked_by}
    if boundary:
        allowed = PolicyType.PERMISSIONS_BOUNDARY not in decision.blocked_by
        out["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": allowed}
    return out


def _run(
    ctx: CallContext,
    base: dict[str, Any],
    actions: list[str],
    resources: list[str],
    context: dict[str, str | list[str]],
    caller: str,
    owner: str | None,
) -> list[dict[str, Any]]:
    simulator = Simulator(base, now=ctx.now)
    texts = _texts(base)
    scps = base.get("scps") is not None
    boundary = base.get("permissions_boundary") is not None
    results = []
    for action in actions:
        per_resource = []
        for resource in resources:
            request: dict[str, Any] = {"principal": caller, "action": action, "context": context}
            if resource != "*":
                request["resource"] = resource
            if owner is not None:
                request["resource_account"] = owner
            decision = simulator.decide(request)
            per_resource.append((resource, decision))
        first_resource, first = per_resource[0]
        result = {"EvalActionName": action, "EvalResourceName": first_resource, **_result(first, texts, scps, boundary)}
        if len(resources) > 1:
            result["EvalResourceName"] = "*"
            worst = max(
                per_resource,
                key=lambda item: (item[1].outcome is Outcome.EXPLICIT_DENY, item[1].outcome is Outcome.IMPLICIT_DENY),
            )
            result.update(_result(worst[1], texts, scps, boundary))
            result["ResourceSpecificResults"] = [
                {
                    "EvalResourceName": name,
                    "EvalResourceDecision": _DECISION[d.outcome],
                    "MatchedStatements": _matched(d, texts),
                    "MissingContextValues": sorted(d.missing_context_keys),
                }
                for name, d in per_resource
            ]
        results.append(result)
    return results


def _inputs(names: str, values: list[str] | None) -> list[dict[str, Any]]:
    return [{"id": f"{names}.{i}", "document": text} for i, text in enumerate(values or [], start=1)]


def simulate_principal_policy(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """SimulatePrincipalPolicy: a user's or role's stored policies, plus any given, against actions."""
    source = p["PolicySourceArn"]
    ctx.authorize("iam:SimulatePrincipalPolicy", source)
    kind = source.split(":", 5)[-1].split("/", 1)[0]
    if kind not in ("user", "role"):
        raise IamError(
            IamErrorCode.INVALID_INPUT,
            f"iamtwin simulates users and roles; `{source}` is a {kind}",
            reason="UNSUPPORTED_POLICY_SOURCE",
            location=Location("PolicySourceArn"),
        )
    resources = list(p.get("ResourceArns") or ["*"])
    base = ctx.world.simulation_input(source, p["ActionNames"][0])
    base["identity_policies"] = [*base["identity_policies"], *_inputs("PolicyInputList", p.get("PolicyInputList"))]
    boundaries = _inputs("PermissionsBoundaryPolicyInputList", p.get("PermissionsBoundaryPolicyInputList"))
    if boundaries:
        base["permissions_boundary"] = boundaries[0]
    base["resource_policy"] = (
        {"id": "ResourcePolicy", "document": p["ResourcePolicy"]} if "ResourcePolicy" in p else None
    )
    base["rcps"] = None
    request = base.pop("request")
    context = {**request.get("context", {}), **_context(p.get("ContextEntries"))}
    caller = p.get("CallerArn") or (source if kind == "user" else request["principal"])
    results = _run(ctx, base, list(p["ActionNames"]), resources, context, caller, p.get("ResourceOwner"))
    return {"EvaluationResults": results, "IsTruncated": False}


def simulate_custom_policy(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """SimulateCustomPolicy: only the given policies (no stored ones), against actions."""
    ctx.authorize("iam:SimulateCustomPolicy", None)
    base: dict[str, Any] = {
        "identity_policies": _inputs("PolicyInputList", p.get("PolicyInputList")),
        "permissions_boundary": None,
        "resource_policy": {"id": "ResourcePolicy", "document": p["ResourcePolicy"]} if "ResourcePolicy" in p else None,
    }
    boundaries = _inputs("PermissionsBoundaryPolicyInputList", p.get("PermissionsBoundaryPolicyInputList"))
    if boundaries:
        base["permissions_boundary"] = boundaries[0]
    caller = p.get("CallerArn") or f"arn:aws:iam::{ctx.account}:user/SimulatedUser"
    resources = list(p.get("ResourceArns") or ["*"])
    context = _context(p.get("ContextEntries"))
    results = _run(ctx, base, list(p["ActionNames"]), resources, context, caller, p.get("ResourceOwner"))
    return {"EvaluationResults": results, "IsTruncated": False}


def _context_keys(documents: list[Any]) -> list[str]:
    """The context keys the documents' conditions and policy variables reference, each once."""
    found: dict[str, str] = {}
    for document in documents:
        parsed = parse_policy(document)
        for statement in parsed.statements:
            for condition in statement.conditions:
                found.setdefault(condition.key.lower(), condition.key)
            texts = [*(statement.resource or ()), *(statement.not_resource or ())]
            texts += [value for condition in statement.conditions for value in condition.values]
            for text in texts:
                for segment in parse_template(text).segments:
                    if isinstance(segment, Variable):
                        found.setdefault(segment.key.lower(), segment.key)
    return sorted(found.values(), key=str.lower)


def get_context_keys_for_custom_policy(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """GetContextKeysForCustomPolicy: the keys the given policies reference."""
    ctx.authorize("iam:GetContextKeysForCustomPolicy", None)
    return {"ContextKeyNames": _context_keys(list(p.get("PolicyInputList", [])))}


def get_context_keys_for_principal_policy(ctx: CallContext, p: dict[str, Any]) -> dict[str, Any]:
    """GetContextKeysForPrincipalPolicy: the keys of a user's, role's policies (and any given)."""
    source = p["PolicySourceArn"]
    ctx.authorize("iam:GetContextKeysForPrincipalPolicy", source)
    stored = ctx.world.simulation_input(source, "iam:GetUser")
    documents: list[Any] = [entry["document"] for entry in stored["identity_policies"]]
    documents += list(p.get("PolicyInputList", []))
    return {"ContextKeyNames": _context_keys(documents)}


HANDLERS: dict[str, Handler] = {
    "SimulatePrincipalPolicy": simulate_principal_policy,
    "SimulateCustomPolicy": simulate_custom_policy,
    "GetContextKeysForCustomPolicy": get_context_keys_for_custom_policy,
    "GetContextKeysForPrincipalPolicy": get_context_keys_for_principal_policy,
}
