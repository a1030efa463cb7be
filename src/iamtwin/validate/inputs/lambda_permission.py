"""`AWS::Lambda::Permission` resources, turned into the resource-policy statement Lambda stores.

A Lambda permission is not written as a policy document: Lambda adds one statement to the
function's resource-based policy — `Allow` the principal (a service, an account, an ARN or `*`)
the action on the function, with `aws:SourceArn`, `aws:SourceAccount` and `aws:PrincipalOrgID`
conditions from the matching properties
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-permission.html,
https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html). Each element of
the statement is located at the property it came from.
"""

from __future__ import annotations

from collections.abc import Mapping

from ...policy.source import child_path
from ..context import ValidateOptions
from ..findings import PolicyType
from ..source import PolicySource, is_unresolved
from .intrinsics import Resolver

POLICY_NAME = "LambdaPermission"


def _function_arn(value: object, options: ValidateOptions) -> object:
    """The function's ARN from a FunctionName that is a name, a partial ARN or a full ARN."""
    if not isinstance(value, str) or is_unresolved(value) or value.startswith("arn:"):
        return value
    if ":" in value:  # `123456789012:function:name` or `name:alias`
        return value
    o = options
    return f"arn:{o.partition}:lambda:{o.region}:{o.account_id}:function:{value}"


def permission_policy(
    file: str,
    positions: Mapping[str, tuple[int, int]],
    base: str,
    props: Mapping[str, object],
    resolver: Resolver,
    options: ValidateOptions,
    owner: str,
) -> PolicySource:
    """The statement a Lambda permission adds to its function's policy, located at its properties."""
    principal = resolver.resolve(props.get("Principal"))
    statement: dict[str, object] = {"Effect": "Allow"}
    where: dict[str, str] = {"": base, "Statement[0]": base}
    if principal == "*":
        statement["Principal"] = "*"
        where["Statement[0].Principal"] = child_path(base, "Principal")
    else:
        kind = "Service" if isinstance(principal, str) and principal.endswith((".amazonaws.com", ".com.cn")) else "AWS"
        statement["Principal"] = {kind: principal}
        where[f"Statement[0].Principal.{kind}"] = child_path(base, "Principal")
    statement["Action"] = resolver.resolve(props.get("Action"))
    where["Statement[0].Action"] = child_path(base, "Action")
    statement["Resource"] = _function_arn(resolver.resolve(props.get("FunctionName")), options)
    where["Statement[0].Resource"] = child_path(base, "FunctionName")
    condition: dict[str, dict[str, object]] = {}
    for prop, operator, key in (
        ("SourceArn", "ArnLike", "aws:SourceArn"),
        ("SourceAccount", "StringEquals", "aws:SourceAccount"),
        ("PrincipalOrgID", "StringEquals", "aws:PrincipalOrgID"),
    ):
        if prop in props:
            condition.setdefault(operator, {})[key] = resolver.resolve(props[prop])
            where[f"Statement[0].Condition.{operator}.{key}"] = child_path(base, prop)
    if condition:
        statement["Condition"] = condition
    document = {"Version": "2012-10-17", "Statement": [statement]}
    located = {path: positions[source] for path, source in where.items() if source in positions}
    return PolicySource(file, document, PolicyType.RESOURCE, located, owner, POLICY_NAME, resource_service="lambda")
