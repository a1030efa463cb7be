"""Admission of grant requests, table-driven from cases/admission.yaml, on the authenticated requester.

The cases run on one SQLite world of the scenario: admission reads the world, never writes it
(the same decisions on PostgreSQL are covered by the orchestrator and end-to-end tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamtwin.clock import FixedClock
from iamtwin.grants import GrantError
from iamtwin.grants.admission import REQUEST_ACTION, admit, requester_of
from iamtwin.world.stored import World

from .conftest import Estate, build_estate, grant_request

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "admission.yaml").read_text(encoding="utf-8"))["cases"]


@pytest.fixture(scope="module")
def shared_estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Estate]:
    from datetime import UTC, datetime

    path = tmp_path_factory.mktemp("grants") / "world.db"
    world = World.open(f"sqlite:///{path}", clock=FixedClock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC)))
    try:
        yield build_estate(world)
    finally:
        world.close()


@pytest.mark.parametrize("case", CASES, ids=[f"admission.yaml::{c['name']}" for c in CASES])
def test_admission_case(shared_estate: Estate, case: dict[str, Any]) -> None:
    """Each case's requester and request are admitted or refused with the expected code."""
    caller = shared_estate.caller(case["requester"])
    requester = requester_of(caller)
    request = grant_request(requester.account, **case.get("request", {}))
    settings = shared_estate.orchestrator.settings()
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(GrantError) as caught:
            admit(shared_estate.world, requester, REQUEST_ACTION, request, settings)
        assert caught.value.code == expect["error"]
        return
    decision = admit(shared_estate.world, requester, REQUEST_ACTION, request, settings)
    assert decision.allowed is expect["allowed"]
    if "matched" in expect:
        assert [m.sid for m in decision.matched] == [expect["matched"]]


def test_refusal_by_policy_carries_the_engine_decision(shared_estate: Estate) -> None:
    """A requester the admission policy does not allow gets GRANT_NOT_PERMITTED with the implicit deny."""
    requester = requester_of(shared_estate.session("444444444444", "developer"))
    with pytest.raises(GrantError) as caught:
        admit(shared_estate.world, requester, REQUEST_ACTION, grant_request(), shared_estate.orchestrator.settings())
    decision = getattr(caught.value, "decision", None)
    assert decision is not None and decision.outcome.value == "ImplicitDeny"
    assert decision.request.action == REQUEST_ACTION
