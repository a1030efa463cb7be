"""IAM Toolbox over the wire: the details and policies behind an authorization id, kept 24 hours.

https://docs.aws.amazon.com/iam-toolbox/latest/APIReference/API_GetRequestAuthorizationDetails.html,
https://docs.aws.amazon.com/iam-toolbox/latest/APIReference/API_GetRequestAuthorizationPolicy.html.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError
from sqlalchemy import update

from iamtwin.world.store.schema import authorization_records

from .conftest import RunningServer

DENY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "NoUsers", "Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"},
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
    ],
}


def _denied_id(server: RunningServer) -> str:
    iam = server.client("iam")
    iam.create_user(UserName="ops")
    iam.put_user_policy(UserName="ops", PolicyName="NoUsers", PolicyDocument=json.dumps(DENY))
    key = iam.create_access_key(UserName="ops")["AccessKey"]
    ops = server.client("iam", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    with pytest.raises(ClientError) as caught:
        ops.create_user(UserName="x")
    return str(caught.value.response["Error"]["Message"]).rsplit(" ", 1)[-1]


def test_details_and_policy_of_an_explicit_deny(server: RunningServer) -> None:
    """The evaluation names the deny statement; the policy comes back as it was at decision time."""
    authorization_id = _denied_id(server)
    toolbox = server.client("iam-toolbox")
    details = toolbox.get_request_authorization_details(authorizationId=authorization_id)
    evaluation = details["evaluations"][0]
    assert evaluation["evaluatedEffect"] == "EXPLICIT_DENY"
    uri = evaluation["matchedPolicies"][0]["uri"]
    document = toolbox.get_request_authorization_policy(authorizationId=authorization_id, policyUri=uri)
    assert json.loads(document["policyDocument"]) == DENY


def test_unknown_or_expired_ids_are_not_found(server: RunningServer) -> None:
    """An id never issued, or one older than 24 hours, is ResourceNotFoundException."""
    toolbox = server.client("iam-toolbox")
    with pytest.raises(ClientError) as caught:
        toolbox.get_request_authorization_details(authorizationId="nosuchid")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    authorization_id = _denied_id(server)
    with server.world.engine.begin() as conn:
        old = server.world.clock.now() - timedelta(hours=25)
        conn.execute(update(authorization_records).values(created_at=old))
    with pytest.raises(ClientError) as caught:
        toolbox.get_request_authorization_details(authorizationId=authorization_id)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
