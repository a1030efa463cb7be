"""What-can over the case table `what_can_cases.yaml`: which actions and resources a principal may use.

Actions come from the principal's Allow statements, expanded against the catalogue
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html), and from
resource policies naming the principal
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.analyze.test_who_can import access_world

from iamtwin.analyze.conditions_text import access_text
from iamtwin.analyze.what_can import what_can

TABLE = yaml.safe_load((Path(__file__).parent / "what_can_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", TABLE["cases"], ids=[c["name"] for c in TABLE["cases"]])
def test_what_can_case(case: dict[str, Any]) -> None:
    """The case's rows are listed with their verdicts (see the case's `doc`)."""
    answer = what_can(access_world(case["world"]), case["principal"], service=case.get("service"))
    rows = {(a.action, a.resource): a for a in answer.accesses}
    for want in case.get("allowed", []):
        key = (want["action"], want["resource"])
        assert key in rows, f"{key} not listed; listed: {sorted(rows)}"
        assert rows[key].verdict.value == want["verdict"]
        if "text" in want:
            assert access_text(rows[key]) == want["text"]
    for row in case.get("absent", []):
        assert (row["action"], row["resource"]) not in rows
    if case.get("only"):
        assert sorted(rows) == sorted((w["action"], w["resource"]) for w in case["allowed"])
    assert answer.pairs_considered >= len(answer.accesses)
