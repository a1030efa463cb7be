"""Validate policies: load the inputs, run every check, and decide which findings block.

Blocking follows the CloudFormation policy validator: findings whose type is in
`--treat-finding-type-as-blocking` (ERROR and SECURITY_WARNING by default) block, after
`--ignore-finding` entries (a code, a resource name, or `RESOURCE.CODE`) are removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .check import Check
from .checks import CHECKS
from .context import ValidateOptions, build_context
from .findings import Finding, FindingType, IssueCode, PolicyType
from .inputs.codes import CODES as INPUT_CODES
from .inputs.detect import load_paths
from .source import PolicySource

DEFAULT_BLOCKING = frozenset({FindingType.ERROR, FindingType.SECURITY_WARNING})


def all_codes(checks: Iterable[Check] = CHECKS) -> tuple[IssueCode, ...]:
    """Every issue code the validator can report: the inputs' and each check's."""
    return (*INPUT_CODES, *(code for check in checks for code in check.codes))


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of one validation run."""

    findings: tuple[Finding, ...]
    blocking: tuple[Finding, ...]
    non_blocking: tuple[Finding, ...]
    policies: int = 0

    @property
    def failed(self) -> bool:
        """True when a blocking finding is present."""
        return bool(self.blocking)


@dataclass(frozen=True, slots=True)
class Suppressions:
    """Findings to leave out: by code, by resource name, or by `RESOURCE.CODE`."""

    entries: frozenset[str] = field(default_factory=frozenset)

    def ignores(self, finding: Finding) -> bool:
        """True when the finding matches an entry."""
        e = self.entries
        return bool(
            finding.code in e
            or (finding.resource and finding.resource in e)
            or (finding.resource and f"{finding.resource}.{finding.code}" in e)
        )


def check_policy(source: PolicySource, options: ValidateOptions, checks: Iterable[Check] = CHECKS) -> list[Finding]:
    """Every finding of one policy, in check order."""
    context = build_context(source, options)
    found: list[Finding] = []
    for check in checks:
        found.extend(check.run(context))
    return found


def validate(
    paths: list[str],
    options: ValidateOptions,
    *,
    policy_type: PolicyType | None = None,
    blocking_types: frozenset[FindingType] = DEFAULT_BLOCKING,
    suppressions: Suppressions | None = None,
    db: str | None = None,
    skip_unrecognized: bool = False,
) -> Report:
    """Validate every policy found in `paths`, and in the world stored at `db` when given.

    `skip_unrecognized` skips named files that are no policy, template or plan (see `load_paths`).
    """
    found: list[Finding] = []
    policies = 0
    loaded = load_paths(paths, options, policy_type, skip_unrecognized=skip_unrecognized)
    if db is not None:
        # Imported here: the world store brings SQLAlchemy, which a run over files does not need.
        from .inputs.stored_world import world_policies

        loaded = iter((*loaded, *world_policies(db)))
    for item in loaded:
        if isinstance(item, Finding):
            found.append(item)
        else:
            policies += 1
            found.extend(check_policy(item, options))
    return decide(found, policies, blocking_types, suppressions or Suppressions())


def decide(
    findings: list[Finding], policies: int, blocking_types: frozenset[FindingType], suppressions: Suppressions
) -> Report:
    """Remove suppressed findings and split the rest into blocking and non-blocking."""
    kept = tuple(f for f in findings if not suppressions.ignores(f))
    blocking = tuple(f for f in kept if f.finding_type in blocking_types)
    non_blocking = tuple(f for f in kept if f.finding_type not in blocking_types)
    return Report(kept, blocking, non_blocking, policies)
