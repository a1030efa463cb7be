"""Write an Organization as the directory of Organizations CLI outputs that `organizations` reads.

Files are written as the AWS CLI prints them (JSON, four-space indentation), with ARNs built the
way Organizations builds them. Every policy attached anywhere or defined in the organization is
listed; since a listing has one order and each node keeps its policies in listing order, the
listing is ordered so that every node's order is kept (when two nodes disagree, the first seen
wins). While RCPs are enabled, `RCPFullAWSAccess` is listed and attached to every node, as AWS
shows it. Account names, which the model does not hold, may be passed in.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from ..model import Organization, OrgNode, OrgPolicy, OrgPolicyType
from ..read_org import organizations_managed

_FILTERS = {OrgPolicyType.SCP: "SERVICE_CONTROL_POLICY", OrgPolicyType.RCP: "RESOURCE_CONTROL_POLICY"}
_RCP_FULL_ACCESS = "RCPFullAWSAccess"

_ARN_KIND = {"ROOT": "root", "ORGANIZATIONAL_UNIT": "ou", "ACCOUNT": "account"}


@dataclass(frozen=True, slots=True)
class _Target:
    """The root, an OU or an account, with the policies attached to it."""

    id: str
    type: str
    name: str | None
    scps: tuple[OrgPolicy, ...]
    rcps: tuple[OrgPolicy, ...]

    def attached(self, kind: OrgPolicyType) -> tuple[OrgPolicy, ...]:
        return self.scps if kind is OrgPolicyType.SCP else self.rcps

    def summary(self, base: str, org_id: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"TargetId": self.id, "Arn": f"{base}:{_ARN_KIND[self.type]}/{org_id}/{self.id}"}
        if self.name is not None:
            entry["Name"] = self.name
        entry["Type"] = self.type
        return entry


def _targets(node: OrgNode, names: Mapping[str, str]) -> Iterator[_Target]:
    kind = "ROOT" if node.id.startswith("r-") else "ORGANIZATIONAL_UNIT"
    yield _Target(node.id, kind, node.name, node.scps, node.rcps)
    for account in node.accounts:
        yield _Target(account.id, "ACCOUNT", names.get(account.id), account.scps, account.rcps)
    for child in node.children:
        yield from _targets(child, names)


def _ordered(sequences: list[tuple[OrgPolicy, ...]], extra: list[OrgPolicy]) -> list[OrgPolicy]:
    """All policies, ordered so that each sequence keeps its order where they do not conflict."""
    first_seen: dict[str, OrgPolicy] = {}
    after: dict[str, list[str]] = {}
    waiting: dict[str, int] = {}
    for sequence in sequences:
        for policy in sequence:
            first_seen.setdefault(policy.policy_id, policy)
            waiting.setdefault(policy.policy_id, 0)
        for earlier, later in pairwise(sequence):
            after.setdefault(earlier.policy_id, []).append(later.policy_id)
            waiting[later.policy_id] += 1
    for policy in extra:
        first_seen.setdefault(policy.policy_id, policy)
        waiting.setdefault(policy.policy_id, 0)
    out: list[str] = []
    placed: set[str] = set()
    while len(out) < len(first_seen):
        # The first-seen policy nothing is waiting on; on a conflict (a cycle), the first-seen one.
        ready = next((pid for pid in first_seen if pid not in placed and waiting[pid] == 0), None)
        if ready is None:
            ready = next(pid for pid in first_seen if pid not in placed)
        placed.add(ready)
        out.append(ready)
        for successor in after.get(ready, []):
            waiting[successor] -= 1
    return [first_seen[pid] for pid in out]


def _write(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=4, ensure_ascii=False) + "\n", encoding="utf-8")


def _content(policy: OrgPolicy) -> str:
    document = policy.document
    return document if isinstance(document, str) else json.dumps(document, separators=(",", ":"))


def write_organization(
    org: Organization, directory: str | os.PathLike[str], *, account_names: Mapping[str, str] | None = None
) -> None:
    """Write `org` into `directory` in the layout `read_organization_directory` reads."""
    out = Path(directory)
    base = f"arn:aws:organizations::{org.management_account}"
    names = account_names or {}
    policy_types = [{"Type": _FILTERS[OrgPolicyType.SCP], "Status": "ENABLED"}]
    if org.rcps_enabled:
        policy_types.append({"Type": _FILTERS[OrgPolicyType.RCP], "Status": "ENABLED"})
    _write(
        out / "describe-organization.json",
        {
            "Organization": {
                "Id": org.id,
                "Arn": f"{base}:organization/{org.id}",
                "FeatureSet": "ALL",
                "MasterAccountArn": f"{base}:account/{org.id}/{org.management_account}",
                "MasterAccountId": org.management_account,
                "AvailablePolicyTypes": policy_types[:1],
            }
        },
    )
    root_arn = f"{base}:root/{org.id}/{org.root.id}"
    _write(
        out / "list-roots.json",
        {"Roots": [{"Id": org.root.id, "Arn": root_arn, "Name": org.root.name, "PolicyTypes": policy_types}]},
    )
    _write_tree(out, org.root, base, org.id, names)
    targets = list(_targets(org.root, names))
    for kind in OrgPolicyType:
        _write_policies(out, org, kind, targets, base)


def _write_policies(out: Path, org: Organization, kind: OrgPolicyType, targets: list[_Target], base: str) -> None:
    """The listing of one policy type and each listed policy's content and targets."""
    sequences = [target.attached(kind) for target in targets]
    defined = [p for p in org.policies.values() if p.type is kind]
    full_access = None
    if kind is OrgPolicyType.RCP and org.rcps_enabled:
        full_access = org.policies.get(_RCP_FULL_ACCESS) or organizations_managed(_RCP_FULL_ACCESS)
        assert full_access is not None
        sequences = [tuple(p for p in s if p.name != _RCP_FULL_ACCESS) for s in sequences]
        defined = [full_access, *defined]
    policies = _ordered(sequences, defined)
    if kind is OrgPolicyType.RCP and not policies:
        return
    summaries = []
    for policy in policies:
        summary = {
            "Id": policy.policy_id,
            "Arn": policy.arn,
            "Name": policy.name,
            "Type": _FILTERS[kind],
            "AwsManaged": ":aws:policy/" in policy.arn,
        }
        summaries.append(summary)
        _write(
            out / "describe-policy" / f"{policy.policy_id}.json",
            {"Policy": {"PolicySummary": summary, "Content": _content(policy)}},
        )
        attached_to = [
            target.summary(base, org.id)
            for target in targets
            if (full_access is not None and policy.policy_id == full_access.policy_id)
            or any(p.policy_id == policy.policy_id for p in target.attached(kind))
        ]
        _write(out / "list-targets-for-policy" / f"{policy.policy_id}.json", {"Targets": attached_to})
    _write(out / "list-policies" / f"{_FILTERS[kind]}.json", {"Policies": summaries})


def _write_tree(out: Path, node: OrgNode, base: str, org_id: str, names: Mapping[str, str]) -> None:
    accounts = []
    for account in node.accounts:
        entry = {"Id": account.id, "Arn": f"{base}:account/{org_id}/{account.id}"}
        if account.id in names:
            entry["Name"] = names[account.id]
        entry["Status"] = "ACTIVE"
        accounts.append(entry)
    _write(out / "list-accounts-for-parent" / f"{node.id}.json", {"Accounts": accounts})
    ous = [{"Id": child.id, "Arn": f"{base}:ou/{org_id}/{child.id}", "Name": child.name} for child in node.children]
    _write(out / "list-organizational-units-for-parent" / f"{node.id}.json", {"OrganizationalUnits": ous})
    for child in node.children:
        _write_tree(out, child, base, org_id, names)
