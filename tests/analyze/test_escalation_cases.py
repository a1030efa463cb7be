"""Privilege escalation edges and paths, table-driven from escalation_cases.yaml (one world per method).

Every edge is decided by the engine; each case names the AWS documentation page of its method.
Method list: Rhino Security Labs' IAM privilege escalation methods and PMapper's edge checkers.
Evaluation logic: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamtwin.analyze.escalation import Edge, EscalationGraph
from iamtwin.analyze.escalation_paths import escalation_paths
from iamtwin.evaluate.decision import StatementRef
from iamtwin.world.stored import World
from iamtwin.world.worldfile import load_world

ACCOUNT = "111122223333"
_CASES = yaml.safe_load((Path(__file__).parent / "escalation_cases.yaml").read_text(encoding="utf-8"))["cases"]
_SHORT = re.compile(r"^(user|role|group|policy|instance-profile)/")


def arn(text: str) -> str:
    """A shorthand `user/x` (or a statement label starting with one) as an ARN of account 111122223333."""
    return _SHORT.sub(lambda m: f"arn:aws:iam::{ACCOUNT}:{m.group(1)}/", text)


def label(ref: StatementRef) -> str:
    """A statement as the cases write it: `policy-id[index]`, `@level` for an SCP or RCP, then its Sid."""
    text = f"{ref.policy_id}[{ref.index}]" + ("" if ref.level is None else f"@{ref.level}")
    return f"{text} {ref.sid}" if ref.sid else text


def _expand(world: Any) -> Any:
    """The case's world with resource shorthands in policies expanded."""
    if isinstance(world, dict):
        return {k: _expand(v) for k, v in world.items()}
    if isinstance(world, list):
        return [_expand(v) for v in world]
    if isinstance(world, str):
        return arn(world)
    return world


def _find(edges: tuple[Edge, ...], kind: str, target: str) -> list[Edge]:
    return [e for e in edges if e.kind.value == kind and e.target == arn(target)]


@pytest.mark.parametrize("case", _CASES, ids=[c["name"] for c in _CASES])
def test_escalation_case(world: World, case: dict[str, Any]) -> None:
    """The case's edges exist with their statements, its near misses do not, and its paths are found."""
    world.import_model(load_world(_expand(case["world"])).world)
    graph = EscalationGraph(world)
    start = arn(case["from"])
    edges = graph.edges_from(start)
    for expected in case.get("edges", []):
        found = _find(edges, expected["kind"], expected["target"])
        assert found, f"no {expected['kind']} edge to {expected['target']}: {[(e.kind, e.target) for e in edges]}"
        edge = found[0]
        if "via" in expected:
            assert edge.via == arn(expected["via"])
        assert [label(s) for s in edge.statements] == [arn(s) for s in expected["statements"]]
        assert all(e.statements for e in edge.evidence), "every request of an edge names what allowed it"
    for missing in case.get("no_edges", []):
        assert not _find(edges, missing["kind"], missing["target"])
    paths = escalation_paths(graph, start)
    got = [{"admin": p.admin, "reason": p.reason.value, "kinds": [e.kind.value for e in p.edges]} for p in paths]
    want = [{**p, "admin": arn(p["admin"])} for p in case["paths"]]
    assert got == want
    for path in paths:
        assert path.start == start
        if path.reason.value == "full_access":
            assert path.admin_evidence, "a full-access end names the statements that allow it"
