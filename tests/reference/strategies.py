"""Hypothesis strategies for simulation inputs over a small vocabulary, so that statements match often.

Two accounts, a few users, roles, sessions and other principals, seven actions over s3, sqs and
dynamodb, resource patterns with wildcards and policy variables, conditions from the reference
evaluator's operator subset with keys present, absent or multivalued in the request, and every
policy type of the simulation input (identity, boundary, session, resource, SCP and RCP levels).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

A = "111111111111"
B = "222222222222"

USER_A = f"arn:aws:iam::{A}:user/alice"
USER_B = f"arn:aws:iam::{B}:user/bob"
ROLE_A = f"arn:aws:iam::{A}:role/dev"
ROLE_B = f"arn:aws:iam::{B}:role/ops"
SESSION_A = f"arn:aws:sts::{A}:assumed-role/dev/s1"
SESSION_B = f"arn:aws:sts::{B}:assumed-role/ops/s2"
FEDERATED_A = f"arn:aws:sts::{A}:federated-user/fed"
ROOT_A = f"arn:aws:iam::{A}:root"
ROOT_B = f"arn:aws:iam::{B}:root"
ANONYMOUS = "*"
SERVICE = "lambda.amazonaws.com"

IAM_PRINCIPALS = [USER_A, USER_B, ROLE_A, SESSION_A, SESSION_B, FEDERATED_A, ROOT_A, ROOT_B]
SESSION_PRINCIPALS = {SESSION_A, SESSION_B, FEDERATED_A}
ROLE_PRINCIPALS = {ROLE_A, SESSION_A, SESSION_B}

ACTIONS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "sqs:SendMessage",
    "sqs:ReceiveMessage",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
]

# Resource ARN -> owning account. S3 ARNs carry no account, so the request names it.
RESOURCES = {
    "s3": [
        ("arn:aws:s3:::bucket-a/alice/file.txt", A),
        ("arn:aws:s3:::bucket-a/red/plan.txt", A),
        ("arn:aws:s3:::bucket-a/star*file", A),
        ("arn:aws:s3:::bucket-a/$money", A),
        ("arn:aws:s3:::bucket-a", A),
        ("arn:aws:s3:::bucket-b/bob/data.csv", B),
        ("arn:aws:s3:::bucket-b", B),
    ],
    "sqs": [
        (f"arn:aws:sqs:us-east-1:{A}:queue1", A),
        (f"arn:aws:sqs:us-east-1:{B}:queue2", B),
    ],
    "dynamodb": [
        (f"arn:aws:dynamodb:us-east-1:{A}:table/Orders", A),
        (f"arn:aws:dynamodb:eu-west-1:{B}:table/Users", B),
    ],
}

ACTION_PATTERNS = [
    *ACTIONS,
    "S3:getobject",
    "s3:*",
    "s3:Get*",
    "s3:List*",
    "s3:*Object",
    "sqs:*Message",
    "sqs:*",
    "dynamodb:?etItem",
    "dynamodb:*",
    "*",
]

RESOURCE_PATTERNS = [
    "*",
    "arn:aws:s3:::bucket-a/*",
    "arn:aws:s3:::bucket-a",
    "arn:aws:s3:::bucket-*",
    "arn:aws:s3:::bucket-?/*",
    "arn:aws:s3:::bucket-b/bob/data.csv",
    "arn:aws:s3:::bucket-a/${aws:username}/*",
    "arn:aws:s3:::bucket-a/${AWS:Username}/*",
    "arn:aws:s3:::bucket-a/${aws:PrincipalTag/team}/*",
    "arn:aws:s3:::bucket-a/${aws:PrincipalTag/team, 'red'}/*",
    "arn:aws:s3:::bucket-a/${aws:RequestTag/project}*",
    "arn:aws:s3:::bucket-a/star${*}file",
    "arn:aws:s3:::bucket-a/star${?}file",
    "arn:aws:s3:::bucket-a/star?file",
    "arn:aws:s3:::bucket-a/${$}money",
    "arn:aws:s3:::*/alice/*",
    "arn:aws:sqs:*:*:*",
    "arn:aws:sqs:*:queue1",
    "arn:aws:sqs:u*1:queue1",
    "arn:aws:sqs:us-east-?:*",
    "arn:aws:dynamodb:us-*:table/*",
    f"arn:aws:sqs:us-east-1:{A}:queue1",
    "arn:aws:sqs:us-east-1:*:queue?",
    "arn:aws:sqs:*:${aws:PrincipalAccount}:*",
    "arn:aws:dynamodb:*:*:table/*",
    f"arn:aws:dynamodb:us-east-1:{A}:table/Orders",
    "arn:aws:dynamodb:*:${aws:PrincipalAccount}:table/*",
    "arn:aws:dynamodb:eu-*:*:table/U*",
]

# Condition keys by the operator families they suit, with policy values (some with variables).
STRING_KEYS = {
    "aws:username": ["alice", "bob", "${aws:username}", "al*", "ALICE"],
    "aws:PrincipalTag/team": ["red", "blue", "${aws:username}", "r?d", "RED"],
    "aws:ResourceTag/env": ["prod", "dev", "${aws:PrincipalTag/team}", "p*", "PROD"],
    "aws:TagKeys": ["env", "owner", "cost", "o*", "ENV"],
    "aws:RequestTag/project": ["apollo", "zeus", "a*", "${aws:PrincipalTag/team, 'apollo'}"],
    "aws:PrincipalAccount": [A, B, "${aws:ResourceAccount}", "1*"],
    "aws:PrincipalArn": [USER_A, ROLE_A, f"arn:aws:iam::{A}:*", "arn:aws:iam::*:role/*"],
}
STRING_OPERATORS = [
    "StringEquals",
    "StringNotEquals",
    "StringLike",
    "StringNotLike",
    "StringEqualsIgnoreCase",
]
IP_VALUES = ["10.0.0.0/8", "10.1.2.3", "192.168.1.0/24", "10.1.2.3/16", "2001:db8::/32", "0.0.0.0/0", "10.0.0.300"]
NUMERIC_VALUES: list[Any] = ["10", "50", 100, "5.5", "50.0", "ten"]
BOOL_VALUES: list[Any] = ["true", "false", True, False]
IP_KEYS = ["aws:SourceIp", "aws:sourceip"]
BOOL_KEYS = ["aws:SecureTransport", "AWS:SecureTransport"]
NUMERIC_KEYS = ["s3:max-keys"]
ALL_KEYS = [*STRING_KEYS, *IP_KEYS, *BOOL_KEYS, *NUMERIC_KEYS]

# Request context values per key: single strings or lists (multivalued).
CONTEXT_VALUES: dict[str, list[Any]] = {
    "aws:SourceIp": ["10.1.2.3", "192.168.1.7", "172.16.0.1", "2001:db8::1", "not-an-ip"],
    "aws:SecureTransport": ["true", "false"],
    "s3:max-keys": ["5", "50", "100", "many"],
    "aws:TagKeys": ["env", ["env"], ["env", "owner"], ["owner", "cost"], ["ENV"]],
    "aws:RequestTag/project": ["apollo", "zeus", ["apollo", "zeus"]],
}

VERSIONS = ["2012-10-17", "2012-10-17", "2008-10-17", None]


def one_or_list(values: list[Any], max_size: int = 2, near: list[Any] | None = None) -> st.SearchStrategy[Any]:
    """One value of `values`, or a short list of them; half of the picks come from `near` when given."""
    single = st.sampled_from(values)
    if near:
        single = st.one_of(st.sampled_from(near), single)
    return st.one_of(single, st.lists(single, min_size=1, max_size=max_size, unique=True))


def names_of(principal: str) -> list[str]:
    """The Principal values that name `principal`: itself, its role, its account, its root ARN."""
    if not principal.startswith("arn:"):
        return []
    account = principal.split(":")[4]
    names = [principal, account, f"arn:aws:iam::{account}:root"]
    if ":assumed-role/" in principal:
        names.append(f"arn:aws:iam::{account}:role/{principal.split('/')[1]}")
    return names


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    """A Condition block of one or two operators from the supported subset."""
    block: dict[str, dict[str, Any]] = {}
    for _ in range(draw(st.integers(1, 2))):
        family = draw(st.sampled_from(["string", "string", "ip", "bool", "numeric", "null"]))
        if family == "null":
            key = draw(st.sampled_from(ALL_KEYS))
            keys = block.setdefault("Null", {})
            if all(k.lower() != key.lower() for k in keys):  # keys are case-insensitive: no duplicates
                keys[key] = draw(st.sampled_from(["true", "false"]))
            continue
        if family == "string":
            key = draw(st.sampled_from(list(STRING_KEYS)))
            operator = draw(st.sampled_from(STRING_OPERATORS))
            value = draw(one_or_list(STRING_KEYS[key]))
        elif family == "ip":
            key = draw(st.sampled_from(IP_KEYS))
            operator = draw(st.sampled_from(["IpAddress", "NotIpAddress"]))
            value = draw(one_or_list(IP_VALUES))
        elif family == "bool":
            key, operator, value = draw(st.sampled_from(BOOL_KEYS)), "Bool", draw(st.sampled_from(BOOL_VALUES))
        else:
            key = draw(st.sampled_from(NUMERIC_KEYS))
            operator = draw(st.sampled_from(["NumericLessThan", "NumericEquals"]))
            value = draw(one_or_list(NUMERIC_VALUES))
        if draw(st.integers(0, 3)) == 0:
            operator += "IfExists"
        qualifier = draw(st.sampled_from(["", "", "", "ForAllValues:", "ForAnyValue:"]))
        keys = block.setdefault(qualifier + operator, {})
        if all(k.lower() != key.lower() for k in keys):  # keys are case-insensitive: no duplicates
            keys[key] = value
    return block


@st.composite
def statements(
    draw: st.DrawFn, request: dict[str, Any], *, principal: bool = False, rcp: bool = False
) -> dict[str, Any]:
    """One statement, often naming the request's action and resource so that it applies.

    `principal` adds a Principal element (resource policies); `rcp` makes it `*` (RCPs).
    """
    statement: dict[str, Any] = {}
    statement["Effect"] = draw(st.sampled_from(["Allow", "Allow", "Allow", "Allow", "Deny"]))
    if rcp:
        statement["Principal"] = "*"
    elif principal:
        statement["Principal"] = draw(principal_elements(request["principal"]))
    action_key = "NotAction" if draw(st.integers(0, 7)) == 0 else "Action"
    statement[action_key] = draw(one_or_list(ACTION_PATTERNS, 3, near=[request["action"]]))
    resource_key = "NotResource" if draw(st.integers(0, 7)) == 0 else "Resource"
    statement[resource_key] = draw(one_or_list(RESOURCE_PATTERNS, 3, near=[request["resource"]]))
    if draw(st.integers(0, 2)) == 0:
        statement["Condition"] = draw(conditions())
    return statement


AWS_PRINCIPAL_VALUES = ["*", A, B, ROOT_A, ROOT_B, USER_A, USER_B, ROLE_A, ROLE_B, SESSION_A, SESSION_B, FEDERATED_A]


def principal_elements(requester: str) -> st.SearchStrategy[Any]:
    """Principal element variants: `*`, account id, root ARN, user, role, session and service ARNs."""
    aws = one_or_list(AWS_PRINCIPAL_VALUES, 3, near=names_of(requester))
    return st.one_of(
        st.just("*"),
        st.builds(lambda v: {"AWS": v}, aws),
        st.just({"Service": SERVICE}),
        st.builds(lambda v: {"AWS": v, "Service": SERVICE}, aws),
    )


@st.composite
def documents(
    draw: st.DrawFn, request: dict[str, Any], *, principal: bool = False, rcp: bool = False
) -> dict[str, Any]:
    """A policy document with a Version of 2012-10-17, 2008-10-17 or none, and 1-3 statements."""
    document: dict[str, Any] = {}
    version = draw(st.sampled_from(VERSIONS))
    if version is not None:
        document["Version"] = version
    found = draw(st.lists(statements(request, principal=principal, rcp=rcp), min_size=1, max_size=3))
    for index, statement in enumerate(found):
        if draw(st.booleans()):  # Sids are optional and unique within a policy
            found[index] = {"Sid": f"S{index}", **statement}
    document["Statement"] = found[0] if len(found) == 1 and draw(st.booleans()) else found
    return document


FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
RCP_FULL_ACCESS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
}


@st.composite
def org_levels(
    draw: st.DrawFn, request: dict[str, Any], name: str, *, rcp: bool = False
) -> list[list[dict[str, Any]]] | None:
    """SCP or RCP levels (root first): None, or 0-3 levels of 1-2 policies, mostly full access."""
    if draw(st.booleans()):
        return None
    full = RCP_FULL_ACCESS if rcp else FULL_ACCESS
    levels = []
    for level in range(draw(st.integers(0, 3))):
        policies = []
        for index in range(draw(st.integers(1, 2))):
            document = full if draw(st.integers(0, 2)) > 0 else draw(documents(request, rcp=rcp))
            policies.append({"id": f"{name}-{level}-{index}", "document": document})
        levels.append(policies)
    return levels


def entries(request: dict[str, Any], prefix: str, max_size: int) -> st.SearchStrategy[list[dict[str, Any]]]:
    """A list of policy entries `{"id", "document"}`; a document is sometimes given as JSON text."""
    document = documents(request).flatmap(lambda d: st.sampled_from([d, d, json.dumps(d)]))
    return st.lists(document, min_size=1, max_size=max_size).map(
        lambda docs: [{"id": f"{prefix}-{i}", "document": d} for i, d in enumerate(docs)]
    )


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    """A request: principal, action, a resource of the action's service, tags and context keys."""
    principal = draw(st.sampled_from([*IAM_PRINCIPALS, *IAM_PRINCIPALS, ANONYMOUS, SERVICE]))
    action = draw(st.sampled_from(ACTIONS))
    resource, owner = draw(st.sampled_from(RESOURCES[action.split(":")[0]]))
    request: dict[str, Any] = {"principal": principal, "action": action, "resource": resource}
    if resource.startswith("arn:aws:s3:") or draw(st.booleans()):
        request["resource_account"] = owner
    context: dict[str, Any] = {}
    for key, values in CONTEXT_VALUES.items():
        if draw(st.booleans()):
            context[key] = draw(st.sampled_from(values))
    request["context"] = context
    if principal not in (ANONYMOUS, SERVICE):
        request["principal_tags"] = draw(st.sampled_from([{}, {"team": "red"}, {"team": "alice"}, {"team": "blue"}]))
    request["resource_tags"] = draw(st.sampled_from([{}, {"env": "prod"}, {"env": "dev"}]))
    return request


@st.composite
def simulation_inputs(draw: st.DrawFn) -> dict[str, Any]:
    """A whole simulation input (issue 2 point 9) over the small vocabulary."""
    request = draw(requests())
    principal = request["principal"]
    iam = principal in IAM_PRINCIPALS
    is_root = principal in (ROOT_A, ROOT_B)
    data: dict[str, Any] = {"request": request}
    data["identity_policies"] = draw(entries(request, "identity", 3)) if iam and not is_root else []
    data["permissions_boundary"] = None
    if iam and not is_root and draw(st.integers(0, 2)) == 0:
        data["permissions_boundary"] = {"id": "boundary", "document": draw(documents(request))}
    data["session_policies"] = None
    if principal in SESSION_PRINCIPALS and draw(st.booleans()):
        data["session_policies"] = draw(entries(request, "session", 2))
    data["resource_policy"] = None
    if draw(st.integers(0, 3)) > 0:
        data["resource_policy"] = {"id": "resource", "document": draw(documents(request, principal=True))}
    data["scps"] = draw(org_levels(request, "scp"))
    data["rcps"] = draw(org_levels(request, "rcp", rcp=True))
    if iam and draw(st.integers(0, 7)) == 0:
        data["principal_in_management_account"] = True
    if principal in ROLE_PRINCIPALS and draw(st.integers(0, 7)) == 0:
        data["principal_is_service_linked_role"] = True
    if draw(st.integers(0, 7)) == 0:
        data["resource_in_management_account"] = True
    return data
