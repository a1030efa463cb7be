"""Break-glass (scenario 05, point 7): access at once where the rules allow it, always a review afterwards.

The review is completed by someone who could have approved the request, never by its user; until
then the use heads `iamtwin broker list`. Each step is in the broker's events and in the audit trail
(ReviewBreakGlass carries the outcome and comment as requestParameters, as CloudTrail records what a
call asked for: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from iamtwin.audit.store import AuditStore
from iamtwin.broker.errors import BrokerError
from iamtwin.broker.reviews import ReviewOutcome
from iamtwin.broker.service import Broker
from iamtwin.cli.app import app
from iamtwin.clock import FixedClock
from iamtwin.world.stored import World

from .corpus import ask, load_cases

SHARED, CASES = load_cases("break_glass.yaml")
RULES = yaml.safe_dump({"people": SHARED["rules"].pop("people"), **SHARED["rules"]})
BOB = "bob@example.com"


def _step(broker: Broker, step: dict[str, Any], current: str | None) -> str | None:
    """Run one step; the request the following steps act on."""
    who = broker.person(step["as"])
    if step["do"] in ("break-glass", "request"):
        wanted = ask(step["ask"])
        made = broker.break_glass(who, wanted) if step["do"] == "break-glass" else broker.request(who, wanted)
        assert made.state.value == step["state"]
        assert made.ask.break_glass is (step["do"] == "break-glass")
        return made.id
    if step["do"] == "review":
        assert current is not None
        done = broker.review_break_glass(current, who, ReviewOutcome(step["outcome"]), step["comment"])
        assert (done.reviewer, done.outcome, done.comment) == (who.subject, step["outcome"], step["comment"])
        return current
    assert step["do"] == "unreviewed"
    assert len(broker.unreviewed_break_glass(who)) == step["count"]
    return current


@pytest.mark.parametrize("case", CASES)
def test_break_glass_cases(world: World, clock: FixedClock, case: dict[str, Any]) -> None:
    """Each step succeeds with the stated state, or is refused with the stated code."""
    broker = Broker(world.engine, clock)
    broker.load_rules(RULES)
    current: str | None = None
    for step in case["steps"]:
        if "error" in step:
            with pytest.raises(BrokerError) as refused:
                _step(broker, step, current)
            assert refused.value.code == step["error"], step
        else:
            current = _step(broker, step, current)
        if "unreviewed" in step:
            assert len(broker.unreviewed_break_glass(broker.person(BOB))) == step["unreviewed"]


def test_each_step_is_an_event_and_an_audit_record(world: World, clock: FixedClock) -> None:
    """BreakGlass then ReviewBreakGlass in the trail; the review is stored and the request state unchanged."""
    broker = Broker(world.engine, clock)
    broker.load_rules(RULES)
    olga, bob = broker.person("olga@example.com"), broker.person(BOB)
    used = broker.break_glass(olga, ask({"account": "444455556666", "role": "Responder"}))
    assert broker.break_glass_review(used.id, bob) is not None
    broker.review_break_glass(used.id, bob, ReviewOutcome.UNJUSTIFIED, "no incident open")
    found, events = broker.history(used.id, bob)
    assert [e.kind for e in events] == ["created", "break-glass", "break-glass-review"]
    assert events[-1].actor == BOB and events[-1].to_state == found.state
    review = broker.break_glass_review(used.id, bob)
    assert review is not None and review.outcome is ReviewOutcome.UNJUSTIFIED and not review.open
    records = [json.loads(e.record) for e in AuditStore(world.engine).events()]
    records = [r for r in records if r["eventName"] != "PutRules"]
    names = [r["eventName"] for r in records]
    assert names == ["CreateRequest", "BreakGlass", "ReviewBreakGlass"]
    reviewed = records[-1]
    assert reviewed["userIdentity"]["principalId"] == BOB
    assert reviewed["requestParameters"]["outcome"] == "unjustified"
    assert reviewed["requestParameters"]["comment"] == "no incident open"
    with pytest.raises(BrokerError):
        broker.review_break_glass(used.id, olga, ReviewOutcome.JUSTIFIED, "mine")
    refused = json.loads(list(AuditStore(world.engine).events())[-1].record)
    assert (refused["eventName"], refused["errorCode"]) == ("ReviewBreakGlass", "SELF_REVIEW_FORBIDDEN")


def test_unreviewed_uses_head_the_list_until_reviewed(db_url: str, tmp_path: Path) -> None:
    """`iamtwin broker list` shows open break-glass uses first, in a panel; `review` clears it."""
    runner = CliRunner()
    env = {"IAMTWIN_DB": db_url}
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")

    def run(*args: str) -> str:
        result = runner.invoke(app, ["broker", *args], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    run("rules", "load", str(rules))
    role = ["--account", "444455556666", "--role", "Responder", "--duration", "1h"]
    olga = ["--as", "olga@example.com"]
    glass = json.loads(run("break-glass", *olga, *role, "--justification", "db down", "-f", "json"))
    assert glass["breakGlass"] is True and glass["state"] == "approved"
    run("request", "--as", "olga@example.com", *role, "--justification", "routine")

    listed = run("list", "--as", BOB)
    assert "UNREVIEWED BREAK-GLASS USES (1)" in listed
    assert listed.index(glass["id"]) < listed.index("pending")
    data = json.loads(run("list", "--as", BOB, "-f", "json"))
    assert (data[0]["id"], data[0]["unreviewedBreakGlass"]) == (glass["id"], True)

    refused = runner.invoke(
        app, ["broker", "review", glass["id"], "--as", "olga@example.com", "--outcome", "justified", "--comment", "x"],
        env=env,
    )
    assert refused.exit_code == 2 and "SELF_REVIEW_FORBIDDEN" in refused.output
    done = json.loads(
        run("review", glass["id"], "--as", BOB, "--outcome", "justified", "--comment", "INC-7 was real", "-f", "json")
    )
    assert (done["reviewer"], done["outcome"]) == (BOB, "justified")
    assert "UNREVIEWED" not in run("list", "--as", BOB)
    shown = json.loads(run("show", glass["id"], "--as", "carol@example.com", "-f", "json"))
    assert shown["breakGlassReview"]["comment"] == "INC-7 was real"
