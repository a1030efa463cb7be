"""What an Allow statement grants, read from its Action/NotAction and Resource/NotResource as written.

Shared by the checks on sensitive actions (`iam:PassRole`, `iam:CreateServiceLinkedRole`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ...policy.patterns import compile_glob
from ..context import RawStatement
from ..source import is_unresolved


class ActionGrant(Enum):
    """How a statement's actions reach one action."""

    NONE = "none"
    NAMED = "named"  # the action is listed by its name
    STAR = "star"  # a wildcard pattern covers it
    NOT_ACTION = "not_action"  # NotAction leaves it allowed


class ResourceGrant(Enum):
    """How a statement's resources are written."""

    SPECIFIC = "specific"
    STAR = "star"
    NOT_RESOURCE = "not_resource"


@dataclass(frozen=True, slots=True)
class Grant:
    """How an Allow statement reaches one action, and with which resources."""

    action: ActionGrant
    resource: ResourceGrant


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def _covers(pattern: str, action: str) -> bool:
    return not is_unresolved(pattern) and compile_glob(pattern, True).fullmatch(action) is not None


def grant_of(statement: RawStatement, action: str) -> Grant | None:
    """How an Allow statement grants `action`, or None when it does not (or is not an Allow)."""
    value = statement.value
    if value.get("Effect") != "Allow":
        return None
    if "NotAction" in value:
        if any(_covers(p, action) for p in _strings(value["NotAction"])):
            return None
        how = ActionGrant.NOT_ACTION
    else:
        patterns = _strings(value.get("Action"))
        if any(p.lower() == action.lower() for p in patterns):
            how = ActionGrant.NAMED
        elif any(_covers(p, action) for p in patterns):
            how = ActionGrant.STAR
        else:
            return None
    if "NotResource" in value:
        return Grant(how, ResourceGrant.NOT_RESOURCE)
    resources = _strings(value.get("Resource"))
    star = any(r == "*" for r in resources)
    return Grant(how, ResourceGrant.STAR if star else ResourceGrant.SPECIFIC)
