"""Policies inside a Terraform plan (`terraform show -json`), as JSON strings in resource values.

Plan format: https://developer.hashicorp.com/terraform/internals/json-format — resources are
under `planned_values.root_module.resources` and, recursively, `child_modules`. Each policy
is located at the position of the attribute holding its JSON string.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace

from ...policy.source import child_path, item_path
from ..findings import Finding, PolicyType, SourceLocation
from ..source import PolicySource
from .cloudformation import (
    GROUP_INLINE_QUOTA,
    KMS_KEY_POLICY_QUOTA,
    ROLE_INLINE_QUOTA,
    S3_BUCKET_POLICY_QUOTA,
    USER_INLINE_QUOTA,
)
from .codes import JSON_SYNTAX_ERROR
from .located import DocumentError, Located, read_json_document

# (attribute, policy type, policy name, quota) per resource type.
_ATTRIBUTES: dict[str, tuple[tuple[str, PolicyType, str, int | None], ...]] = {
    "aws_iam_policy": (("policy", PolicyType.IDENTITY, "policy", None),),
    "aws_iam_role": (("assume_role_policy", PolicyType.TRUST, "assume_role_policy", None),),
    "aws_iam_role_policy": (("policy", PolicyType.IDENTITY, "policy", ROLE_INLINE_QUOTA),),
    "aws_iam_user_policy": (("policy", PolicyType.IDENTITY, "policy", USER_INLINE_QUOTA),),
    "aws_iam_group_policy": (("policy", PolicyType.IDENTITY, "policy", GROUP_INLINE_QUOTA),),
    "aws_s3_bucket_policy": (("policy", PolicyType.RESOURCE, "policy", S3_BUCKET_POLICY_QUOTA),),
    "aws_sqs_queue_policy": (("policy", PolicyType.RESOURCE, "policy", None),),
    "aws_sqs_queue": (("policy", PolicyType.RESOURCE, "policy", None),),
    "aws_sns_topic_policy": (("policy", PolicyType.RESOURCE, "policy", None),),
    "aws_sns_topic": (("policy", PolicyType.RESOURCE, "policy", None),),
    "aws_kms_key": (("policy", PolicyType.RESOURCE, "policy", KMS_KEY_POLICY_QUOTA),),
    "aws_secretsmanager_secret_policy": (("policy", PolicyType.RESOURCE, "policy", None),),
    "aws_ecr_repository_policy": (("policy", PolicyType.RESOURCE, "policy", None),),
}
# The service of the resource each resource policy type protects.
_SERVICES = {
    "aws_s3_bucket_policy": "s3",
    "aws_sqs_queue_policy": "sqs",
    "aws_sqs_queue": "sqs",
    "aws_sns_topic_policy": "sns",
    "aws_sns_topic": "sns",
    "aws_kms_key": "kms",
    "aws_secretsmanager_secret_policy": "secretsmanager",
    "aws_ecr_repository_policy": "ecr",
}
_ORG_TYPES = {"SERVICE_CONTROL_POLICY": PolicyType.SCP, "RESOURCE_CONTROL_POLICY": PolicyType.RCP}


def is_plan(value: object) -> bool:
    """A Terraform plan in JSON: `format_version` and `planned_values` or `resource_changes`."""
    return (
        isinstance(value, Mapping)
        and "format_version" in value
        and ("planned_values" in value or "resource_changes" in value)
    )


def plan_policies(file: str, document: Located) -> Iterator[PolicySource | Finding]:
    """Every policy of a plan's planned resources."""
    plan = document.value
    assert isinstance(plan, Mapping)
    planned = plan.get("planned_values")
    if not isinstance(planned, Mapping) or not isinstance(planned.get("root_module"), Mapping):
        return
    yield from _module(file, document, planned["root_module"], "planned_values.root_module", 0)


def _module(
    file: str, document: Located, module: Mapping[str, object], path: str, depth: int
) -> Iterator[PolicySource | Finding]:
    resources = module.get("resources")
    if isinstance(resources, list):
        for index, resource in enumerate(resources):
            if isinstance(resource, Mapping) and resource.get("mode", "managed") == "managed":
                yield from _resource(file, document, resource, item_path(child_path(path, "resources"), index))
    children = module.get("child_modules")
    if isinstance(children, list) and depth < 64:
        for index, child in enumerate(children):
            if isinstance(child, Mapping):
                yield from _module(
                    file, document, child, item_path(child_path(path, "child_modules"), index), depth + 1
                )


def _resource(
    file: str, document: Located, resource: Mapping[str, object], path: str
) -> Iterator[PolicySource | Finding]:
    kind = str(resource.get("type"))
    address = str(resource.get("address", resource.get("name", "")))
    values = resource.get("values")
    if not isinstance(values, Mapping):
        return
    values_path = child_path(path, "values")
    for attribute, policy_type, name, quota in _ATTRIBUTES.get(kind, ()):
        text = values.get(attribute)
        if isinstance(text, str) and text.strip():
            found = _policy(file, document, text, child_path(values_path, attribute), policy_type, address, name, quota)
            service = _SERVICES.get(kind, "")
            yield replace(found, resource_service=service) if isinstance(found, PolicySource) and service else found
    if kind == "aws_iam_role" and isinstance(values.get("inline_policy"), list):
        for index, inline in enumerate(values["inline_policy"]):
            if isinstance(inline, Mapping) and isinstance(inline.get("policy"), str) and inline["policy"].strip():
                where = child_path(item_path(child_path(values_path, "inline_policy"), index), "policy")
                name = str(inline.get("name") or f"inline_policy[{index}]")
                yield _policy(
                    file, document, inline["policy"], where, PolicyType.IDENTITY, address, name, ROLE_INLINE_QUOTA
                )
    if kind == "aws_organizations_policy" and isinstance(values.get("content"), str):
        org_type = _ORG_TYPES.get(str(values.get("type", "SERVICE_CONTROL_POLICY")))
        if org_type is not None:
            where = child_path(values_path, "content")
            yield _policy(
                file, document, values["content"], where, org_type, address, str(values.get("name", "content")), None
            )


def _policy(
    file: str,
    document: Located,
    text: str,
    where: str,
    policy_type: PolicyType,
    resource: str,
    name: str,
    quota: int | None,
) -> PolicySource | Finding:
    line, column = document.positions.get(where, (None, None))
    try:
        parsed = read_json_document(text)
    except DocumentError as err:
        inner = err.location
        detail = f" (line {inner.line}, column {inner.column} of the policy text)" if inner and inner.line else ""
        message = f"the policy text is not valid JSON: {err.message}{detail}"
        return Finding(JSON_SYNTAX_ERROR, message, SourceLocation(file, where, line, column), resource, name)
    positions = {"": (line, column)} if line is not None and column is not None else {}
    return PolicySource(file, parsed.value, policy_type, positions, resource, name, text, (), quota)
