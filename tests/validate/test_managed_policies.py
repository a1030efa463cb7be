"""The validator over all AWS managed policies: no ERROR beyond the true findings listed in data/.

AWS accepted every one of these policies, so an ERROR on one is either a bug in a check or the
catalogue (what this test exists to catch) or a true finding against the Service Authorization
Reference: a retired service or action, or an ARN no action of the statement acts on. The true
findings are listed, with reasons, in data/managed_policy_errors.yaml; any other ERROR fails, and
so does a listed finding that no longer fires.
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from iamtwin.validate import FindingType, PolicySource, PolicyType, ValidateOptions, check_policy
from iamtwin.world.catalog import load_catalog

ACCEPTED = yaml.safe_load((Path(__file__).parent / "data" / "managed_policy_errors.yaml").read_text(encoding="utf-8"))


def _accepted(code: str, message: str) -> bool:
    if code == "INVALID_SERVICE":
        match = re.search(r"prefix `([^`]*)`", message)
        return match is not None and match.group(1) in ACCEPTED["retired_services"]
    if code == "INVALID_ACTION":
        match = re.search(r"`([^`]*)`", message)
        return match is not None and match.group(1) in ACCEPTED["unknown_actions"]
    return False


def test_no_unexpected_error_on_any_aws_managed_policy() -> None:
    """Every AWS managed policy validates without an ERROR other than the listed true findings."""
    catalog = load_catalog()
    assert len(catalog) >= 1500
    listed = {(f["policy"], f["path"], f["code"]) for f in ACCEPTED["findings"]}
    found: set[tuple[str, str, str]] = set()
    unexpected: list[str] = []
    services: set[str] = set()
    actions: set[str] = set()
    for entry in catalog:
        source = PolicySource(
            entry.name, entry.plain_document(), PolicyType.IDENTITY, policy=entry.name, aws_managed=True
        )
        for finding in check_policy(source, ValidateOptions()):
            if finding.finding_type is not FindingType.ERROR:
                continue
            if _accepted(finding.code, finding.message):
                text = re.search(r"`([^`]*)`", finding.message)
                (services if finding.code == "INVALID_SERVICE" else actions).add(text.group(1) if text else "")
                continue
            key = (entry.name, finding.location.path, finding.code)
            if key in listed:
                found.add(key)
            else:
                unexpected.append(f"{entry.name} {finding.location.path} {finding.code}: {finding.message}")
    assert unexpected == []
    assert found == listed
    assert actions == set(ACCEPTED["unknown_actions"])
