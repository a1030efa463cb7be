"""The statement a grant adds and the requests refused on their face, from cases/statements.yaml."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from iamtwin.grants import GrantError, GrantRequest
from iamtwin.grants.statement import (
    find_statement,
    grant_sid,
    grant_statement,
    with_statement,
    without_statement,
)

from .conftest import grant_request

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "statements.yaml").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[f"statements.yaml::{c['name']}" for c in CASES])
def test_statement_case(case: dict[str, Any]) -> None:
    """Each request gives the expected statement, or is refused with the expected code."""
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(GrantError) as caught:
            GrantRequest.from_json(case["request"])
        assert caught.value.code == expect["error"]
        return
    statement = grant_statement(GrantRequest.from_json(case["request"]))
    assert re.fullmatch(r"iamtwin-grant-[0-9a-f]{16}", statement.pop("Sid"))
    assert statement == expect["statement"]


def test_the_sid_follows_the_request_alone() -> None:
    """The same request (actions in any order, repeated) has one Sid; a different source another."""
    first = grant_request(actions=["lambda:InvokeFunction"])
    again = grant_request(actions=["lambda:InvokeFunction", "lambda:InvokeFunction"])
    other = grant_request(sourceArn="arn:aws:execute-api:us-east-1:444444444444:zzz999/*")
    assert grant_sid(first) == grant_sid(again)
    assert grant_sid(first) != grant_sid(other)


def test_adding_and_removing_keep_the_rest_of_the_policy() -> None:
    """A statement is appended after the others, keys in order; removing it gives the policy back."""
    policy = {"Version": "2012-10-17", "Id": "token", "Statement": {"Sid": "Own", "Effect": "Deny", "Action": "*"}}
    statement = grant_statement(grant_request())
    added = with_statement(policy, statement)
    assert list(added) == ["Version", "Id", "Statement"]
    assert [s["Sid"] for s in added["Statement"]] == ["Own", statement["Sid"]]
    assert find_statement(added, statement["Sid"]) == statement
    assert without_statement(added, statement["Sid"]) == {**policy, "Statement": [policy["Statement"]]}
    alone = with_statement(None, statement)
    assert alone == {"Version": "2012-10-17", "Statement": [statement]}
    assert without_statement(alone, statement["Sid"]) is None
