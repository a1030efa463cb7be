"""Scenarios 02 and 04 with boto3 against the server: AssumeRole over the wire, then the sessions' decisions.

A service principal cannot sign requests, so the first hop (states.amazonaws.com, ecs-tasks.amazonaws.com
assuming their roles) is issued by iamtwin's STS directly; every AssumeRole after it goes over the
wire signed with the previous session's credentials. AWS pages: scenario 02's
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html and
scenario 04's https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from tests.conftest import example_path

from iamtwin.sts.service import Sts
from iamtwin.world.worldfile import load_world

from .conftest import RunningServer

SM = "arn:aws:states:us-east-1:111111111111:stateMachine:SecretCacheConsumerWfw"
TRUSTED = "arn:aws:iam::111111111111:role/TrustedAccountRl"
TRUSTING = "arn:aws:iam::222222222222:role/TrustingAccountRl"


def _session_client(server: RunningServer, service: str, credentials: Any) -> Any:
    if hasattr(credentials, "access_key_id"):
        return server.client(
            service,
            key=credentials.access_key_id,
            secret=credentials.secret_access_key,
            token=credentials.session_token,
        )
    return server.client(
        service,
        key=credentials["AccessKeyId"],
        secret=credentials["SecretAccessKey"],
        token=credentials["SessionToken"],
    )


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_scenario_02_external_id_over_the_wire(server: RunningServer) -> None:
    """Expected 1 and 2: the right ExternalId gives the session; none gives AccessDenied naming the role."""
    with server.world.changes() as iam:
        iam.create_account("111111111111")
        iam.create_account("222222222222")
        iam.create_role(
            "111111111111",
            "TrustedAccountRl",
            _doc({"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}),
        )
        iam.put_inline_policy(
            "role",
            "111111111111",
            "TrustedAccountRl",
            "assume",
            _doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": TRUSTING}),
        )
        iam.create_role(
            "222222222222",
            "TrustingAccountRl",
            _doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": TRUSTED},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": SM}},
                }
            ),
        )
    first = Sts(server.world).assume_role("states.amazonaws.com", TRUSTED, "consumer-wf").credentials
    sts = _session_client(server, "sts", first)
    answer = sts.assume_role(RoleArn=TRUSTING, RoleSessionName="secret-cache", ExternalId=SM)
    assert answer["AssumedRoleUser"]["Arn"] == "arn:aws:sts::222222222222:assumed-role/TrustingAccountRl/secret-cache"
    assert _session_client(server, "sts", answer["Credentials"]).get_caller_identity()["Account"] == "222222222222"
    with pytest.raises(ClientError) as caught:
        sts.assume_role(RoleArn=TRUSTING, RoleSessionName="secret-cache")
    error = caught.value.response["Error"]
    assert error["Code"] == "AccessDenied"
    assert "is not authorized to perform: sts:AssumeRole on resource: " + TRUSTING in error["Message"]


def test_scenario_04_session_tags_over_the_wire(server: RunningServer) -> None:
    """Expected 1, 3 and 4: tags need sts:TagSession; the tagged session reaches only its tenant's data."""
    server.world.import_model(load_world(example_path("scenario04-tenant-isolation.yaml")).world)
    service = (
        Sts(server.world)
        .assume_role("ecs-tasks.amazonaws.com", "arn:aws:iam::111122223333:role/TrackingServiceRole", "tracking")
        .credentials
    )
    sts = _session_client(server, "sts", service)
    tagged = sts.assume_role(
        RoleArn="arn:aws:iam::111122223333:role/TrackingAccessRole",
        RoleSessionName="yellow",
        Tags=[{"Key": "TenantID", "Value": "yellow"}],
    )
    key = tagged["Credentials"]["AccessKeyId"]
    bucket = "arn:aws:s3:::sample-bucket-12345678/"
    assert server.world.authorize(key, "s3:GetObject", bucket + "yellow/orders.json").allowed
    assert not server.world.authorize(key, "s3:GetObject", bucket + "blue/orders.json").allowed
    with pytest.raises(ClientError) as caught:
        sts.assume_role(
            RoleArn="arn:aws:iam::111122223333:role/TrackingAccessRoleNoTagging",
            RoleSessionName="yellow",
            Tags=[{"Key": "TenantID", "Value": "yellow"}],
        )
    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    assert "sts:TagSession" in caught.value.response["Error"]["Message"]
    untagged = sts.assume_role(
        RoleArn="arn:aws:iam::111122223333:role/TrackingAccessRoleNoTagging", RoleSessionName="plain"
    )
    assert untagged["Credentials"]["AccessKeyId"].startswith("ASIA")
