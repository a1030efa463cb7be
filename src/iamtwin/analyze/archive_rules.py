"""Archive rules: filters that archive the external access findings they match.

A rule is a name and a filter, Access Analyzer's FilterCriteria: a map from a filter key to a criterion
with `eq`, `neq` and `contains` (1 to 20 strings each) and `exists` (a boolean)
(https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CreateArchiveRule.html,
https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_Criterion.html). A finding matches
when every criterion holds; a criterion holds when each of its operators does: `eq` when the finding's value
is one of the strings, `neq` when it is none of them (or the finding has no such value), `contains` when the
value contains one of them, `exists` when the finding has (true) or lacks (false) the value.

The filter keys are Access Analyzer's for external access archive rules
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-filter-keys.html): `resource`,
`resourceType`, `resourceOwnerAccount`, `isPublic` (`true` | `false`), `principal.AWS`,
`principal.Federated`, and `condition.<key>` (the key matched without regard to case, as IAM matches
keys), and iamtwin's `principal.Service` and `principal.CanonicalUser` for the other principal types.
`status` cannot be filtered on in an archive rule, as in Access Analyzer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .external_access import AnalyzerError, ExternalAccessFinding

MAX_VALUES = 20
_RULE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,254}$")
_KEYS = frozenset({"resource", "resourceType", "resourceOwnerAccount", "isPublic"})
_PRINCIPAL_TYPES = frozenset({"AWS", "Federated", "Service", "CanonicalUser"})
_OPERATORS = ("eq", "neq", "contains", "exists")


class ArchiveRuleError(AnalyzerError):
    """An archive rule that is malformed, or that does not exist."""

    code = "INVALID_ARCHIVE_RULE"


@dataclass(frozen=True, slots=True)
class Criterion:
    """One filter key and the operators its value must satisfy (None: operator not given)."""

    key: str
    eq: tuple[str, ...] | None = None
    neq: tuple[str, ...] | None = None
    contains: tuple[str, ...] | None = None
    exists: bool | None = None

    def holds(self, value: str | None) -> bool:
        """Whether a finding's value of this key (None when it has none) satisfies every operator."""
        if self.exists is not None and (value is not None) != self.exists:
            return False
        if self.eq is not None and value not in self.eq:
            return False
        if self.neq is not None and value is not None and value in self.neq:
            return False
        return self.contains is None or (value is not None and any(part in value for part in self.contains))

    def to_dict(self) -> dict[str, object]:
        """The criterion as Access Analyzer's JSON writes it."""
        out: dict[str, object] = {}
        for name in ("eq", "neq", "contains"):
            values = getattr(self, name)
            if values is not None:
                out[name] = list(values)
        if self.exists is not None:
            out["exists"] = self.exists
        return out


@dataclass(frozen=True, slots=True)
class ArchiveRule:
    """A named filter; findings it matches are archived."""

    name: str
    criteria: tuple[Criterion, ...]  # by key

    def matches(self, finding: ExternalAccessFinding) -> bool:
        """Whether every criterion of the filter holds for the finding."""
        return all(c.holds(finding_value(finding, c.key)) for c in self.criteria)

    def filter_dict(self) -> dict[str, dict[str, object]]:
        """The filter as Access Analyzer's JSON writes it."""
        return {c.key: c.to_dict() for c in self.criteria}

    def filter_json(self) -> str:
        """The filter as canonical JSON text (what the store keeps)."""
        return json.dumps(self.filter_dict(), sort_keys=True, separators=(",", ":"))


def finding_value(finding: ExternalAccessFinding, key: str) -> str | None:
    """The value a filter key reads from a finding, or None when the finding has none."""
    if key == "resource":
        return finding.resource
    if key == "resourceType":
        return finding.resource_type
    if key == "resourceOwnerAccount":
        return finding.resource_owner_account
    if key == "isPublic":
        return "true" if finding.is_public else "false"
    if key.startswith("principal."):
        kind, value = finding.principal
        return value if kind == key.removeprefix("principal.") else None
    wanted = key.removeprefix("condition.").lower()
    return next((v for k, v in finding.condition if k.lower() == wanted), None)


def parse_rule_name(name: str) -> str:
    """A rule name as Access Analyzer allows: a letter, then letters, digits, `_`, `.` and `-`; at most 255."""
    if not _RULE_NAME.match(name):
        raise ArchiveRuleError(
            f"rule name `{name}` must start with a letter and hold only letters, digits, `_`, `.` and `-` "
            "(at most 255 characters)"
        )
    return name


def parse_archive_rule(name: str, filter_value: object) -> ArchiveRule:
    """An archive rule from its name and filter (a mapping, or JSON text of one); a coded error when malformed."""
    if isinstance(filter_value, str):
        try:
            filter_value = json.loads(filter_value)
        except json.JSONDecodeError as exc:
            raise ArchiveRuleError(f"the filter is not JSON: {exc.msg} at character {exc.pos}") from exc
    if not isinstance(filter_value, Mapping) or not filter_value:
        raise ArchiveRuleError("the filter must be a non-empty object of filter keys")
    items = sorted(((str(key), value) for key, value in filter_value.items()), key=lambda item: item[0])
    criteria = tuple(_criterion(key, value) for key, value in items)
    return ArchiveRule(parse_rule_name(name), criteria)


def _criterion(key: str, value: object) -> Criterion:
    _check_key(key)
    if not isinstance(value, Mapping) or not value:
        raise ArchiveRuleError(f"filter key `{key}` needs an object with `eq`, `neq`, `contains` or `exists`")
    unknown = sorted(str(k) for k in value if k not in _OPERATORS)
    if unknown:
        raise ArchiveRuleError(f"filter key `{key}`: unknown operator `{unknown[0]}` (use eq, neq, contains, exists)")
    exists = value.get("exists")
    if exists is not None and not isinstance(exists, bool):
        raise ArchiveRuleError(f"filter key `{key}`: `exists` must be true or false")
    return Criterion(
        key,
        eq=_strings(key, "eq", value.get("eq")),
        neq=_strings(key, "neq", value.get("neq")),
        contains=_strings(key, "contains", value.get("contains")),
        exists=exists,
    )


def _check_key(key: str) -> None:
    if key == "status":
        raise ArchiveRuleError("an archive rule cannot filter on `status`")
    if key in _KEYS:
        return
    if key.startswith("principal.") and key.removeprefix("principal.") in _PRINCIPAL_TYPES:
        return
    if key.startswith("condition.") and len(key) > len("condition."):
        return
    raise ArchiveRuleError(
        f"unknown filter key `{key}` (use resource, resourceType, resourceOwnerAccount, isPublic, "
        "principal.AWS, principal.Federated, principal.Service, principal.CanonicalUser or condition.<key>)"
    )


def _strings(key: str, operator: str, values: object) -> tuple[str, ...] | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ArchiveRuleError(f"filter key `{key}`: `{operator}` must be a list of strings")
    if not 1 <= len(values) <= MAX_VALUES:
        raise ArchiveRuleError(f"filter key `{key}`: `{operator}` takes 1 to {MAX_VALUES} values")
    if key == "isPublic" and any(v not in ("true", "false") for v in values):
        raise ArchiveRuleError(f"filter key `isPublic`: `{operator}` values are `true` or `false`")
    return tuple(values)
