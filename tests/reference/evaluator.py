"""A short reference evaluator written straight from the AWS documentation, used as a test oracle.

It is deliberately naive: plain loops over every statement, no indexing, no compilation, no caching,
and nothing imported from iamtwin. It supports the subset of the policy language the differential
strategies generate. Pages followed (https://docs.aws.amazon.com/IAM/latest/UserGuide/...):

- reference_policies_evaluation-logic.html and reference_policies_evaluation-logic_policy-eval-denyallow.html
  (order: explicit deny in any type, RCPs, SCPs, resource-based policy, identity, boundary, session)
- reference_policies_evaluation-logic-cross-account.html (both sides must allow)
- reference_policies_elements_condition_operators.html (operators, IfExists, missing keys)
- reference_policies_condition-single-vs-multi-valued-context-keys.html (ForAllValues / ForAnyValue)
- reference_policies_variables.html (variables only in Version 2012-10-17, defaults, ${*} ${?} ${$})
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any

ALLOWED = "Allowed"
EXPLICIT_DENY = "ExplicitDeny"
IMPLICIT_DENY = "ImplicitDeny"

# Some services whose resources RCPs apply to (orgs_manage_policies_rcps.html, "List of AWS services
# that support RCPs"); the strategies only use s3, sqs and dynamodb.
RCP_SERVICES = {"s3", "sts", "kms", "sqs", "secretsmanager", "ecr", "aoss", "cognito-idp", "logs", "dynamodb"}

# Markers inside patterns: the literal characters `${*}` and `${?}` produce, and the ARN wildcards
# that stay within one colon-separated segment.
LITERAL_STAR = "\x00"
LITERAL_QUESTION = "\x01"
SEGMENT_STAR = "\x02"
SEGMENT_QUESTION = "\x03"

# How a resource-policy Principal names the requester (policy-eval-denyallow, "Resource-based policies").
DIRECT = "direct"  # `*`, the user ARN, the session ARN, the federated-user ARN, the service name
ROLE = "role"  # the role ARN, for a session of that role
ACCOUNT = "account"  # the account id or its root ARN: delegates to the identity policies

NEGATED = {"StringNotEquals": "StringEquals", "StringNotLike": "StringLike", "NotIpAddress": "IpAddress"}
VARIABLE_OPERATORS = {"StringEquals", "StringLike", "StringEqualsIgnoreCase"}


class BadValue(Exception):
    """A condition value that cannot be read as the operator's type: the statement does not apply."""


# ---------------------------------------------------------------- matching


def glob(pattern: str, text: str) -> bool:
    """`*` matches any run of characters, `?` exactly one; the segment markers never match `:`."""
    if not pattern:
        return not text
    head, rest = pattern[0], pattern[1:]
    if head in ("*", SEGMENT_STAR):
        return any(glob(rest, text[i:]) for i in range(len(text) + 1) if head == "*" or ":" not in text[:i])
    if not text:
        return False
    if head == "?" or (head == SEGMENT_QUESTION and text[0] != ":"):
        return glob(rest, text[1:])
    expected = {LITERAL_STAR: "*", LITERAL_QUESTION: "?"}.get(head, head)
    return expected == text[0] and glob(rest, text[1:])


def action_matches(pattern: str, action: str) -> bool:
    """Actions compare case-insensitively, with wildcards (reference_policies_elements_action.html)."""
    return glob(pattern.lower(), action.lower())


def resource_matches(pattern: str, resource: str) -> bool:
    """ARN patterns, case-sensitive (reference_policies_elements_resource.html, "Using wildcards").

    Wildcards stay within a colon-separated segment, except that a `*` ending a segment "can expand
    to match beyond the colon boundaries"; in the resource part (after the fifth colon) they span all.
    """
    if pattern == "*":
        return True
    converted = ""
    colons = 0
    for i, char in enumerate(pattern):
        colons += char == ":"
        ends_segment = i + 1 == len(pattern) or pattern[i + 1] == ":"
        if colons < 5 and char == "*" and not ends_segment:
            converted += SEGMENT_STAR
        elif colons < 5 and char == "?":
            converted += SEGMENT_QUESTION
        else:
            converted += char
    return glob(converted, resource)


def unescape(pattern: str) -> str:
    """The plain text of a substituted value, for operators without wildcards."""
    return pattern.replace(LITERAL_STAR, "*").replace(LITERAL_QUESTION, "?")


# ---------------------------------------------------------------- policy variables


def substitute(text: str, context: dict[str, list[str]], version: Any) -> str | None:
    """Replace `${key}` / `${key, 'default'}` in 2012-10-17 documents; None when a variable has no value."""
    if version != "2012-10-17":
        return text
    out = ""
    i = 0
    while i < len(text):
        end = text.find("}", i)
        if text.startswith("${", i) and end != -1:
            value = variable_value(text[i + 2 : end], context)
            if value is None:
                return None
            out += value
            i = end + 1
        else:
            out += text[i]
            i += 1
    return out


def variable_value(inner: str, context: dict[str, list[str]]) -> str | None:
    """The text one variable stands for: the specials, the key's single value, or the default."""
    if inner == "*":
        return LITERAL_STAR
    if inner == "?":
        return LITERAL_QUESTION
    if inner == "$":
        return "$"
    key, default = inner, None
    if "," in inner:
        key, rest = inner.split(",", 1)
        rest = rest.strip()
        if len(rest) >= 2 and rest[0] == "'" and rest[-1] == "'":
            default = rest[1:-1]
    values = context.get(key.strip().lower())
    if values is None:
        chosen = default
    elif len(values) == 1:
        chosen = values[0]
    else:
        return None  # a multivalued key cannot be a variable
    if chosen is None:
        return None
    return chosen.replace("*", LITERAL_STAR).replace("?", LITERAL_QUESTION)


# ---------------------------------------------------------------- conditions


def as_text(value: Any) -> str:
    """Policy values may be JSON strings, booleans or numbers; AWS compares their text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def number(text: str) -> float:
    """A numeric condition value, strictly parsed."""
    try:
        return float(text)
    except ValueError as exc:
        raise BadValue(text) from exc


def compare(operator: str, request_value: str, policy_value: str, ctx: dict[str, list[str]], version: Any) -> bool:
    """One positive operator on one request value and one policy value."""
    if operator in VARIABLE_OPERATORS:
        substituted = substitute(policy_value, ctx, version)
        if substituted is None:
            return False
        if operator == "StringEquals":
            return request_value == unescape(substituted)
        if operator == "StringEqualsIgnoreCase":
            return request_value.lower() == unescape(substituted).lower()
        return glob(substituted, request_value)
    if operator == "NumericEquals":
        return number(request_value) == number(policy_value)
    if operator == "NumericLessThan":
        return number(request_value) < number(policy_value)
    if operator == "Bool":
        return request_value.lower() == policy_value.lower()
    if operator == "IpAddress":
        block = network(policy_value)
        try:
            address = ipaddress.ip_address(request_value)
        except ValueError as exc:
            raise BadValue(request_value) from exc
        return address.version == block.version and address in block
    raise BadValue(operator)


def network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """An IP condition value: a CIDR block (host bits allowed) or a single address."""
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise BadValue(text) from exc


def condition_holds(full_operator: str, key: str, raw: Any, ctx: dict[str, list[str]], version: Any) -> bool:
    """One operator on one key: OR across the policy values, the documented missing-key rules."""
    qualifier, operator = None, full_operator
    if operator.startswith("ForAllValues:") or operator.startswith("ForAnyValue:"):
        qualifier, operator = operator.split(":", 1)
    if_exists = operator.endswith("IfExists")
    if if_exists:
        operator = operator[: -len("IfExists")]
    policy_values = [as_text(v) for v in (raw if isinstance(raw, list) else [raw])]
    request_values = ctx.get(key.lower())
    if operator == "Null":
        present = request_values is not None
        return any((v.lower() == "true") != present for v in policy_values)
    negated = operator in NEGATED
    positive = NEGATED.get(operator, operator)
    for value in policy_values:  # a bad policy value spoils the statement even when the key is absent
        if positive.startswith("Numeric"):
            number(value)
        elif positive == "IpAddress":
            network(value)
    if request_values is None:
        if if_exists or qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return negated

    def value_matches(value: str) -> bool:
        return any(compare(positive, value, p, ctx, version) for p in policy_values)

    if qualifier == "ForAllValues":
        return all(value_matches(v) != negated for v in request_values)
    if qualifier == "ForAnyValue":
        return any(value_matches(v) != negated for v in request_values)
    return any(value_matches(v) for v in request_values) != negated


def conditions_hold(block: dict[str, Any], ctx: dict[str, list[str]], version: Any) -> bool:
    """AND across operators and keys; a value that cannot be evaluated makes the statement not apply."""
    try:
        for operator, keys in block.items():
            for key, raw in keys.items():
                if not condition_holds(operator, key, raw, ctx, version):
                    return False
    except BadValue:
        return False
    return True


# ---------------------------------------------------------------- principals


def parse_principal(text: str) -> dict[str, Any]:
    """Kind, account, ARN and role ARN of the requesting principal."""
    if text == "*":
        return {"kind": "anonymous", "account": None, "arn": None, "role_arn": None, "name": None}
    if not text.startswith("arn:"):
        return {"kind": "service", "account": None, "arn": text, "role_arn": None, "name": None}
    _arn, _partition, service, _region, account, rest = text.split(":", 5)
    info: dict[str, Any] = {"account": account, "arn": text, "role_arn": None, "name": rest.split("/")[-1]}
    if service == "iam" and rest == "root":
        info["kind"] = "root"
    elif service == "iam" and rest.startswith("user/"):
        info["kind"] = "user"
    elif service == "iam" and rest.startswith("role/"):
        info.update(kind="session", role_arn=text)  # a role ARN stands for a session of the role
    elif rest.startswith("assumed-role/"):
        info.update(kind="session", role_arn=f"arn:aws:iam::{account}:role/{rest.split('/')[1]}")
    else:
        info["kind"] = "federated"
    return info


def principal_grants(element: Any, who: dict[str, Any]) -> set[str]:
    """How a Principal element names the requester: a subset of {DIRECT, ROLE, ACCOUNT}."""
    if element == "*":
        return {DIRECT}
    found: set[str] = set()
    for kind, raw in element.items():
        for value in as_list(raw):
            if kind == "Service":
                if who["kind"] == "service" and value == who["arn"]:
                    found.add(DIRECT)
            elif kind != "AWS":
                continue
            elif value == "*":
                found.add(DIRECT)
            elif who["account"] is None:
                continue
            elif value in (who["account"], f"arn:aws:iam::{who['account']}:root"):
                found.add(DIRECT if who["kind"] == "root" else ACCOUNT)
            elif value == who["arn"] and who["arn"] != who["role_arn"]:
                found.add(DIRECT)
            elif value == who["role_arn"]:
                found.add(ROLE)
    return found


# ---------------------------------------------------------------- statements and policies


def statements_of(entry: dict[str, Any]) -> tuple[Any, list[dict[str, Any]]]:
    """The Version and the statements of a policy entry `{"id", "document"}`."""
    document = entry["document"]
    if isinstance(document, str):
        document = json.loads(document)
    found = document["Statement"]
    return document.get("Version"), found if isinstance(found, list) else [found]


def as_list(value: Any) -> list[Any]:
    """A policy element given as one string or a list."""
    return value if isinstance(value, list) else [value]


def statement_applies(
    statement: dict[str, Any], version: Any, request: dict[str, Any], ctx: dict[str, list[str]]
) -> bool:
    """Action, resource and condition all match (the Principal is checked by the caller)."""
    action = request["action"]
    if "Action" in statement:
        if not any(action_matches(p, action) for p in as_list(statement["Action"])):
            return False
    elif any(action_matches(p, action) for p in as_list(statement["NotAction"])):
        return False
    resource = request.get("resource")
    if resource is not None:
        key = "Resource" if "Resource" in statement else "NotResource"
        hit = False
        for raw in as_list(statement[key]):
            pattern = substitute(raw, ctx, version)
            if pattern is not None and resource_matches(pattern, resource):
                hit = True
        if hit != (key == "Resource"):
            return False
    return conditions_hold(statement.get("Condition", {}), ctx, version)


def scan(
    entries: list[dict[str, Any]],
    effect: str,
    request: dict[str, Any],
    ctx: dict[str, list[str]],
    who: dict[str, Any],
) -> set[str]:
    """How the statements of `effect` that apply name the requester; empty when none applies.

    A statement without Principal (identity policies, boundaries, session policies, SCPs) names
    its holder directly.
    """
    found: set[str] = set()
    for entry in entries:
        version, statements = statements_of(entry)
        for statement in statements:
            if statement["Effect"] != effect or not statement_applies(statement, version, request, ctx):
                continue
            if "Principal" not in statement:
                found.add(DIRECT)
            else:
                found |= principal_grants(statement["Principal"], who)
    return found


# ---------------------------------------------------------------- the decision


def request_context(request: dict[str, Any], who: dict[str, Any], resource_account: str | None) -> dict[str, list[str]]:
    """The request's context keys (lower-cased) plus the keys AWS always sets, when not given."""
    ctx: dict[str, list[str]] = {}
    if who["kind"] not in ("anonymous", "service"):
        ctx["aws:principalarn"] = [who["role_arn"] or who["arn"]]
        ctx["aws:principalaccount"] = [who["account"]]
    if who["kind"] == "user":
        ctx["aws:username"] = [who["name"]]
    if resource_account is not None and request.get("resource") is not None:
        ctx["aws:resourceaccount"] = [resource_account]
    for key, value in (request.get("principal_tags") or {}).items():
        ctx[f"aws:principaltag/{key}".lower()] = [value]
    for key, value in (request.get("resource_tags") or {}).items():
        ctx[f"aws:resourcetag/{key}".lower()] = [value]
    for key, value in (request.get("context") or {}).items():
        ctx[key.lower()] = [as_text(v) for v in value] if isinstance(value, list) else [as_text(value)]
    return ctx


def evaluate(data: dict[str, Any]) -> str:
    """The AWS decision for a simulation input: "Allowed", "ExplicitDeny" or "ImplicitDeny"."""
    request = data["request"]
    who = parse_principal(request["principal"])
    resource = request.get("resource")
    resource_account = request.get("resource_account")
    if not resource_account and resource is not None:
        arn_account = resource.split(":")[4] if resource.count(":") >= 5 else ""
        resource_account = arn_account if len(arn_account) == 12 and arn_account.isdigit() else None
    resource_account = resource_account or who["account"]
    ctx = request_context(request, who, resource_account)
    is_iam = who["kind"] in ("root", "user", "session", "federated")

    identity = (data.get("identity_policies") or []) if is_iam else []
    boundary = [data["permissions_boundary"]] if is_iam and data.get("permissions_boundary") else None
    session = data.get("session_policies") if is_iam else None
    rbp = [data["resource_policy"]] if data.get("resource_policy") else []
    scps = data.get("scps")
    if not is_iam or data.get("principal_in_management_account") or data.get("principal_is_service_linked_role"):
        scps = None
    rcps = data.get("rcps")
    service = request["action"].split(":", 1)[0].lower()
    # RCPs apply to every caller, service principals included (AWS's own RCP examples exempt them with
    # aws:PrincipalIsAWSService), except for resources of the management account and calls by
    # service-linked roles (orgs_manage_policies_rcps.html, "Resources and entities not restricted by RCPs").
    if (
        data.get("resource_in_management_account")
        or data.get("principal_is_service_linked_role")
        or service not in RCP_SERVICES
    ):
        rcps = None

    # 1. An explicit deny in any policy that applies to the request is final.
    org_levels = (scps or []) + (rcps or [])
    everything = identity + (boundary or []) + (session or []) + [p for level in org_levels for p in level]
    if scan(everything, "Deny", request, ctx, who) or scan(rbp, "Deny", request, ctx, who):
        return EXPLICIT_DENY
    # 2-3. Every RCP level, then every SCP level, needs an applicable Allow.
    for levels in (rcps, scps):
        if levels is not None and any(not scan(level, "Allow", request, ctx, who) for level in levels):
            return IMPLICIT_DENY
    # 4. Resource-based policy, then the principal's side: identity, boundary, session.
    grants = scan(rbp, "Allow", request, ctx, who)
    if not is_iam:
        return ALLOWED if DIRECT in grants else IMPLICIT_DENY
    identity_allows = who["kind"] == "root" or bool(scan(identity, "Allow", request, ctx, who))
    boundary_allows = boundary is None or bool(scan(boundary, "Allow", request, ctx, who))
    # A federated user session without session policies has no permissions (sts GetFederationToken,
    # "Policy"); only a resource policy naming the session itself can then allow.
    if session is None and who["kind"] == "federated":
        session = []
    session_allows = session is None or bool(scan(session, "Allow", request, ctx, who))
    principal_side = identity_allows and boundary_allows and session_allows
    if who["account"] == resource_account:
        allowed = principal_side or DIRECT in grants or (ROLE in grants and boundary_allows and session_allows)
    else:
        allowed = principal_side and bool(grants)
    return ALLOWED if allowed else IMPLICIT_DENY
