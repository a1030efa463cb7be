"""The orchestrator's settings: its own role, what may be granted, and who may ask (the admission policy).

Loaded from YAML (`iamtwin grants configure FILE`) and kept in the world database::

    orchestrator: arn:aws:iam::333333333333:role/PermissionOrchestrator
    grantable:
      resources: ["arn:aws:lambda:us-east-1:333333333333:function:token-validator"]
      principals: {apigateway.amazonaws.com: execute-api}   # service principal -> service of its source ARNs
      actions: [lambda:InvokeFunction]
    admission: {Version: "2012-10-17", Statement: [...]}   # an IAM policy over the authenticated requester

`grantable` is the allowed set: a request outside it is out of scope whatever the admission policy
says. The admission policy decides who may ask: actions `iamtwin-grants:RequestGrant` and
`iamtwin-grants:RevokeGrant`, the resource being the target ARN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from ..errors import IamtwinError
from ..policy.arn import arn_matches, parse_arn
from ..policy.parse import parse_policy
from .errors import GrantError, GrantErrorCode

_KEYS = {"orchestrator", "grantable", "admission"}
_GRANTABLE_KEYS = {"resources", "principals", "actions"}


def _invalid(message: str) -> GrantError:
    return GrantError(GrantErrorCode.INVALID_SETTINGS, message)


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise _invalid(f"`{where}` must be a non-empty list of strings")
    return tuple(value)


@dataclass(frozen=True, slots=True)
class GrantSettings:
    """The orchestrator's role, the grantable resources, principals and actions, and the admission policy."""

    orchestrator: str
    resources: tuple[str, ...]
    principals: Mapping[str, str]  # service principal -> service prefix its source ARNs must have
    actions: tuple[str, ...]
    admission: Mapping[str, Any]

    def resource_allowed(self, arn: str) -> bool:
        """True when the target is in the grantable set."""
        return any(arn_matches(pattern, arn) for pattern in self.resources)

    def action_allowed(self, action: str) -> bool:
        """True when the action may be granted (compared without regard to case, as IAM does)."""
        return action.lower() in {a.lower() for a in self.actions}


def read_settings(text: str) -> GrantSettings:
    """Parse and check settings YAML (or JSON) text."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _invalid(f"the settings are not YAML: {exc}") from exc
    return settings_from(data)


def settings_from(data: object) -> GrantSettings:
    """Check settings given as a mapping."""
    if not isinstance(data, Mapping):
        raise _invalid("the settings must be a mapping")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise _invalid(f"unknown setting `{unknown[0]}`")
    orchestrator = data.get("orchestrator")
    if not isinstance(orchestrator, str) or parse_arn(orchestrator) is None or ":role/" not in orchestrator:
        raise _invalid("`orchestrator` must be the ARN of the orchestrator's role")
    grantable = data.get("grantable")
    if not isinstance(grantable, Mapping):
        raise _invalid("`grantable` must be a mapping of resources, principals and actions")
    unknown = sorted(set(grantable) - _GRANTABLE_KEYS)
    if unknown:
        raise _invalid(f"unknown setting `grantable.{unknown[0]}`")
    resources = _strings(grantable.get("resources"), "grantable.resources")
    for pattern in resources:
        if parse_arn(pattern) is None:
            raise _invalid(f"`{pattern}` in `grantable.resources` is not an ARN")
    principals = grantable.get("principals")
    if (
        not isinstance(principals, Mapping)
        or not principals
        or not all(isinstance(k, str) and isinstance(v, str) and v for k, v in principals.items())
    ):
        raise _invalid("`grantable.principals` must map service principals to the service of their source ARNs")
    actions = _strings(grantable.get("actions"), "grantable.actions")
    admission = data.get("admission")
    if not isinstance(admission, Mapping):
        raise _invalid("`admission` must be a policy document")
    try:
        parse_policy(admission)
    except IamtwinError as err:
        raise _invalid(f"the admission policy is not a valid policy: {err.message}") from err
    return GrantSettings(orchestrator, resources, dict(principals), actions, dict(admission))
