"""The resource ARNs an API request is authorized against, from its parameters and the catalogue's ARN formats.

For each resource type of the action, each `${Var}` of its ARN format is filled from the request:
a parameter of the same name (ignoring case), the plural parameter of a list (`InstanceIds` fills
`${InstanceId}`, one ARN per value, as AWS authorizes each resource of a batch), or a parameter the
table below names where the API and the reference differ. Partition, region and account come from
the request (its credential scope and the caller) unless a parameter is a full ARN: that is used as
it is, and so names its own account. A required resource type whose names the request cannot give
(RunInstances' new instance) is authorized on its ARN with `*` there, as AWS does; an optional one
only when the request names it; an action without resource types is authorized on `*`
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
KMS resolves a `KeyId` alias to its key before authorizing
(https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html); iamtwin, holding
no keys, authorizes the alias ARN instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any
from urllib.parse import urlsplit

from .arns import fill_format, format_regex, placeholders
from .lookup import resource_types_for
from .model import Action

# Where a placeholder's value comes from a parameter of another name: (service, placeholder) -> parameters.
_ALIASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("s3", "BucketName"): ("Bucket",),
    ("s3", "ObjectName"): ("Key",),
    ("sqs", "QueueName"): ("QueueUrl",),
    ("sns", "TopicName"): ("TopicArn", "TargetArn"),
    ("cloudtrail", "TrailName"): ("Name", "TrailName"),
    ("ssm", "ParameterNameWithoutLeadingSlash"): ("Name", "Names"),
    ("ssm", "DocumentName"): ("Name",),
    ("events", "RuleName"): ("Name", "Rule"),
    ("states", "StateMachineName"): ("stateMachineArn",),
    ("ecr", "Account"): ("registryId",),
    ("kms", "KeyId"): ("KeyId", "KeyIds", "TargetKeyId"),
    ("kms", "Alias"): ("AliasName", "KeyId"),
    ("cloudwatch", "AlarmName"): ("AlarmName", "AlarmNames"),
    ("secretsmanager", "SecretId"): ("SecretId",),
}
_HEADER = ("Partition", "Region", "Account")
_SQS_URL = re.compile(r"^/(\d{12})/([^/]+)/?$")


@dataclass(frozen=True, slots=True)
class RequestScope:
    """Where a request is made: partition and region (from the credential scope) and the caller's account."""

    partition: str
    region: str
    account: str


def _values(raw: Any) -> list[str]:
    if isinstance(raw, str | int) and not isinstance(raw, bool):
        return [str(raw)]
    if isinstance(raw, Sequence) and not isinstance(raw, str):
        return [str(v) for v in raw if isinstance(v, str | int) and not isinstance(v, bool)]
    return []


def _lookup(params: Mapping[str, Any], names: Sequence[str]) -> list[str]:
    lowered = {k.lower(): v for k, v in params.items()}
    for name in names:
        found = _values(lowered.get(name.lower()))
        if found:
            return found
    return []


def _convert(service: str, var: str, value: str) -> tuple[str, dict[str, str]]:
    """A parameter's value as the placeholder wants it, and the header fields it fixes (an SQS URL's account)."""
    if service == "sqs" and var == "QueueName" and "://" in value:
        match = _SQS_URL.match(urlsplit(value).path)
        if match:
            return match.group(2), {"Account": match.group(1)}
    if service == "ssm" and var == "ParameterNameWithoutLeadingSlash":
        return value.lstrip("/"), {}
    if service == "lambda" and var == "FunctionName":
        partial = re.match(r"^(\d{12}):function:(.+)$", value)  # the API's partial ARN `123456789012:function:name`
        if partial:
            return partial.group(2), {"Account": partial.group(1)}
    if service == "kms" and var == "Alias":
        return value.removeprefix("alias/"), {}
    return value, {}


def _candidates(service: str, var: str) -> tuple[str, ...]:
    return (*_ALIASES.get((service, var), ()), var, var + "s", var + "List")


def _full_arns(params: Mapping[str, Any], arn_format: str) -> list[str]:
    regex = format_regex(arn_format)
    return [v for raw in params.values() for v in _values(raw) if v.startswith("arn:") and regex.match(v)]


def _fill(service: str, arn_format: str, params: Mapping[str, Any], scope: RequestScope, wildcard: bool) -> list[str]:
    header = {"Partition": scope.partition, "Region": scope.region, "Account": scope.account}
    choices: list[list[tuple[str, str, dict[str, str]]]] = []
    for var in dict.fromkeys(placeholders(arn_format)):
        if var in _HEADER and (service, var) not in _ALIASES:
            continue
        found = _lookup(params, _candidates(service, var))
        found = [v for v in found if not (v.startswith("arn:") and var not in _HEADER)]
        if not found:
            if var in _HEADER:
                continue
            if not wildcard:
                return []
            found = ["*"]
        choices.append([(var, *_convert(service, var, v)) for v in found])
    out = []
    for combination in product(*choices):
        values = dict(header)
        for var, value, fixes in combination:
            values[var] = value
            values.update(fixes)
        arn = fill_format(arn_format, values)
        if arn is not None:
            out.append(arn)
    return out


def _kms_alias(params: Mapping[str, Any], scope: RequestScope) -> str | None:
    """The alias a KMS request names in `KeyId` (`alias/name` or an alias ARN), as an ARN."""
    key_id = next(iter(_lookup(params, ("KeyId",))), "")
    if key_id.startswith("alias/"):
        return f"arn:{scope.partition}:kms:{scope.region}:{scope.account}:{key_id}"
    if key_id.startswith("arn:") and ":alias/" in key_id:
        return key_id
    return None


def request_resources(act: Action, params: Mapping[str, Any], scope: RequestScope) -> tuple[str, ...]:
    """The ARNs a request for the action is authorized against, one authorization each; ("*",) for none."""
    rtypes = resource_types_for(act)
    if not rtypes:
        return ("*",)
    if act.service == "kms" and (alias := _kms_alias(params, scope)) is not None:
        # KMS authorizes the key an alias points to; iamtwin holds no keys, so it authorizes the alias.
        return (alias,)
    given: list[str] = []
    for rtype in rtypes:
        for arn_format in rtype.arn_formats:
            given.extend(_full_arns(params, arn_format))
    if given:
        return tuple(dict.fromkeys(given))
    found: list[str] = []
    for rtype in rtypes:
        # A type with several formats (API Gateway's `/apis/` and `/restapis/`) takes the first the request fills.
        derived = next(
            (arns for f in rtype.arn_formats if (arns := _fill(act.service, f, params, scope, wildcard=False))), []
        )
        if not derived and rtype.required:
            derived = _fill(act.service, rtype.arn_format, params, scope, wildcard=True)
        found.extend(derived)
    # A request naming a part of a resource (a DynamoDB table's index) is authorized on that part alone.
    narrowest = [arn for arn in found if not any(other.startswith(arn + "/") for other in found)]
    return tuple(dict.fromkeys(narrowest)) or ("*",)
