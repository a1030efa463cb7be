"""The request state machine, table-driven from cases/transitions.yaml.

Each case is a sequence of steps (create, approve, reject, cancel, revoke, due, session) at given
times; each step expects a state or a refusal code, and for sessions the length the broker allows:
min(rule maximum, whole seconds left in the window), refused with fewer than 900 seconds left
(AssumeRole's minimum DurationSeconds, https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
"""

from __future__ import annotations

from typing import Any

import pytest

from iamtwin.broker import transitions
from iamtwin.broker.errors import BrokerError
from iamtwin.broker.requests import Approval, ElevationRequest, RequestState
from iamtwin.broker.rules import parse_rules

from .corpus import ask, at, load_cases, people

SHARED, CASES = load_cases("transitions.yaml")
RULES = parse_rules(SHARED["rules"])
PEOPLE = people(SHARED["people"])
PATHS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in SHARED["paths"].items()}


def _step(step: dict[str, Any], request: ElevationRequest | None, approvals: list[Approval]) -> Any:
    kind = step["do"]
    now = at(step.get("at", "+0s"))
    who = PEOPLE.get(step.get("as", ""))
    if kind == "create":
        assert who is not None
        wanted = ask(step["ask"])
        path = PATHS.get(wanted.account_id, ())
        return transitions.create(RULES, who, wanted, request_id="r-0000000000000001", account_path=path, now=now)
    assert request is not None, "a step other than create needs a created request"
    if kind == "approve":
        assert who is not None
        return transitions.approve(RULES, request, approvals, who, now)
    if kind == "reject":
        assert who is not None
        return transitions.reject(RULES, request, who, now, "not needed")
    if kind == "cancel":
        assert who is not None
        return transitions.cancel(request, who, now)
    if kind == "revoke":
        assert who is not None
        return transitions.revoke(RULES, request, who, now)
    if kind == "due":
        return transitions.due(request, now)
    if kind == "session":
        seconds = transitions.session_seconds(RULES, request, who, PATHS.get(request.ask.account_id, ()), now)
        assert who is not None
        return seconds, transitions.started(request, who, now, "session")
    raise AssertionError(f"unknown step {kind}")


@pytest.mark.parametrize("case", CASES)
def test_transition_case(case: dict[str, Any]) -> None:
    """Each step yields the expected state (and window, session length, events) or the expected refusal code."""
    request: ElevationRequest | None = None
    approvals: list[Approval] = []
    for index, step in enumerate(case["steps"]):
        where = f"step {index} ({step['do']})"
        if "error" in step:
            with pytest.raises(BrokerError) as caught:
                _step(step, request, approvals)
            assert caught.value.code == step["error"], where
            continue
        result = _step(step, request, approvals)
        if step["do"] == "session":
            seconds, result = result
            assert seconds == step["seconds"], where
        if result is None:
            assert step.get("state") is None or (request is not None and request.state == step["state"]), where
            continue
        request = result.request
        assert request is not None
        if result.approval is not None:
            approvals.append(result.approval)
        if "state" in step:
            assert request.state == RequestState(step["state"]), where
        if "events" in step:
            assert [e.kind for e in result.events] == step["events"], where
        if "window" in step:
            assert (request.window_start, request.window_end) == (at(step["window"][0]), at(step["window"][1])), where
