"""The report as JSON, in the CloudFormation policy validator's shape.

`{"BlockingFindings": [...], "NonBlockingFindings": [...]}`, each finding with `findingType`,
`code`, `message`, `resourceName`, `policyName` and `details`
(https://github.com/awslabs/aws-cloudformation-iam-policy-validator), and `ServiceData`: the
release and date of the service data the catalogue checks used, as findings depend on it.
"""

from __future__ import annotations

import json

from ..run import Report
from .sarif_report import service_data


def render_json(report: Report) -> str:
    """The report as indented JSON text."""
    data = {
        "BlockingFindings": [f.to_dict() for f in report.blocking],
        "NonBlockingFindings": [f.to_dict() for f in report.non_blocking],
        "ServiceData": service_data(),
    }
    return json.dumps(data, indent=2, ensure_ascii=False)
