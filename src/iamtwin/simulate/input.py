"""Reading the simulation input (the public JSON contract) into compiled policies and requests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import IamtwinError, Location
from ..evaluate.compiled import CompiledPolicy
from ..evaluate.context import ContextValue, RequestContext
from ..evaluate.decision import PolicyType
from ..evaluate.policy_set import PolicySet
from ..evaluate.principal import Principal, parse_principal
from ..evaluate.request import check_action
from ..policy.errors import PolicySyntaxError
from ..policy.parse import parse_policy
from .errors import SimulationInputError

POLICY_KEYS = frozenset(
    {
        "identity_policies",
        "permissions_boundary",
        "session_policies",
        "resource_policy",
        "scps",
        "rcps",
        "vpc_endpoint_policies",
        "principal_is_service_linked_role",
        "principal_in_management_account",
        "resource_in_management_account",
    }
)
_SCALARS = frozenset({str, bool, int, float})
# ContextValue is a named tuple; tuple.__new__ builds one without its Python-level __new__.
_tuple_new = tuple.__new__
_EMPTY_CONTEXT = RequestContext()
REQUEST_KEYS = frozenset(
    {"principal", "action", "resource", "resource_account", "context", "principal_tags", "resource_tags"}
)


def _fail(path: str, message: str, code: str = "INVALID_SIMULATION_INPUT") -> SimulationInputError:
    return SimulationInputError(message, code=code, location=Location(path))


def _policy(entry: object, path: str, policy_type: PolicyType, level: int | None = None) -> CompiledPolicy:
    if not isinstance(entry, Mapping):
        raise _fail(path, "a policy must be an object with `id` and `document`")
    unknown = set(entry) - {"id", "document"}
    if unknown:
        raise _fail(path, f"unknown key `{sorted(unknown)[0]}` in a policy entry", "UNKNOWN_INPUT_KEY")
    policy_id = entry.get("id")
    if not isinstance(policy_id, str) or not policy_id:
        raise _fail(f"{path}.id", "a policy needs a non-empty string `id`")
    document = entry.get("document")
    if not isinstance(document, (str, Mapping)):
        raise _fail(f"{path}.document", "`document` must be a policy object or its JSON text")
    try:
        parsed = parse_policy(document)
    except PolicySyntaxError as err:
        inner = err.location or Location()
        joined = f"{path}.document" + (f".{inner.path}" if inner.path else "")
        raise SimulationInputError(
            f"policy `{policy_id}`: {err.message}",
            code=err.code,
            location=Location(joined, inner.line, inner.column),
        ) from err
    return CompiledPolicy(policy_type, policy_id, parsed, level)


def _policy_list(value: object, path: str, policy_type: PolicyType) -> tuple[CompiledPolicy, ...]:
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise _fail(path, "expected a list of policies")
    return tuple(_policy(e, f"{path}[{i}]", policy_type) for i, e in enumerate(value))


def _levels(value: object, path: str, policy_type: PolicyType) -> tuple[tuple[CompiledPolicy, ...], ...]:
    if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
        raise _fail(path, "expected a list of levels (root first), each a list of policies")
    levels = []
    for i, level in enumerate(value):
        if not isinstance(level, Sequence) or isinstance(level, (str, bytes)):
            raise _fail(f"{path}[{i}]", "each level must be a list of policies")
        levels.append(tuple(_policy(e, f"{path}[{i}][{j}]", policy_type, i) for j, e in enumerate(level)))
    return tuple(levels)


def _flag(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _fail(key, f"`{key}` must be true or false")
    return value


def read_policies(data: Mapping[str, Any]) -> PolicySet:
    """Compile the policy part of a simulation input (everything but `request`)."""
    if not isinstance(data, Mapping):
        raise _fail("", "the simulation input must be a JSON object")
    unknown = set(data) - POLICY_KEYS - {"request"}
    if unknown:
        raise _fail(
            sorted(unknown)[0], f"unknown key `{sorted(unknown)[0]}` in the simulation input", "UNKNOWN_INPUT_KEY"
        )

    def optional_one(key: str, policy_type: PolicyType) -> CompiledPolicy | None:
        value = data.get(key)
        return None if value is None else _policy(value, key, policy_type)

    def optional_list(key: str, policy_type: PolicyType) -> tuple[CompiledPolicy, ...] | None:
        value = data.get(key)
        return None if value is None else _policy_list(value, key, policy_type)

    def optional_levels(key: str, policy_type: PolicyType) -> tuple[tuple[CompiledPolicy, ...], ...] | None:
        value = data.get(key)
        return None if value is None else _levels(value, key, policy_type)

    return PolicySet(
        identity=optional_list("identity_policies", PolicyType.IDENTITY) or (),
        permissions_boundary=optional_one("permissions_boundary", PolicyType.PERMISSIONS_BOUNDARY),
        session=optional_list("session_policies", PolicyType.SESSION),
        resource=optional_one("resource_policy", PolicyType.RESOURCE),
        scps=optional_levels("scps", PolicyType.SCP),
        rcps=optional_levels("rcps", PolicyType.RCP),
        vpc_endpoint=optional_list("vpc_endpoint_policies", PolicyType.VPC_ENDPOINT),
        principal_is_service_linked_role=_flag(data, "principal_is_service_linked_role"),
        principal_in_management_account=_flag(data, "principal_in_management_account"),
        resource_in_management_account=_flag(data, "resource_in_management_account"),
    )


@dataclass(frozen=True, slots=True)
class RequestInput:
    """The `request` object of a simulation input, checked and typed."""

    principal: Principal
    action: str
    resource: str | None
    resource_account: str | None
    context: RequestContext
    principal_tags: Mapping[str, str]
    resource_tags: Mapping[str, str]


def _tags(value: object, path: str) -> Mapping[str, str]:
    if not value:
        return {}
    if not isinstance(value, Mapping):
        raise _fail(path, "tags must be an object of string keys to string values")
    for k, v in value.items():
        if type(k) is not str or type(v) is not str:
            raise _fail(f"{path}.{k}", "tags must be an object of string keys to string values")
    return value


def _context(raw: object, path: str) -> RequestContext:
    if not raw:
        return _EMPTY_CONTEXT
    if not isinstance(raw, Mapping):
        raise _fail(path, "`context` must be an object of keys to a value or a list of values")
    entries: dict[str, ContextValue] = {}
    for key, value in raw.items():
        entry = context_entry(key, value)
        if entry is None:
            raise _fail(f"{path}.{key}", f"context key `{key}` must have a value or a list of values")
        entries[key.lower()] = entry
    return RequestContext.from_entries(entries)


def context_entry(key: str, value: object) -> ContextValue | None:
    """The entry of one given context key: a string or number, or a list of them; None if it is neither."""
    if type(value) is str:
        return _tuple_new(ContextValue, (key, (value,), False))
    if type(value) is list:
        texts = True
        for item in value:
            if type(item) is not str:
                if type(item) not in _SCALARS:
                    return None
                texts = False
        values = tuple(value) if texts else tuple([_text(v) for v in value])
        return _tuple_new(ContextValue, (key, values, True))
    if type(value) in _SCALARS:
        return _tuple_new(ContextValue, (key, (_text(value),), False))
    return None


def _text(value: object) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def read_request(data: object, path: str = "request") -> RequestInput:
    """Check and type the `request` object of a simulation input."""
    if not isinstance(data, Mapping):
        raise _fail(path, "`request` must be an object with `principal` and `action`")
    for key in data:
        if key not in REQUEST_KEYS:
            raise _fail(f"{path}.{key}", f"unknown key `{key}` in the request", "UNKNOWN_INPUT_KEY")
    principal_text = data.get("principal")
    if type(principal_text) is not str:
        raise _fail(f"{path}.principal", "`principal` must be a string: an ARN, `*` or a service principal")
    action = data.get("action")
    if type(action) is not str:
        raise _fail(f"{path}.action", "`action` must be a string such as `s3:GetObject`")
    resource = data.get("resource")
    if resource is not None and (type(resource) is not str or not resource):
        raise _fail(f"{path}.resource", "`resource` must be a non-empty string (an ARN) or omitted")
    account = data.get("resource_account")
    if account is not None and (type(account) is not str or len(account) != 12 or not account.isdigit()):
        raise _fail(f"{path}.resource_account", "`resource_account` must be a 12-digit account id")
    context = _context(data.get("context"), f"{path}.context")
    try:
        principal = parse_principal(principal_text)
        check_action(action)
    except IamtwinError as err:
        field = "principal" if err.code == "INVALID_PRINCIPAL" else "action"
        raise SimulationInputError(err.message, code=err.code, location=Location(f"{path}.{field}")) from err
    return RequestInput(
        principal,
        action,
        resource,
        account,
        context,
        _tags(data.get("principal_tags"), f"{path}.principal_tags"),
        _tags(data.get("resource_tags"), f"{path}.resource_tags"),
    )
