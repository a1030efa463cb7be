"""The orchestrator on a stored world (SQLite and PostgreSQL): scenario 13's four expectations, in process.

Pages: the confused-deputy conditions https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html,
Lambda's resource-based policies https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html,
and CloudTrail's record of failed calls
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from iamtwin.audit.chain import verify
from iamtwin.audit.store import AuditStore
from iamtwin.grants import GrantError, GrantOrchestrator, Restoration
from iamtwin.world.store import schema as t
from iamtwin.world.stored import World

from .conftest import FUNCTION, ORCHESTRATOR, SETTINGS, Estate, grant_request

A1B2C3 = "arn:aws:execute-api:us-east-1:444444444444:a1b2c3/prod/GET/tokens"


def _records(world: World) -> list[dict[str, Any]]:
    return [json.loads(e.record) for e in AuditStore(world.engine).events()]


def _grant_records(world: World) -> list[dict[str, Any]]:
    calls = [r for r in _records(world) if r["eventSource"] == "grants.iamtwin"]
    return [r for r in calls if r["eventName"] != "PutGrantSettings"]


def _invoke(world: World, source_arn: str | None, source_account: str | None) -> str:
    context = {}
    if source_arn is not None:
        context["aws:SourceArn"] = source_arn
    if source_account is not None:
        context["aws:SourceAccount"] = source_account
    return world.authorize("apigateway.amazonaws.com", "lambda:InvokeFunction", FUNCTION, context).outcome.value


def test_expected_1_the_pipeline_grant_is_added_and_audited(estate: Estate) -> None:
    """The team's pipeline gets the statement of the scenario; the request and the change are one event."""
    pipeline = estate.session("444444444444", "cicd-deployer")
    before = estate.policy_text()
    outcome = estate.orchestrator.apply(pipeline, grant_request())
    assert outcome.changed
    statement = dict(outcome.grant.statement)
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Resource"] == FUNCTION
    assert statement["Condition"] == {
        "ArnLike": {"aws:SourceArn": "arn:aws:execute-api:us-east-1:444444444444:a1b2c3/*"},
        "StringEquals": {"aws:SourceAccount": "444444444444"},
    }
    policy = json.loads(estate.policy_text() or "")
    assert policy["Statement"][-1] == statement
    assert outcome.grant.previous_policy == before
    assert outcome.grant.requester == "arn:aws:iam::444444444444:role/cicd-deployer"
    [record] = _grant_records(estate.world)
    assert record["eventName"] == "RequestGrant"
    assert record["userIdentity"]["arn"] == pipeline.arn
    assert record["responseElements"]["grantId"] == outcome.grant.id
    assert record["responseElements"]["changed"] is True
    assert record["iamtwinDecision"]["outcome"] == "Allowed"
    assert verify(AuditStore(estate.world.engine)).ok


def test_expected_2_only_that_api_of_that_account_may_invoke(estate: Estate) -> None:
    """API Gateway invokes for a1b2c3 of 444444444444; for another API, another account or no source it does not."""
    assert _invoke(estate.world, A1B2C3, "444444444444") == "ImplicitDeny"
    estate.orchestrator.apply(estate.session("444444444444", "cicd-deployer"), grant_request())
    assert _invoke(estate.world, A1B2C3, "444444444444") == "Allowed"
    assert _invoke(estate.world, "arn:aws:execute-api:us-east-1:444444444444:zzz999/prod/GET/x", "444444444444") == (
        "ImplicitDeny"
    )
    assert _invoke(estate.world, "arn:aws:execute-api:us-east-1:555555555555:a1b2c3/prod/GET/x", "555555555555") == (
        "ImplicitDeny"
    )
    assert _invoke(estate.world, A1B2C3, "555555555555") == "ImplicitDeny"
    assert _invoke(estate.world, None, None) == "ImplicitDeny"


def test_expected_3_refusals_change_nothing_and_are_audited(estate: Estate) -> None:
    """A developer is not a pipeline; a pipeline may not reach another function: both refused and recorded."""
    before = estate.policy_text()
    with pytest.raises(GrantError) as refused:
        estate.orchestrator.apply(estate.session("444444444444", "developer"), grant_request())
    assert refused.value.code == "GRANT_NOT_PERMITTED"
    other = grant_request(resource="arn:aws:lambda:us-east-1:333333333333:function:billing")
    with pytest.raises(GrantError) as out_of_scope:
        estate.orchestrator.apply(estate.session("444444444444", "cicd-deployer"), other)
    assert out_of_scope.value.code == "GRANT_OUT_OF_SCOPE"
    assert estate.policy_text() == before
    not_permitted, outside = _grant_records(estate.world)
    assert not_permitted["errorCode"] == "GRANT_NOT_PERMITTED"
    assert not_permitted["userIdentity"]["arn"] == "arn:aws:sts::444444444444:assumed-role/developer/deploy"
    assert not_permitted["iamtwinDecision"]["outcome"] == "ImplicitDeny"
    assert not_permitted["responseElements"] is None
    assert outside["errorCode"] == "GRANT_OUT_OF_SCOPE"
    with estate.world.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.grants)).scalar() == 0


def test_expected_4_repeating_changes_nothing_and_revoking_restores_the_exact_policy(estate: Estate) -> None:
    """The same request twice is one grant; revoking it puts back the policy's stored text byte for byte."""
    pipeline = estate.session("444444444444", "cicd-deployer")
    before = estate.policy_text()
    first = estate.orchestrator.apply(pipeline, grant_request())
    after = estate.policy_text()
    again = estate.orchestrator.apply(estate.session("444444444444", "cicd-deployer", "deploy-2"), grant_request())
    assert (again.changed, again.grant.id) == (False, first.grant.id)
    assert estate.policy_text() == after
    assert [g.id for g in estate.orchestrator.list_grants(pipeline)] == [first.grant.id]
    revoked = estate.orchestrator.revoke(pipeline, first.grant.id)
    assert (revoked.changed, revoked.restoration) == (True, Restoration.EXACT)
    assert estate.policy_text() == before
    assert estate.orchestrator.list_grants(pipeline) == []
    assert [g.state.value for g in estate.orchestrator.list_grants(pipeline, include_revoked=True)] == ["revoked"]
    with pytest.raises(GrantError) as twice:
        estate.orchestrator.revoke(pipeline, first.grant.id)
    assert twice.value.code == "GRANT_ALREADY_REVOKED"
    names = [(r["eventName"], r.get("errorCode")) for r in _grant_records(estate.world)]
    assert names == [
        ("RequestGrant", None),
        ("RequestGrant", None),
        ("ListGrants", None),
        ("RevokeGrant", None),
        ("ListGrants", None),
        ("ListGrants", None),
        ("RevokeGrant", "GRANT_ALREADY_REVOKED"),
    ]
    assert _grant_records(estate.world)[1]["responseElements"]["changed"] is False


def test_revoking_after_a_later_grant_removes_only_its_own_statement(estate: Estate) -> None:
    """With another team's grant added since, a revocation takes out its statement alone; the last one restores all."""
    before = estate.policy_text()
    team_a = estate.orchestrator.apply(estate.session("444444444444", "cicd-deployer"), grant_request())
    team_b = estate.orchestrator.apply(estate.session("555555555555", "cicd-deployer"), grant_request("555555555555"))
    first = estate.orchestrator.revoke(estate.session("444444444444", "cicd-deployer"), team_a.grant.id)
    assert first.restoration is Restoration.STATEMENT_REMOVED
    sids = [s.get("Sid") for s in json.loads(estate.policy_text() or "")["Statement"]]
    assert sids == ["OnlyTheOrchestratorChangesPermissions", team_b.grant.sid]
    assert _invoke(estate.world, A1B2C3, "444444444444") == "ImplicitDeny"
    estate.orchestrator.revoke(estate.session("555555555555", "cicd-deployer"), team_b.grant.id)
    assert estate.policy_text() == before


def test_only_the_orchestrator_may_change_the_function_policy(estate: Estate) -> None:
    """The function's policy denies AddPermission to all but the orchestrator, the token account's admin included."""
    pipeline = estate.session("444444444444", "cicd-deployer")
    assert estate.world.authorize(pipeline, "lambda:AddPermission", FUNCTION).outcome.value == "ExplicitDeny"
    admin = "arn:aws:iam::333333333333:role/token-admin"
    assert estate.world.authorize(admin, "lambda:AddPermission", FUNCTION).outcome.value == "ExplicitDeny"
    assert estate.world.authorize(ORCHESTRATOR, "lambda:AddPermission", FUNCTION).allowed
    assert estate.world.authorize(ORCHESTRATOR, "lambda:RemovePermission", FUNCTION).allowed


def test_the_orchestrator_acts_only_as_far_as_its_role_may(estate: Estate) -> None:
    """Without lambda:AddPermission on its role, the orchestrator refuses and writes nothing."""
    with estate.world.changes() as iam:
        iam.delete_inline_policy("role", "333333333333", "PermissionOrchestrator", "ManageTokenValidatorPermissions")
    before = estate.policy_text()
    with pytest.raises(GrantError) as caught:
        estate.orchestrator.apply(estate.session("444444444444", "cicd-deployer"), grant_request())
    assert caught.value.code == "GRANT_ORCHESTRATOR_DENIED"
    assert estate.policy_text() == before


def test_a_policy_the_validator_fails_is_never_written(estate: Estate) -> None:
    """An action IAM does not know makes the new policy fail validation (INVALID_ACTION): refused, unchanged."""
    wider = "actions: [lambda:InvokeFunction, lambda:InvokeEverything]"
    estate.orchestrator.configure(SETTINGS.replace("actions: [lambda:InvokeFunction]", wider))
    before = estate.policy_text()
    with pytest.raises(GrantError) as caught:
        estate.orchestrator.apply(
            estate.session("444444444444", "cicd-deployer"), grant_request(actions=["lambda:InvokeEverything"])
        )
    assert caught.value.code == "GRANT_POLICY_REJECTED"
    assert [d["code"] for d in caught.value.to_dict()["details"]] == ["INVALID_ACTION"]  # type: ignore[union-attr]
    assert estate.policy_text() == before


def test_a_grant_is_revoked_only_by_the_principal_that_asked(estate: Estate) -> None:
    """Another team's pipeline does not see the grant; another session of the same role may revoke it."""
    granted = estate.orchestrator.apply(estate.session("444444444444", "cicd-deployer"), grant_request())
    with pytest.raises(GrantError) as caught:
        estate.orchestrator.revoke(estate.session("555555555555", "cicd-deployer"), granted.grant.id)
    assert caught.value.code == "GRANT_NOT_FOUND"
    later = estate.session("444444444444", "cicd-deployer", "deploy-later")
    assert estate.orchestrator.revoke(later, granted.grant.id).changed


def test_a_statement_the_ledger_did_not_write_is_a_conflict(estate: Estate) -> None:
    """A policy already holding the grant's Sid in another form is left alone (GRANT_CONFLICT)."""
    from iamtwin.grants.statement import grant_sid

    request = grant_request()
    policy = json.loads(estate.policy_text() or "")
    policy["Statement"].append({"Sid": grant_sid(request), "Effect": "Allow", "Principal": "*", "Action": "lambda:*"})
    with estate.world.changes() as iam:
        iam.put_resource(FUNCTION, policy=policy)
    with pytest.raises(GrantError) as caught:
        estate.orchestrator.apply(estate.session("444444444444", "cicd-deployer"), request)
    assert caught.value.code == "GRANT_CONFLICT"


def test_without_settings_the_orchestrator_refuses(world: World) -> None:
    """Nothing is granted before settings are loaded; settings are checked when loaded, and the load is audited."""
    orchestrator = GrantOrchestrator(world)
    with pytest.raises(GrantError) as missing:
        orchestrator.settings()
    assert missing.value.code == "GRANT_NOT_CONFIGURED"
    with pytest.raises(GrantError) as invalid:
        orchestrator.configure(SETTINGS.replace("role/PermissionOrchestrator", "user/someone"))
    assert invalid.value.code == "GRANT_INVALID_SETTINGS"
    orchestrator.configure(SETTINGS)
    [loaded] = [r for r in _records(world) if r["eventName"] == "PutGrantSettings"]
    assert loaded["userIdentity"]["type"] == "IamtwinOperator"
    assert loaded["requestParameters"]["orchestrator"] == ORCHESTRATOR
