"""Scenario 12 end to end: sara's web-identity sign-in, StopLogging, a role chain, investigated with the CLI.

Everything goes through `iamtwin serve` with boto3, in account 111122223333: sara signs in twice through
an OIDC provider (AssumeRoleWithWebIdentity,
https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html) into
`AWSReservedSSO_AdministratorAccess_598c5f73f8b2b4e5`, first from 198.51.100.7, then from 203.0.113.9
(the address reaches the server as uvicorn's trusted `X-Forwarded-For`); the second time she stops
logging on `demo-trail-2` and chains into `DemoRole1`, where she describes and runs instances and
attaches a policy twice (one denied). Then the five expectations of the scenario, with the CLI:
who assumed the role and when, from where (the issuing event's `userIdentity`, `WebIdentityUser`:
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html);
every call of the chain in time order, failures included; the chain with its times and durations,
a chained session lasting at most one hour
(https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining);
what is new against her earlier session; the export as JSON lines in CloudTrail's record shape
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
The source identity is set where iamtwin's STS takes it, on the chained AssumeRole (`SourceIdentity`,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html): its
AssumeRoleWithWebIdentity does not read the token's `https://aws.amazon.com/source_identity` claim.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from tests.api.conftest import serving
from tests.sts.federation_fixtures import OidcIssuerServer, epoch, make_identity, running_issuer, sign_token
from typer.testing import CliRunner

from iamtwin.api.app import create_app
from iamtwin.api.bootstrap import bootstrap_credentials
from iamtwin.audit.recorder import AuditRecorder
from iamtwin.audit.store import AuditStore
from iamtwin.cli.app import app
from iamtwin.clock import SystemClock
from iamtwin.world.stored import World

from .conftest import AuditedServer

runner = CliRunner()
ACCOUNT = "111122223333"
SSO_NAME = "AWSReservedSSO_AdministratorAccess_598c5f73f8b2b4e5"
SSO_ROLE = f"arn:aws:iam::{ACCOUNT}:role/{SSO_NAME}"
DEMO_ROLE = f"arn:aws:iam::{ACCOUNT}:role/DemoRole1"
SSO_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/{SSO_NAME}/sara"
DEMO_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/DemoRole1/sara"
EARLIER_ADDRESS, ADDRESS = "198.51.100.7", "203.0.113.9"


@pytest.fixture
def scenario_server(world: World) -> Iterator[AuditedServer]:
    """`iamtwin serve` over a world whose first account (the administrator's) is 111122223333."""
    world.clock = SystemClock()
    with world.changes() as iam:
        iam.create_account(ACCOUNT, "demo")
    key, secret, _ = bootstrap_credentials(world)
    store = AuditStore(world.engine)
    recorder = AuditRecorder(store)
    with serving(create_app(world, recorder=recorder)) as url:
        yield AuditedServer(url, world, key, secret, recorder, store)


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _from(client: Any, address: str) -> Any:
    """The client's requests come from `address` (a proxy's X-Forwarded-For, which uvicorn trusts from 127.0.0.1)."""

    def add_header(request: Any, **_: Any) -> None:
        request.headers["X-Forwarded-For"] = address

    client.meta.events.register("before-sign", add_header)
    return client


def _setup(server: AuditedServer, issuer: OidcIssuerServer) -> str:
    """The OIDC provider, the SSO role sara signs in to, DemoRole1 it may chain to, two targets; the policy ARN."""
    with server.world.changes() as iam:
        provider = iam.create_oidc_provider(ACCOUNT, f"https://{issuer.host}", ["sts.amazonaws.com"])
    iam_client = server.client("iam")
    sso_trust = _document(
        {
            "Effect": "Allow",
            "Principal": {"Federated": provider},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{issuer.host}:aud": "sts.amazonaws.com"}},
        }
    )
    iam_client.create_role(RoleName=SSO_NAME, AssumeRolePolicyDocument=sso_trust)
    iam_client.put_role_policy(
        RoleName=SSO_NAME,
        PolicyName="administrator",
        PolicyDocument=_document(
            {"Effect": "Allow", "Action": ["cloudtrail:StopLogging", "cloudtrail:DescribeTrails"], "Resource": "*"},
            {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"], "Resource": DEMO_ROLE},
        ),
    )
    demo_trust = _document(
        {"Effect": "Allow", "Principal": {"AWS": SSO_ROLE}, "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"]}
    )
    iam_client.create_role(RoleName="DemoRole1", AssumeRolePolicyDocument=demo_trust)
    iam_client.put_role_policy(
        RoleName="DemoRole1",
        PolicyName="demo",
        PolicyDocument=_document(
            {"Effect": "Allow", "Action": ["ec2:DescribeInstances", "ec2:RunInstances"], "Resource": "*"},
            {"Effect": "Allow", "Action": "iam:AttachRolePolicy", "Resource": f"arn:aws:iam::{ACCOUNT}:role/Target1"},
        ),
    )
    for target in ("Target1", "Target2"):
        iam_client.create_role(RoleName=target, AssumeRolePolicyDocument=demo_trust)
    policy = iam_client.create_policy(
        PolicyName="ReadOnly", PolicyDocument=_document({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"})
    )
    return str(policy["Policy"]["Arn"])


def _sign_in(server: AuditedServer, issuer: OidcIssuerServer, token: str, address: str) -> dict[str, Any]:
    sts = boto3.client(
        "sts",
        endpoint_url=server.url,
        region_name="us-east-1",
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )
    answer = _from(sts, address).assume_role_with_web_identity(
        RoleArn=SSO_ROLE, RoleSessionName="sara", WebIdentityToken=token
    )
    return dict(answer["Credentials"])


def _as(server: AuditedServer, credentials: dict[str, Any], service: str, address: str) -> Any:
    key, secret = credentials["AccessKeyId"], credentials["SecretAccessKey"]
    client = server.client(service, key=key, secret=secret, token=credentials["SessionToken"])
    return _from(client, address)


def _drive(server: AuditedServer) -> dict[str, Any]:
    """The scenario as written, after an earlier sign-in of sara's; the StopLogging eventID and the keys."""
    signer = make_identity()
    with running_issuer({"keys": [signer.public_jwk("k1")]}) as issuer:
        policy = _setup(server, issuer)
        now = SystemClock().now()
        claims = {"iss": issuer.issuer, "aud": "sts.amazonaws.com", "sub": "sara", "exp": epoch(now) + 600}
        token = sign_token(signer, claims)
        earlier = _sign_in(server, issuer, token, EARLIER_ADDRESS)
        with contextlib.suppress(ClientError):  # allowed; CloudTrail is not emulated (NotImplemented)
            _as(server, earlier, "cloudtrail", EARLIER_ADDRESS).describe_trails()
        sso = _sign_in(server, issuer, token, ADDRESS)
        host = issuer.host
    with pytest.raises(ClientError) as refused:  # allowed, then answered NotImplemented: not emulated
        _as(server, sso, "cloudtrail", ADDRESS).stop_logging(Name="demo-trail-2")
    assert refused.value.response["Error"]["Code"] == "NotImplemented"
    sts = _as(server, sso, "sts", ADDRESS)
    with pytest.raises(ClientError) as too_long:  # a chained session cannot last beyond one hour
        sts.assume_role(RoleArn=DEMO_ROLE, RoleSessionName="sara", SourceIdentity="sara", DurationSeconds=7200)
    assert too_long.value.response["Error"]["Code"] == "ValidationError"
    demo = sts.assume_role(RoleArn=DEMO_ROLE, RoleSessionName="sara", SourceIdentity="sara")["Credentials"]
    ec2 = _as(server, demo, "ec2", ADDRESS)
    with contextlib.suppress(ClientError):
        ec2.describe_instances()
    with contextlib.suppress(ClientError):
        ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType="t3.micro")
    iam = _as(server, demo, "iam", ADDRESS)
    with pytest.raises(ClientError) as denied:
        iam.attach_role_policy(RoleName="Target2", PolicyArn=policy)
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    iam.attach_role_policy(RoleName="Target1", PolicyArn=policy)
    events = server.events()
    (stop,) = [e for e in events if e["eventName"] == "StopLogging"]
    return {"stop": stop["eventID"], "sso": sso["AccessKeyId"], "demo": demo["AccessKeyId"], "host": host}


def _cli(*args: str) -> str:
    out = runner.invoke(app, list(args))
    assert out.exit_code == 0, out.output
    return out.stdout


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_scenario_12_as_written(scenario_server: AuditedServer, db_url: str) -> None:
    """The five expectations of scenario 12, each answered by `iamtwin audit sessions` or `iamtwin audit export`."""
    driven = _drive(scenario_server)
    report = json.loads(_cli("audit", "sessions", "--db", db_url, "--event-id", driven["stop"], "--format", "json"))

    # 1. Who assumed the role: sara's web identity, when and from which address; her source identity.
    origin = report["origin"]
    assert (origin["kind"], origin["type"], origin["userName"]) == ("web-identity", "WebIdentityUser", "sara")
    assert origin["identityProvider"] == driven["host"]
    assert origin["principalId"] == f"{driven['host']}:sts.amazonaws.com:sara"
    assert origin["sourceIPAddress"] == ADDRESS
    sso, demo = report["sessions"]
    assert origin["time"] == sso["issueTime"]
    assert report["sourceIdentity"] == "sara"
    assert (sso["sourceIdentity"], demo["sourceIdentity"]) == (None, "sara")

    # 2. Everything done in the session and the sessions chained from it, failures included, in time order.
    assert (sso["sessionArn"], sso["subject"], sso["accessKeyId"]) == (SSO_SESSION, True, driven["sso"])
    assert (demo["sessionArn"], demo["parent"], demo["accessKeyId"]) == (DEMO_SESSION, 0, driven["demo"])
    calls = sorted((e["seq"], e) for hop in report["sessions"] for e in hop["events"])
    assert [(e["action"], e["errorCode"]) for _, e in calls] == [
        ("cloudtrail:StopLogging", "NotImplemented"),
        ("sts:AssumeRole", "ValidationError"),
        ("sts:AssumeRole", None),
        ("ec2:DescribeInstances", "NotImplemented"),
        ("ec2:RunInstances", "NotImplemented"),
        ("iam:AttachRolePolicy", "AccessDenied"),
        ("iam:AttachRolePolicy", None),
    ]
    times = [_time(e["eventTime"]) for _, e in calls]
    assert times == sorted(times)
    assert calls[0][1]["requestParameters"]["name"] == "demo-trail-2" and calls[0][1]["outcome"] == "Allowed"
    assert calls[5][1]["outcome"] == "ImplicitDeny" and calls[5][1]["requestParameters"]["roleName"] == "Target2"
    assert all(e["sourceIPAddress"] == ADDRESS for _, e in calls)
    assert [e["resource"] for _, e in calls[1:3]] == [DEMO_ROLE, DEMO_ROLE]  # the role each AssumeRole asked for
    text = _cli("audit", "sessions", "--db", db_url, "--event-id", driven["stop"])
    assert f"origin web-identity: sara at {sso['issueTime']} from {ADDRESS}" in text
    assert "source identity sara" in text
    # The calls table: the rows in time order (long cells fold, so each row is found by a short unique text).
    marks = ["StopLoggin", "ValidationError", "ec2:DescribeInstances", "ec2:RunInstances", "AccessDenied", "Target1"]
    positions = [text.index(mark) for mark in marks]
    assert positions == sorted(positions)
    assert "(ImplicitDeny)" in text

    # 3. The chain sara -> SSO role -> DemoRole1 with times and durations; the chained hop at most one hour.
    assert (sso["issuedWith"], sso["issuedBy"], sso["chained"]) == ("AssumeRoleWithWebIdentity", "sara", False)
    assert (demo["issuedWith"], demo["issuedBy"], demo["chained"]) == ("AssumeRole", SSO_SESSION, True)
    assert sso["durationSeconds"] == 3600 and demo["durationSeconds"] == 3600
    assert demo["maxDurationSeconds"] == report["roleChainingMaxSeconds"] == 3600
    assert _time(sso["issueTime"]) <= _time(demo["issueTime"]) <= _time(sso["expiration"])
    assert _time(demo["expiration"]) - _time(demo["issueTime"]) <= timedelta(hours=1)
    assert report["notes"] == []
    dot = _cli("audit", "sessions", "--db", db_url, "--event-id", driven["stop"], "--format", "dot")
    assert 'origin [label="web-identity: sara"]' in dot
    assert f's0 [label="{SSO_NAME} / sara (subject)", style=bold]' in dot
    assert 's1 [label="DemoRole1 / sara"]' in dot
    assert f'origin -> s0 [label="AssumeRoleWithWebIdentity {sso["issueTime"]}, 3600 s"]' in dot
    assert f's0 -> s1 [label="AssumeRole {demo["issueTime"]}, 3600 s"]' in dot
    mermaid = _cli("audit", "sessions", "--db", db_url, "--session-arn", DEMO_SESSION, "--format", "mermaid")
    assert f'  origin -->|"AssumeRoleWithWebIdentity {sso["issueTime"]}, 3600 s"| s0' in mermaid
    assert '  s1["DemoRole1 / sara _subject_"]' in mermaid
    by_session = json.loads(
        _cli("audit", "sessions", "--db", db_url, "--session-arn", DEMO_SESSION, "--format", "json")
    )
    assert [(s["sessionArn"], s["subject"]) for s in by_session["sessions"]] == [
        (SSO_SESSION, False),
        (DEMO_SESSION, True),
    ]

    # 4. Against sara's earlier session: what she had never done, and the address she had never used.
    assert sso["newActivity"] == {
        "earlierSessions": 1,
        "earlierEvents": 1,
        "newActions": ["cloudtrail:StopLogging", "sts:AssumeRole"],
        "newSourceAddresses": [ADDRESS],
    }
    assert demo["newActivity"]["earlierSessions"] == 0
    assert demo["newActivity"]["newActions"] == [
        "ec2:DescribeInstances",
        "ec2:RunInstances",
        "iam:AttachRolePolicy",
    ]

    # 5. The export: JSON lines in CloudTrail's record shape, the investigated calls among them.
    lines = _cli("audit", "export", "--db", db_url).splitlines()
    records = {r["eventID"]: r for r in map(json.loads, lines)}
    for _, call in calls:
        record = records[call["eventID"]]
        for key in ("eventTime", "eventSource", "eventName", "userIdentity", "sourceIPAddress", "requestParameters"):
            assert key in record, key
        issuer = record["userIdentity"]["sessionContext"]["sessionIssuer"]
        assert issuer["arn"] in (SSO_ROLE, DEMO_ROLE) and issuer["type"] == "Role"
        assert record.get("errorCode") == call["errorCode"]
    stop_record = records[driven["stop"]]
    assert (stop_record["eventSource"], stop_record["eventName"]) == ("cloudtrail.amazonaws.com", "StopLogging")
    assert stop_record["requestParameters"] == {"name": "demo-trail-2"}
    assert stop_record["sourceIPAddress"] == ADDRESS
    sign_ins = [r for r in records.values() if r["eventName"] == "AssumeRoleWithWebIdentity"]
    assert [r["sourceIPAddress"] for r in sign_ins] == [EARLIER_ADDRESS, ADDRESS]
    assert all(r["userIdentity"]["type"] == "WebIdentityUser" for r in sign_ins)
    session_lines = _cli("audit", "sessions", "--db", db_url, "--event-id", driven["stop"], "--format", "jsonl")
    assert [json.loads(line)["eventID"] for line in session_lines.splitlines()] == [e["eventID"] for _, e in calls]
