"""The benchmark cases are valid simulation inputs, and the benchmark runner works in --quick mode.

The iam-simulate side needs node, npm and the npm registry; without them that test is skipped.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import iamtwin

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
BENCH = BENCHMARKS / "bench_decisions.py"


def _load_cases() -> ModuleType:
    spec = importlib.util.spec_from_file_location("iamtwin_benchmark_cases", BENCHMARKS / "cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


cases = _load_cases()


def _walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _condition_operators(policies: dict[str, Any]) -> set[str]:
    return {
        op for node in _walk(policies) if isinstance(node, dict) and "Condition" in node for op in node["Condition"]
    }


def test_simple_case_is_one_policy_one_statement_one_request() -> None:
    case = cases.simple_case()
    assert len(case.policies["identity_policies"]) == 1
    assert cases.statement_count(case.policies) == 1
    assert len(case.requests) == 1


def test_heavy_case_has_the_shape_the_issue_asks_for() -> None:
    case = cases.heavy_case()
    policies = case.policies
    assert len(policies["identity_policies"]) == 10
    assert 55 <= cases.statement_count(policies) <= 65
    assert len(policies["scps"]) == 2
    assert policies["rcps"] and policies["permissions_boundary"] and policies["resource_policy"]
    assert 18 <= len(case.requests) <= 30
    assert len({r.id for r in case.requests}) == len(case.requests)
    assert {r.expected for r in case.requests} == {"Allowed", "ExplicitDeny", "ImplicitDeny"}
    operators = _condition_operators(policies)
    for family in ("StringEquals", "StringLike", "IpAddress", "Bool", "NumericLessThan", "DateGreaterThan"):
        assert any(op == family or op.startswith(family) for op in operators), family
    assert any(op.startswith("ForAnyValue:") for op in operators)
    text = json.dumps(policies)
    assert "${aws:username}" in text and "${aws:PrincipalTag/team}" in text
    assert '"NotAction"' in text and '"NotResource"' in text


@pytest.mark.parametrize("case", cases.all_cases(), ids=lambda c: c.name)
def test_every_request_of_a_case_is_a_valid_simulation_input(case: Any) -> None:
    for r in case.requests:
        data = case.simulation_input(r)
        assert set(data["request"]) >= {"principal", "action", "resource", "resource_account", "context"}
        json.dumps(data)  # serialisable, as the Node side receives it
    iamtwin.Simulator(case.policies)  # raises SimulationInputError on a bad policy


@pytest.mark.parametrize("case", cases.all_cases(), ids=lambda c: c.name)
def test_iamtwin_gives_the_expected_outcome_on_every_benchmark_request(case: Any) -> None:
    from datetime import datetime

    simulator = iamtwin.Simulator(case.policies, now=datetime.fromisoformat(case.now.replace("Z", "+00:00")))
    got = {r.id: str(simulator.decide(r.request).outcome.value) for r in case.requests}
    assert got == {r.id: r.expected for r in case.requests}


def test_node_payload_spells_out_derived_context_keys() -> None:
    payload = cases.node_payload()
    heavy = next(c for c in payload["cases"] if c["name"] == "heavy")
    by_id = {r["id"]: r for r in heavy["requests"]}
    alice = by_id["b01"]["context"]
    assert alice["aws:username"] == "alice"
    assert alice["aws:PrincipalTag/team"] == "data"
    assert alice["aws:PrincipalArn"] == "arn:aws:iam::111122223333:user/alice"
    auditor = by_id["b22"]["context"]
    assert auditor["aws:PrincipalArn"] == "arn:aws:iam::111122223333:role/ReadOnlyAuditor"
    assert "aws:username" not in auditor


def _run_bench(*args: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--no-pin", "--json", str(out), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    data: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    return done, data


def test_quick_run_without_node_measures_iamtwin(tmp_path: Path) -> None:
    done, data = _run_bench("--no-node", tmp_path=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert data["iamtwin"]["heavy"]["decisions_per_second"] > 0
    assert data["iam_simulate"] == {}


def _npm_registry_reachable() -> bool:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return False
    try:
        done = subprocess.run([npm, "ping", "--loglevel=error"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def test_quick_run_measures_both_iam_simulate_entry_points(tmp_path: Path) -> None:
    if not _npm_registry_reachable():
        pytest.skip("node, npm or the npm registry is not available")
    done, data = _run_bench(tmp_path=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    for case in ("simple", "heavy"):
        for entry in ("runSimulation", "runUnsafeSimulation"):
            figure = data["iam_simulate"][f"{case}/{entry}"]
            assert figure["decisions_per_second"] > 0
            assert not any(o.startswith("Error") for o in figure["outcomes"].values())
    assert "ratio" in done.stdout


def test_warm_routes_decide_like_cold_ones() -> None:
    """A simulator that has decided every request before (its routes keep their combinations) gives,
    request by request, the decision and reasons of a fresh simulator."""
    from iamtwin.simulate.output import decision_to_json

    for case in cases.all_cases():
        now = datetime.fromisoformat(case.now.replace("Z", "+00:00"))
        warm = iamtwin.Simulator(case.policies, now=now)
        requests = [r.request for r in case.requests]
        for request in requests + requests[::-1]:
            warm.decide(request)
        for request in requests:
            cold = iamtwin.Simulator(case.policies, now=now).decide(request)
            assert decision_to_json(warm.decide(request)) == decision_to_json(cold)
